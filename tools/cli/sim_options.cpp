#include "sim_options.hpp"

#include "greenwave/core/error.hpp"
#include "greenwave/networks/scenario_io.hpp"

namespace greenwave::cli {

std::shared_ptr<const CompiledScenario> load_scenario_option(const Args& args) {
  const std::string& path = args.positional()[0];
  v1::Scenario scenario = read_scenario(path, args.get_or("flow", ""));
  if (args.get("horizon")) {
    const double horizon = args.get_double("horizon", 0);
    if (horizon <= 0) throw ConfigError("--horizon", "expected a positive number of seconds");
    // Set before compiling: flows are expanded into departures only up to the horizon.
    scenario.mutable_settings()->set_horizon(horizon);
  }
  return std::make_shared<const CompiledScenario>(compile_scenario(scenario, path));
}

int threads_option(const Args& args) {
  const long long threads = args.get_int("threads", 1);
  if (threads < 1 || threads > 1024) throw ConfigError("--threads", "expected 1..1024, got " + std::to_string(threads));
  return static_cast<int>(threads);
}

}  // namespace greenwave::cli
