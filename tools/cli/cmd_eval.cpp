// `greenwave eval`: greedy evaluation of a DQN checkpoint or a baseline controller.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <vector>

#include "agent_env.hpp"
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
  if (args.flag("help") || args.positional().size() != (entry ? 0u : 1u) || !args.get("agent")) {
    std::cout << "usage: greenwave eval SCENARIO|--env NAME --agent CKPT|fixed|maxpressure|sotl|sotl-libsignal|random\n"
                 "                      [--episodes N] [--json]\n"
                 "                      [--score citybrain] [--citybrain-threshold D] [--device cpu|cuda|auto]\n"
                 "                      [--seed S] [scenario options] [--threads N]\n"
                 "                      [--observation SPEC] [--reward SPEC] [--backend native|sumo] [--replay F.gwr [--force]]\n"
                 "Runs greedy episodes and prints the mean metrics. A checkpoint rebuilds the observation and\n"
                 "reward it was trained with. A controller (fixed, maxpressure, sotl, sotl-libsignal) is the one\n"
                 "`greenwave run --controller` runs (docs/agents.md), driving the signals at its own interval.\n"
                 "--replay writes the first episode (seed S) to F.gwr for `greenwave view` (docs/replay.md).\n"
                 "--score citybrain adds the City Brain score (last delay-index sample <= threshold, default 1.40);\n"
                 "an episode without such a sample is disqualified and scores 0 served vehicles.\n"
                 "--env NAME evaluates a checkpoint trained on a catalog env (" + env_names_text() + "), or random,\n"
                 "and prints \"return\", \"steps\" and the env's metrics; a checkpoint supplies its env options.\n"
                 "Without a scenario or --env, a checkpoint trained with `train --env NAME` evaluates on that env.\n"
              << (entry ? env_options_help(*entry) : std::string(kBackendHelp) + kScenarioOptionsHelp);
    return args.flag("help") ? 0 : 2;
  }
  if (entry) return eval_registered_env(args, *entry, std::move(loaded));
  const std::string agent_name = *args.get("agent");
  const long long episodes = args.get_int("episodes", 1);
  if (episodes < 1 || episodes > 1000000) throw ConfigError("--episodes", "expected 1..1000000, got " + std::to_string(episodes));
  const std::string score = args.get_or("score", "");
  if (!score.empty() && score != "citybrain") throw ConfigError("--score", "expected citybrain, got '" + score + "'");
  const double threshold = args.get_double("citybrain-threshold", 1.40);

  const auto scenario = load_scenario_option(args);
  const bool is_checkpoint = !is_baseline(agent_name);
  std::unique_ptr<DqnAgent> dqn;
  std::string observation = args.get_or("observation", "");
  std::string reward = args.get_or("reward", "queue");
  if (is_checkpoint) {
    if (!std::filesystem::exists(agent_name))
      throw ConfigError("--agent", "'" + agent_name + "' is neither a checkpoint file nor a baseline (" + kBaselineList + ")");
    dqn = loaded ? std::move(loaded) : DqnAgent::load(agent_name, args.get_or("device", "auto"));
    const auto meta = nlohmann::json::parse(dqn->metadata(), nullptr, false);
    if (observation.empty() && meta.is_object() && meta.contains("observation")) observation = meta["observation"].get<std::string>();
    if (!args.get("reward") && meta.is_object() && meta.contains("reward")) reward = meta["reward"].get<std::string>();
    if (observation.empty()) throw ConfigError("--observation", "the checkpoint does not record its observation; give it");
  } else if (observation.empty()) {
    observation = baseline_observation(agent_name);
  }
  if (const auto path = args.get("replay")) args.refuse_overwrite(*path, "--replay");
  OwnedTrafficEnv traffic = make_traffic_env(args, scenario, observation, reward, false, is_checkpoint ? "" : agent_name,
                                             args.get_or("replay", ""));
  std::unique_ptr<Agent> baseline;
  Agent* agent = dqn.get();
  if (!dqn) {
    baseline = make_baseline(agent_name, *traffic.traffic, args.get_seed(0));
    agent = baseline.get();
  }
  const auto seed = args.get_seed(scenario->settings.seed);
  if (!score.empty() && traffic.sim == nullptr)
    throw ConfigError("--score", "citybrain reads the native engine's delay-index samples; not available with --backend sumo");

  // Episodes by hand (not evaluate()) so the City Brain score can read each episode's samples.
  EpisodeResult mean;
  std::vector<CityBrainScore> cb_scores;
  for (long long e = 0; e < episodes; ++e) {
    // Episode e runs seed + e, so episode 0 is `greenwave run --seed S`'s episode.
    const EpisodeResult r = run_episode(*traffic.env, *agent, seed + static_cast<std::uint64_t>(e), false, false);
    if (e == 0) {
      mean.metric_names = r.metric_names;
      mean.metric_values.assign(r.metric_values.size(), 0.0);
    }
    for (std::size_t i = 0; i < r.metric_values.size(); ++i) mean.metric_values[i] += r.metric_values[i] / static_cast<double>(episodes);
    mean.total_reward += r.total_reward / static_cast<double>(episodes);
    if (!score.empty()) cb_scores.push_back(citybrain_score(traffic.sim->metric_samples(), threshold));
  }
  // A disqualified episode (no sample within the threshold) scores 0 served vehicles.
  const CityBrainSummary cb = summarize_citybrain(cb_scores);
  const Metrics m = to_metrics(mean);
  if (args.flag("json")) {
    nlohmann::json j = metrics_json(m);
    if (!score.empty()) {
      j["citybrain_served"] = cb.served_vehicles;
      j["citybrain_delay_index"] = cb.qualified > 0 ? nlohmann::json(cb.delay_index) : nlohmann::json(nullptr);
      j["citybrain_disqualified"] = cb.disqualified;
    }
    std::cout << j.dump() << "\n";
    if (traffic.replay) report_replay(*traffic.replay, true);
    return 0;
  }
  std::cout << "agent                " << (dqn ? "dqn (" + agent_name + ")" : agent_name) << ", " << episodes
            << (episodes == 1 ? " episode\n" : " episodes (means)\n");
  print_metrics(std::cout, m, false);
  if (!score.empty()) {
    char buf[240];
    std::snprintf(buf, sizeof buf, "citybrain served     %.1f (disqualified episodes count 0)\n", cb.served_vehicles);
    std::cout << buf;
    if (cb.qualified > 0) {
      std::snprintf(buf, sizeof buf, "citybrain delay idx  %.4f (threshold %.2f; mean over qualified episodes)\n", cb.delay_index, threshold);
      std::cout << buf;
    }
    std::snprintf(buf, sizeof buf, "citybrain disq.      %lld of %lld episodes (no sample with delay index <= %.2f)\n",
                  static_cast<long long>(cb.disqualified), episodes, threshold);
    std::cout << buf;
  }
  if (traffic.replay) report_replay(*traffic.replay, false);
  return 0;
}

}  // namespace greenwave::cli
