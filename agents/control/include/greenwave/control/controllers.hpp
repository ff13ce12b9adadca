// The hand-written signal controllers, one implementation each, used by `greenwave run`,
// `bench`, `eval --agent` and Python's evaluate: fixed-time, MaxPressure, SOTL (Gershenson) and
// SOTL with LibSignal's queue thresholds. They drive a TrafficBackend and are policy, not physics:
// this library sits above the simulator and the env (docs/architecture.md).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "greenwave/sim/backend.hpp"

namespace greenwave {

/// Chooses phases for every signalized intersection; called every `interval()` seconds.
class SignalController {
 public:
  virtual ~SignalController() = default;
  /// Seconds between decisions.
  virtual double interval() const = 0;
  /// Requests phases on the backend for this decision point.
  virtual void decide(TrafficBackend& backend) = 0;
};

/// Fixed-time control. An intersection with a plan in the scenario follows it exactly as
/// CityFlow cycles its lightphases without an agent: stages in order from t = 0, a clearance
/// only where the plan has one (a plan without clearance stages gets the scenario's clearance
/// before every green but the first at t = 0). Any other intersection follows REFERENCE.md §3's
/// FixedTime: at each decision (every action_interval), switch to the next phase cyclically once
/// the phase timer (clearance included) reaches `green_time`. The simulator's switching rules
/// (min green) still apply to both.
class FixedTimeController final : public SignalController {
 public:
  /// Plans from `scenario`; `green_time` for the intersections without one.
  FixedTimeController(const CompiledScenario& scenario, double green_time);
  /// dt when the scenario has a plan (stages end on any step), else its action_interval.
  double interval() const override { return interval_; }
  void decide(TrafficBackend& backend) override;

 private:
  /// One switch of a plan: `clearance` seconds of clearance, then `phase` for `green` seconds.
  struct Switch {
    std::int32_t phase;
    double clearance;
    double green;
  };
  struct Plan {
    std::vector<Switch> switches;  ///< in cycle order; empty = no plan
    double first_clearance = 0;    ///< the clearance before switches[0] in the first cycle (later cycles: its own)
    double offset = 0;             ///< seconds into the first cycle at t = 0, in [0, cycle)
  };
  /// Starts intersection `i`'s plan at t = 0, `plan.offset` seconds into its first cycle.
  void start_plan(TrafficBackend& backend, IntersectionId i);
  std::vector<Plan> plans_;              ///< per intersection
  std::vector<std::size_t> current_;     ///< per intersection: the running switch
  std::vector<double> ends_;             ///< per intersection: when it ends, seconds
  double green_time_;
  long long steps_per_decision_;         ///< action_interval / dt, for intersections without a plan
  double interval_;
};

/// MaxPressure (REFERENCE.md §3): at each decision, an intersection whose phase timer is below
/// `min_time` keeps its phase; otherwise it picks the phase with the largest pressure (sum over
/// the phase's movements of incoming-lane count minus outgoing-lane count), ties to the lowest.
/// At t = 0 every intersection picks.
class MaxPressureController final : public SignalController {
 public:
  /// `min_time` = minimum phase time (10 s in LibSignal); decisions every `interval`.
  MaxPressureController(double min_time, double interval) : min_time_(min_time), interval_(interval) {}
  double interval() const override { return interval_; }
  void decide(TrafficBackend& backend) override;

 private:
  std::vector<std::int32_t> movement_pressure_;  ///< scratch: per movement, from-lane minus to-lane count
  double min_time_;
  double interval_;
};

/// Self-Organizing Traffic Lights (Gershenson 2005): the vehicles waiting on red approaches are
/// accumulated (vehicle-seconds, one sample per decision) since the last switch; after
/// `min_time`, switch to the next phase when they exceed `theta`, unless between 1 and `mu`
/// vehicles still approach on green (a platoon is not cut).
class SotlController final : public SignalController {
 public:
  /// Parameters as above; decisions every `interval`.
  SotlController(double min_time, double theta, int mu, double interval)
      : min_time_(min_time), theta_(theta), mu_(mu), interval_(interval) {}
  double interval() const override { return interval_; }
  void decide(TrafficBackend& backend) override;

 private:
  double min_time_, theta_;
  int mu_;
  double interval_;
  std::vector<double> kappa_;
};

/// SOTL as LibSignal implements it (queue thresholds, no accumulation): after `min_time`, switch
/// to the next phase when the queued vehicles on the lanes the current phase serves are at most
/// `max_green_queue` and those on the intersection's other incoming lanes exceed `min_red_queue`.
class SotlLibSignalController final : public SignalController {
 public:
  /// LibSignal's defaults: 10 s, 20 and 30 vehicles; decisions every `interval`.
  SotlLibSignalController(double min_time, double max_green_queue, double min_red_queue, double interval)
      : min_time_(min_time), max_green_queue_(max_green_queue), min_red_queue_(min_red_queue), interval_(interval) {}
  double interval() const override { return interval_; }
  void decide(TrafficBackend& backend) override;

 private:
  double min_time_, max_green_queue_, min_red_queue_;
  double interval_;
  std::vector<std::uint8_t> lane_mark_;  ///< scratch: per lane, 1 = already counted
};

/// The controller names make_controller accepts, in the order the docs list them.
const std::vector<std::string>& controller_names();

/// Builds "fixed", "maxpressure", "sotl" or "sotl-libsignal" with the literature's defaults
/// (docs/agents.md) for `scenario`; throws ConfigError naming the controller otherwise.
std::unique_ptr<SignalController> make_controller(const std::string& name, const CompiledScenario& scenario);

/// Runs one episode from reset(seed) to the horizon, letting `controller` decide every
/// controller.interval() seconds (from t = 0). Returns the final metrics.
Metrics run_episode(TrafficBackend& backend, SignalController& controller, std::uint64_t seed);

}  // namespace greenwave
