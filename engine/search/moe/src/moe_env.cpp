#include "greenwave/search/moe/moe_env.hpp"

#include <algorithm>
#include <cmath>

#include "greenwave/core/error.hpp"

namespace greenwave::moe {

namespace {

const std::vector<std::string>& names() {
  static const std::vector<std::string> n = {"efficiency_leverage", "within_budget", "best_feasible_efficiency_leverage",
                                             "evaluations", "experts", "active_experts", "shared_experts", "d_expert",
                                             "total_params", "active_params"};
  return n;
}

constexpr std::int64_t kObsSize = 12;

float fraction(std::int32_t index, std::size_t size) {
  return size > 1 ? static_cast<float>(index) / static_cast<float>(size - 1) : 0.0f;
}

}  // namespace

MoeConfigEnv::MoeConfigEnv(SearchProblem problem, MoeEnvConfig config) : problem_(std::move(problem)), config_(config) {
  validate(problem_);
  if (config_.max_steps < 1) throw ConfigError("steps", "expected >= 1 decisions per episode, got " + std::to_string(config_.max_steps));
  spec_.name = "moe";
  spec_.agent_ids = {"designer"};
  spec_.observation.shape = {kObsSize};
  const float inf = INFINITY;
  spec_.observation.components = {{"log10_compute", 0, 1, 0.0f, inf},      {"activation_ratio", 1, 1, 0.0f, 1.0f},
                                  {"log2_granularity", 2, 1, -inf, inf},  {"sharing_ratio", 3, 1, 0.0f, 1.0f},
                                  {"total_budget_used", 4, 1, 0.0f, inf}, {"active_budget_used", 5, 1, 0.0f, inf},
                                  {"ln_efficiency_leverage", 6, 1, -inf, inf}, {"steps_left", 7, 1, 0.0f, 1.0f},
                                  {"grid_position", 8, 4, 0.0f, 1.0f}};
  spec_.observation.low = -inf;
  spec_.observation.high = inf;
  spec_.action_counts = {kMoeActions};
  spec_.max_actions = kMoeActions;
  spec_.reward_names = {"delta_score"};
}

const std::vector<std::string>& MoeConfigEnv::metric_names() const { return names(); }

GridPoint MoeConfigEnv::moved(std::int32_t action) const {
  GridPoint p = point_;
  const std::int32_t step = action % 2 == 1 ? 1 : -1;  // odd actions go up
  switch ((action - 1) / 2) {
    case 0: p.experts += step; break;
    case 1: p.active_experts += step; break;
    case 2: p.shared_experts += step; break;
    default: p.d_expert += step; break;
  }
  return p;
}

bool MoeConfigEnv::allowed(std::int32_t action) const {
  if (action == static_cast<std::int32_t>(MoeAction::Stop)) return true;
  return action > 0 && action < kMoeActions && is_valid(problem_, moved(action));
}

void MoeConfigEnv::reset(std::uint64_t seed, std::span<float> obs, StepInfo& info) {
  if (std::ssize(obs) != kObsSize) throw ActionError("moe: reset needs an observation buffer of " + std::to_string(kObsSize));
  rng_.reseed(seed);
  const SearchGrid& g = problem_.grid;
  do {
    point_ = {static_cast<std::int32_t>(rng_.below(g.experts.size())), static_cast<std::int32_t>(rng_.below(g.active_experts.size())),
              static_cast<std::int32_t>(rng_.below(g.shared_experts.size())), static_cast<std::int32_t>(rng_.below(g.d_expert.size()))};
  } while (!is_valid(problem_, point_));
  current_ = evaluate_point(problem_, point_);
  evaluations_ = 1;
  has_best_ = current_.within_budget;
  best_ = current_;
  steps_ = 0;
  started_ = true;
  ended_ = false;
  info.terminated = info.truncated = false;
  write(obs, info);
}

void MoeConfigEnv::step(std::span<const std::int32_t> actions, std::span<float> obs, std::span<float> rewards,
                        StepInfo& info) {
  if (!started_) throw ActionError("moe: step() before reset()");
  if (ended_) throw ActionError("moe: step() after the episode ended; call reset()");
  if (actions.size() != 1 || rewards.size() != 1 || std::ssize(obs) != kObsSize)
    throw ActionError("moe: step needs 1 action, 1 reward and an observation buffer of " + std::to_string(kObsSize));
  const std::int32_t a = actions[0];
  if (a < 0 || a >= kMoeActions) throw ActionError("moe: action " + std::to_string(a) + " is out of range [0, 9)");
  if (!allowed(a)) throw ActionError("moe: action " + std::to_string(a) + " is masked (it leaves the grid or makes E_a > E)");
  ++steps_;
  float reward = 0.0f;
  info.terminated = a == static_cast<std::int32_t>(MoeAction::Stop);
  if (!info.terminated) {
    point_ = moved(a);
    const Evaluation next = evaluate_point(problem_, point_);
    ++evaluations_;
    reward = static_cast<float>(next.score - current_.score);
    current_ = next;
    if (current_.within_budget && (!has_best_ || current_.efficiency_leverage > best_.efficiency_leverage)) {
      has_best_ = true;
      best_ = current_;
    }
  }
  info.truncated = !info.terminated && steps_ >= config_.max_steps;
  ended_ = info.terminated || info.truncated;
  rewards[0] = reward;
  write(obs, info);
}

void MoeConfigEnv::action_mask(std::span<std::uint8_t> mask) const {
  if (std::ssize(mask) != kMoeActions) throw ActionError("moe: the action mask has " + std::to_string(kMoeActions) + " entries");
  for (std::int32_t a = 0; a < kMoeActions; ++a) mask[static_cast<std::size_t>(a)] = allowed(a) ? 1 : 0;
}

void MoeConfigEnv::write(std::span<float> obs, StepInfo& info) const {
  const MoeConfig c = config_at(problem_, point_);
  const SearchGrid& g = problem_.grid;
  const bool active_budget = std::isfinite(problem_.max_active_params);
  obs[0] = static_cast<float>(std::log10(problem_.compute) / 25.0);
  obs[1] = static_cast<float>(activation_ratio(c));
  obs[2] = static_cast<float>(std::log2(granularity(c)) / 8.0);
  obs[3] = static_cast<float>(sharing_ratio(c));
  obs[4] = static_cast<float>(current_.params.total / problem_.max_total_params);
  obs[5] = active_budget ? static_cast<float>(current_.params.active / problem_.max_active_params) : 0.0f;
  obs[6] = static_cast<float>(std::log(current_.efficiency_leverage) / 4.0);
  obs[7] = static_cast<float>(config_.max_steps - steps_) / static_cast<float>(config_.max_steps);
  obs[8] = fraction(point_.experts, g.experts.size());
  obs[9] = fraction(point_.active_experts, g.active_experts.size());
  obs[10] = fraction(point_.shared_experts, g.shared_experts.size());
  obs[11] = fraction(point_.d_expert, g.d_expert.size());
  info.time = steps_;
  info.ignored.assign(1, 0);
  info.metric_values = {current_.efficiency_leverage,
                        current_.within_budget ? 1.0 : 0.0,
                        has_best_ ? best_.efficiency_leverage : 0.0,
                        static_cast<double>(evaluations_),
                        static_cast<double>(c.experts),
                        static_cast<double>(c.active_experts),
                        static_cast<double>(c.shared_experts),
                        static_cast<double>(c.d_expert),
                        current_.params.total,
                        current_.params.active};
}

}  // namespace greenwave::moe
