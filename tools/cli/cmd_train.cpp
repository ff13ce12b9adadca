// `greenwave train`: train a DQN on a scenario, with checkpoints and per-episode metrics.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "agent_env.hpp"
#include "args.hpp"
#include "commands.hpp"
#include "greenwave/agents/dqn.hpp"
#include "greenwave/agents/trainer.hpp"
#include "greenwave/agents/wsm.hpp"
#include "greenwave/catalog/catalog.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/core/warning.hpp"
#include "metrics_output.hpp"
#include "registry_env.hpp"
#include "sim_options.hpp"

namespace greenwave::cli {

namespace {

std::vector<std::int64_t> parse_sizes(const std::string& text) {
  std::vector<std::int64_t> sizes;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');) {
    try {
      std::size_t used = 0;
      sizes.push_back(std::stoll(part, &used));
      if (used != part.size()) throw std::invalid_argument(part);
    } catch (const std::exception&) {
      throw ConfigError("--hidden", "expected comma-separated widths like 128,128, got '" + text + "'");
    }
  }
  return sizes;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("--config", "cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Refuses a --resume that would continue DIR's run on another scenario, observation or reward,
/// or with options that change the checkpoint's network or learner (it keeps its own).
void check_resume(const Args& args, const std::string& out, const DqnAgent& agent, const CompiledScenario& scenario,
                  const std::string& observation, const std::string& reward) {
  std::ifstream in(std::filesystem::path(out) / "config.json");
  const nlohmann::json cfg = in ? nlohmann::json::parse(in, nullptr, false) : nlohmann::json();
  if (cfg.is_object() && cfg.contains("run") && cfg["run"].contains("scenario_hash") &&
      cfg["run"]["scenario_hash"] != scenario.content_hash)
    throw ConfigError("--resume", "'" + out + "' was trained on " + cfg["run"].value("scenario", std::string("another scenario")) +
                                      " (hash " + cfg["run"]["scenario_hash"].get<std::string>() + "); " + args.positional()[0] +
                                      " with these options has hash " + scenario.content_hash +
                                      ": resume with the same scenario and scenario options, or train into a new --out");
  const nlohmann::json meta = nlohmann::json::parse(agent.metadata(), nullptr, false);
  for (const auto& [key, value] : {std::pair{"observation", observation}, std::pair{"reward", reward}})
    if (meta.is_object() && meta.contains(key) && meta[key] != value)
      throw ConfigError("--" + std::string(key), "'" + out + "' was trained with " + key + " '" + meta[key].get<std::string>() +
                                                     "', not '" + value + "'; give the same or train into a new --out");
  const DqnConfig& c = agent.config();
  for (const char* option : {"config", "lr", "gamma", "batch", "buffer"})
    if (args.get(option))
      throw ConfigError(std::string("--") + option, std::string("--resume keeps the checkpoint's own settings; drop --") + option +
                                                        " or train into a new --out");
  const bool conflict = (args.get("hidden") && parse_sizes(*args.get("hidden")) != c.hidden_sizes) ||
                        (args.flag("dueling") && !c.dueling) || (args.flag("prioritized") && !c.prioritized) ||
                        (args.get("n-step") && args.get_int("n-step", 1) != c.n_step);
  if (conflict)
    throw ConfigError("--resume", "'" + out + "' holds a network with hidden " + nlohmann::json(c.hidden_sizes).dump() +
                                      (c.dueling ? ", dueling" : "") + (c.prioritized ? ", prioritized replay" : "") +
                                      ", n-step " + std::to_string(c.n_step) +
                                      "; the options given conflict with it: drop them or train into a new --out");
}

}  // namespace

int cmd_train(int argc, char** argv) {
  std::set<std::string> options = {"agent", "episodes", "device", "out", "config", "eval-every", "eval-episodes",
                                   "lr", "gamma", "batch", "buffer", "hidden", "n-step", "schedule", "wsm-shape",
                                   "wsm-warmup", "wsm-every", "wsm-count", "envs", "trajectories", "env",
                                   "validate", "validate-jitter"};
  // --env NAME: any env of the catalog, its options as --OPTION VALUE; else SCENARIO (traffic).
  const auto env_name = peek_env_option(argc, argv, 2);
  const EnvEntry* entry = env_name ? &env_catalog().at(*env_name) : nullptr;
  if (entry) {
    const std::set<std::string> names = env_option_names(*entry);
    options.insert(names.begin(), names.end());
    options.insert("seed");
  } else {
    options.insert(kAgentEnvOptions.begin(), kAgentEnvOptions.end());
  }
  const Args args(argc, argv, 2, {"json", "help", "resume", "force", "dueling", "prioritized", "no-progress"}, options);
  if (args.flag("help") || args.positional().size() != (entry ? 0u : 1u)) {
    std::cout
        << "usage: greenwave train SCENARIO|--env NAME --agent dqn [--reward SPEC] [--episodes N] [--device cpu|cuda|auto]\n"
           "                       [--out DIR] [--json] [--resume | --force] [--seed S] [--observation SPEC]\n"
           "                       [--config DQN.json] [--lr X] [--gamma G] [--batch N] [--buffer N]\n"
           "                       [--hidden 128,128] [--n-step N] [--dueling] [--prioritized]\n"
           "                       [--eval-every K] [--eval-episodes N] [--schedule constant|wsm]\n"
           "                       [--wsm-shape cosine] [--wsm-warmup U] [--wsm-every K] [--wsm-count N]\n"
           "                       [--envs N] [scenario options] [--threads N] [--no-progress]\n"
           "                       [--trajectories TDIR] [--backend native|sumo]\n"
           "                       [--validate FILE]... [--validate-jitter S]\n"
           "Trains a parameter-shared DQN (docs/agents.md) on N parallel envs (--envs, default 1). Writes DIR/config.json, DIR/metrics.jsonl,\n"
           "DIR/last.pt (resumable with --resume) and DIR/best.pt: the candidate (last network, or the\n"
           "WSM-merged one) with the lowest mean ATT on the validation scenarios (--validate FILE, repeatable;\n"
           "scenario options but --flow apply to them, --validate-jitter S replaces their --demand-jitter;\n"
           "without --validate: the training scenario, with a warning). Prints the best candidate's\n"
           "validation metrics (--json: also \"best\", \"validation\", \"last\"). A DIR holding a run is refused unless --resume continues it\n"
           "(same scenario, observation, reward and network) or --force replaces it. --trajectories logs\n"
           "every training episode of env i to an HDF5 file TDIR/train_env<i>.h5 (docs/trajectories.md;\n"
           "an existing one is refused without --force). With --backend sumo each training env\n"
           "runs SUMO in a worker process of its own (libsumo holds one simulation per process).\n"
           "--env NAME trains on a catalog env instead of a scenario (" + env_names_text() + "), its options as\n"
           "--OPTION VALUE (see greenwave train --env NAME --help); best.pt then follows the env's best metric.\n"
        << (entry ? env_options_help(*entry) : std::string(kBackendHelp) + kScenarioOptionsHelp);
    return args.flag("help") ? 0 : 2;
  }
  if (args.get_or("agent", "dqn") != "dqn") throw ConfigError("--agent", "only dqn trains, got '" + *args.get("agent") + "'");
  const std::string out = args.get_or("out", "runs/" + (entry ? entry->name : std::filesystem::path(args.positional()[0]).stem().string()));
  const std::string observation = args.get_or("observation", TrafficEnvConfig{}.observation);
  const std::string reward = args.get_or("reward", TrafficEnvConfig{}.reward);

  const long long n_envs = args.get_int("envs", 1);
  if (n_envs < 1 || n_envs > 4096) throw ConfigError("--envs", "expected 1..4096, got " + std::to_string(n_envs));
  std::vector<std::unique_ptr<Env>> envs;
  std::vector<std::unique_ptr<Env>> validation_envs;  // --validate, or the training scenario / catalog env
  nlohmann::json validation_json;                     // what the result reports about them
  std::shared_ptr<const CompiledScenario> scenario;  // traffic from SCENARIO only
  std::string traffic_reward_text;
  EnvOptions env_options;
  if (entry && (args.get("validate") || args.get("validate-jitter")))
    throw ConfigError("--validate", "validation scenarios apply to a traffic SCENARIO, not to --env " + entry->name);
  if (entry) {
    env_options = env_catalog().resolve(entry->name, env_options_from_args(args, *entry));
    for (long long i = 0; i < n_envs; ++i) envs.push_back(entry->factory(env_options));
    validation_envs.push_back(entry->factory(env_options));
  } else {
    scenario = load_scenario_option(args);
    for (long long i = 0; i < n_envs; ++i) envs.push_back(make_traffic_env(args, scenario, observation, reward, true).env);
    const std::vector<std::string> given = args.get_all("validate");
    const std::vector<std::string> files = given.empty() ? std::vector<std::string>{args.positional()[0]} : given;
    double jitter = scenario->settings.demand_jitter;
    if (args.get("validate-jitter")) {
      jitter = args.get_double("validate-jitter", 0);
      if (!(jitter >= 0)) throw ConfigError("--validate-jitter", "expected a non-negative number of seconds, got " + *args.get("validate-jitter"));
    }
    for (const std::string& file : files) {
      // The training scenario itself keeps its --flow; other files carry their own demand.
      v1::Scenario s = read_scenario_file(args, file, given.empty());
      s.mutable_settings()->set_demand_jitter(jitter);
      const auto compiled = std::make_shared<const CompiledScenario>(compile_scenario(s, file));
      OwnedTrafficEnv traffic = make_traffic_env(args, compiled, observation, reward);
      traffic_reward_text = traffic.traffic->reward().text();
      validation_envs.push_back(std::move(traffic.env));
    }
    if (given.empty())
      warn("train: no --validate scenario: best.pt is selected on the training scenario" +
           std::string(jitter != scenario->settings.demand_jitter ? " (with --validate-jitter)" : "") +
           ", so its figures are not a test on unseen demand; give --validate FILE");
    validation_json = {{"scenarios", files}, {"demand_jitter", jitter}, {"training_scenario", given.empty()}};
  }
  VectorEnv train_env(std::move(envs));
  const EnvSpec& spec = train_env.spec();
  const EnvEntry& judged = entry ? *entry : env_catalog().at("traffic");

  std::unique_ptr<DqnAgent> agent;
  const std::string last = (std::filesystem::path(out) / "last.pt").string();
  if (args.flag("resume")) {
    if (args.flag("force")) throw ConfigError("--force", "replaces a run; --resume continues it: give one of them");
    agent = DqnAgent::load(last, args.get_or("device", ""));
    check_resume(args, out, *agent, *scenario, observation, reward);
  } else {
    if (!args.flag("force") && (std::filesystem::exists(last) || std::filesystem::exists(std::filesystem::path(out) / "metrics.jsonl")))
      throw ConfigError("--out", "'" + out + "' holds a training run; pass --resume to continue it or --force to replace it");
    DqnConfig c = args.get("config") ? dqn_config_from_json(read_text(*args.get("config"))) : DqnConfig{};
    c.learning_rate = args.get_double("lr", c.learning_rate);
    c.gamma = args.get_double("gamma", c.gamma);
    c.batch_size = args.get_int("batch", c.batch_size);
    c.buffer_size = args.get_int("buffer", c.buffer_size);
    c.n_step = static_cast<int>(args.get_int("n-step", c.n_step));
    if (args.get("hidden")) c.hidden_sizes = parse_sizes(*args.get("hidden"));
    c.dueling = c.dueling || args.flag("dueling");
    c.prioritized = c.prioritized || args.flag("prioritized");
    c.device = args.get_or("device", args.get("config") ? c.device : "auto");
    c.seed = args.get_seed(c.seed);
    agent = std::make_unique<DqnAgent>(c, DqnShape{spec.observation.size(), spec.max_actions, n_envs * spec.num_agents()});
    agent->set_metadata(entry ? nlohmann::json{{"env", entry->name}, {"env_options", nlohmann::json::parse(env_options_to_json(env_options))}}.dump()
                              : nlohmann::json{{"observation", observation}, {"reward", reward}}.dump());
  }

  TrainerConfig tc;
  tc.episodes = static_cast<int>(args.get_int("episodes", 50));
  tc.seed = args.get_seed(scenario ? scenario->settings.seed : 0);
  tc.eval_every = static_cast<int>(args.get_int("eval-every", 5));
  tc.eval_episodes = static_cast<int>(args.get_int("eval-episodes", 1));
  tc.out_dir = out;
  tc.best_metric = judged.best_metric;
  tc.lower_is_better = judged.lower_is_better;
  tc.progress = !args.flag("no-progress");
  if (const auto dir = args.get("trajectories")) {
    const auto first_episode = static_cast<std::int64_t>(agent->counters().episodes);
    for (long long e = 0; e < n_envs; ++e) {
      const std::string path = training_trajectory_path(*dir, static_cast<int>(e), first_episode);
      if (args.flag("resume") && std::filesystem::exists(path))
        throw ConfigError("--trajectories", "'" + path + "' exists (a resume from this episode was logged before); choose another folder");
      args.refuse_overwrite(path, "--trajectories");
    }
    tc.trajectory_dir = *dir;
    if (entry) {
      std::string rewards;
      for (const std::string& r : spec.reward_names) rewards += (rewards.empty() ? "" : ",") + r;
      tc.trajectory_meta = {"", rewards, env_options_to_json(env_options), tc.seed};
    } else {
      TrafficEnvConfig env_config;
      env_config.observation = observation;
      env_config.reward = reward;
      tc.trajectory_meta = {scenario->content_hash, traffic_reward_text, env_config.to_json(), tc.seed};
    }
  }
  tc.run_json = (entry ? nlohmann::json{{"env", entry->name},
                                        {"env_options", nlohmann::json::parse(env_options_to_json(env_options))},
                                        {"device", resolve_device(agent->config().device)}}
                       : nlohmann::json{{"scenario", args.positional()[0]},
                                        {"observation", observation},
                                        {"reward", reward},
                                        {"scenario_hash", scenario->content_hash},
                                        {"validation", validation_json},
                                        {"device", resolve_device(agent->config().device)}})
                    .dump();
  const std::string schedule = args.get_or("schedule", "constant");
  if (schedule != "constant" && schedule != "wsm") throw ConfigError("--schedule", "expected constant or wsm, got '" + schedule + "'");
  tc.wsm.enabled = schedule == "wsm";
  tc.wsm.shape = parse_decay_shape(args.get_or("wsm-shape", "cosine"));
  tc.wsm.warmup_updates = args.get_int("wsm-warmup", tc.wsm.warmup_updates);
  tc.wsm.checkpoint_every = args.get_int("wsm-every", tc.wsm.checkpoint_every);
  tc.wsm.merge_count = static_cast<int>(args.get_int("wsm-count", tc.wsm.merge_count));

  if (args.flag("resume") && agent->counters().episodes >= tc.episodes) {
    std::cerr << "greenwave train: " << out << " has trained " << agent->counters().episodes << " episodes already (--episodes "
              << tc.episodes << "); nothing to do: ask for more with --episodes N\n";
    return 0;
  }
  std::vector<Env*> validators;
  for (const auto& env : validation_envs) validators.push_back(env.get());
  const TrainResult result = Trainer(train_env, validators, *agent, tc).run();
  if (entry) {
    nlohmann::json j = episode_result_json(result.final_eval);
    if (result.has_merged) j["merged"] = episode_result_json(result.merged_eval);
    if (args.flag("json")) {
      std::cout << j.dump() << "\n";
    } else {
      std::cout << "final evaluation (last network), checkpoints in " << out << "\n" << j.dump(2) << "\n";
    }
    return 0;
  }
  validation_json["episodes"] = tc.eval_episodes;
  const nlohmann::json best = {{"candidate", result.best_candidate},
                               {"episode", result.best_episode},
                               {"checkpoint", result.best_checkpoint}};
  const Metrics m = to_metrics(result.best_eval);
  if (args.flag("json")) {
    nlohmann::json j = metrics_json(m);
    j["best"] = best;
    j["validation"] = validation_json;
    j["last"] = metrics_json(to_metrics(result.final_eval));
    if (result.has_merged) j["merged"] = metrics_json(to_metrics(result.merged_eval));
    std::cout << j.dump() << "\n";
    return 0;
  }
  std::cout << "best candidate: " << result.best_candidate << " network after episode " << result.best_episode << " ("
            << result.best_checkpoint << "), validation on " << validation_json["scenarios"].size() << " scenario(s)"
            << (validation_json["training_scenario"].get<bool>() ? " [the training scenario]" : "") << "\n";
  print_metrics(std::cout, m, false);
  std::cout << "\nfinal evaluation (last network)\n";
  print_metrics(std::cout, to_metrics(result.final_eval), false);
  if (result.has_merged) {
    std::cout << "\nWSM-merged network\n";
    print_metrics(std::cout, to_metrics(result.merged_eval), false);
  }
  return 0;
}

}  // namespace greenwave::cli
