// `greenwave info`: loads, validates and compiles a scenario, then prints its counts.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <set>
#include <nlohmann/json.hpp>

#include "args.hpp"
#include "greenwave/core/phase_timing.hpp"
#include "commands.hpp"
#include "sim_options.hpp"
#include "greenwave/networks/scenario_io.hpp"

namespace greenwave::cli {

int cmd_info(int argc, char** argv) {
  std::set<std::string> options = kScenarioOptions;
  options.insert("threads");
  const Args args(argc, argv, 2, {"json", "help", "timing"}, options);
  if (args.flag("help") || args.positional().size() != 1) {
    std::cout << "usage: greenwave info SCENARIO [scenario options] [--json] [--timing] [--threads N]\n"
                 "Loads SCENARIO (native .pbtxt/.pb, CityFlow config.json or roadnet.json, CBEngine .cfg or\n"
                 "roadnet.txt, SUMO .sumocfg or .net.xml), runs every validation check and prints the counts.\n"
                 "vehicles = departures scheduled before the horizon (--horizon changes it as in run). Warns\n"
                 "when the scenario has no demand, and lists what a SUMO import skipped, counted.\n"
                 "--timing adds parse_s and compile_s: wall seconds to read the files and to validate + compile,\n"
                 "phases: wall seconds of each part of loading (reading files, parsing, compiling roads,\n"
                 "movements, conflicts, routes, departures, the content hash) and phases_cpu: the process's\n"
                 "CPU seconds (all threads) in each. --threads N: threads for the parallel parts of loading\n"
                 "(default 1, as in run).\n"
              << kScenarioOptionsHelp;
    return args.flag("help") ? 0 : 2;
  }
  PhaseTimes phases;
  if (args.flag("timing")) collect_phases(&phases);
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const v1::Scenario scenario = read_scenario_option(args);
  const auto parsed = Clock::now();
  const auto s = with_threads(
      args, [&] { return std::make_shared<const CompiledScenario>(compile_scenario(scenario, args.positional()[0])); });
  const auto compiled = Clock::now();
  collect_phases(nullptr);
  const RoadNetwork& net = s->network;
  const auto vehicles = std::count_if(s->demand.departures.begin(), s->demand.departures.end(),
                                      [&](const Departure& d) { return d.time < s->settings.horizon; });
  nlohmann::json out = {{"intersections", net.num_intersections()},
                        {"signalized_intersections", net.signalized.size()},
                        {"roads", net.num_roads()},
                        {"lanes", net.num_lanes()},
                        {"movements", net.num_movements()},
                        {"vehicles", vehicles},
                        {"horizon_s", s->settings.horizon}};
  if (args.flag("timing")) {
    out["parse_s"] = std::chrono::duration<double>(parsed - start).count();
    out["compile_s"] = std::chrono::duration<double>(compiled - parsed).count();
    for (const auto& [name, time] : phases.items()) {
      out["phases"][name] = time.wall;
      out["phases_cpu"][name] = time.cpu;
    }
  }
  if (args.flag("json")) {
    std::cout << out.dump() << "\n";
    return 0;
  }
  std::cout << "scenario  " << (s->name.empty() ? args.positional()[0] : s->name) << "\n";
  for (const auto& [key, value] : out.items()) std::cout << "  " << key << std::string(26 - key.size(), ' ') << value << "\n";
  return 0;
}

}  // namespace greenwave::cli
