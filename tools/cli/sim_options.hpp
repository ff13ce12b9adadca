// Options shared by the commands that simulate a scenario (run, bench).
#pragma once

#include <memory>

#include "args.hpp"
#include "greenwave/networks/road_network.hpp"

namespace greenwave::cli {

/// Loads positional()[0] with --flow, applying --horizon when given (ConfigError if <= 0).
std::shared_ptr<const CompiledScenario> load_scenario_option(const Args& args);
/// --threads (default 1), validated to 1..1024.
int threads_option(const Args& args);

}  // namespace greenwave::cli
