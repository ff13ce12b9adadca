// MoeConfigEnv: MoE configuration search as a single-agent Env. The agent moves one field of
// the configuration one grid step per decision, or stops; the reward is the change of the
// search score (ln EL less the budget penalty). docs/moe.md "The environment".
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "greenwave/core/rng.hpp"
#include "greenwave/env/env.hpp"
#include "greenwave/search/moe/moe_search.hpp"

namespace greenwave::moe {

/// The actions of MoeConfigEnv, in action-index order.
enum class MoeAction : std::int32_t {
  Stop = 0,           ///< end the episode (terminated)
  ExpertsUp,          ///< E one grid step up
  ExpertsDown,        ///< E one grid step down
  ActiveUp,           ///< E_a one grid step up
  ActiveDown,         ///< E_a one grid step down
  SharedUp,           ///< E_s one grid step up
  SharedDown,         ///< E_s one grid step down
  ExpertWidthUp,      ///< d_expert one grid step up
  ExpertWidthDown,    ///< d_expert one grid step down
};

/// Number of MoeConfigEnv actions.
inline constexpr std::int32_t kMoeActions = 9;

/// MoeConfigEnv options besides the problem.
struct MoeEnvConfig {
  std::int32_t max_steps = 24;  ///< decisions per episode before truncation
};

/// Number of MoeConfigEnv observation floats: 12 for the current point, 4 for each of the 8 moves.
inline constexpr std::int64_t kMoeObservationSize = 44;

/// The env. One agent ("designer"). Observation components (docs/moe.md): log10_compute / 25,
/// log10_activation_ratio / 4, log2_granularity / 8, sharing_ratio, total_budget_used
/// (log2(total / P) / 4, clipped to [-2, 2]), active_budget_used (the same for Q; -2 without Q),
/// ln_efficiency_leverage / 4, steps_left (fraction), grid_position (4: each index / (list size
/// - 1)), then move_outlook (32): for each move action 1..8 in order, the activation, granularity
/// and both budget features of the point it leads to, on the same scales (the current point's
/// for a masked move). The outlook needs only ratios and parameter counts: no EL of a point the
/// agent has not moved to is computed. A step that would leave the grid or make E_a > E is
/// masked. Reward: score(after) - score(before), 0 for Stop. reset(seed) starts from a valid
/// grid point drawn with the seed.
class MoeConfigEnv final : public Env {
 public:
  /// Validates the problem and config (ConfigError naming the field).
  MoeConfigEnv(SearchProblem problem, MoeEnvConfig config = {});

  const EnvSpec& spec() const override { return spec_; }
  void reset(std::uint64_t seed, std::span<float> obs, StepInfo& info) override;
  /// Starts an episode at valid point `start` instead of a drawn one (ConfigError when invalid);
  /// otherwise as reset.
  void reset_at(const GridPoint& start, std::span<float> obs, StepInfo& info);
  void step(std::span<const std::int32_t> actions, std::span<float> obs, std::span<float> rewards,
            StepInfo& info) override;
  void action_mask(std::span<std::uint8_t> mask) const override;
  const std::vector<std::string>& metric_names() const override;

  /// The problem being searched.
  const SearchProblem& problem() const { return problem_; }
  /// The current grid point.
  const GridPoint& point() const { return point_; }
  /// The grid point move action `action` (1..8) leads to from the current one; it may be
  /// invalid (is_valid). The current point for Stop.
  GridPoint target(std::int32_t action) const;

 private:
  void write(std::span<float> obs, StepInfo& info) const;
  bool allowed(std::int32_t action) const;

  SearchProblem problem_;
  MoeEnvConfig config_;
  EnvSpec spec_;
  Rng rng_;
  GridPoint point_;
  Evaluation current_;
  bool has_best_ = false;
  Evaluation best_;
  std::int32_t steps_ = 0;
  std::int64_t evaluations_ = 0;
  bool started_ = false;
  bool ended_ = false;
};

}  // namespace greenwave::moe
