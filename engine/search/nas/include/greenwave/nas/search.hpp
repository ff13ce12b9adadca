// Searching architectures with a frozen predictor: the space, random search, regularized
// evolution, and the record of best score per predictor call every method reports.
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Dense>

#include "greenwave/core/rng.hpp"
#include "greenwave/nas/model.hpp"

namespace greenwave::nas {

/// The genes a search may change (those with more than one value in training) and their values.
struct SearchSpace {
  Eigen::VectorXd reference;                ///< every gene's value where nothing changes it
  std::vector<int> free_genes;              ///< indices of the genes that vary
  std::vector<std::vector<double>> values;  ///< per free gene: its allowed values, sorted
  /// The space of a predictor (ConfigError when no gene varies).
  static SearchSpace of(const Predictor& predictor);
  /// A uniformly random architecture of the space.
  Eigen::VectorXd sample(Rng& rng) const;
};

/// Counts predictor calls and keeps the best architecture and the best score after each of the
/// first `limit` calls (later calls are scored and counted, not recorded: a budget's end).
class ScoreRecorder {
 public:
  /// Records on `predictor` (which must outlive the recorder).
  explicit ScoreRecorder(const Predictor& predictor, std::int64_t limit = INT64_MAX)
      : predictor_(predictor), limit_(limit) {}
  /// Score (higher = better) of one architecture; one predictor call.
  double score(const Eigen::VectorXd& genes);
  /// Number of calls so far.
  std::int64_t calls() const { return calls_; }
  /// Best score after call i (0-based), for the first min(calls, limit) calls.
  const std::vector<double>& best_after() const { return best_after_; }
  /// The best architecture so far.
  const Eigen::VectorXd& best_genes() const { return best_genes_; }
  /// Its score.
  double best_score() const { return best_after_.empty() ? -1e300 : best_after_.back(); }

 private:
  const Predictor& predictor_;
  std::int64_t limit_;
  std::int64_t calls_ = 0;
  std::vector<double> best_after_;
  Eigen::VectorXd best_genes_;
};

/// Scores `budget` uniformly random architectures.
void random_search(const SearchSpace& space, ScoreRecorder& recorder, std::int64_t budget, std::uint64_t seed);

/// Regularized evolution (Real et al. 2019): a population of `population` random architectures,
/// then per call a tournament of `sample` picks a parent, its child differs in one random gene,
/// joins the population and the oldest member leaves; `budget` calls in all.
void regularized_evolution(const SearchSpace& space, ScoreRecorder& recorder, std::int64_t budget,
                           int population, int sample, std::uint64_t seed);

}  // namespace greenwave::nas
