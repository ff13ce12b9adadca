// Out-of-fold scoring of one hyper-parameter setting, shared by the regressors' inner CV.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

#include <Eigen/Dense>

#include "greenwave/nas/metrics.hpp"

namespace greenwave::nas::detail {

/// Fits on the training rows and predicts the held-out rows.
using FitPredict = std::function<Eigen::VectorXd(const Eigen::MatrixXd&, const Eigen::VectorXd&, const Eigen::MatrixXd&)>;

/// Kendall tau of out-of-fold predictions over all of (x, y), `folds` folds from `seed`.
inline double inner_cv_tau(const FitPredict& fit_predict, const Eigen::MatrixXd& x, const Eigen::VectorXd& y, int folds,
                           std::uint64_t seed) {
  const int n = static_cast<int>(y.size());
  folds = std::min(folds, n);
  const std::vector<int> fold_of = fold_assignment(n, folds, seed);
  Eigen::VectorXd oof(n);
  for (int f = 0; f < folds; ++f) {
    const Eigen::VectorXd p = fit_predict(rows_of(x, fold_of, f, false), rows_of(y, fold_of, f, false), rows_of(x, fold_of, f, true));
    Eigen::Index k = 0;
    for (int r = 0; r < n; ++r)
      if (fold_of[static_cast<std::size_t>(r)] == f) oof[r] = p[k++];
  }
  return kendall_tau(oof, y);
}

}  // namespace greenwave::nas::detail
