// TrafficEnv: the traffic simulator as an Env, one agent per signalized intersection.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "greenwave/env/agent_topology.hpp"
#include "greenwave/env/env.hpp"
#include "greenwave/env/observation.hpp"
#include "greenwave/env/reward.hpp"
#include "greenwave/sim/backend.hpp"

namespace greenwave {

/// Configuration of a TrafficEnv (timing comes from the scenario's RunSettings).
struct TrafficEnvConfig {
  std::string observation = "lane_count,phase";  ///< observation components, comma-separated
  std::string reward = "queue";                  ///< weighted reward sum, e.g. "pressure:1,queue:0.25"
  /// This config as a JSON object (stored in trajectory files).
  std::string to_json() const;
};

/// StepInfo::metric_values names: the CLI metrics keys (docs/cli.md) in their order, then
/// time, departed, running, waiting_to_enter, queued, mean_speed.
const std::vector<std::string>& traffic_metric_names();

/// Writes `m` in traffic_metric_names() order into `out` (size of the names).
void write_traffic_metrics(const Metrics& m, std::span<double> out);

/// A traffic backend as an Env. Agents are RoadNetwork::signalized in order; agent k's action
/// is a local phase index of its intersection. Each step requests every agent's phase, then
/// advances the backend action_interval / dt simulation steps (fewer when the horizon or the
/// end of demand comes first). terminated = all demand has left; truncated = the horizon was
/// reached without that (termination wins a tie, so time limits are not mistaken for ends).
/// The action mask leaves out phases that give green to no movement beyond the always-green
/// ones (on a CBEngine junction, those serving only missing legs); such an action is not
/// requested and is reported in StepInfo::ignored, as CBEngine rejects it.
class TrafficEnv final : public Env {
 public:
  /// Wraps a backend owned by the caller (it must outlive the env). Throws ConfigError on a
  /// bad observation/reward spec, no signalized intersection, or an action_interval that is
  /// not a positive multiple of dt.
  TrafficEnv(TrafficBackend& backend, TrafficEnvConfig config = {});
  /// Wraps and owns a backend; same checks.
  TrafficEnv(std::unique_ptr<TrafficBackend> backend, TrafficEnvConfig config = {});

  const EnvSpec& spec() const override { return spec_; }
  void reset(std::uint64_t seed, std::span<float> obs, StepInfo& info) override;
  void step(std::span<const std::int32_t> actions, std::span<float> obs, std::span<float> rewards,
            StepInfo& info) override;
  void action_mask(std::span<std::uint8_t> mask) const override;
  const std::vector<std::string>& metric_names() const override { return traffic_metric_names(); }

  /// The configuration given at construction.
  const TrafficEnvConfig& config() const { return config_; }
  /// The parsed reward sum.
  const RewardSpec& reward() const { return reward_; }
  /// The wrapped backend.
  const TrafficBackend& backend() const { return *backend_; }
  /// Per-agent topology (lanes, movements, phases), in agent order.
  std::span<const AgentTopology> agents() const { return agents_; }
  /// True while agent `agent`'s intersection runs a clearance interval (agent in [0, agents)).
  bool in_clearance(std::int32_t agent) const;
  /// Simulation steps per decision.
  std::int32_t steps_per_action() const { return steps_per_action_; }

 private:
  TrafficEnv(std::unique_ptr<TrafficBackend>&& owned, TrafficBackend& backend, TrafficEnvConfig config);

  /// Why step() may not run now.
  enum class Blocked : std::uint8_t { No, NotReset, Ended, Failed };

  void check_buffers(std::span<float> obs, const char* what) const;
  void fill_info(StepInfo& info) const;
  void snapshot_previous();

  std::unique_ptr<TrafficBackend> owned_;
  TrafficBackend* backend_;
  TrafficEnvConfig config_;
  std::vector<AgentTopology> agents_;
  ObservationBuilder observation_;
  RewardSpec reward_;
  EnvSpec spec_;
  std::int32_t steps_per_action_ = 1;
  double trip_free_flow_time_ = 0;  ///< mean_trip_free_flow_time of the scenario, for rewards
  std::vector<std::uint8_t> allowed_;  ///< agents x max_actions: the action mask
  Blocked blocked_ = Blocked::NotReset;
  double previous_time_ = 0;
  std::vector<double> prev_waiting_;
  std::vector<std::int64_t> prev_departures_;
};

}  // namespace greenwave
