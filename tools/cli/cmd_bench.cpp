// `greenwave bench`: throughput of the bare simulator (vehicle updates per second).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <sys/resource.h>
#include <time.h>

#include "args.hpp"
#include "commands.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/networks/scenario_io.hpp"
#include "greenwave/control/controllers.hpp"
#include "greenwave/sim/simulator.hpp"
#include "backend_option.hpp"
#include "sim_options.hpp"

namespace greenwave::cli {

namespace {

/// CPU seconds the whole process has used so far (user + system, every thread).
double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

/// `bench --backend sumo`: the best wall time of `repeat` episodes on the SUMO backend.
int bench_backend(const Args& args, std::shared_ptr<const CompiledScenario> loaded, SignalController& controller, long long repeat) {
  const auto backend = make_backend(args, loaded);
  double best_wall = 1e300;
  for (long long k = 0; k < repeat; ++k) {
    const auto t0 = std::chrono::steady_clock::now();
    run_episode(*backend, controller, loaded->settings.seed);
    best_wall = std::min(best_wall, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  const nlohmann::json out = {{"backend", "sumo"},
                              {"wall_s", best_wall},
                              {"sim_seconds_per_wall_s", backend->time() / best_wall},
                              {"steps", std::llround(backend->time() / loaded->settings.dt)}};
  if (args.flag("json")) std::cout << out.dump() << "\n";
  else std::printf("backend              sumo\nwall                 %.3f s\nsim s per wall s     %.1f\n", best_wall, backend->time() / best_wall);
  return 0;
}

}  // namespace

int cmd_bench(int argc, char** argv) {
  std::set<std::string> options = {"controller", "threads", "repeat", "backend"};
  options.insert(kScenarioOptions.begin(), kScenarioOptions.end());
  const Args args(argc, argv, 2, {"json", "help"}, options);
  if (args.flag("help") || args.positional().size() != 1) {
    std::cout << "usage: greenwave bench SCENARIO [--threads N] [--controller fixed|maxpressure|sotl|sotl-libsignal] [--repeat K]\n"
                 "                       [--backend native|sumo] [scenario options] [--json]\n"
                 "Runs K episodes (default 3) and reports the best: vehicle updates per second (sum over steps\n"
                 "of running vehicles / wall time), simulated seconds per wall second, the least process CPU\n"
                 "seconds of an episode (cpu_s: steadier than wall time on a shared machine), peak RSS, mean and peak\n"
                 "running vehicles, and the simulator's state bytes (allocated, per vehicle slot, and the part that\n"
                 "grows with vehicles per running vehicle at the peak). With --backend sumo: wall, simulated\n"
                 "seconds per wall second and steps only (bench/sumo_overhead.cpp measures the backend's cost).\n"
              << kBackendHelp << kScenarioOptionsHelp;
    return args.flag("help") ? 0 : 2;
  }
#ifdef GREENWAVE_AGENTS_PROGRAM
  // libsumo (with GDAL, OpenSceneGraph, ...) is loaded only by greenwave-agents: that runs it.
  if (args.get_or("backend", "native") == "sumo") return exec_agents(argc, argv);
#endif
  const auto loaded = load_scenario_option(args);
  const int threads = threads_option(args);
  const long long repeat = args.get_int("repeat", 3);
  if (repeat < 1) throw ConfigError("--repeat", "expected a positive count");
  auto controller = make_controller(args.get_or("controller", "maxpressure"), *loaded);
  if (sumo_backend_option(args)) return bench_backend(args, loaded, *controller, repeat);
  Simulator sim(loaded, {threads});
  double best_wall = 1e300, best_cpu = 1e300;
  std::int64_t updates = 0, peak_running = 0;
  const auto steps = std::llround(loaded->settings.horizon / loaded->settings.dt);
  const auto every = std::max<long long>(1, std::llround(controller->interval() / loaded->settings.dt));
  for (long long k = 0; k < repeat; ++k) {
    // run_episode's loop, also noting the peak of running vehicles.
    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = process_cpu_seconds();
    sim.reset(loaded->settings.seed);
    std::int64_t peak = 0;
    for (long long s = 0; s < steps; ++s) {
      if (s % every == 0) controller->decide(sim);
      sim.step();
      peak = std::max(peak, sim.running());
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best_cpu = std::min(best_cpu, process_cpu_seconds() - cpu0);
    if (wall < best_wall) best_wall = wall, updates = sim.vehicle_updates(), peak_running = peak;
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const nlohmann::json out = {{"vehicle_updates_per_s", static_cast<double>(updates) / best_wall},
                              {"sim_seconds_per_wall_s", sim.time() / best_wall},
                              {"wall_s", best_wall},
                              {"cpu_s", best_cpu},
                              {"peak_rss_bytes", static_cast<std::int64_t>(usage.ru_maxrss) * 1024},
                              {"threads", threads},
                              {"vehicle_updates", updates},
                              {"state_bytes_per_vehicle", Simulator::bytes_per_vehicle()},
                              {"state_bytes", sim.state_bytes()},
                              {"vehicle_state_bytes", sim.vehicle_state_bytes()},
                              {"vehicle_state_bytes_per_running",
                               peak_running > 0 ? static_cast<double>(sim.vehicle_state_bytes()) / static_cast<double>(peak_running) : 0.0},
                              {"steps", sim.steps()},
                              {"mean_running_vehicles", sim.steps() > 0 ? static_cast<double>(updates) / static_cast<double>(sim.steps()) : 0.0},
                              {"peak_running_vehicles", peak_running}};
  if (args.flag("json")) {
    std::cout << out.dump() << "\n";
  } else {
    std::printf("vehicle updates/s    %.3g\nsim s per wall s     %.1f\nwall                 %.3f s\npeak RSS             %.1f MB\nthreads              %d\n"
                "mean running         %.0f\npeak running         %lld\nstate                %.2f MB (%zu B per vehicle slot)\n"
                "vehicle state        %.2f MB (%.0f B per running vehicle at the peak)\n",
                out["vehicle_updates_per_s"].get<double>(), out["sim_seconds_per_wall_s"].get<double>(), best_wall,
                static_cast<double>(out["peak_rss_bytes"].get<std::int64_t>()) / 1e6, threads,
                out["mean_running_vehicles"].get<double>(), static_cast<long long>(peak_running),
                static_cast<double>(sim.state_bytes()) / 1e6, Simulator::bytes_per_vehicle(),
                static_cast<double>(sim.vehicle_state_bytes()) / 1e6, out["vehicle_state_bytes_per_running"].get<double>());
  }
  return 0;
}

}  // namespace greenwave::cli
