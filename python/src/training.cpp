// greenwave.train and greenwave.evaluate: the C++ DQN trainer, baselines and greedy evaluation,
// with the GIL released (Python rewards take it back when they run).
#include <pybind11/stl.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "bindings.hpp"
#include "greenwave/agents/baselines.hpp"
#include "greenwave/agents/dqn.hpp"
#include "greenwave/agents/trainer.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/env/replay.hpp"
#include "greenwave/env/traffic_env.hpp"
#include "greenwave/sim/simulator.hpp"

namespace greenwave::python {
namespace {

const char* const kMetricKeys[] = {"served_vehicles", "delay_index", "average_travel_time", "average_travel_time_finished",
                                   "throughput", "vehicles_scheduled", "horizon_s"};

/// The CLI metrics object of an episode result (counts as int), plus "return".
py::dict result_dict(const EpisodeResult& r) {
  py::dict out;
  for (const char* key : kMetricKeys) {
    const double v = r.metric(key);
    const std::string k = key;
    if (k == "served_vehicles" || k == "throughput" || k == "vehicles_scheduled") out[key] = std::llround(v);
    else out[key] = v;
  }
  out["return"] = r.total_reward;
  return out;
}

std::unique_ptr<TrafficEnv> make_env(const std::shared_ptr<const CompiledScenario>& scenario, const std::string& observation,
                                     const std::string& reward, int threads) {
  if (threads < 1 || threads > 1024) throw ConfigError("threads", "expected 1..1024, got " + std::to_string(threads));
  return std::make_unique<TrafficEnv>(std::make_unique<Simulator>(scenario, SimOptions{threads}),
                                      TrafficEnvConfig{observation, reward});
}

py::dict train(const py::object& scenario_arg, const std::string& out, int episodes, const std::string& reward,
               const std::string& observation, const std::string& device, std::uint64_t seed, int envs, int eval_every,
               int eval_episodes, int threads, bool progress, const std::string& dqn_json) {
  const auto scenario = scenario_from(scenario_arg);
  if (envs < 1 || envs > 4096) throw ConfigError("envs", "expected 1..4096, got " + std::to_string(envs));
  // Envs are built with the GIL held: resolving a reward spec copies registered Python callables.
  std::vector<std::unique_ptr<Env>> train_envs;
  for (int i = 0; i < envs; ++i) train_envs.push_back(make_env(scenario, observation, reward, threads));
  VectorEnv train_env(std::move(train_envs));
  const std::unique_ptr<TrafficEnv> eval_env = make_env(scenario, observation, reward, threads);
  const EnvSpec& spec = train_env.spec();

  DqnConfig config = dqn_config_from_json(dqn_json);
  config.device = device;
  config.seed = seed;
  validate(config);
  DqnAgent agent(config, DqnShape{spec.observation.size(), spec.max_actions, static_cast<std::int64_t>(envs) * spec.num_agents()});
  agent.set_metadata(nlohmann::json{{"observation", observation}, {"reward", reward}}.dump());

  TrainerConfig tc;
  tc.episodes = episodes;
  tc.seed = seed;
  tc.eval_every = eval_every;
  tc.eval_episodes = eval_episodes;
  tc.out_dir = out;
  tc.best_metric = "average_travel_time";  // as `greenwave train`
  tc.lower_is_better = true;
  tc.progress = progress;
  tc.run_json = nlohmann::json{{"scenario", scenario->source},
                               {"observation", observation},
                               {"reward", reward},
                               {"device", resolve_device(agent.config().device)}}
                    .dump();
  Trainer trainer(train_env, *eval_env, agent, tc);
  TrainResult result;
  {
    py::gil_scoped_release release;
    result = trainer.run();
  }
  py::dict metrics = result_dict(result.final_eval);
  metrics["last_checkpoint"] = result.last_checkpoint;
  metrics["best_checkpoint"] = result.best_checkpoint;
  return metrics;
}

py::dict evaluate_agent(const py::object& scenario_arg, const std::string& agent_name, int episodes, std::uint64_t seed,
                        const py::object& observation_arg, const std::string& reward_arg, const std::string& device,
                        int threads, const std::string& replay) {
  const auto scenario = scenario_from(scenario_arg);
  const bool baseline = is_baseline(agent_name);
  std::string observation = observation_arg.is_none() ? std::string() : py::cast<std::string>(observation_arg);
  std::string reward = reward_arg;
  std::unique_ptr<DqnAgent> dqn;
  if (!baseline) {
    if (!std::filesystem::exists(agent_name))
      throw ConfigError("agent", "'" + agent_name +
                                     "' is neither a checkpoint file nor fixed, maxpressure, sotl, sotl-libsignal or random");
    {
      py::gil_scoped_release release;
      dqn = DqnAgent::load(agent_name, device);
    }
    // As `greenwave eval`: the checkpoint records the observation and reward it was trained with.
    const auto meta = nlohmann::json::parse(dqn->metadata(), nullptr, false);
    if (observation.empty() && meta.is_object() && meta.contains("observation")) observation = meta["observation"].get<std::string>();
    if (reward.empty() && meta.is_object() && meta.contains("reward")) reward = meta["reward"].get<std::string>();
    if (observation.empty()) throw ConfigError("observation", "the checkpoint does not record its observation; give it");
  } else if (observation.empty()) {
    observation = baseline_observation(agent_name);
  }
  if (reward.empty()) reward = "queue";
  if (threads < 1 || threads > 1024) throw ConfigError("threads", "expected 1..1024, got " + std::to_string(threads));
  // A controller drives the signals itself (the one `greenwave run --controller` runs).
  std::unique_ptr<TrafficBackend> backend = std::make_unique<Simulator>(scenario, SimOptions{threads});
  ReplayRecorder* recorder = nullptr;
  if (!replay.empty()) {
    // Records the first episode (seed `seed`), as `greenwave eval --replay`.
    auto owned = std::make_unique<ReplayRecorder>(std::move(backend), replay);
    recorder = owned.get();
    backend = std::move(owned);
  }
  const std::unique_ptr<TrafficEnv> env =
      baseline ? make_baseline_env(agent_name, std::move(backend), TrafficEnvConfig{observation, reward})
               : std::make_unique<TrafficEnv>(std::move(backend), TrafficEnvConfig{observation, reward});
  std::unique_ptr<Agent> owned_baseline = baseline ? make_baseline(agent_name, *env, seed) : nullptr;
  Agent& agent = dqn ? static_cast<Agent&>(*dqn) : *owned_baseline;
  EpisodeResult mean;
  {
    py::gil_scoped_release release;
    mean = evaluate(*env, agent, seed, episodes);
    if (recorder) recorder->finish();
  }
  return result_dict(mean);
}

}  // namespace

void bind_training(py::module_& m) {
  m.def("_train", &train, py::arg("scenario"), py::arg("out"), py::arg("episodes"), py::arg("reward"),
        py::arg("observation"), py::arg("device"), py::arg("seed"), py::arg("envs"), py::arg("eval_every"),
        py::arg("eval_episodes"), py::arg("threads"), py::arg("progress"), py::arg("dqn_json"));
  m.def("_evaluate", &evaluate_agent, py::arg("scenario"), py::arg("agent"), py::arg("episodes"), py::arg("seed"),
        py::arg("observation"), py::arg("reward"), py::arg("device"), py::arg("threads"), py::arg("replay") = "");
  m.attr("HAS_AGENTS") = true;
}

}  // namespace greenwave::python
