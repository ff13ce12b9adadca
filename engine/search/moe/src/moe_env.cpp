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

constexpr std::int64_t kObsSize = kMoeObservationSize;

float fraction(std::int32_t index, std::size_t size) {
  return size > 1 ? static_cast<float>(index) / static_cast<float>(size - 1) : 0.0f;
}

/// log2(used / budget) / 4 clipped to [-2, 2]; -2 without a budget.
float budget_feature(double used, double budget) {
  if (std::isinf(budget)) return -2.0f;
  return static_cast<float>(std::clamp(std::log2(used / budget) / 4.0, -2.0, 2.0));
}

/// The activation, granularity and budget features of a configuration (obs 1, 2, 4, 5).
std::array<float, 4> outlook(const MoeConfig& c, const ParamCount& params, const SearchProblem& p) {
  return {static_cast<float>(std::log10(activation_ratio(c)) / 4.0), static_cast<float>(std::log2(granularity(c)) / 8.0),
          budget_feature(params.total, p.max_total_params), budget_feature(params.active, p.max_active_params)};
}

}  // namespace

MoeConfigEnv::MoeConfigEnv(SearchProblem problem, MoeEnvConfig config) : problem_(std::move(problem)), config_(config) {
  validate(problem_);
  if (config_.max_steps < 1) throw ConfigError("steps", "expected >= 1 decisions per episode, got " + std::to_string(config_.max_steps));
  spec_.name = "moe";
  spec_.agent_ids = {"designer"};
  spec_.observation.shape = {kObsSize};
  const float inf = INFINITY;
  spec_.observation.components = {{"log10_compute", 0, 1, 0.0f, inf},      {"log10_activation_ratio", 1, 1, -inf, 0.0f},
                                  {"log2_granularity", 2, 1, -inf, inf},  {"sharing_ratio", 3, 1, 0.0f, 1.0f},
                                  {"total_budget_used", 4, 1, -2.0f, 2.0f}, {"active_budget_used", 5, 1, -2.0f, 2.0f},
                                  {"ln_efficiency_leverage", 6, 1, -inf, inf}, {"steps_left", 7, 1, 0.0f, 1.0f},
                                  {"grid_position", 8, 4, 0.0f, 1.0f},        {"move_outlook", 12, 32, -inf, inf}};
  spec_.observation.low = -inf;
  spec_.observation.high = inf;
  spec_.action_counts = {kMoeActions};
  spec_.max_actions = kMoeActions;
  spec_.reward_names = {"delta_score"};
}

const std::vector<std::string>& MoeConfigEnv::metric_names() const { return names(); }

GridPoint MoeConfigEnv::target(std::int32_t action) const {
  if (action < 1 || action >= kMoeActions) return point_;
  return neighbour(point_, (action - 1) / 2, action % 2 == 1 ? 1 : -1);  // odd actions go up
}

bool MoeConfigEnv::allowed(std::int32_t action) const {
  if (action == static_cast<std::int32_t>(MoeAction::Stop)) return true;
  return action > 0 && action < kMoeActions && is_valid(problem_, target(action));
}

void MoeConfigEnv::reset(std::uint64_t seed, std::span<float> obs, StepInfo& info) {
  if (std::ssize(obs) != kObsSize) throw ActionError("moe: reset needs an observation buffer of " + std::to_string(kObsSize));
  rng_.reseed(seed);
  reset_at(random_valid_point(problem_, rng_), obs, info);
}

void MoeConfigEnv::reset_at(const GridPoint& start, std::span<float> obs, StepInfo& info) {
  if (std::ssize(obs) != kObsSize) throw ActionError("moe: reset needs an observation buffer of " + std::to_string(kObsSize));
  if (!is_valid(problem_, start)) throw ConfigError("start", "the start is not a valid grid point");
  point_ = start;
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
    point_ = target(a);
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
  const std::array<float, 4> here = outlook(c, current_.params, problem_);
  obs[0] = static_cast<float>(std::log10(problem_.compute) / 25.0);
  obs[1] = here[0];
  obs[2] = here[1];
  obs[3] = static_cast<float>(sharing_ratio(c));
  obs[4] = here[2];
  obs[5] = here[3];
  obs[6] = static_cast<float>(std::log(current_.efficiency_leverage) / 4.0);
  obs[7] = static_cast<float>(config_.max_steps - steps_) / static_cast<float>(config_.max_steps);
  obs[8] = fraction(point_.experts, g.experts.size());
  obs[9] = fraction(point_.active_experts, g.active_experts.size());
  obs[10] = fraction(point_.shared_experts, g.shared_experts.size());
  obs[11] = fraction(point_.d_expert, g.d_expert.size());
  for (std::int32_t a = 1; a < kMoeActions; ++a) {
    const GridPoint q = target(a);
    std::array<float, 4> there = here;
    if (is_valid(problem_, q)) {
      const MoeConfig qc = config_at(problem_, q);
      there = outlook(qc, parameter_count(qc), problem_);
    }
    std::copy(there.begin(), there.end(), obs.begin() + 12 + 4 * (a - 1));
  }
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
