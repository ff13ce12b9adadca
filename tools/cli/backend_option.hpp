// --backend native|sumo: which TrafficBackend the simulating commands (run, bench, train, eval) build.
#pragma once

#include <memory>
#include <string>

#include "args.hpp"
#include "greenwave/sim/backend.hpp"

namespace greenwave::cli {

/// The usage line of --backend, for the commands' --help.
inline constexpr const char* kBackendHelp =
    "  --backend native|sumo    the native engine (default), or SUMO itself through libsumo on a SUMO\n"
    "                           scenario (.sumocfg or .net.xml; docs/sumo.md)\n";

/// True for --backend sumo, false for native or no --backend; ConfigError for anything else, and
/// for sumo when this build has no SUMO backend (GREENWAVE_WITH_SUMO off).
bool sumo_backend_option(const Args& args);

/// The backend of --backend for `scenario` (loaded from positional()[0]): a native Simulator with
/// --threads, or a SumoBackend on that file's SUMO network.
std::unique_ptr<TrafficBackend> make_backend(const Args& args, std::shared_ptr<const CompiledScenario> scenario);

}  // namespace greenwave::cli
