// `greenwave run`: simulate one episode with a baseline controller and print the metrics;
// with --trajectory, the episode is also written to an HDF5 trajectory file.
#include <cstdio>
#include <iostream>

#include "args.hpp"
#include "backend_option.hpp"
#include "commands.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/control/controller_rollout.hpp"
#include "greenwave/env/replay.hpp"
#include "greenwave/networks/scenario_io.hpp"
#include "greenwave/control/controllers.hpp"
#include "greenwave/sim/simulator.hpp"
#include "metrics_output.hpp"
#include "replay_option.hpp"
#include "sim_options.hpp"

namespace greenwave::cli {

int cmd_run(int argc, char** argv) {
  std::set<std::string> options = {"controller", "threads", "seed", "trajectory", "reward", "observation", "backend", "replay"};
  options.insert(kScenarioOptions.begin(), kScenarioOptions.end());
  const Args args(argc, argv, 2, {"json", "help", "force", "standing"}, options);
  if (args.flag("help") || args.positional().size() != 1) {
    std::cout << "usage: greenwave run SCENARIO --controller fixed|maxpressure|sotl|sotl-libsignal [--threads N] [--seed S]\n"
                 "                     [--backend native|sumo] [scenario options] [--json]\n"
                 "                     [--trajectory F.h5 [--force] [--reward SPEC] [--observation SPEC]] [--replay F.gwr]\n"
                 "                     [--standing]\n"
                 "Simulates one episode from t = 0 to the horizon and prints the metrics. --trajectory also\n"
                 "writes the episode to F.h5 (docs/trajectories.md): one step per action_interval, the\n"
                 "controller's phases as actions, rewards from --reward (default queue) and observations\n"
                 "from --observation (default lane_count,phase). --replay writes every simulation step to\n"
                 "F.gwr for `greenwave view` (docs/replay.md). --standing adds, at the horizon, the running\n"
                 "vehicles that stand (< 0.1 m/s) by what holds them and how many are gridlocked (a cycle\n"
                 "of queues; docs/simulator.md, \"Why vehicles stand\"; native engine only).\n"
              << kBackendHelp << kScenarioOptionsHelp;
    return args.flag("help") ? 0 : 2;
  }
#ifdef GREENWAVE_AGENTS_PROGRAM
  // libsumo (with GDAL, OpenSceneGraph, ...) is loaded only by greenwave-agents: that runs it.
  if (args.get_or("backend", "native") == "sumo") return exec_agents(argc, argv);
#endif
  if (!args.get("trajectory") && (args.get("reward") || args.get("observation")))
    throw ConfigError("--reward/--observation", "only used with --trajectory");
  const auto loaded = load_scenario_option(args);
  const auto backend = make_backend(args, loaded);
  const Simulator* native = dynamic_cast<const Simulator*>(backend.get());
  if (args.flag("standing") && !native)
    throw ConfigError("--standing", "reads the native engine's state; not available with --backend sumo");
  std::unique_ptr<ReplayRecorder> replay;
  if (const auto path = args.get("replay")) {
    args.refuse_overwrite(*path, "--replay");
    replay = std::make_unique<ReplayRecorder>(*backend, *path);
  }
  TrafficBackend& sim = replay ? static_cast<TrafficBackend&>(*replay) : *backend;
  auto controller = make_controller(args.get_or("controller", "fixed"), *loaded);
  const std::uint64_t seed = args.get_seed(loaded->settings.seed);
  Metrics m;
  if (const auto path = args.get("trajectory")) {
    args.refuse_overwrite(*path, "--trajectory");
    TrafficEnvConfig config;
    config.reward = args.get_or("reward", config.reward);
    config.observation = args.get_or("observation", config.observation);
    m = record_controller_episode(sim, *controller, config, seed, *path);
  } else {
    m = run_episode(sim, *controller, seed);
  }
  if (args.flag("standing")) {
    const StandingCounts c = native->standing();
    const std::pair<const char*, std::int64_t> fields[] = {
        {"running", c.running},       {"standing", c.standing},           {"queued", c.queued},
        {"red_light", c.red_light},   {"end_lane_full", c.end_lane_full}, {"yielding", c.yielding},
        {"in_intersection", c.in_intersection}, {"other", c.other},       {"gridlocked", c.gridlocked}};
    if (args.flag("json")) {
      nlohmann::json j = metrics_json(m);
      for (const auto& [name, value] : fields) j["standing"][name] = value;
      std::cout << j.dump() << "\n";
    } else {
      print_metrics(std::cout, m, false);
      std::cout << "at the horizon:\n";
      for (const auto& [name, value] : fields) std::printf("  %-18s %lld\n", name, static_cast<long long>(value));
    }
  } else {
    print_metrics(std::cout, m, args.flag("json"));
  }
  if (replay) report_replay(*replay, args.flag("json"));
  return 0;
}

}  // namespace greenwave::cli
