// CityFlow's engine stepped from C++, for bench/bench_cityflow (built against a CityFlow source
// checkout; never part of greenwave's build): `cf_bench CONFIG [STEPS] [REPEAT]`.
// Times only the nextStep() loop (not the engine's construction) and counts vehicle updates as
// `greenwave bench` does: the sum over steps of the running vehicles. Prints one JSON line: the
// fastest repeat's timing, the least process CPU time of a repeat's loop (cpu_s, as `greenwave
// bench` reports it; CityFlow's worker thread and the main thread that hands it each stage
// through two barriers both count), and the end state of the last repeat (every repeat is the same
// episode: one thread, the config's seed), read through CityFlow's public API after the timed
// loop: ATT (getAverageTravelTime: finished vehicles and those still in the network or waiting
// to enter, counted to the end), finished vehicles (the archive's finishedVehicleCnt, which
// only Engine::snapshot().dump() exposes), running vehicles, those of them standing
// (speed < 0.1 m/s, CityFlow's own waiting test in getLaneWaitingVehicleCount) and vehicles
// still waiting to enter.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <time.h>

#include "engine/engine.h"

namespace {

// CPU seconds the whole process has used so far (user + system, every thread).
double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Vehicles that left the network: CityFlow keeps the count private and writes it only into a
// snapshot dump, so dump the state to PATH, read the field back and delete the file.
long long finished_vehicles(CityFlow::Engine& engine, const std::string& path) {
  engine.snapshot().dump(path);
  rapidjson::Document state;
  const bool read = CityFlow::readJsonFromFile(path, state);
  std::remove(path.c_str());
  if (!read || !state.IsObject() || !state.HasMember("finishedVehicleCnt")) return -1;
  return state["finishedVehicleCnt"].GetInt();
}

}  // namespace

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
  double best_wall = -1, best_cpu = -1;
  unsigned long long best_updates = 0;
  CityFlow::Engine* engine = nullptr;
  for (int r = 0; r < repeat; ++r) {
    // Never destroyed: CityFlow's ~Engine() can deadlock on its worker threads' barrier when a
    // worker has already left; each leftover worker only sleeps.
    engine = new CityFlow::Engine(config, 1);
    unsigned long long updates = 0;
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = process_cpu_seconds();
    for (int s = 0; s < steps; ++s) {
      engine->nextStep();
      updates += engine->getVehicleCount();
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double cpu = process_cpu_seconds() - cpu_start;
    if (best_cpu < 0 || cpu < best_cpu) best_cpu = cpu;
    if (best_wall < 0 || wall < best_wall) {
      best_wall = wall;
      best_updates = updates;
    }
  }
  const auto speeds = engine->getVehicleSpeed();
  long long standing = 0;
  for (const auto& vehicle : speeds) standing += vehicle.second < 0.1 ? 1 : 0;
  const long long running = static_cast<long long>(speeds.size());
  const long long waiting = static_cast<long long>(engine->getVehicles(true).size()) - running;
  std::printf("{\"wall_s\": %.6f, \"cpu_s\": %.6f, \"vehicle_updates\": %llu, \"vehicle_updates_per_s\": %.0f, "
              "\"average_travel_time\": %.3f, \"throughput\": %lld, \"running\": %lld, \"standing\": %lld, "
              "\"waiting_to_enter\": %lld}\n",
              best_wall, best_cpu, best_updates, static_cast<double>(best_updates) / best_wall,
              engine->getAverageTravelTime(), finished_vehicles(*engine, config + ".state.json"), running,
              standing, waiting);
  return 0;
}
