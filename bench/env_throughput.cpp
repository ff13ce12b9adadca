// greenwave_bench_env: throughput of the env layer (VectorEnv with N native simulators) and its
// overhead over the bare simulator driven by the same actions. Run by bench/bench_env.
//
// usage: greenwave_bench_env SCENARIO [--envs 1,2,4,8] [--threads T] [--repeat K]
//   One episode per env (reset, then action_interval steps to the horizon), best of K (default 2).
//   Actions: agent a takes phase (decision + a) mod its phase count, in the env and in the bare
//   loop alike. Prints one JSON object per line.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "greenwave/core/error.hpp"
#include "greenwave/env/traffic_env.hpp"
#include "greenwave/env/vector_env.hpp"
#include "greenwave/networks/scenario_io.hpp"
#include "greenwave/sim/simulator.hpp"

namespace greenwave {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// The cycling policy shared by both loops.
std::int32_t cycling_action(std::int64_t decision, std::size_t agent, std::int32_t phases) {
  return static_cast<std::int32_t>((static_cast<std::size_t>(decision) + agent) % static_cast<std::size_t>(phases));
}

// One timed episode of the bare simulator: the same requests and steps TrafficEnv makes, with
// no observation, reward or info.
nlohmann::json bare_episode(const std::shared_ptr<const CompiledScenario>& scenario, std::uint64_t seed) {
  Simulator sim(scenario);
  const TrafficEnv probe(sim);  // only for its agent list and steps per action
  const RunSettings& s = scenario->settings;
  sim.reset(seed);
  const auto t0 = Clock::now();
  std::int64_t decisions = 0;
  while (!sim.demand_done() && sim.time() < s.horizon - 1e-9) {
    for (std::size_t a = 0; a < probe.agents().size(); ++a)
      sim.request_phase(probe.agents()[a].intersection, cycling_action(decisions, a, probe.agents()[a].phase_count));
    for (std::int32_t k = 0; k < probe.steps_per_action(); ++k) {
      sim.step();
      if (sim.demand_done() || sim.time() >= s.horizon - 1e-9) break;
    }
    ++decisions;
  }
  const double wall = seconds_since(t0);
  return {{"mode", "bare"}, {"envs", 1}, {"threads", 1}, {"env_steps", decisions}, {"wall_s", wall},
          {"env_steps_per_s", static_cast<double>(decisions) / wall},
          {"vehicle_updates_per_s", static_cast<double>(sim.vehicle_updates()) / wall}};
}

// One timed episode of every env of a VectorEnv of n native simulators.
nlohmann::json vector_episode(const std::shared_ptr<const CompiledScenario>& scenario, int n, int threads,
                              std::uint64_t seed) {
  std::vector<Simulator*> sims;
  std::vector<std::unique_ptr<Env>> envs;
  for (int i = 0; i < n; ++i) {
    auto sim = std::make_unique<Simulator>(scenario);
    sims.push_back(sim.get());
    envs.push_back(std::make_unique<TrafficEnv>(std::move(sim)));
  }
  VectorEnv env(std::move(envs), threads);
  const EnvSpec& spec = env.spec();
  const auto agents = static_cast<std::size_t>(spec.num_agents());
  const auto rows = static_cast<std::size_t>(n) * agents;
  std::vector<float> obs(rows * static_cast<std::size_t>(spec.observation.size())), rewards(rows);
  std::vector<std::int32_t> actions(rows);
  std::vector<std::uint8_t> terminated(static_cast<std::size_t>(n)), truncated(terminated.size());
  // Per env: the vehicle updates of its first episode, noted when it ends (an env that ends
  // first autoresets and keeps stepping until the slowest one ends; those steps count too).
  std::vector<std::int64_t> episode_updates(static_cast<std::size_t>(n), -1);
  env.reset(seed, obs);
  const auto t0 = Clock::now();
  std::int64_t decisions = 0;
  int finished = 0;
  while (finished < n) {
    for (std::size_t r = 0; r < rows; ++r)
      actions[r] = cycling_action(decisions, r % agents, spec.action_counts[r % agents]);
    env.step(actions, obs, rewards, terminated, truncated);
    ++decisions;
    for (std::size_t i = 0; i < terminated.size(); ++i) {
      if ((terminated[i] || truncated[i]) && episode_updates[i] < 0) {
        episode_updates[i] = sims[i]->vehicle_updates();
        ++finished;
      }
    }
  }
  const double wall = seconds_since(t0);
  std::int64_t updates = 0;
  for (const std::int64_t u : episode_updates) updates += u;
  return {{"mode", "vector_env"}, {"envs", n}, {"threads", threads}, {"env_steps", decisions * n}, {"wall_s", wall},
          {"env_steps_per_s", static_cast<double>(decisions * n) / wall},
          {"vehicle_updates_per_s", static_cast<double>(updates) / wall}};
}

std::vector<int> parse_list(const std::string& text) {
  std::vector<int> out;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');) {
    const int v = std::atoi(part.c_str());
    if (v < 1 || v > 256) throw ConfigError("--envs", "expected counts 1..256 like 1,2,4,8, got '" + text + "'");
    out.push_back(v);
  }
  return out;
}

int run(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help") {
    std::puts("usage: greenwave_bench_env SCENARIO [--envs 1,2,4,8] [--threads T] [--repeat K]");
    return argc < 2 ? 2 : 0;
  }
  std::vector<int> counts = {1, 2, 4, 8};
  int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int repeat = 2;
  for (int i = 2; i < argc; i += 2) {
    const std::string key = argv[i];
    if (i + 1 >= argc) throw ConfigError(key, "needs a value");
    const std::string value = argv[i + 1];
    if (key == "--envs") counts = parse_list(value);
    else if (key == "--threads") threads = std::max(1, std::atoi(value.c_str()));
    else if (key == "--repeat") repeat = std::max(1, std::atoi(value.c_str()));
    else throw ConfigError(key, "unknown option (expected --envs, --threads or --repeat)");
  }
  const auto scenario = load_scenario(argv[1]);
  const std::uint64_t seed = scenario->settings.seed;
  // Best of K for each configuration; the bare and N = 1 runs alternate so they see the same load.
  const auto best = [&](auto&& once) {
    nlohmann::json b;
    for (int k = 0; k < repeat; ++k) {
      nlohmann::json r = once();
      if (b.is_null() || r["wall_s"].get<double>() < b["wall_s"].get<double>()) b = r;
    }
    return b;
  };
  nlohmann::json bare, single;
  for (int k = 0; k < repeat; ++k) {
    const nlohmann::json b = bare_episode(scenario, seed);
    const nlohmann::json s = vector_episode(scenario, 1, 1, seed);
    if (bare.is_null() || b["wall_s"].get<double>() < bare["wall_s"].get<double>()) bare = b;
    if (single.is_null() || s["wall_s"].get<double>() < single["wall_s"].get<double>()) single = s;
  }
  std::puts(bare.dump().c_str());
  single["overhead_vs_bare"] = single["wall_s"].get<double>() / bare["wall_s"].get<double>() - 1.0;
  std::puts(single.dump().c_str());
  for (const int n : counts) {
    if (n == 1) continue;
    const int t = std::min(n, threads);
    std::puts(best([&] { return vector_episode(scenario, n, t, seed); }).dump().c_str());
  }
  return 0;
}

}  // namespace
}  // namespace greenwave

int main(int argc, char** argv) {
  try {
    return greenwave::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "greenwave_bench_env: %s\n", e.what());
    return 1;
  }
}
