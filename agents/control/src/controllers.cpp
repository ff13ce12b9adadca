#include "greenwave/control/controllers.hpp"

#include <algorithm>
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

FixedTimeController::FixedTimeController(const CompiledScenario& scenario, double green_time)
    : green_time_(green_time) {
  if (!(green_time > 0)) throw ConfigError("green_time", "must be > 0 seconds");
  const RoadNetwork& net = scenario.network;
  const RunSettings& settings = scenario.settings;
  plans_.resize(static_cast<std::size_t>(net.num_intersections()));
  current_.assign(plans_.size(), 0);
  ends_.assign(plans_.size(), 0.0);
  steps_per_decision_ = std::max<long long>(1, std::llround(settings.action_interval / settings.dt));
  interval_ = scenario.plans.empty() ? settings.action_interval : settings.dt;
  for (const SignalPlan& sp : scenario.plans) {
    Plan& plan = plans_[static_cast<std::size_t>(sp.intersection)];
    const bool own_clearances = std::find(sp.phases.begin(), sp.phases.end(), kNone) != sp.phases.end();
    double pending = 0;  // the clearance stages since the last green
    for (std::size_t k = 0; k < sp.phases.size(); ++k) {
      if (sp.phases[k] == kNone) {
        pending += sp.durations[k];
        continue;
      }
      const double clearance = own_clearances ? pending : settings.yellow;
      if (plan.switches.empty()) plan.first_clearance = own_clearances ? pending : 0.0;
      plan.switches.push_back({sp.phases[k] - net.intersection_phase_begin[sp.intersection], clearance, sp.durations[k]});
      pending = 0;
    }
    // Clearance stages after the last green run before the first one from the second cycle on.
    plan.switches.front().clearance += pending;
    // A cycle in steady state: every switch's clearance and green.
    double cycle = 0;
    for (const Switch& s : plan.switches) cycle += s.clearance + s.green;
    plan.offset = std::fmod(sp.offset, cycle);
    if (plan.offset < 0) plan.offset += cycle;
  }
}

void FixedTimeController::start_plan(TrafficBackend& backend, IntersectionId i) {
  const auto k = static_cast<std::size_t>(i);
  const Plan& plan = plans_[k];
  // The first cycle laid out from position 0: switches[0]'s first clearance and green, then each
  // later switch's clearance and green, then the trailing clearance that ends the cycle.
  double start = 0;
  for (std::size_t s = 0; s < plan.switches.size(); ++s) {
    const Switch& sw = plan.switches[s];
    const double clearance = s == 0 ? plan.first_clearance : sw.clearance;
    const double green_start = start + clearance;
    if (plan.offset < green_start + sw.green) {
      current_[k] = s;
      const double clearance_left = std::max(0.0, green_start - plan.offset);
      backend.switch_phase(i, sw.phase, clearance_left);
      ends_[k] = green_start + sw.green - plan.offset;
      return;
    }
    start = green_start + sw.green;
  }
  // In the trailing clearance: the rest of it, then switches[0] as every later cycle starts it.
  const Switch& first = plan.switches.front();
  const double cycle_end = start + (first.clearance - plan.first_clearance);
  current_[k] = 0;
  backend.switch_phase(i, first.phase, cycle_end - plan.offset + plan.first_clearance);
  ends_[k] = cycle_end - plan.offset + plan.first_clearance + first.green;
}

void FixedTimeController::decide(TrafficBackend& backend) {
  const RoadNetwork& net = backend.scenario().network;
  const double t = backend.time();
  const bool decision = std::llround(t / backend.scenario().settings.dt) % steps_per_decision_ == 0;
  for (IntersectionId i : net.signalized) {
    const auto k = static_cast<std::size_t>(i);
    const Plan& plan = plans_[k];
    if (plan.switches.empty()) {
      if (!decision) continue;
      const SignalState st = backend.signal(i);
      if (t > kEps && st.time_in_phase + kEps >= green_time_) backend.request_phase(i, (st.phase + 1) % net.phase_count(i));
      continue;
    }
    if (t < kEps) {
      start_plan(backend, i);
      continue;
    }
    if (t + kEps < ends_[k]) continue;
    current_[k] = (current_[k] + 1) % plan.switches.size();
    const Switch& next = plan.switches[current_[k]];
    backend.switch_phase(i, next.phase, next.clearance);
    ends_[k] += next.clearance + next.green;
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

void SotlLibSignalController::decide(TrafficBackend& backend) {
  const RoadNetwork& net = backend.scenario().network;
  const auto queues = backend.lane_queue_counts();
  lane_mark_.assign(static_cast<std::size_t>(net.num_lanes()), 0);
  for (IntersectionId i : net.signalized) {
    const SignalState st = backend.signal(i);
    if (st.in_clearance || st.time_in_phase + kEps < min_time_) continue;
    const PhaseId current = net.intersection_phase_begin[i] + st.phase;
    // Each incoming lane counts once: towards green when a movement that is green now starts
    // there (the phase's and the always-green right turns: LibSignal's phase_available_startlanes
    // on CityFlow, whose lightphases list the right turns), else towards red.
    double green = 0, red = 0;
    const MovementId first = net.intersection_movement_begin[i], last = net.intersection_movement_begin[i + 1];
    for (MovementId m = first; m < last; ++m) {
      if (!net.movement_always_green[m] && !net.is_green(current, m)) continue;
      const auto l = static_cast<std::size_t>(net.movement_from_lane[m]);
      if (lane_mark_[l] == 0) green += queues[l];
      lane_mark_[l] = 1;
    }
    for (MovementId m = first; m < last; ++m) {
      const auto l = static_cast<std::size_t>(net.movement_from_lane[m]);
      if (lane_mark_[l] == 0) red += queues[l];
      lane_mark_[l] = 1;
    }
    if (green <= max_green_queue_ && red > min_red_queue_) backend.request_phase(i, (st.phase + 1) % net.phase_count(i));
  }
}

const std::vector<std::string>& controller_names() {
  static const std::vector<std::string> names = {"fixed", "maxpressure", "sotl", "sotl-libsignal"};
  return names;
}

std::unique_ptr<SignalController> make_controller(const std::string& name, const CompiledScenario& scenario) {
  const double interval = scenario.settings.action_interval;
  if (name == "fixed") return std::make_unique<FixedTimeController>(scenario, 30.0);
  if (name == "maxpressure") return std::make_unique<MaxPressureController>(10.0, interval);
  if (name == "sotl") return std::make_unique<SotlController>(10.0, 40.0, 3, interval);
  if (name == "sotl-libsignal") return std::make_unique<SotlLibSignalController>(10.0, 20.0, 30.0, interval);
  throw ConfigError("--controller", "unknown controller '" + name + "' (expected fixed, maxpressure, sotl or sotl-libsignal)");
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
