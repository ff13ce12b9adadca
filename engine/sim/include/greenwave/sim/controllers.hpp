// Signal controllers that drive a TrafficBackend: fixed-time, MaxPressure, SOTL, external.
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

/// Fixed-time control. With `green_time` > 0 (REFERENCE.md §3's FixedTime): at each decision
/// (every action_interval), an intersection whose phase timer (clearance included) is
/// >= green_time switches to its next phase cyclically. With green_time == 0 the scenario's
/// plans are followed, checked every step: a stage ends when the timer reaches yellow + its
/// duration (intersections without a plan use 30 s per phase).
class FixedTimeController final : public SignalController {
 public:
  /// `green_time` as above; `interval` = seconds between checks.
  FixedTimeController(const CompiledScenario& scenario, double green_time, double interval);
  double interval() const override { return interval_; }
  void decide(TrafficBackend& backend) override;

 private:
  struct Plan {
    std::vector<std::int32_t> phases;  // local phase indices in stage order
    std::vector<double> hold;          // timer value at which each stage ends
  };
  std::vector<Plan> plans_;            // per intersection (empty for unsignalized)
  std::vector<std::size_t> stage_;     // current stage per intersection
  double interval_;
};

/// MaxPressure (REFERENCE.md §3): at each decision, an intersection whose phase timer is below
/// `min_time` keeps its phase; otherwise it picks the phase with the largest pressure (sum over
/// the phase's movements of incoming-lane count minus outgoing-lane count), ties to the lowest.
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

/// Self-Organizing Traffic Lights (Gershenson): after `min_time`, switch to the next phase when
/// the vehicles waiting on red approaches, accumulated since the last switch, exceed `theta`,
/// unless `mu` or fewer vehicles still approach on green.
class SotlController final : public SignalController {
 public:
  /// Parameters as above; decisions every `interval` (the counter accumulates per decision).
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

/// Builds "fixed", "maxpressure" or "sotl" with the literature's defaults for `scenario`;
/// throws ConfigError naming the controller otherwise.
std::unique_ptr<SignalController> make_controller(const std::string& name, const CompiledScenario& scenario);

/// Runs one episode from reset(seed) to the horizon, letting `controller` decide every
/// controller.interval() seconds (from t = 0). Returns the final metrics.
Metrics run_episode(TrafficBackend& backend, SignalController& controller, std::uint64_t seed);

}  // namespace greenwave
