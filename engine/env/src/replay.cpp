#include "greenwave/env/replay.hpp"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <numbers>

#include "greenwave/core/error.hpp"
#include "greenwave/networks/geometry.hpp"

namespace greenwave {

// The frames are little-endian typed arrays that the viewer reads in place.
static_assert(std::endian::native == std::endian::little, "replays are written on little-endian machines");

namespace {

constexpr char kMagic[8] = {'G', 'W', 'R', 'E', 'P', 'L', 'A', 'Y'};
/// Metres of margin around the geometry in the quantisation box (vehicles waiting at an edge).
constexpr double kMargin = 20.0;
/// The metric series of each frame, in order (Metrics fields).
const char* const kMetricNames[] = {"served_vehicles", "delay_index", "average_travel_time", "throughput", "running",
                                    "queued"};

/// A polyline as [x0, y0, x1, y1, ...] rounded to centimetres.
nlohmann::json flat(std::span<const Point> pts) {
  nlohmann::json out = nlohmann::json::array();
  for (const Point& p : pts) {
    out.push_back(std::round(p.x * 100) / 100);
    out.push_back(std::round(p.y * 100) / 100);
  }
  return out;
}

void pad4(std::vector<std::uint8_t>& b) { b.resize((b.size() + 3) & ~std::size_t{3}, 0); }

template <class T>
void put(std::vector<std::uint8_t>& b, T value) {
  const auto at = b.size();
  b.resize(at + sizeof(T));
  std::memcpy(b.data() + at, &value, sizeof(T));
}

}  // namespace

/// The replay file: the raw header, then one zlib stream of the body, written as it comes.
class ReplayRecorder::Writer {
 public:
  explicit Writer(std::string path) : path_(std::move(path)) {
    file_ = std::fopen(path_.c_str(), "wb");
    if (!file_) throw ConfigError(path_, std::string("cannot open the replay file for writing: ") + std::strerror(errno));
    std::memset(&z_, 0, sizeof z_);
    if (deflateInit(&z_, Z_DEFAULT_COMPRESSION) != Z_OK) {
      std::fclose(file_);
      throw ConfigError(path_, "zlib could not start");
    }
    std::uint8_t header[12];
    std::memcpy(header, kMagic, 8);
    std::memcpy(header + 8, &kReplayVersion, 4);
    raw(header, sizeof header);
  }
  ~Writer() {
    if (file_) {
      deflateEnd(&z_);
      std::fclose(file_);
    }
  }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  /// Compresses `bytes` into the file.
  void write(const std::vector<std::uint8_t>& bytes) { deflate_all(bytes.data(), bytes.size(), Z_NO_FLUSH); }

  /// Ends the zlib stream and closes the file; returns its size. ConfigError on a write error.
  std::int64_t close() {
    deflate_all(nullptr, 0, Z_FINISH);
    deflateEnd(&z_);
    const bool ok = !failed_ && std::fflush(file_) == 0;
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!ok || !closed) throw ConfigError(path_, "writing the replay failed (disk full?)");
    return written_;
  }

  const std::string& path() const { return path_; }

 private:
  void raw(const void* data, std::size_t n) {
    if (std::fwrite(data, 1, n, file_) != n) failed_ = true;
    written_ += static_cast<std::int64_t>(n);
  }
  void deflate_all(const std::uint8_t* data, std::size_t n, int flush) {
    z_.next_in = const_cast<Bytef*>(data);
    z_.avail_in = static_cast<uInt>(n);
    do {
      z_.next_out = out_;
      z_.avail_out = sizeof out_;
      deflate(&z_, flush);
      raw(out_, sizeof out_ - z_.avail_out);
    } while (z_.avail_out == 0 || z_.avail_in > 0);
  }

  std::string path_;
  std::FILE* file_ = nullptr;
  z_stream z_;
  std::uint8_t out_[1 << 16];
  std::int64_t written_ = 0;
  bool failed_ = false;
};

ReplayRecorder::ReplayRecorder(TrafficBackend& inner, const std::string& path)
    : inner_(&inner), writer_(std::make_unique<Writer>(path)) {}

ReplayRecorder::ReplayRecorder(std::unique_ptr<TrafficBackend> inner, const std::string& path)
    : owned_(std::move(inner)), inner_(owned_.get()), writer_(std::make_unique<Writer>(path)) {}

ReplayRecorder::~ReplayRecorder() {
  try {
    finish();
  } catch (...) {  // a destructor must not throw; finish() reports errors to callers who ask
  }
}

const std::string& ReplayRecorder::path() const { return writer_->path(); }

ReplayStats ReplayRecorder::finish() {
  if (finished_) return stats_;
  finished_ = true;
  stats_.bytes = writer_->close();
  return stats_;
}

void ReplayRecorder::reset(std::uint64_t seed) {
  inner_->reset(seed);
  if (started_) {  // a second episode: the replay holds the first one only
    finish();
    return;
  }
  started_ = true;
  const CompiledScenario& sc = inner_->scenario();
  const RoadNetwork& net = sc.network;
  const NetworkGeometry geometry(net);
  auto box = geometry.bounds();
  box = {box[0] - kMargin, box[1] - kMargin, box[2] + kMargin, box[3] + kMargin};
  bounds_ = box;

  nlohmann::json meta;
  meta["format"] = "greenwave-replay";
  meta["version"] = kReplayVersion;
  meta["scenario"] = sc.name;
  meta["content_hash"] = sc.content_hash;
  meta["seed"] = seed;
  meta["dt"] = sc.settings.dt;
  meta["horizon"] = sc.settings.horizon;
  meta["bounds"] = box;
  meta["metrics"] = kMetricNames;
  nlohmann::json& in = meta["intersections"];
  in["id"] = net.intersection_ids;
  in["signalized"] = net.intersection_signalized;
  in["boundary"] = net.intersection_boundary;
  for (const Point& p : net.intersection_position) {
    in["x"].push_back(p.x);
    in["y"].push_back(p.y);
  }
  in["width"] = net.intersection_width;
  meta["roads"]["id"] = net.road_ids;
  nlohmann::json& lanes = meta["lanes"];
  lanes["road"] = net.lane_road;
  lanes["width"] = net.lane_width;
  lanes["line"] = nlohmann::json::array();
  for (LaneId l = 0; l < net.num_lanes(); ++l) lanes["line"].push_back(flat(geometry.line(l)));
  nlohmann::json& mv = meta["movements"];
  mv["intersection"] = net.movement_intersection;
  mv["from_lane"] = net.movement_from_lane;
  mv["to_lane"] = net.movement_to_lane;
  mv["always_green"] = net.movement_always_green;
  mv["turn"] = nlohmann::json::array();
  mv["line"] = nlohmann::json::array();
  for (MovementId m = 0; m < net.num_movements(); ++m) {
    mv["turn"].push_back(static_cast<int>(net.movement_turn[m]));
    mv["line"].push_back(flat(geometry.line(net.num_lanes() + m)));
  }
  nlohmann::json& signals = meta["signals"];
  signals["intersection"] = net.signalized;
  signals["phase_names"] = nlohmann::json::array();
  signals["phase_movements"] = nlohmann::json::array();
  incoming_begin_ = {0};
  incoming_.clear();
  for (const IntersectionId i : net.signalized) {
    nlohmann::json names = nlohmann::json::array(), movements = nlohmann::json::array();
    for (PhaseId p = net.intersection_phase_begin[i]; p < net.intersection_phase_begin[i + 1]; ++p) {
      names.push_back(net.phase_names[p]);
      const auto green = net.movements_of_phase(p);
      movements.push_back(std::vector<MovementId>(green.begin(), green.end()));
    }
    signals["phase_names"].push_back(names);
    signals["phase_movements"].push_back(movements);
    for (MovementId m = net.intersection_movement_begin[i]; m < net.intersection_movement_begin[i + 1]; ++m) {
      const LaneId l = net.movement_from_lane[m];
      if (std::find(incoming_.begin() + incoming_begin_.back(), incoming_.end(), l) == incoming_.end())
        incoming_.push_back(l);
    }
    incoming_begin_.push_back(static_cast<std::int32_t>(incoming_.size()));
  }

  const std::string text = meta.dump();
  frame_.clear();
  put(frame_, static_cast<std::uint32_t>(text.size()));
  frame_.insert(frame_.end(), text.begin(), text.end());
  pad4(frame_);
  writer_->write(frame_);
  last_departures_.assign(net.signalized.size(), 0);
  for (std::size_t k = 0; k < net.signalized.size(); ++k) last_departures_[k] = departures_of(k);
  write_frame();
}

void ReplayRecorder::step() {
  inner_->step();
  if (started_ && !finished_) write_frame();
}

std::int64_t ReplayRecorder::departures_of(std::size_t k) const {
  const auto departures = inner_->lane_departures();
  std::int64_t sum = 0;
  for (std::int32_t j = incoming_begin_[k]; j < incoming_begin_[k + 1]; ++j) sum += departures[incoming_[j]];
  return sum;
}

void ReplayRecorder::write_frame() {
  const RoadNetwork& net = inner_->scenario().network;
  inner_->vehicle_poses(poses_);
  std::sort(poses_.begin(), poses_.end(), [](const VehiclePose& a, const VehiclePose& b) { return a.id < b.id; });
  const Metrics m = inner_->metrics();
  const auto n = static_cast<std::uint32_t>(poses_.size());
  frame_.clear();
  put(frame_, std::uint32_t{0});  // the frame's size, filled in below
  put(frame_, n);
  put(frame_, inner_->time());
  for (const double v : {static_cast<double>(m.served_vehicles), m.delay_index, m.average_travel_time,
                         static_cast<double>(m.throughput), static_cast<double>(m.running), static_cast<double>(m.queued)})
    put(frame_, static_cast<float>(v));
  const auto queues = inner_->lane_queue_counts();
  const std::size_t signals = net.signalized.size();
  for (std::size_t k = 0; k < signals; ++k) {
    const SignalState s = inner_->signal(net.signalized[k]);
    put(frame_, static_cast<std::uint16_t>((s.phase & 0x7fff) | (s.in_clearance ? 0x8000 : 0)));
  }
  pad4(frame_);
  for (std::size_t k = 0; k < signals; ++k) {
    std::int64_t queue = 0;
    for (std::int32_t j = incoming_begin_[k]; j < incoming_begin_[k + 1]; ++j) queue += queues[incoming_[j]];
    put(frame_, static_cast<std::uint16_t>(std::min<std::int64_t>(queue, 0xffff)));
  }
  pad4(frame_);
  for (std::size_t k = 0; k < signals; ++k) {
    const std::int64_t now = departures_of(k);
    put(frame_, static_cast<std::uint16_t>(std::clamp<std::int64_t>(now - last_departures_[k], 0, 0xffff)));
    last_departures_[k] = now;
  }
  pad4(frame_);
  std::int32_t previous = 0;
  for (const VehiclePose& p : poses_) {
    put(frame_, static_cast<std::uint32_t>(p.id - previous));
    previous = p.id;
  }
  const double sx = 65535.0 / std::max(bounds_[2] - bounds_[0], 1e-9), sy = 65535.0 / std::max(bounds_[3] - bounds_[1], 1e-9);
  auto quantise = [](double v) { return static_cast<std::uint16_t>(std::clamp(std::lround(v), 0L, 65535L)); };
  for (const VehiclePose& p : poses_) put(frame_, quantise((p.x - bounds_[0]) * sx));
  pad4(frame_);
  for (const VehiclePose& p : poses_) put(frame_, quantise((p.y - bounds_[1]) * sy));
  pad4(frame_);
  constexpr double turn = 2 * std::numbers::pi;
  for (const VehiclePose& p : poses_)
    put(frame_, static_cast<std::uint8_t>(std::lround(p.heading / turn * 256.0) & 0xff));
  pad4(frame_);
  const auto size = static_cast<std::uint32_t>(frame_.size());
  std::memcpy(frame_.data(), &size, 4);
  writer_->write(frame_);
  ++stats_.frames;
  stats_.vehicle_poses += n;
}

}  // namespace greenwave
