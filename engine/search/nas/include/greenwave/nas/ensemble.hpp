// An ensemble of predictors weighted by their out-of-fold predictions.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "greenwave/nas/model.hpp"

namespace greenwave::nas {

/// How an ensemble turns its members' out-of-fold predictions into weights.
enum class Stacking {
  Greedy,  ///< greedy forward selection with replacement maximising Kendall tau (select_weights)
  Nnls,    ///< non-negative least squares of the centred target on the standardised predictions
};

/// Members fitted on all data, combined with weights found on inner out-of-fold predictions:
/// each member's predictions are standardised, the stacking rule picks non-negative weights
/// summing to 1, and a least-squares line maps the combined score back to target units.
class Ensemble final : public Model {
 public:
  /// An unfitted ensemble of `members` (each unfitted); `folds` inner folds seeded by `seed`.
  Ensemble(std::vector<std::unique_ptr<Model>> members, int folds, std::uint64_t seed,
           Stacking stacking = Stacking::Greedy);
  void fit(const Eigen::MatrixXd& genes, const Eigen::VectorXd& y) override;
  Eigen::VectorXd predict(const Eigen::MatrixXd& genes) const override;
  nlohmann::json to_json() const override;
  std::string name() const override { return stacking_ == Stacking::Greedy ? "ensemble" : "ensemble-nnls"; }
  /// Reads what to_json wrote.
  static std::unique_ptr<Ensemble> from_json(const nlohmann::json& j);
  /// The weight of each member (sum 1) after fit.
  const std::vector<double>& weights() const { return weights_; }
  /// The members.
  const std::vector<std::unique_ptr<Model>>& members() const { return members_; }

 private:
  std::vector<std::unique_ptr<Model>> members_;
  int folds_;
  std::uint64_t seed_;
  Stacking stacking_;
  std::vector<double> weights_, mean_, scale_;
  double intercept_ = 0, slope_ = 1;
  // The standardised, weighted sum of member predictions (rows = samples, cols = members).
  Eigen::VectorXd combine(const Eigen::MatrixXd& member_predictions) const;
};

/// Picks member weights (sum 1) on out-of-fold predictions (rows = samples, cols = members)
/// by greedy forward selection with replacement over `rounds` rounds, maximising Kendall tau
/// of their weighted sum against `y`.
std::vector<double> select_weights(const Eigen::MatrixXd& oof, const Eigen::VectorXd& y, int rounds);

/// Non-negative weights w minimising ||(y - mean y) - (oof - column means) w||² (cyclic
/// coordinate descent), scaled to sum 1; equal weights when every weight is 0.
std::vector<double> nnls_weights(const Eigen::MatrixXd& oof, const Eigen::VectorXd& y);

}  // namespace greenwave::nas
