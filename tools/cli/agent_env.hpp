// The traffic environment `greenwave train` and `greenwave eval` build from their options, and
// the metrics object of an evaluated episode.
#pragma once

#include <memory>
#include <string>

#include "args.hpp"
#include "backend_option.hpp"
#include "greenwave/agents/trainer.hpp"
#include "greenwave/env/replay.hpp"
#include "greenwave/env/traffic_env.hpp"
#include "greenwave/sim/backend.hpp"
#include "greenwave/sim/simulator.hpp"
#include "sim_options.hpp"

namespace greenwave::cli {

/// The options every agent command accepts besides its own.
inline const std::set<std::string> kAgentEnvOptions = [] {
  std::set<std::string> options = kScenarioOptions;
  options.insert({"threads", "seed", "reward", "observation", "backend"});
  return options;
}();


/// A TrafficEnv on the --backend of the command, owning its backend.
struct OwnedTrafficEnv {
  Simulator* sim = nullptr;          ///< the native backend (for metric samples), nullptr on SUMO
  TrafficEnv* traffic = nullptr;     ///< the env when it runs in this process, nullptr in a worker
  std::unique_ptr<Env> env;          ///< the environment (`traffic`, or a ProcessEnv around one)
  ReplayRecorder* replay = nullptr;  ///< the recorder between the backend and the env, when asked for
};

/// Builds a TrafficEnv on `scenario` with --backend, --threads and the given observation and
/// reward specs. With `worker` and --backend sumo it runs in a child process (a ProcessEnv:
/// libsumo holds one simulation per process); the native engine always runs in this process.
/// With a `baseline` controller name, a ControlledBackend lets that controller drive the
/// signals (make_baseline_env; either backend). A non-empty `replay` path records the first
/// episode there (a ReplayRecorder around the backend; not with a worker).
OwnedTrafficEnv make_traffic_env(const Args& args, std::shared_ptr<const CompiledScenario> scenario,
                                 const std::string& observation, const std::string& reward, bool worker = false,
                                 const std::string& baseline = "", const std::string& replay = "");

/// The metrics of an episode result as the Metrics struct (by traffic_metric_names()).
Metrics to_metrics(const EpisodeResult& result);

}  // namespace greenwave::cli
