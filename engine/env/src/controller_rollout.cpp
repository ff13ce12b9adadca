#include "greenwave/env/controller_rollout.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "greenwave/env/trajectory_writer.hpp"

namespace greenwave {
namespace {

// Forwards to `inner` and lets `controller` decide before every due simulation step, as
// run_episode() does. The controller decides through this backend, so the results of its
// requests are remembered; the env's own phase requests (the phases the controller chose) are
// answered with them and never reach `inner`.
class ControlledBackend final : public TrafficBackend {
 public:
  ControlledBackend(TrafficBackend& inner, SignalController& controller)
      : inner_(inner),
        controller_(controller),
        every_(std::max<long long>(1, std::llround(controller.interval() / inner.scenario().settings.dt))),
        requests_(static_cast<std::size_t>(inner.scenario().network.num_intersections())) {}

  // Lets the controller decide now when a decision is due and has not been taken yet.
  void decide_if_due() {
    if (step_ % every_ != 0 || decided_at_ == step_) return;
    std::fill(requests_.begin(), requests_.end(), PhaseRequest::Kept);
    deciding_ = true;
    controller_.decide(*this);
    deciding_ = false;
    decided_at_ = step_;
  }

  const CompiledScenario& scenario() const override { return inner_.scenario(); }
  void reset(std::uint64_t seed) override {
    inner_.reset(seed);
    step_ = 0;
    decided_at_ = -1;
  }
  void step() override {
    decide_if_due();
    inner_.step();
    ++step_;
  }
  double time() const override { return inner_.time(); }
  bool demand_done() const override { return inner_.demand_done(); }
  PhaseRequest request_phase(IntersectionId i, std::int32_t phase) override {
    const auto k = static_cast<std::size_t>(i);
    if (!deciding_) return decided_at_ == step_ ? requests_[k] : PhaseRequest::Kept;
    requests_[k] = inner_.request_phase(i, phase);
    return requests_[k];
  }
  SignalState signal(IntersectionId i) const override { return inner_.signal(i); }
  std::span<const std::int32_t> lane_vehicle_counts() const override { return inner_.lane_vehicle_counts(); }
  std::span<const std::int32_t> lane_queue_counts() const override { return inner_.lane_queue_counts(); }
  std::span<const double> lane_speed_sums() const override { return inner_.lane_speed_sums(); }
  std::span<const double> lane_waiting_times() const override { return inner_.lane_waiting_times(); }
  std::span<const std::int64_t> lane_departures() const override { return inner_.lane_departures(); }
  Metrics metrics() const override { return inner_.metrics(); }
  void vehicle_poses(std::vector<VehiclePose>& out) const override { inner_.vehicle_poses(out); }

 private:
  TrafficBackend& inner_;
  SignalController& controller_;
  long long every_;
  long long step_ = 0;
  long long decided_at_ = -1;
  bool deciding_ = false;
  std::vector<PhaseRequest> requests_;
};

}  // namespace

Metrics record_controller_episode(TrafficBackend& backend, SignalController& controller, const TrafficEnvConfig& config,
                                  std::uint64_t seed, const std::string& path) {
  ControlledBackend controlled(backend, controller);
  TrafficEnv env(controlled, config);
  const EnvSpec& spec = env.spec();
  const auto n = static_cast<std::size_t>(spec.num_agents());
  TrajectoryWriter writer(path, spec, env.metric_names(),
                          {backend.scenario().content_hash, env.reward().text(), config.to_json(), seed});
  std::vector<float> obs(n * static_cast<std::size_t>(spec.observation.size())), rewards(n);
  std::vector<std::int32_t> actions(n);
  StepInfo info;
  env.reset(seed, obs, info);
  writer.begin_episode(seed, obs);
  while (!info.terminated && !info.truncated) {
    controlled.decide_if_due();
    for (std::size_t a = 0; a < n; ++a) actions[a] = backend.signal(env.agents()[a].intersection).phase;
    env.step(actions, obs, rewards, info);
    writer.append(actions, rewards, obs, info);
  }
  writer.end_episode();
  return backend.metrics();
}

}  // namespace greenwave
