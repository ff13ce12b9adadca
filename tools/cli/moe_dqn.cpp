#include "moe_dqn.hpp"

#include <algorithm>
#include <vector>

#include "greenwave/agents/dqn.hpp"
#include "greenwave/agents/trainer.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/core/rng.hpp"
#include "greenwave/search/moe/moe_env.hpp"

namespace greenwave::cli {

namespace {

constexpr std::uint64_t kRolloutStream = 0x726f6c6cULL;  // "roll": rollouts never replay training starts

}  // namespace

MoeDqnOutcome moe_search_dqn(const moe::SearchProblem& problem, std::int64_t evaluations, const MoeDqnOptions& o) {
  if (evaluations < 1) throw ConfigError("--evaluations", "expected >= 1, got " + std::to_string(evaluations));
  moe::MoeConfigEnv env(problem, moe::MoeEnvConfig{o.steps});
  const EnvSpec& spec = env.spec();
  std::unique_ptr<DqnAgent> agent;
  MoeDqnOutcome out;
  if (!o.checkpoint.empty()) {
    agent = DqnAgent::load(o.checkpoint, o.device);
    if (agent->shape().obs_size != spec.observation.size() || agent->shape().num_actions != spec.max_actions)
      throw ConfigError("--checkpoint", "'" + o.checkpoint + "' was not trained on the moe env");
  } else {
    if (o.episodes < 1) throw ConfigError("--episodes", "expected >= 1 training episodes, got " + std::to_string(o.episodes));
    DqnConfig c;
    c.hidden_sizes = {64, 64};
    c.learning_starts = 256;
    c.epsilon_decay_steps = std::max<std::int64_t>(1, static_cast<std::int64_t>(o.episodes) * o.steps / 2);
    c.target_update_interval = 200;
    c.seed = o.seed;
    c.device = o.device;
    agent = std::make_unique<DqnAgent>(c, DqnShape{spec.observation.size(), spec.max_actions, 1});
    const auto& names = env.metric_names();
    const auto eval_index = static_cast<std::size_t>(std::find(names.begin(), names.end(), "evaluations") - names.begin());
    for (int e = 0; e < o.episodes; ++e) {
      const EpisodeResult r = run_episode(env, *agent, mix_seed(o.seed, static_cast<std::uint64_t>(e)), true, true);
      out.training_evaluations += static_cast<std::int64_t>(r.metric_values[eval_index]);
    }
  }
  // Greedy episodes, each from a fresh seeded start, until the budget is spent.
  std::vector<float> obs(static_cast<std::size_t>(spec.observation.size()));
  std::vector<float> reward(1);
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(spec.max_actions));
  std::vector<std::int32_t> action(1);
  StepInfo info;
  moe::SearchResult& best = out.result;
  const auto consider = [&] {
    const moe::Evaluation e = moe::evaluate_point(problem, env.point());
    ++best.evaluations;
    if (e.within_budget && (!best.found || e.efficiency_leverage > best.evaluation.efficiency_leverage)) {
      best.found = true;
      best.point = env.point();
      best.config = moe::config_at(problem, env.point());
      best.evaluation = e;
    }
  };
  for (std::uint64_t episode = 0; best.evaluations < evaluations; ++episode) {
    const std::uint64_t seed = mix_seed(mix_seed(o.seed, kRolloutStream), episode);
    agent->begin_episode(seed);
    env.reset(seed, obs, info);
    consider();
    while (best.evaluations < evaluations) {
      env.action_mask(mask);
      agent->act(obs, mask, action, false);
      env.step(action, obs, reward, info);
      if (action[0] != static_cast<std::int32_t>(moe::MoeAction::Stop)) consider();
      if (info.terminated || info.truncated) break;
    }
  }
  return out;
}

}  // namespace greenwave::cli
