// `greenwave run`: simulate one episode with a baseline controller and print the metrics.
#include <iostream>

#include "args.hpp"
#include "commands.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/networks/scenario_io.hpp"
#include "greenwave/sim/controllers.hpp"
#include "greenwave/sim/simulator.hpp"
#include "metrics_output.hpp"
#include "sim_options.hpp"

namespace greenwave::cli {

int cmd_run(int argc, char** argv) {
  const Args args(argc, argv, 2, {"json", "help"}, {"controller", "threads", "seed", "flow", "horizon"});
  if (args.flag("help") || args.positional().size() != 1) {
    std::cout << "usage: greenwave run SCENARIO --controller fixed|maxpressure|sotl [--threads N] [--seed S]\n"
                 "                     [--flow FLOW] [--horizon SECONDS] [--json]\n"
                 "Simulates one episode from t = 0 to the horizon and prints the metrics.\n";
    return args.flag("help") ? 0 : 2;
  }
  const auto loaded = load_scenario_option(args);
  const int threads = threads_option(args);
  Simulator sim(loaded, {threads});
  auto controller = make_controller(args.get_or("controller", "fixed"), *loaded);
  const long long seed = args.get_int("seed", static_cast<long long>(loaded->settings.seed));
  const Metrics m = run_episode(sim, *controller, static_cast<std::uint64_t>(seed));
  print_metrics(std::cout, m, args.flag("json"));
  return 0;
}

}  // namespace greenwave::cli
