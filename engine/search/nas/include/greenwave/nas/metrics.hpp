// Ranking and error metrics of predictions, and cross-validation folds.
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Dense>

namespace greenwave::nas {

/// Kendall's tau-b between two equally long vectors (ties counted as in tau-b; 0 when either
/// vector is constant).
double kendall_tau(const Eigen::VectorXd& a, const Eigen::VectorXd& b);

/// Root mean squared difference.
double rmse(const Eigen::VectorXd& predicted, const Eigen::VectorXd& actual);

/// Fold index (0..folds-1) of each of n samples: a seeded shuffle cut into near-equal folds.
std::vector<int> fold_assignment(int n, int folds, std::uint64_t seed);

/// The rows of `m` whose fold is (`in` ? equal to : different from) `fold`.
Eigen::MatrixXd rows_of(const Eigen::MatrixXd& m, const std::vector<int>& fold_of, int fold, bool in);
/// The entries of `v` whose fold is (`in` ? equal to : different from) `fold`.
Eigen::VectorXd rows_of(const Eigen::VectorXd& v, const std::vector<int>& fold_of, int fold, bool in);

}  // namespace greenwave::nas
