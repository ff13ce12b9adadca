// Options shared by the commands that simulate a scenario (run, bench, train, eval).
#pragma once

#include <memory>
#include <set>
#include <string>
#include <utility>

#include <oneapi/tbb/task_arena.h>

#include "args.hpp"
#include "greenwave/networks/road_network.hpp"
#include "greenwave/networks/scenario_io.hpp"

namespace greenwave::cli {

/// The scenario options load_scenario_option reads: --flow, --horizon and the control loop's
/// --action-interval, --clearance, --min-green, --phases and --conflicts, --vehicle-model and --demand-jitter.
inline const std::set<std::string> kScenarioOptions = {"flow",      "horizon",   "action-interval", "clearance",
                                                       "min-green", "conflicts", "phases",          "vehicle-model",
                                                       "demand-jitter"};

/// The usage lines of kScenarioOptions, for the commands' --help.
inline constexpr const char* kScenarioOptionsHelp =
    "scenario options (override the scenario's run settings, docs/scenario-format.md):\n"
    "  --flow FLOW              demand file for a roadnet given alone\n"
    "  --horizon SECONDS        episode length\n"
    "  --action-interval S      seconds between decisions (controllers and agents)\n"
    "  --clearance S            clearance (yellow / all-red) seconds at each phase change, > 0\n"
    "  --min-green S            minimum green before a switch\n"
    "  --phases all|four        every green phase (default), or the literature's four paired phases:\n"
    "                           through or left turns from two opposing approaches (docs/simulator.md)\n"
    "  --conflicts greenwave|cityflow\n"
    "                           greenwave: movements sharing a start or end lane never cross;\n"
    "                           cityflow: they get conflict points as in CityFlow (docs/simulator.md)\n"
    "  --vehicle-model cityflow|idm\n"
    "                           car following: CityFlow's safe speed, or the Intelligent Driver Model\n"
    "                           (docs/simulator.md, \"Vehicle model\")\n"
    "  --demand-jitter S        shift every departure by a uniform offset in [-S, S] drawn from the\n"
    "                           episode's seed, so seeds give different demand (docs/simulator.md)\n";

/// Reads positional()[0] with the kScenarioOptions applied to its run settings (ConfigError naming
/// the option for a bad value); warns when it has no demand.
v1::Scenario read_scenario_option(const Args& args);
/// Reads `path` (with --flow when `with_flow`) and applies the other kScenarioOptions, as
/// read_scenario_option does for positional()[0]. These and the load functions below run on
/// --threads threads (with_threads).
v1::Scenario read_scenario_file(const Args& args, const std::string& path, bool with_flow);
/// Compiles read_scenario_file(args, path, with_flow).
std::shared_ptr<const CompiledScenario> load_scenario_file(const Args& args, const std::string& path, bool with_flow);
/// Loads positional()[0] with the kScenarioOptions applied to its run settings before compiling
/// (ConfigError naming the option for a bad value).
std::shared_ptr<const CompiledScenario> load_scenario_option(const Args& args);
/// --threads (default 1), validated to 1..1024.
int threads_option(const Args& args);

/// f() run in a TBB arena of threads_option(args) threads: the parallel parts of loading a
/// scenario (reading flows, routes, conflicts) use the threads the simulation is given.
template <class F>
auto with_threads(const Args& args, F&& f) {
  tbb::task_arena arena(threads_option(args));
  return arena.execute(std::forward<F>(f));
}

}  // namespace greenwave::cli
