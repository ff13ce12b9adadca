#include "greenwave/sim/controllers.hpp"

#include <cmath>
#include <cstdint>

#include "greenwave/core/error.hpp"

namespace greenwave {
namespace {
constexpr double kEps = 1e-9;

/// Pressure of local phase p at intersection i: the sum of its movements' pressures (as integers:
/// exact).
double phase_pressure(const RoadNetwork& net, std::span<const std::int32_t> movement_pressure, IntersectionId i, std::int32_t p) {
  std::int64_t pressure = 0;
  for (MovementId m : net.movements_of_phase(net.intersection_phase_begin[i] + p)) pressure += movement_pressure[m];
  return static_cast<double>(pressure);
}
}  // namespace

FixedTimeController::FixedTimeController(const CompiledScenario& scenario, double green_time, double interval)
    : interval_(interval) {
  const RoadNetwork& net = scenario.network;
  plans_.resize(net.num_intersections());
  stage_.assign(net.num_intersections(), 0);
  for (IntersectionId i : net.signalized) {
    Plan& plan = plans_[i];
    for (std::int32_t p = 0; p < net.phase_count(i); ++p) {
      plan.phases.push_back(p);
      plan.hold.push_back(green_time > 0 ? green_time : scenario.settings.yellow + 30.0);
    }
  }
  if (green_time > 0) return;
  for (const SignalPlan& sp : scenario.plans) {
    Plan& plan = plans_[sp.intersection];
    plan.phases.clear();
    plan.hold.clear();
    for (std::size_t k = 0; k < sp.phases.size(); ++k) {
      plan.phases.push_back(sp.phases[k] - net.intersection_phase_begin[sp.intersection]);
      plan.hold.push_back(scenario.settings.yellow + sp.durations[k]);
    }
  }
}

void FixedTimeController::decide(TrafficBackend& backend) {
  const RoadNetwork& net = backend.scenario().network;
  const bool first = backend.time() < kEps;
  for (IntersectionId i : net.signalized) {
    Plan& plan = plans_[i];
    if (first) {
      stage_[i] = 0;
      backend.request_phase(i, plan.phases[0]);
      continue;
    }
    const SignalState st = backend.signal(i);
    // The first stage starts at t = 0 without clearance, so it holds for its green time only.
    if (st.time_in_phase + kEps >= plan.hold[stage_[i]]) {
      stage_[i] = (stage_[i] + 1) % plan.phases.size();
      backend.request_phase(i, plan.phases[stage_[i]]);
    }
  }
}

void MaxPressureController::decide(TrafficBackend& backend) {
  const RoadNetwork& net = backend.scenario().network;
  const auto counts = backend.lane_vehicle_counts();
  // A movement is in several phases: its pressure is computed once.
  movement_pressure_.resize(static_cast<std::size_t>(net.num_movements()));
  for (MovementId m = 0; m < net.num_movements(); ++m)
    movement_pressure_[m] = counts[net.movement_from_lane[m]] - counts[net.movement_to_lane[m]];
  for (IntersectionId i : net.signalized) {
    if (backend.signal(i).time_in_phase + kEps < min_time_ && backend.time() > kEps) continue;
    std::int32_t best = 0;
    double best_pressure = -1e300;
    for (std::int32_t p = 0; p < net.phase_count(i); ++p) {
      const double pr = phase_pressure(net, movement_pressure_, i, p);
      if (pr > best_pressure) best_pressure = pr, best = p;
    }
    backend.request_phase(i, best);
  }
}

void SotlController::decide(TrafficBackend& backend) {
  const RoadNetwork& net = backend.scenario().network;
  kappa_.resize(net.num_intersections(), 0.0);
  const auto counts = backend.lane_vehicle_counts();
  const auto queues = backend.lane_queue_counts();
  for (IntersectionId i : net.signalized) {
    const SignalState st = backend.signal(i);
    if (st.in_clearance) continue;
    const PhaseId current = net.intersection_phase_begin[i] + st.phase;
    double red_waiting = 0;
    int green_approaching = 0;
    for (MovementId m = net.intersection_movement_begin[i]; m < net.intersection_movement_begin[i + 1]; ++m) {
      if (net.movement_always_green[m]) continue;
      const LaneId l = net.movement_from_lane[m];
      if (net.is_green(current, m)) green_approaching += counts[l];
      else red_waiting += queues[l];
    }
    kappa_[i] += red_waiting * interval_;
    if (st.time_in_phase + kEps < min_time_) continue;
    if (kappa_[i] > theta_ && !(green_approaching > 0 && green_approaching <= mu_)) {
      backend.request_phase(i, (st.phase + 1) % net.phase_count(i));
      kappa_[i] = 0;
    }
  }
}

std::unique_ptr<SignalController> make_controller(const std::string& name, const CompiledScenario& scenario) {
  const double interval = scenario.settings.action_interval;
  if (name == "fixed") {
    if (scenario.plans.empty()) return std::make_unique<FixedTimeController>(scenario, 30.0, interval);
    return std::make_unique<FixedTimeController>(scenario, 0.0, scenario.settings.dt);
  }
  if (name == "maxpressure") return std::make_unique<MaxPressureController>(10.0, interval);
  if (name == "sotl") return std::make_unique<SotlController>(10.0, 40.0, 3, interval);
  throw ConfigError("--controller", "unknown controller '" + name + "' (expected fixed, maxpressure or sotl)");
}

Metrics run_episode(TrafficBackend& backend, SignalController& controller, std::uint64_t seed) {
  backend.reset(seed);
  const auto& settings = backend.scenario().settings;
  const auto steps = std::llround(settings.horizon / settings.dt);
  const auto every = std::max<long long>(1, std::llround(controller.interval() / settings.dt));
  for (long long k = 0; k < steps; ++k) {
    if (k % every == 0) controller.decide(backend);
    backend.step();
  }
  return backend.metrics();
}

}  // namespace greenwave
