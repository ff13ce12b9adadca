#include <gtest/gtest.h>
#include <hdf5.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include "file_size_limit.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/env/trajectory_summary.hpp"
#include "trajectory_rollout.hpp"

namespace greenwave {
namespace {

using testing::TrajectoryRollout;

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("greenwave_" + std::to_string(::getpid()) + "_" + name)).string();
}

// Reads a whole float or int dataset with the HDF5 C API (as a reader without greenwave would).
template <class T>
std::vector<T> read_dataset(const std::string& path, const std::string& name, hid_t type, std::vector<hsize_t>* dims = nullptr) {
  const hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_file_locking(fapl, false, true);
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl);
  const hid_t d = H5Dopen2(f, name.c_str(), H5P_DEFAULT);
  const hid_t space = H5Dget_space(d);
  std::vector<hsize_t> shape(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)));
  H5Sget_simple_extent_dims(space, shape.data(), nullptr);
  std::vector<T> out(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  EXPECT_GE(H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), 0) << name;
  if (dims) *dims = shape;
  H5Sclose(space);
  H5Dclose(d);
  H5Fclose(f);
  H5Pclose(fapl);
  return out;
}

TEST(TrajectoryWriter, WritesEpisodesWithTheDocumentedSchema) {
  const std::string path = temp_path("schema.h5");
  std::vector<float> reset_obs, last_obs, last_rewards;
  {
    TrajectoryRollout r(path, 100);
    r.begin(5);
    reset_obs = r.obs;
    ASSERT_EQ(r.run(1000), 10);
    last_obs = r.obs;
    last_rewards = r.rewards;
    r.writer.end_episode();
    r.begin(6);
    ASSERT_EQ(r.run(4), 4);  // left open: the destructor ends it
  }
  const TrajectorySummary s = read_trajectory_summary(path);
  EXPECT_EQ(s.schema_version, kTrajectorySchemaVersion);
  EXPECT_EQ(s.scenario_hash, "0123456789abcdef");
  EXPECT_EQ(s.reward_spec, "pressure:1,queue:0.25");
  EXPECT_NE(s.env_config.find("\"reward\":\"pressure:1,queue:0.25\""), std::string::npos);
  EXPECT_EQ(s.seed, 42u);
  EXPECT_EQ(s.agents, 2);
  EXPECT_EQ(s.observation_size, 105);
  EXPECT_EQ(s.episode_steps, (std::vector<std::int64_t>{10, 4}));
  EXPECT_EQ(s.steps(), 14);
  EXPECT_EQ(s.metric_names, traffic_metric_names());

  std::vector<hsize_t> dims;
  const auto obs = read_dataset<float>(path, "episode_000000/observations", H5T_NATIVE_FLOAT, &dims);
  EXPECT_EQ(dims, (std::vector<hsize_t>{11, 2, 105}));
  EXPECT_EQ(std::vector<float>(obs.begin(), obs.begin() + 210), reset_obs);
  EXPECT_EQ(std::vector<float>(obs.end() - 210, obs.end()), last_obs);
  const auto rewards = read_dataset<float>(path, "episode_000000/rewards", H5T_NATIVE_FLOAT, &dims);
  EXPECT_EQ(dims, (std::vector<hsize_t>{10, 2}));
  EXPECT_EQ(std::vector<float>(rewards.end() - 2, rewards.end()), last_rewards);
  const auto actions = read_dataset<std::int32_t>(path, "episode_000000/actions", H5T_NATIVE_INT32);
  EXPECT_EQ(std::vector<std::int32_t>(actions.begin(), actions.begin() + 6), (std::vector<std::int32_t>{0, 0, 1, 1, 2, 0}));
  const auto truncated = read_dataset<std::uint8_t>(path, "episode_000000/truncated", H5T_NATIVE_UINT8);
  EXPECT_EQ(truncated, (std::vector<std::uint8_t>{0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
  const auto terminated = read_dataset<std::uint8_t>(path, "episode_000000/terminated", H5T_NATIVE_UINT8);
  EXPECT_EQ(terminated, std::vector<std::uint8_t>(10, 0));
  const auto metrics = read_dataset<double>(path, "episode_000001/metrics", H5T_NATIVE_DOUBLE, &dims);
  EXPECT_EQ(dims, (std::vector<hsize_t>{4, traffic_metric_names().size()}));
  EXPECT_EQ(metrics[7], 10.0);  // column "time" of the first step
  std::filesystem::remove(path);
}

TEST(TrajectoryWriter, MisuseAndBadPathsAreErrors) {
  EXPECT_THROW(TrajectoryRollout("/nonexistent-dir/x.h5", 100), IoError);
  const std::string path = temp_path("misuse.h5");
  TrajectoryRollout r(path, 100);
  EXPECT_THROW(r.writer.end_episode(), std::logic_error);
  EXPECT_THROW(r.writer.append(r.actions, r.rewards, r.obs, r.info), std::logic_error);
  r.begin(1);
  EXPECT_THROW(r.writer.begin_episode(2, r.obs), std::logic_error);
  EXPECT_THROW(r.writer.append(std::vector<std::int32_t>{0}, r.rewards, r.obs, r.info), std::invalid_argument);
  std::filesystem::remove(path);
}

TEST(TrajectorySummary, RejectsFilesThatAreNotTrajectories) {
  const std::string path = temp_path("not.h5");
  std::FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("not hdf5", f);
  std::fclose(f);
  EXPECT_THROW(read_trajectory_summary(path), ConfigError);
  std::filesystem::remove(path);
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The files of `dir` whose name starts with `prefix` (the target and any temporary beside it).
std::vector<std::string> files_starting(const std::filesystem::path& dir, const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.find(prefix) != std::string::npos) out.push_back(name);
  }
  return out;
}

// The disk fills during the third episode, in a child that then exits normally (HDF5's exit
// handler once crashed here): the write fails with the OS reason, nothing reaches stderr, and
// the two finished episodes read back from the file.
TEST(TrajectoryWriter, AFullDiskKeepsTheFinishedEpisodes) {
  const std::string path = temp_path("full.h5");
  const std::string log = temp_path("full.stderr");
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (!std::freopen(log.c_str(), "w", stderr)) ::_exit(3);
    int status = 4;
    try {
      TrajectoryRollout r(path, 1e9);
      for (std::uint64_t e = 0; e < 2; ++e) {
        r.begin(e);
        r.run(600);
        r.writer.end_episode();
      }
      const testing::FileSizeLimit limit(std::filesystem::file_size(path));
      r.begin(2);
      r.run(3000);
      r.writer.end_episode();
    } catch (const IoError& e) {
      status = e.error_number() == EFBIG && std::string(e.what()) == path + ": cannot write the trajectory: File too large" ? 0 : 5;
    } catch (...) {
      status = 6;
    }
    std::exit(status);  // runs the exit handlers
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the child died of signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0) << "3: no log, 4: no error, 5: another message, 6: another exception";
  EXPECT_EQ(read_bytes(log), "");
  const TrajectorySummary s = read_trajectory_summary(path);
  EXPECT_EQ(s.episode_steps, (std::vector<std::int64_t>{600, 600}));
  const auto metrics = read_dataset<double>(path, "episode_000001/metrics", H5T_NATIVE_DOUBLE);
  EXPECT_EQ(metrics[599 * traffic_metric_names().size() + 7], 6000.0);  // time of the last step
  std::filesystem::remove(path);
  std::filesystem::remove(log);
}

// A run that fails before its first episode ends leaves the earlier file at the path untouched
// and no temporary behind.
TEST(TrajectoryWriter, AFailedFirstEpisodeKeepsTheEarlierFile) {
  const std::string path = temp_path("earlier.h5");
  {
    TrajectoryRollout r(path, 100);
    r.begin(0);
    r.run(10);
  }
  const std::string earlier = read_bytes(path);
  try {
    const testing::FileSizeLimit limit(4096);
    TrajectoryRollout r(path, 1e9);
    r.begin(1);
    r.run(3000);
    r.writer.end_episode();
    FAIL() << "the episode fit in 4 KiB";
  } catch (const IoError& e) {
    EXPECT_EQ(e.error_number(), EFBIG);
  }
  EXPECT_EQ(read_bytes(path), earlier);
  const std::string name = std::filesystem::path(path).filename().string();
  EXPECT_EQ(files_starting(std::filesystem::temp_directory_path(), name), std::vector<std::string>{name});
  std::filesystem::remove(path);
}

TEST(TrajectorySummary, RefusesATruncatedFile) {
  const std::string path = temp_path("cut.h5");
  {
    TrajectoryRollout r(path, 100);
    r.begin(0);
    r.run(10);
  }
  const std::string bytes = read_bytes(path);
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  try {
    read_trajectory_summary(path);
    FAIL() << "half a file was read as a trajectory";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": not a readable greenwave trajectory file"), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
}

// A child writes two episodes of 600 steps, starts a third and appends 3000 steps (enough to
// push chunks and metadata through HDF5's caches), then is SIGKILLed by the parent. Every
// finished episode must read back intact.
TEST(TrajectoryWriter, FinishedEpisodesSurviveSigkill) {
  const std::string path = temp_path("killed.h5");
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(ready[0]);
    try {
      TrajectoryRollout r(path, 1e9);
      for (std::uint64_t e = 0; e < 3; ++e) {
        r.begin(e);
        r.run(e < 2 ? 600 : 3000);
        if (e < 2) r.writer.end_episode();
      }
      const char byte = 1;  // the writer (and its open episode) stays alive until the kill
      if (::write(ready[1], &byte, 1) != 1) ::_exit(4);
      while (true) ::pause();
    } catch (...) {
      ::_exit(3);
    }
  }
  ::close(ready[1]);
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1) << "the child failed before the third episode";
  ::close(ready[0]);
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

  const TrajectorySummary s = read_trajectory_summary(path);
  EXPECT_EQ(s.episode_steps, (std::vector<std::int64_t>{600, 600}));
  std::vector<hsize_t> dims;
  const auto obs = read_dataset<float>(path, "episode_000001/observations", H5T_NATIVE_FLOAT, &dims);
  EXPECT_EQ(dims, (std::vector<hsize_t>{601, 2, 105}));
  const auto metrics = read_dataset<double>(path, "episode_000001/metrics", H5T_NATIVE_DOUBLE);
  EXPECT_EQ(metrics[599 * traffic_metric_names().size() + 7], 6000.0);  // time of the last step
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace greenwave
