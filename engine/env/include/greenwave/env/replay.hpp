// Replays: a compact, versioned file of one episode for the web viewer (docs/replay.md): the
// network's geometry once, then every simulation step's vehicles, signals and metrics.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "greenwave/sim/backend.hpp"

namespace greenwave {

/// The replay format version written (docs/replay.md); readers refuse other versions.
inline constexpr std::uint32_t kReplayVersion = 1;

/// What a finished replay holds.
struct ReplayStats {
  std::int64_t frames = 0;        ///< one at reset, then one per simulation step
  std::int64_t vehicle_poses = 0; ///< poses over all frames
  std::int64_t bytes = 0;         ///< file size
};

/// A backend that forwards everything to `inner` and records its first episode: the frame at
/// reset, then one after every step, until the next reset or finish(). Works on any backend
/// (poses from TrafficBackend::vehicle_poses). Not thread-safe, like the backends.
class ReplayRecorder final : public TrafficBackend {
 public:
  /// Records `inner` (which must outlive this) into `path` (created or truncated); ConfigError
  /// naming the path when it cannot be opened.
  ReplayRecorder(TrafficBackend& inner, const std::string& path);
  /// Same, owning `inner`.
  ReplayRecorder(std::unique_ptr<TrafficBackend> inner, const std::string& path);
  /// Finishes the file if finish() was not called (errors are then lost: call finish()).
  ~ReplayRecorder() override;
  ReplayRecorder(const ReplayRecorder&) = delete;
  ReplayRecorder& operator=(const ReplayRecorder&) = delete;

  /// Ends the recording and closes the file (idempotent); ConfigError on a write error.
  ReplayStats finish();
  /// The file being written.
  const std::string& path() const;

  const CompiledScenario& scenario() const override { return inner_->scenario(); }
  void reset(std::uint64_t seed) override;
  void step() override;
  double time() const override { return inner_->time(); }
  bool demand_done() const override { return inner_->demand_done(); }
  PhaseRequest request_phase(IntersectionId i, std::int32_t phase) override { return inner_->request_phase(i, phase); }
  PhaseRequest switch_phase(IntersectionId i, std::int32_t phase, double clearance) override {
    return inner_->switch_phase(i, phase, clearance);
  }
  SignalState signal(IntersectionId i) const override { return inner_->signal(i); }
  std::span<const std::int32_t> lane_vehicle_counts() const override { return inner_->lane_vehicle_counts(); }
  std::span<const std::int32_t> lane_queue_counts() const override { return inner_->lane_queue_counts(); }
  std::span<const double> lane_speed_sums() const override { return inner_->lane_speed_sums(); }
  std::span<const double> lane_waiting_times() const override { return inner_->lane_waiting_times(); }
  std::span<const std::int64_t> lane_departures() const override { return inner_->lane_departures(); }
  Metrics metrics() const override { return inner_->metrics(); }
  void vehicle_poses(std::vector<VehiclePose>& out) const override { inner_->vehicle_poses(out); }

 private:
  class Writer;  // the compressed file (replay.cpp)
  /// Appends the frame of the backend's state now.
  void write_frame();
  /// Vehicles that have left signalized intersection k's incoming lanes so far.
  std::int64_t departures_of(std::size_t k) const;

  std::unique_ptr<TrafficBackend> owned_;
  TrafficBackend* inner_;
  std::unique_ptr<Writer> writer_;
  bool started_ = false;   ///< the first reset happened
  bool finished_ = false;
  ReplayStats stats_;
  std::vector<VehiclePose> poses_;                 ///< scratch
  std::array<double, 4> bounds_{};                 ///< the quantisation box: min x, min y, max x, max y
  std::vector<std::int32_t> incoming_begin_;       ///< CSR into incoming_, per signalized intersection
  std::vector<LaneId> incoming_;                   ///< the lanes its movements leave
  std::vector<std::int64_t> last_departures_;      ///< per signalized intersection, served so far
  std::vector<std::uint8_t> frame_;                ///< scratch: one frame's bytes
};

}  // namespace greenwave
