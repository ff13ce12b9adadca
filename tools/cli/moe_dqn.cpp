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
    // A short horizon: the observation's move outlook already shows where each move leads, and
    // with γ 0.95 the bootstrapped state values buried the moves' differences (~0.1) so that
    // some training seeds ranked moves wrongly (docs/moe.md "Search quality").
    c.gamma = 0.8;
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
  // The search: greedy episodes until the budget is spent. A move to a configuration already
  // evaluated is masked (its EL is known: no evaluation to buy there), and so is Stop while
  // some move remains. The first episode starts at a seeded random point, each later one at
  // the best configuration within budget so far when it still has an unevaluated neighbour.
  std::vector<float> obs(static_cast<std::size_t>(spec.observation.size()));
  std::vector<float> reward(1);
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(spec.max_actions));
  std::vector<std::int32_t> action(1);
  StepInfo info;
  moe::EvaluationLog log(problem);
  const std::int64_t budget = std::min(evaluations, moe::valid_points(problem));
  const auto search_mask = [&] {
    env.action_mask(mask);
    bool any_move = false;
    for (std::int32_t a = 1; a < spec.max_actions; ++a) {
      auto& m = mask[static_cast<std::size_t>(a)];
      if (m != 0 && log.seen(env.target(a))) m = 0;
      any_move = any_move || m != 0;
    }
    mask[static_cast<std::size_t>(moe::MoeAction::Stop)] = any_move ? 0 : 1;
    return any_move;
  };
  for (std::uint64_t episode = 0; log.evaluations() < budget; ++episode) {
    const std::uint64_t seed = mix_seed(mix_seed(o.seed, kRolloutStream), episode);
    agent->begin_episode(seed);
    bool from_best = log.result().found;
    if (from_best) {
      env.reset_at(log.result().point, obs, info);
      from_best = search_mask();
    }
    if (!from_best) env.reset(seed, obs, info);
    log.evaluate(env.point());
    while (log.evaluations() < budget) {
      search_mask();
      agent->act(obs, mask, action, false);
      env.step(action, obs, reward, info);
      if (action[0] != static_cast<std::int32_t>(moe::MoeAction::Stop)) log.evaluate(env.point());
      if (info.terminated || info.truncated) break;
    }
  }
  out.result = log.result();
  return out;
}

}  // namespace greenwave::cli
