// A hand-written SignalController's episode seen through the env layer: the backend that lets
// the controller drive the signals under a TrafficEnv (`greenwave eval --agent fixed`, Python's
// evaluate) and the trajectory file of such an episode (`greenwave run --trajectory`).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "greenwave/control/controllers.hpp"
#include "greenwave/env/traffic_env.hpp"

namespace greenwave {

/// Forwards to an inner backend and lets `controller` decide before every due simulation step
/// (every controller.interval() seconds from t = 0), as run_episode() does. The controller's
/// requests reach the inner backend and their results are remembered; requests from outside
/// (a TrafficEnv's actions) are answered with them and never reach it, so a TrafficEnv on this
/// backend runs the controller's episode whatever its agent asks.
class ControlledBackend final : public TrafficBackend {
 public:
  /// Borrows `inner` and `controller` (both must outlive this).
  ControlledBackend(TrafficBackend& inner, SignalController& controller);
  /// Owns both.
  ControlledBackend(std::unique_ptr<TrafficBackend> inner, std::unique_ptr<SignalController> controller);

  /// Lets the controller decide now when a decision is due and has not been taken yet.
  void decide_if_due();
  /// The wrapped backend.
  const TrafficBackend& inner() const { return inner_; }

  const CompiledScenario& scenario() const override { return inner_.scenario(); }
  void reset(std::uint64_t seed) override;
  void step() override;
  double time() const override { return inner_.time(); }
  bool demand_done() const override { return inner_.demand_done(); }
  PhaseRequest request_phase(IntersectionId i, std::int32_t phase) override;
  PhaseRequest switch_phase(IntersectionId i, std::int32_t phase, double clearance) override;
  SignalState signal(IntersectionId i) const override { return inner_.signal(i); }
  std::span<const std::int32_t> lane_vehicle_counts() const override { return inner_.lane_vehicle_counts(); }
  std::span<const std::int32_t> lane_queue_counts() const override { return inner_.lane_queue_counts(); }
  std::span<const double> lane_speed_sums() const override { return inner_.lane_speed_sums(); }
  std::span<const double> lane_waiting_times() const override { return inner_.lane_waiting_times(); }
  std::span<const std::int64_t> lane_departures() const override { return inner_.lane_departures(); }
  Metrics metrics() const override { return inner_.metrics(); }
  void vehicle_poses(std::vector<VehiclePose>& out) const override { inner_.vehicle_poses(out); }

 private:
  /// An outside request's answer: the controller's result at this step, else Kept.
  PhaseRequest answer(IntersectionId i) const;

  std::unique_ptr<TrafficBackend> owned_inner_;
  std::unique_ptr<SignalController> owned_controller_;
  TrafficBackend& inner_;
  SignalController& controller_;
  long long every_;
  long long step_ = 0;
  long long decided_at_ = -1;
  bool deciding_ = false;
  std::vector<PhaseRequest> requests_;
};

/// Runs one episode of `controller` on `backend` exactly as run_episode() drives it (reset with
/// `seed`, a decision every controller.interval() seconds from t = 0, one backend step at a
/// time), seen through a TrafficEnv with `config`, and writes it to the trajectory file `path`
/// (created or truncated). At each env decision (every action_interval) the recorded action of
/// an agent is the phase its intersection holds or is switching to after the controller's
/// decision at that time; `ignored` flags the controller's requests that could not take effect
/// then; rewards are the env's `config.reward`. The episode ends at the horizon (truncated) or
/// when all demand has left (terminated). Returns the final metrics. Throws ConfigError on a
/// bad config, IoError when the trajectory file cannot be written.
Metrics record_controller_episode(TrafficBackend& backend, SignalController& controller, const TrafficEnvConfig& config,
                                  std::uint64_t seed, const std::string& path);

}  // namespace greenwave
