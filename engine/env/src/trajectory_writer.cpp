#include "greenwave/env/trajectory_writer.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <stdexcept>

#include "greenwave/core/error.hpp"
#include "greenwave/core/output_file.hpp"
#include "hdf5_util.hpp"

namespace greenwave {
namespace {

using hdf5::check;
using hdf5::Handle;

constexpr hsize_t kChunkBytes = 256 * 1024;
constexpr hsize_t kMaxChunkRows = 4096;
constexpr unsigned kDeflateLevel = 4;

/// A dataset of rows (row shape fixed) that grows by one row per append.
class RowDataset {
 public:
  RowDataset() = default;
  /// Creates `name` in `group` with rows of `row_dims` elements of `file_type`.
  RowDataset(hid_t group, const char* name, std::vector<hsize_t> row_dims, hid_t file_type, hid_t mem_type)
      : row_dims_(std::move(row_dims)), mem_type_(mem_type) {
    std::vector<hsize_t> dims{0};
    std::vector<hsize_t> max_dims{H5S_UNLIMITED};
    hsize_t row_bytes = H5Tget_size(file_type);
    for (const hsize_t d : row_dims_) {
      dims.push_back(d);
      max_dims.push_back(d);
      row_bytes *= std::max<hsize_t>(d, 1);
    }
    std::vector<hsize_t> chunk = dims;
    chunk[0] = std::clamp<hsize_t>(kChunkBytes / row_bytes, 1, kMaxChunkRows);
    for (std::size_t k = 1; k < chunk.size(); ++k) chunk[k] = std::max<hsize_t>(chunk[k], 1);
    const Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), max_dims.data()),
                       std::string("create the space of ") + name);
    const Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), "create a dataset creation list");
    check(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()), "set chunking");
    check(H5Pset_shuffle(dcpl.get()), "set the shuffle filter");
    check(H5Pset_deflate(dcpl.get(), kDeflateLevel), "set deflate compression");
    dataset_ = Handle(H5Dcreate2(group, name, file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
                      std::string("create dataset ") + name);
  }

  /// Appends one row of `row_dims` elements from `data`.
  void append(const void* data) {
    std::vector<hsize_t> dims{rows_ + 1};
    dims.insert(dims.end(), row_dims_.begin(), row_dims_.end());
    check(H5Dset_extent(dataset_.get(), dims.data()), "extend a dataset");
    const Handle file_space(H5Dget_space(dataset_.get()), "read a dataset's space");
    std::vector<hsize_t> start(dims.size(), 0);
    start[0] = rows_;
    std::vector<hsize_t> count = dims;
    count[0] = 1;
    check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
          "select a row");
    const Handle mem_space(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), "create a row space");
    check(H5Dwrite(dataset_.get(), mem_type_, mem_space.get(), file_space.get(), H5P_DEFAULT, data), "write a row");
    ++rows_;
  }

  /// Rows written.
  hsize_t rows() const { return rows_; }
  /// The dataset's identifier (for attributes).
  hid_t id() const { return dataset_.get(); }
  /// Forgets the dataset without closing it (see TrajectoryWriter::Impl::~Impl).
  void abandon() { dataset_.abandon(); }

 private:
  Handle dataset_;
  std::vector<hsize_t> row_dims_;
  hid_t mem_type_ = H5I_INVALID_HID;
  hsize_t rows_ = 0;
};

}  // namespace

struct TrajectoryWriter::Impl {
  std::string path;
  std::size_t agents = 0;
  std::size_t obs_size = 0;
  std::vector<std::string> metric_names;
  // The file is created under a temporary name and takes `path` at the first episode end, so a
  // run that fails before then leaves an earlier file at `path` untouched.
  std::optional<OutputFile> pending;
  Handle file;
  Handle episode;
  RowDataset observations, actions, rewards, ignored, terminated, truncated, metrics;
  bool open = false;
  bool failed = false;  // a write failed: nothing more is written, not even at destruction
  std::int64_t episodes = 0;
  std::vector<std::uint8_t> ignored_row;

  // Runs `f` (HDF5 calls); a failure marks the writer failed and becomes IoError when the
  // operating system refused a write (full disk, file size limit), ConfigError otherwise.
  template <class F>
  void guarded(F&& f) {
    if (failed) throw std::logic_error("trajectory " + path + ": used after a failed write");
    const hdf5::QuietErrors quiet;
    try {
      f();
    } catch (const hdf5::Failure& e) {
      failed = true;
      if (e.os_error() != 0) throw IoError(path, "write the trajectory", e.os_error());
      throw ConfigError("trajectory", path + ": " + e.what());
    }
  }

  // Gives the file its name (once): syncs the temporary and renames it onto `path`.
  void commit_pending() {
    if (!pending) return;
    try {
      pending->commit();
    } catch (const IoError&) {
      failed = true;
      throw;
    }
    pending.reset();
  }

  ~Impl() {
    if (!failed) return;
    // After a failed write nothing more may reach the file: a close would flush the open
    // episode's metadata, part of which lands in place over what the last episode end left
    // readable. The identifiers stay open until the process ends (no exit handler flushes them).
    for (RowDataset* d : {&observations, &actions, &rewards, &ignored, &terminated, &truncated, &metrics}) d->abandon();
    episode.abandon();
    file.abandon();
  }

  void check_size(const char* what, std::size_t got, std::size_t expected) const {
    if (got != expected)
      throw std::invalid_argument("trajectory " + path + ": " + what + " has " + std::to_string(got) +
                                  " values, expected " + std::to_string(expected));
  }
};

TrajectoryWriter::TrajectoryWriter(const std::string& path, const EnvSpec& spec, std::vector<std::string> metric_names,
                                   TrajectoryMeta meta)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.path = path;
  m.agents = static_cast<std::size_t>(spec.num_agents());
  m.obs_size = static_cast<std::size_t>(spec.observation.size());
  m.metric_names = std::move(metric_names);
  m.ignored_row.resize(m.agents);
  hdf5::init();
  m.pending.emplace(path);
  m.guarded([&] {
    // No free-space reuse: space freed while an episode is open may still be referenced by the
    // metadata flushed at the last episode end, so it must never be overwritten.
    const Handle fcpl(H5Pcreate(H5P_FILE_CREATE), "create a file creation list");
    check(H5Pset_file_space_strategy(fcpl.get(), H5F_FSPACE_STRATEGY_NONE, false, 1), "set the file space strategy");
    const Handle fapl = hdf5::file_access_without_locking();
    // No metadata evictions: metadata reaches the file only at H5Fflush, i.e. at episode ends.
    H5AC_cache_config_t cache{};
    cache.version = H5AC__CURR_CACHE_CONFIG_VERSION;
    check(H5Pget_mdc_config(fapl.get(), &cache), "read the metadata cache config");
    cache.evictions_enabled = false;
    cache.incr_mode = H5C_incr__off;
    cache.flash_incr_mode = H5C_flash_incr__off;
    cache.decr_mode = H5C_decr__off;
    check(H5Pset_mdc_config(fapl.get(), &cache), "set the metadata cache config");
    m.file = Handle(H5Fcreate(m.pending->temp_path().c_str(), H5F_ACC_TRUNC, fcpl.get(), fapl.get()), "create the file");
    const hid_t f = m.file.get();
    const std::int32_t version = kTrajectorySchemaVersion;
    hdf5::write_int_attribute(f, "schema_version", H5T_STD_I32LE, H5T_NATIVE_INT32, &version);
    hdf5::write_string_attribute(f, "scenario_hash", meta.scenario_hash);
    hdf5::write_string_attribute(f, "reward_spec", meta.reward_spec);
    hdf5::write_string_attribute(f, "env_config", meta.env_config);
    hdf5::write_int_attribute(f, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &meta.seed);
    hdf5::write_strings_attribute(f, "agent_ids", spec.agent_ids);
    std::vector<std::string> components;
    for (const ObservationComponent& c : spec.observation.components) components.push_back(c.name);
    hdf5::write_strings_attribute(f, "observation_components", components);
    hdf5::write_strings_attribute(f, "metric_names", m.metric_names);
    check(H5Fflush(f, H5F_SCOPE_GLOBAL), "flush");
  });
}

TrajectoryWriter::~TrajectoryWriter() {
  Impl& m = *impl_;
  if (m.failed) return;
  try {
    if (m.open) end_episode();
    m.commit_pending();  // when no episode ended, the file holds its attributes only
  } catch (const std::exception& e) {
    std::fprintf(stderr, "greenwave: trajectory %s: could not end the last episode: %s\n", m.path.c_str(), e.what());
  }
}

void TrajectoryWriter::begin_episode(std::uint64_t seed, std::span<const float> observation) {
  Impl& m = *impl_;
  if (m.open) throw std::logic_error("trajectory " + m.path + ": begin_episode() while an episode is open");
  m.check_size("observation", observation.size(), m.agents * m.obs_size);
  char name[32];
  std::snprintf(name, sizeof name, "episode_%06lld", static_cast<long long>(m.episodes));
  m.guarded([&] {
    m.episode = Handle(H5Gcreate2(m.file.get(), name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), std::string("create group ") + name);
    const hid_t g = m.episode.get();
    hdf5::write_int_attribute(g, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &seed);
    m.observations = RowDataset(g, "observations", {m.agents, m.obs_size}, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT);
    m.actions = RowDataset(g, "actions", {m.agents}, H5T_STD_I32LE, H5T_NATIVE_INT32);
    m.rewards = RowDataset(g, "rewards", {m.agents}, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT);
    m.ignored = RowDataset(g, "ignored", {m.agents}, H5T_STD_U8LE, H5T_NATIVE_UINT8);
    m.terminated = RowDataset(g, "terminated", {}, H5T_STD_U8LE, H5T_NATIVE_UINT8);
    m.truncated = RowDataset(g, "truncated", {}, H5T_STD_U8LE, H5T_NATIVE_UINT8);
    m.metrics = RowDataset(g, "metrics", {m.metric_names.size()}, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
    hdf5::write_strings_attribute(m.metrics.id(), "metric_names", m.metric_names);
    m.observations.append(observation.data());
  });
  m.open = true;
}

void TrajectoryWriter::append(std::span<const std::int32_t> actions, std::span<const float> rewards,
                              std::span<const float> observation, const StepInfo& info) {
  Impl& m = *impl_;
  if (!m.open) throw std::logic_error("trajectory " + m.path + ": append() without begin_episode()");
  m.check_size("actions", actions.size(), m.agents);
  m.check_size("rewards", rewards.size(), m.agents);
  m.check_size("observation", observation.size(), m.agents * m.obs_size);
  m.check_size("info.ignored", info.ignored.size(), m.agents);
  m.check_size("info.metric_values", info.metric_values.size(), m.metric_names.size());
  const std::uint8_t terminated = info.terminated;
  const std::uint8_t truncated = info.truncated;
  m.guarded([&] {
    m.actions.append(actions.data());
    m.rewards.append(rewards.data());
    m.ignored.append(info.ignored.data());
    m.terminated.append(&terminated);
    m.truncated.append(&truncated);
    m.metrics.append(info.metric_values.data());
    m.observations.append(observation.data());
  });
}

void TrajectoryWriter::end_episode() {
  Impl& m = *impl_;
  if (!m.open) throw std::logic_error("trajectory " + m.path + ": end_episode() without begin_episode()");
  const auto steps = static_cast<std::int64_t>(m.actions.rows());
  m.guarded([&] {
    hdf5::write_int_attribute(m.episode.get(), "steps", H5T_STD_I64LE, H5T_NATIVE_INT64, &steps);
    // Flushed before the datasets close, because a close swallows the failure of its own flush.
    check(H5Fflush(m.file.get(), H5F_SCOPE_GLOBAL), "flush " + m.path);
    m.observations = {};
    m.actions = {};
    m.rewards = {};
    m.ignored = {};
    m.terminated = {};
    m.truncated = {};
    m.metrics = {};
    m.episode = {};
    check(H5Fflush(m.file.get(), H5F_SCOPE_GLOBAL), "flush " + m.path);
  });
  m.open = false;
  ++m.episodes;
  m.commit_pending();
}

std::int64_t TrajectoryWriter::episodes() const { return impl_->episodes; }

}  // namespace greenwave
