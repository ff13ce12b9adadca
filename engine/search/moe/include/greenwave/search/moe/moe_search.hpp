// MoE configuration search on a grid: the problem (compute, parameter budgets, fixed d_model and
// layers), its score, and three plain searches (exhaustive, random, regularized evolution).
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "greenwave/search/moe/moe_law.hpp"

namespace greenwave::moe {

/// The values each searched field may take, ascending (docs/moe.md "The grid").
struct SearchGrid {
  std::vector<std::int64_t> experts = {8, 16, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024};
  std::vector<std::int64_t> active_experts = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32};
  std::vector<std::int64_t> shared_experts = {0, 1, 2, 4};
  std::vector<std::int64_t> d_expert = {128, 192, 256, 320, 384, 512, 768, 1024, 1536, 2048, 3072, 4096};
};

/// What a search maximises EL under.
struct SearchProblem {
  double compute = 1e22;           ///< C in FLOPs, where EL is evaluated
  double max_total_params = 2e10;  ///< budget on ParamCount::total
  double max_active_params = std::numeric_limits<double>::infinity();  ///< budget on ParamCount::active
  std::int64_t d_model = 2048;     ///< fixed hidden size
  std::int64_t layers = 20;        ///< fixed layer count
  std::int64_t dense_layers = 1;   ///< fixed leading dense layers
  SearchGrid grid;                 ///< the searched values
};

/// Throws ConfigError naming the field unless C and the budgets are positive (the active budget
/// may be infinite), d_model/layers/dense_layers are valid and every grid list is non-empty,
/// strictly ascending and positive (shared_experts may hold 0).
void validate(const SearchProblem& problem);

/// A grid point as indices into the grid's four lists.
struct GridPoint {
  std::int32_t experts = 0;         ///< index into grid.experts
  std::int32_t active_experts = 0;  ///< index into grid.active_experts
  std::int32_t shared_experts = 0;  ///< index into grid.shared_experts
  std::int32_t d_expert = 0;        ///< index into grid.d_expert
  /// Same indices.
  bool operator==(const GridPoint&) const = default;
};

/// The configuration at `p` (indices must be in range).
MoeConfig config_at(const SearchProblem& problem, const GridPoint& p);
/// True when `p` is in range and its configuration is valid (E_a <= E).
bool is_valid(const SearchProblem& problem, const GridPoint& p);
/// Number of valid grid points.
std::int64_t valid_points(const SearchProblem& problem);

/// One evaluated configuration.
struct Evaluation {
  double efficiency_leverage = 0;  ///< EL at the problem's compute
  ParamCount params;               ///< total and active parameters
  bool within_budget = false;      ///< total <= max_total_params and active <= max_active_params
  double score = 0;                ///< search_score
};

/// Penalty per unit of relative budget overshoot in search_score.
inline constexpr double kBudgetPenalty = 10.0;

/// Evaluates a valid point: EL, parameters, the budget test and the score
/// ln EL - kBudgetPenalty (max(0, total/P - 1) + max(0, active/Q - 1)).
Evaluation evaluate_point(const SearchProblem& problem, const GridPoint& p);

/// The outcome of a search.
struct SearchResult {
  bool found = false;             ///< some evaluated configuration was within budget
  GridPoint point;                ///< the best one within budget (highest EL)
  MoeConfig config;               ///< its configuration
  Evaluation evaluation;          ///< its evaluation
  std::int64_t evaluations = 0;   ///< configurations evaluated (repeats count)
};

/// Evaluates every valid point; the optimum on the grid.
SearchResult search_exhaustive(const SearchProblem& problem);
/// `evaluations` valid points drawn uniformly (with replacement) with `seed`.
SearchResult search_random(const SearchProblem& problem, std::int64_t evaluations, std::uint64_t seed);
/// Regularized evolution (Real et al., AAAI 2019): `population` random valid points, then
/// until `evaluations` are spent, the best by score of `sample` members drawn from the
/// population has a child by moving one field one grid step (a valid move chosen at random),
/// which replaces the oldest member. ConfigError unless 1 <= sample <= population and
/// evaluations >= 1.
SearchResult search_evolution(const SearchProblem& problem, std::int64_t evaluations, std::uint64_t seed,
                              std::int32_t population = 10, std::int32_t sample = 3);

}  // namespace greenwave::moe
