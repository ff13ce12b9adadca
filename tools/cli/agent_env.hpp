// The traffic environment `greenwave train` and `greenwave eval` build from their options, and
// the metrics object of an evaluated episode.
#pragma once

#include <memory>
#include <string>

#include "args.hpp"
#include "greenwave/agents/trainer.hpp"
#include "greenwave/env/traffic_env.hpp"
#include "greenwave/sim/backend.hpp"
#include "greenwave/sim/simulator.hpp"
#include "sim_options.hpp"

namespace greenwave::cli {

/// The options every agent command accepts besides its own.
inline const std::set<std::string> kAgentEnvOptions = [] {
  std::set<std::string> options = kScenarioOptions;
  options.insert({"threads", "seed", "reward", "observation"});
  return options;
}();


/// A TrafficEnv that owns its native Simulator (kept visible for metric samples).
struct OwnedTrafficEnv {
  Simulator* sim = nullptr;          ///< the backend, owned by env
  std::unique_ptr<TrafficEnv> env;   ///< the environment
};

/// Builds a TrafficEnv on `scenario` with --threads and the given observation and reward specs.
OwnedTrafficEnv make_traffic_env(const Args& args, std::shared_ptr<const CompiledScenario> scenario,
                                 const std::string& observation, const std::string& reward);

/// The metrics of an episode result as the Metrics struct (by traffic_metric_names()).
Metrics to_metrics(const EpisodeResult& result);

}  // namespace greenwave::cli
