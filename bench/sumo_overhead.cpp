// The libsumo backend's cost (`build/bench/greenwave_bench_sumo SCENARIO.sumocfg fixed|maxpressure [ROUNDS]`): on
// one SUMO scenario and controller,
// alternately runs (1) greenwave's SumoBackend under the controller (run_episode), (2) bare
// libsumo stepping that replays the very same light states (recorded from an unmeasured backend
// episode: the same seed, so the same traffic) with nothing but setRedYellowGreenState and
// Simulation::step, and (3) the native engine on the same imported scenario. Prints the best wall
// time of each over K rounds as JSON: overhead = backend / bare - 1, native speedup = bare / native.
#include <libsumo/libsumo.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "greenwave/networks/scenario_io.hpp"
#include "greenwave/control/controllers.hpp"
#include "greenwave/sim/simulator.hpp"
#include "greenwave/sumo/sumo_backend.hpp"

using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: greenwave_bench_sumo SCENARIO.sumocfg fixed|maxpressure [ROUNDS]\n";
    return 2;
  }
  const std::string path = argv[1], controller_name = argv[2];
  const int rounds = argc > 3 ? std::stoi(argv[3]) : 3;
  auto scenario = greenwave::load_scenario(path);
  const auto steps = std::llround(scenario->settings.horizon / scenario->settings.dt);
  const std::uint64_t seed = scenario->settings.seed;
  greenwave::SumoBackend backend(scenario, greenwave::sumo_network_of(path));
  std::vector<std::string> tls = libsumo::TrafficLight::getIDList();
  // The states of every light after each step's signal update, from one unmeasured episode.
  std::vector<std::vector<std::pair<std::string, std::string>>> changes(static_cast<std::size_t>(steps));
  {
    auto controller = greenwave::make_controller(controller_name, *scenario);
    backend.reset(seed);
    std::map<std::string, std::string> last;
    const auto every = std::max<long long>(1, std::llround(controller->interval() / scenario->settings.dt));
    for (long long k = 0; k < steps; ++k) {
      if (k % every == 0) controller->decide(backend);
      backend.step();
      for (const auto& t : tls) {
        const std::string s = libsumo::TrafficLight::getRedYellowGreenState(t);
        if (last[t] != s) changes[static_cast<std::size_t>(k)].emplace_back(t, s), last[t] = s;
      }
    }
  }
  double best_backend = 1e300, best_bare = 1e300, best_native = 1e300;
  std::int64_t sumo_updates = 0, native_updates = 0;
  greenwave::Metrics backend_metrics;
  greenwave::Simulator native(scenario, {1});
  for (int r = 0; r < rounds; ++r) {
    {
      auto controller = greenwave::make_controller(controller_name, *scenario);
      const auto t0 = Clock::now();
      backend_metrics = greenwave::run_episode(backend, *controller, seed);
      best_backend = std::min(best_backend, std::chrono::duration<double>(Clock::now() - t0).count());
    }
    {
      backend.reset(seed);  // the same load; the replay below then drives libsumo alone
      std::int64_t updates = 0;
      const auto t0 = Clock::now();
      for (long long k = 0; k < steps; ++k) {
        for (const auto& [t, s] : changes[static_cast<std::size_t>(k)]) libsumo::TrafficLight::setRedYellowGreenState(t, s);
        libsumo::Simulation::step();
        updates += libsumo::Vehicle::getIDCount();
      }
      best_bare = std::min(best_bare, std::chrono::duration<double>(Clock::now() - t0).count());
      sumo_updates = updates;
    }
    {
      auto controller = greenwave::make_controller(controller_name, *scenario);
      const auto t0 = Clock::now();
      greenwave::run_episode(native, *controller, seed);
      best_native = std::min(best_native, std::chrono::duration<double>(Clock::now() - t0).count());
      native_updates = native.vehicle_updates();
    }
  }
  const nlohmann::json out = {{"scenario", path},
                              {"controller", controller_name},
                              {"rounds", rounds},
                              {"backend_wall_s", best_backend},
                              {"bare_libsumo_wall_s", best_bare},
                              {"native_wall_s", best_native},
                              {"backend_overhead", best_backend / best_bare - 1},
                              {"native_speedup_vs_bare_libsumo", best_bare / best_native},
                              {"libsumo_vehicle_updates", sumo_updates},
                              {"native_vehicle_updates", native_updates},
                              {"backend_throughput", backend_metrics.throughput}};
  std::cout << out.dump() << "\n";
  return 0;
}
