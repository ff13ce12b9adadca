// `greenwave eval`: greedy evaluation of a DQN checkpoint or a baseline controller.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <nlohmann/json.hpp>
#include <vector>

#include "agent_env.hpp"
#include "eval_summary.hpp"
#include "args.hpp"
#include "commands.hpp"
#include "greenwave/agents/baselines.hpp"
#include "greenwave/agents/dqn.hpp"
#include "greenwave/catalog/catalog.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/sim/citybrain_score.hpp"
#include "metrics_output.hpp"
#include "registry_env.hpp"
#include "replay_option.hpp"
#include "sim_options.hpp"

namespace greenwave::cli {
namespace {
const std::string kBaselineList = "fixed, maxpressure, sotl, sotl-libsignal or random";
}  // namespace

namespace {

/// `greenwave eval --env NAME`: greedy episodes of a checkpoint or the random agent on a catalog
/// env. A checkpoint trained on the same env supplies its options; the command line overrides them.
/// `loaded` is the checkpoint already read (when its metadata named the env), else null.
int eval_registered_env(const Args& args, const EnvEntry& entry, std::unique_ptr<DqnAgent> loaded) {
  const std::string agent_name = *args.get("agent");
  const long long episodes = args.get_int("episodes", 1);
  if (episodes < 1 || episodes > 1000000) throw ConfigError("--episodes", "expected 1..1000000, got " + std::to_string(episodes));
  EnvOptions given;
  std::unique_ptr<DqnAgent> dqn = std::move(loaded);
  if (agent_name != "random") {
    if (!dqn && !std::filesystem::exists(agent_name))
      throw ConfigError("--agent", "'" + agent_name + "' is neither a checkpoint file nor random");
    if (!dqn) dqn = DqnAgent::load(agent_name, args.get_or("device", "auto"));
    const auto meta = nlohmann::json::parse(dqn->metadata(), nullptr, false);
    if (!meta.is_object() || meta.value("env", "") != entry.name)
      throw ConfigError("--agent", "checkpoint '" + agent_name + "' was not trained on env '" + entry.name + "'");
    if (meta.contains("env_options")) given = env_options_from_json(meta["env_options"].dump());
  }
  for (const auto& [key, value] : env_options_from_args(args, entry)) given[key] = value;
  const std::unique_ptr<Env> env = entry.factory(env_catalog().resolve(entry.name, given));
  const std::uint64_t seed = args.get_seed(0);
  RandomAgent random(seed);
  Agent& agent = dqn ? static_cast<Agent&>(*dqn) : random;
  const EpisodeResult mean = evaluate(*env, agent, seed, static_cast<int>(episodes));
  const nlohmann::json j = episode_result_json(mean);
  std::cout << (args.flag("json") ? j.dump() : j.dump(2)) << "\n";
  return 0;
}

}  // namespace

int cmd_eval(int argc, char** argv) {
  std::set<std::string> options = {"agent", "episodes", "score", "device", "citybrain-threshold", "env"};
  auto env_name = peek_env_option(argc, argv, 2);
  // Without --env, a checkpoint trained with `train --env NAME` names its env in its metadata.
  std::unique_ptr<DqnAgent> loaded;
  const auto agent_path = peek_option(argc, argv, 2, "agent");
  if (!env_name && agent_path && *agent_path != "random" && !is_baseline(*agent_path) && std::filesystem::is_regular_file(*agent_path)) {
    loaded = DqnAgent::load(*agent_path, peek_option(argc, argv, 2, "device").value_or("auto"));
    const auto meta = nlohmann::json::parse(loaded->metadata(), nullptr, false);
    if (meta.is_object() && meta.contains("env") && meta["env"].is_string()) env_name = meta["env"].get<std::string>();
  }
  const bool env_from_checkpoint = env_name && loaded;
  const EnvEntry* entry = env_name ? &env_catalog().at(*env_name) : nullptr;
  if (entry) {
    const std::set<std::string> names = env_option_names(*entry);
    options.insert(names.begin(), names.end());
    options.insert("seed");
  } else {
    options.insert(kAgentEnvOptions.begin(), kAgentEnvOptions.end());
    options.insert("replay");
  }
  const Args args(argc, argv, 2, entry ? std::set<std::string>{"json", "help"} : std::set<std::string>{"json", "help", "force"}, options);
  if (env_from_checkpoint && !args.positional().empty())
    throw ConfigError("--agent", "checkpoint '" + *agent_path + "' was trained on env '" + *env_name +
                                     "' (train --env); evaluate it without a scenario, got '" + args.positional()[0] + "'");
  const bool positionals_ok = entry ? args.positional().empty() : !args.positional().empty();
  if (args.flag("help") || !positionals_ok || !args.get("agent")) {
    std::cout << "usage: greenwave eval SCENARIO...|--env NAME --agent CKPT|fixed|maxpressure|sotl|sotl-libsignal|random\n"
                 "                      [--agent ...]... [--episodes N] [--json]\n"
                 "                      [--score citybrain] [--citybrain-threshold D] [--device cpu|cuda|auto]\n"
                 "                      [--seed S] [scenario options] [--threads N]\n"
                 "                      [--observation SPEC] [--reward SPEC] [--backend native|sumo] [--replay F.gwr [--force]]\n"
                 "Runs greedy episodes and prints the mean metrics. A checkpoint rebuilds the observation and\n"
                 "reward it was trained with. Several scenarios and several --agent (e.g. checkpoints of several\n"
                 "training seeds) run every agent on every scenario for N episodes each (seeds S .. S+N-1); the\n"
                 "means are over all episodes, with their spread (--json: \"std\", \"min\", \"max\", \"runs\").\n"
                 "Without --demand-jitter a scenario's departures are the same in every episode (docs/agents.md).\n"
                 "A controller (fixed, maxpressure, sotl, sotl-libsignal) is the one\n"
                 "`greenwave run --controller` runs (docs/agents.md), driving the signals at its own interval.\n"
                 "--replay writes the first episode (seed S; first scenario and agent) to F.gwr for `greenwave view`\n"
                 "(docs/replay.md).\n"
                 "--score citybrain adds the City Brain score (last delay-index sample <= threshold, default 1.40);\n"
                 "an episode without such a sample is disqualified and scores 0 served vehicles.\n"
                 "--env NAME evaluates a checkpoint trained on a catalog env (" + env_names_text() + "), or random,\n"
                 "and prints \"return\", \"steps\" and the env's metrics; a checkpoint supplies its env options.\n"
                 "Without a scenario or --env, a checkpoint trained with `train --env NAME` evaluates on that env.\n"
              << (entry ? env_options_help(*entry) : std::string(kBackendHelp) + kScenarioOptionsHelp);
    return args.flag("help") ? 0 : 2;
  }
  if (entry) return eval_registered_env(args, *entry, std::move(loaded));
  const std::vector<std::string> agent_names = args.get_all("agent");
  const std::vector<std::string>& scenario_files = args.positional();
  const long long episodes = args.get_int("episodes", 1);
  if (episodes < 1 || episodes > 1000000) throw ConfigError("--episodes", "expected 1..1000000, got " + std::to_string(episodes));
  const std::string score = args.get_or("score", "");
  if (!score.empty() && score != "citybrain") throw ConfigError("--score", "expected citybrain, got '" + score + "'");
  const double threshold = args.get_double("citybrain-threshold", 1.40);
  if (scenario_files.size() > 1 && sumo_backend_option(args))
    throw ConfigError("--backend", "several scenarios evaluate on the native engine only; give one SUMO scenario per eval");

  // Every (scenario, agent) pair runs the same episodes: episode e runs seed + e, so episode 0 is
  // `greenwave run --seed S`'s episode.
  if (const auto path = args.get("replay")) args.refuse_overwrite(*path, "--replay");
  std::vector<EvalRun> runs;
  std::optional<OwnedTrafficEnv> recorded;  // the first pair's env, whose recorder --replay reports
  for (const std::string& file : scenario_files) {
    const auto scenario = load_scenario_file(args, file, true);
    const auto seed = args.get_seed(scenario->settings.seed);
    for (const std::string& agent_name : agent_names) {
      const bool is_checkpoint = !is_baseline(agent_name);
      std::unique_ptr<DqnAgent> dqn;
      std::string observation = args.get_or("observation", "");
      std::string reward = args.get_or("reward", "queue");
      if (is_checkpoint) {
        if (!std::filesystem::exists(agent_name))
          throw ConfigError("--agent", "'" + agent_name + "' is neither a checkpoint file nor a baseline (" + kBaselineList + ")");
        // The first --agent may have been loaded already (to look for a catalog env in it).
        dqn = loaded && agent_path && *agent_path == agent_name ? std::move(loaded) : DqnAgent::load(agent_name, args.get_or("device", "auto"));
        const auto meta = nlohmann::json::parse(dqn->metadata(), nullptr, false);
        if (observation.empty() && meta.is_object() && meta.contains("observation")) observation = meta["observation"].get<std::string>();
        if (!args.get("reward") && meta.is_object() && meta.contains("reward")) reward = meta["reward"].get<std::string>();
        if (observation.empty()) throw ConfigError("--observation", "the checkpoint does not record its observation; give it");
      } else if (observation.empty()) {
        observation = baseline_observation(agent_name);
      }
      // --replay records the first episode of the first (scenario, agent) pair.
      OwnedTrafficEnv traffic = make_traffic_env(args, scenario, observation, reward, false, is_checkpoint ? "" : agent_name,
                                                 runs.empty() ? args.get_or("replay", "") : "");
      std::unique_ptr<Agent> baseline;
      Agent* agent = dqn.get();
      if (!dqn) {
        baseline = make_baseline(agent_name, *traffic.traffic, args.get_seed(0));
        agent = baseline.get();
      }
      if (!score.empty() && traffic.sim == nullptr)
        throw ConfigError("--score", "citybrain reads the native engine's delay-index samples; not available with --backend sumo");
      EvalRun run{file, agent_name, {}, {}};
      for (long long e = 0; e < episodes; ++e) {
        run.episodes.push_back(run_episode(*traffic.env, *agent, seed + static_cast<std::uint64_t>(e), false, false));
        if (!score.empty()) run.citybrain.push_back(citybrain_score(traffic.sim->metric_samples(), threshold));
      }
      runs.push_back(std::move(run));
      if (traffic.replay) recorded = std::move(traffic);
    }
  }
  const EvalSummary summary = summarize(runs);
  // A disqualified episode (no sample within the threshold) scores 0 served vehicles.
  std::vector<CityBrainScore> cb_scores;
  for (const EvalRun& run : runs) cb_scores.insert(cb_scores.end(), run.citybrain.begin(), run.citybrain.end());
  const CityBrainSummary cb = summarize_citybrain(cb_scores);
  const Metrics m = to_metrics(summary.mean);
  if (args.flag("json")) {
    nlohmann::json j = metrics_json(m);
    if (!score.empty()) {
      j["citybrain_served"] = cb.served_vehicles;
      j["citybrain_delay_index"] = cb.qualified > 0 ? nlohmann::json(cb.delay_index) : nlohmann::json(nullptr);
      j["citybrain_disqualified"] = cb.disqualified;
    }
    j["episodes"] = summary.episodes;
    j["std"] = summary.json(summary.std);
    j["min"] = summary.json(summary.min);
    j["max"] = summary.json(summary.max);
    nlohmann::json list = nlohmann::json::array();
    for (const EvalRun& run : runs) {
      nlohmann::json r = metrics_json(to_metrics(run.mean()));
      r["scenario"] = run.scenario;
      r["agent"] = run.agent;
      list.push_back(std::move(r));
    }
    j["runs"] = std::move(list);
    std::cout << j.dump() << "\n";
    if (recorded) report_replay(*recorded->replay, true);
    return 0;
  }
  if (runs.size() == 1) {
    std::cout << "agent                " << (is_baseline(runs[0].agent) ? runs[0].agent : "dqn (" + runs[0].agent + ")") << ", "
              << episodes << (episodes == 1 ? " episode\n" : " episodes (means)\n");
  } else {
    std::cout << scenario_files.size() << " scenario(s) x " << agent_names.size() << " agent(s) x " << episodes
              << " episode(s): means over all " << summary.episodes << " episodes\n";
  }
  print_metrics(std::cout, m, false);
  if (summary.episodes > 1) print_spread(std::cout, summary);
  if (runs.size() > 1) {
    std::cout << "\nper scenario and agent (means over episodes): ATT s, delay index, throughput\n";
    for (const EvalRun& run : runs) {
      const Metrics r = to_metrics(run.mean());
      char buf[96];
      std::snprintf(buf, sizeof buf, "  %9.1f  %8.4f  %8lld  ", r.average_travel_time, r.delay_index, static_cast<long long>(r.throughput));
      std::cout << buf << run.scenario << "  " << run.agent << "\n";
    }
  }
  if (!score.empty()) {
    char buf[240];
    std::snprintf(buf, sizeof buf, "citybrain served     %.1f (disqualified episodes count 0)\n", cb.served_vehicles);
    std::cout << buf;
    if (cb.qualified > 0) {
      std::snprintf(buf, sizeof buf, "citybrain delay idx  %.4f (threshold %.2f; mean over qualified episodes)\n", cb.delay_index, threshold);
      std::cout << buf;
    }
    std::snprintf(buf, sizeof buf, "citybrain disq.      %lld of %lld episodes (no sample with delay index <= %.2f)\n",
                  static_cast<long long>(cb.disqualified), static_cast<long long>(summary.episodes), threshold);
    std::cout << buf;
  }
  if (recorded) report_replay(*recorded->replay, false);
  return 0;
}

}  // namespace greenwave::cli
