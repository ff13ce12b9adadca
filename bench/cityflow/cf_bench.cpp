// CityFlow's engine stepped from C++, for bench/bench_cityflow (built against a CityFlow source
// checkout; never part of greenwave's build): `cf_bench CONFIG [STEPS] [REPEAT]`.
// Times only the nextStep() loop (not the engine's construction) and counts vehicle updates as
// `greenwave bench` does: the sum over steps of the running vehicles. Prints one JSON line, the
// fastest repeat.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine/engine.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 4) {
    std::fprintf(stderr, "usage: cf_bench CONFIG [STEPS=3600] [REPEAT=3]\n");
    return 2;
  }
  const std::string config = argv[1];
  const int steps = argc > 2 ? std::atoi(argv[2]) : 3600;
  const int repeat = argc > 3 ? std::atoi(argv[3]) : 3;
  if (steps < 1 || repeat < 1) {
    std::fprintf(stderr, "cf_bench: STEPS and REPEAT must be positive integers\n");
    return 2;
  }
  double best_wall = -1, best_att = 0;
  unsigned long long best_updates = 0;
  for (int r = 0; r < repeat; ++r) {
    // Never destroyed: CityFlow's ~Engine() can deadlock on its worker threads' barrier when a
    // worker has already left; each leftover worker only sleeps.
    auto* engine = new CityFlow::Engine(config, 1);
    unsigned long long updates = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int s = 0; s < steps; ++s) {
      engine->nextStep();
      updates += engine->getVehicleCount();
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (best_wall < 0 || wall < best_wall) {
      best_wall = wall;
      best_updates = updates;
      best_att = engine->getAverageTravelTime();
    }
  }
  std::printf("{\"wall_s\": %.6f, \"vehicle_updates\": %llu, \"vehicle_updates_per_s\": %.0f, \"average_travel_time\": %.3f}\n",
              best_wall, best_updates, static_cast<double>(best_updates) / best_wall, best_att);
  return 0;
}
