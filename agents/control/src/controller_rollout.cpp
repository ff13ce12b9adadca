#include "greenwave/control/controller_rollout.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "greenwave/env/trajectory_writer.hpp"

namespace greenwave {

ControlledBackend::ControlledBackend(TrafficBackend& inner, SignalController& controller)
    : inner_(inner),
      controller_(controller),
      every_(std::max<long long>(1, std::llround(controller.interval() / inner.scenario().settings.dt))),
      requests_(static_cast<std::size_t>(inner.scenario().network.num_intersections())) {}

ControlledBackend::ControlledBackend(std::unique_ptr<TrafficBackend> inner, std::unique_ptr<SignalController> controller)
    : owned_inner_(std::move(inner)),
      owned_controller_(std::move(controller)),
      inner_(*owned_inner_),
      controller_(*owned_controller_),
      every_(std::max<long long>(1, std::llround(controller_.interval() / inner_.scenario().settings.dt))),
      requests_(static_cast<std::size_t>(inner_.scenario().network.num_intersections())) {}

void ControlledBackend::decide_if_due() {
  if (step_ % every_ != 0 || decided_at_ == step_) return;
  std::fill(requests_.begin(), requests_.end(), PhaseRequest::Kept);
  deciding_ = true;
  controller_.decide(*this);
  deciding_ = false;
  decided_at_ = step_;
}

void ControlledBackend::reset(std::uint64_t seed) {
  inner_.reset(seed);
  step_ = 0;
  decided_at_ = -1;
}

void ControlledBackend::step() {
  decide_if_due();
  inner_.step();
  ++step_;
}

PhaseRequest ControlledBackend::answer(IntersectionId i) const {
  return decided_at_ == step_ ? requests_[static_cast<std::size_t>(i)] : PhaseRequest::Kept;
}

PhaseRequest ControlledBackend::request_phase(IntersectionId i, std::int32_t phase) {
  if (!deciding_) return answer(i);
  return requests_[static_cast<std::size_t>(i)] = inner_.request_phase(i, phase);
}

PhaseRequest ControlledBackend::switch_phase(IntersectionId i, std::int32_t phase, double clearance) {
  if (!deciding_) return answer(i);
  return requests_[static_cast<std::size_t>(i)] = inner_.switch_phase(i, phase, clearance);
}

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
