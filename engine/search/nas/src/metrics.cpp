// Kendall tau-b, RMSE and seeded fold assignment.
#include "greenwave/nas/metrics.hpp"

#include <cmath>
#include <numeric>

#include "greenwave/core/error.hpp"
#include "greenwave/core/rng.hpp"

namespace greenwave::nas {

double kendall_tau(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  GW_CHECK(a.size() == b.size(), "kendall_tau: sizes differ");
  double concordant_minus_discordant = 0, pairs = 0, ties_a = 0, ties_b = 0;
  for (Eigen::Index i = 0; i < a.size(); ++i)
    for (Eigen::Index j = i + 1; j < a.size(); ++j) {
      double da = a[i] - a[j], db = b[i] - b[j];
      pairs += 1;
      if (da == 0) ties_a += 1;
      if (db == 0) ties_b += 1;
      if (da != 0 && db != 0) concordant_minus_discordant += (da > 0) == (db > 0) ? 1 : -1;
    }
  double denom = std::sqrt((pairs - ties_a) * (pairs - ties_b));
  return denom > 0 ? concordant_minus_discordant / denom : 0.0;
}

double rmse(const Eigen::VectorXd& predicted, const Eigen::VectorXd& actual) {
  GW_CHECK(predicted.size() == actual.size() && actual.size() > 0, "rmse: sizes differ or empty");
  return std::sqrt((predicted - actual).squaredNorm() / static_cast<double>(actual.size()));
}

std::vector<int> fold_assignment(int n, int folds, std::uint64_t seed) {
  if (folds < 2 || folds > n)
    throw ConfigError("--folds", "expected 2 to " + std::to_string(n) + " folds for " + std::to_string(n) +
                                     " samples, got " + std::to_string(folds));
  std::vector<int> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  Rng rng(seed);
  for (int i = n - 1; i > 0; --i) std::swap(order[static_cast<std::size_t>(i)], order[rng.below(static_cast<std::uint64_t>(i) + 1)]);
  std::vector<int> fold_of(static_cast<std::size_t>(n));
  for (int k = 0; k < n; ++k) fold_of[static_cast<std::size_t>(order[static_cast<std::size_t>(k)])] = k % folds;
  return fold_of;
}

Eigen::MatrixXd rows_of(const Eigen::MatrixXd& m, const std::vector<int>& fold_of, int fold, bool in) {
  std::vector<Eigen::Index> keep;
  for (std::size_t r = 0; r < fold_of.size(); ++r)
    if ((fold_of[r] == fold) == in) keep.push_back(static_cast<Eigen::Index>(r));
  Eigen::MatrixXd out(static_cast<Eigen::Index>(keep.size()), m.cols());
  for (std::size_t k = 0; k < keep.size(); ++k) out.row(static_cast<Eigen::Index>(k)) = m.row(keep[k]);
  return out;
}

Eigen::VectorXd rows_of(const Eigen::VectorXd& v, const std::vector<int>& fold_of, int fold, bool in) {
  Eigen::MatrixXd m = v;
  return rows_of(m, fold_of, fold, in).col(0);
}

}  // namespace greenwave::nas
