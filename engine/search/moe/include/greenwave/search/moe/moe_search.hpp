// MoE configuration search on a grid: the problem (compute, parameter budgets, fixed d_model and
// layers), its score, and three plain searches (exhaustive, random, regularized evolution).
#pragma once

#include <cstdint>
#include <limits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "greenwave/core/rng.hpp"
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

/// Penalty per unit of log budget overshoot (ln(used / budget) where above 1) in the score.
inline constexpr double kBudgetPenalty = 3.0;

/// Evaluates a valid point: EL, parameters, the budget test and the score
/// ln EL - kBudgetPenalty (max(0, ln(total/P)) + max(0, ln(active/Q))). The log keeps a far
/// overshoot's penalty on the scale of ln EL (a 100x overshoot costs 13.8, not 990).
Evaluation evaluate_point(const SearchProblem& problem, const GridPoint& p);

/// The outcome of a search.
struct SearchResult {
  bool found = false;             ///< some evaluated configuration was within budget
  GridPoint point;                ///< the best one within budget (highest EL)
  MoeConfig config;               ///< its configuration
  Evaluation evaluation;          ///< its evaluation
  std::int64_t evaluations = 0;   ///< distinct configurations evaluated
};

/// The evaluations of one search. Each configuration's EL is computed once: evaluating it again
/// looks it up and does not count, so SearchResult::evaluations is the number of distinct
/// configurations evaluated, the same for every method. Keeps the best within budget.
class EvaluationLog {
 public:
  /// An empty log for `problem` (not validated here; copied).
  explicit EvaluationLog(SearchProblem problem) : problem_(std::move(problem)) {}
  /// The evaluation of valid point `p`, computed and counted the first time only.
  const Evaluation& evaluate(const GridPoint& p);
  /// True when `p` has been evaluated.
  bool seen(const GridPoint& p) const;
  /// Distinct configurations evaluated so far.
  std::int64_t evaluations() const { return result_.evaluations; }
  /// The best within budget so far and the count.
  const SearchResult& result() const { return result_; }

 private:
  std::int64_t key(const GridPoint& p) const;
  SearchProblem problem_;
  std::unordered_map<std::int64_t, Evaluation> done_;
  SearchResult result_;
};

/// Evaluates every valid point; the optimum on the grid.
SearchResult search_exhaustive(const SearchProblem& problem);
/// `min(evaluations, valid points)` distinct valid points drawn uniformly with `seed`.
SearchResult search_random(const SearchProblem& problem, std::int64_t evaluations, std::uint64_t seed);
/// Regularized evolution (Real et al., AAAI 2019): `population` random valid points, then
/// until `evaluations` are spent, the best by score of `sample` members drawn from the
/// population has a child by moving one field one grid step (a valid move to a configuration
/// not evaluated yet, chosen at random; a random unevaluated point when the parent has none),
/// which replaces the oldest member. Spends `min(evaluations, valid points)`. ConfigError
/// unless 1 <= sample <= population and evaluations >= 1.
SearchResult search_evolution(const SearchProblem& problem, std::int64_t evaluations, std::uint64_t seed,
                              std::int32_t population = 10, std::int32_t sample = 3);

/// The point one grid step from `p`: `field` 0 E, 1 E_a, 2 E_s, 3 d_expert; `step` +1 or -1.
/// May be invalid (check is_valid).
GridPoint neighbour(const GridPoint& p, int field, int step);

/// A valid point drawn uniformly with `rng`.
GridPoint random_valid_point(const SearchProblem& problem, Rng& rng);

}  // namespace greenwave::moe
