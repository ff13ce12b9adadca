#include "sim_options.hpp"

#include "greenwave/core/error.hpp"
#include "greenwave/networks/scenario_io.hpp"

namespace greenwave::cli {

std::shared_ptr<const CompiledScenario> load_scenario_option(const Args& args) {
  auto loaded = load_scenario(args.positional()[0], args.get_or("flow", ""));
  if (!args.get("horizon")) return loaded;
  auto copy = std::make_shared<CompiledScenario>(*loaded);
  copy->settings.horizon = args.get_double("horizon", copy->settings.horizon);
  if (copy->settings.horizon <= 0) throw ConfigError("--horizon", "expected a positive number of seconds");
  return copy;
}

int threads_option(const Args& args) {
  const long long threads = args.get_int("threads", 1);
  if (threads < 1 || threads > 1024) throw ConfigError("--threads", "expected 1..1024, got " + std::to_string(threads));
  return static_cast<int>(threads);
}

}  // namespace greenwave::cli
