// The reward registry: named per-agent reward functions and their weighted sums
// (formulas and sign conventions in docs/rewards.md; every reward is "higher is better").
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "greenwave/env/agent_topology.hpp"
#include "greenwave/sim/backend.hpp"

namespace greenwave {

/// What a reward function sees for one agent at the end of a decision interval. Lane arrays
/// are indexed by LaneId over the whole network; `prev_*` hold the same arrays as they were at
/// the previous decision (or at reset), so difference rewards need no state of their own.
struct RewardView {
  const RoadNetwork& network;                         ///< the compiled network
  const AgentTopology& agent;                         ///< the agent's intersection, lanes, movements
  const TrafficBackend& backend;                      ///< everything else (signals, metrics)
  double interval;                                    ///< simulated seconds since the previous decision
  std::span<const std::int32_t> lane_counts;          ///< vehicles per lane now
  std::span<const std::int32_t> lane_queues;          ///< vehicles with speed < 0.1 m/s per lane now
  std::span<const double> lane_speed_sums;            ///< sum of vehicle speeds per lane now, m/s
  std::span<const double> lane_waiting_times;         ///< accumulated waiting s of vehicles on each lane now
  std::span<const std::int64_t> lane_departures;      ///< cumulative vehicles that left each lane
  std::span<const double> prev_lane_waiting_times;    ///< lane_waiting_times at the previous decision
  std::span<const std::int64_t> prev_lane_departures; ///< lane_departures at the previous decision
  double trip_free_flow_time = 0;                     ///< mean free-flow time of the scenario's trips, s (0: none)
};

/// The City Brain final round's delay-index threshold (REFERENCE.md §1), used by `citybrain`.
inline constexpr double kCityBrainThreshold = 1.40;

/// Mean over the scenario's departures of their route's free-flow time (0 without departures).
double mean_trip_free_flow_time(const Demand& demand);

/// A reward function: one agent's reward from a view. Called concurrently for different envs of
/// a VectorEnv, so it must not mutate shared state without its own synchronisation.
using RewardFn = std::function<double(const RewardView&)>;

/// Named reward functions. The global registry holds the built-ins (queue, pressure,
/// wait_time, delay, throughput, avg_speed, citybrain) and whatever C++ or Python code registers.
class RewardRegistry {
 public:
  /// An empty registry (tests and embedders); most code uses global().
  RewardRegistry() = default;
  /// The process-wide registry, built-ins included.
  static RewardRegistry& global();
  /// Adds `fn` under `name` ([A-Za-z0-9_]+); ConfigError on a bad or already registered name
  /// or an empty function. Envs built earlier keep the functions they resolved.
  void register_reward(const std::string& name, RewardFn fn);
  /// The function registered under `name`; ConfigError listing the known names otherwise.
  RewardFn find(const std::string& name) const;
  /// All registered names, sorted.
  std::vector<std::string> names() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, RewardFn> fns_;
};

/// Registers the seven built-in rewards into `registry` (done once for global()).
void register_builtin_rewards(RewardRegistry& registry);

/// One term of a weighted reward sum.
struct RewardTerm {
  std::string name;  ///< registered name
  double weight;     ///< finite multiplier
  RewardFn fn;       ///< resolved at parse time
};

/// A parsed reward spec "pressure:1,queue:0.25" (a bare name has weight 1): the weighted sum
/// of registered rewards.
class RewardSpec {
 public:
  /// Parses and resolves `spec`; ConfigError on an empty spec, an unknown or repeated name, or
  /// a weight that is not a finite number.
  explicit RewardSpec(std::string_view spec, const RewardRegistry& registry = RewardRegistry::global());
  /// The terms, in the order given.
  const std::vector<RewardTerm>& terms() const { return terms_; }
  /// The reward names, in the order given.
  std::vector<std::string> names() const;
  /// Canonical text, e.g. "pressure:1,queue:0.25".
  const std::string& text() const { return text_; }
  /// The weighted sum for one agent; throws ConfigError naming the reward and the agent when a
  /// term is NaN or infinite.
  double evaluate(const RewardView& view) const;

 private:
  std::vector<RewardTerm> terms_;
  std::string text_;
};

}  // namespace greenwave
