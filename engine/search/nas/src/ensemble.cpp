// Out-of-fold weighted ensemble of predictors.
#include "greenwave/nas/ensemble.hpp"

#include <algorithm>
#include <cmath>

#include "greenwave/core/error.hpp"
#include "greenwave/nas/metrics.hpp"

namespace greenwave::nas {

Ensemble::Ensemble(std::vector<std::unique_ptr<Model>> members, int folds, std::uint64_t seed, Stacking stacking)
    : members_(std::move(members)), folds_(folds), seed_(seed), stacking_(stacking) {
  GW_CHECK(!members_.empty(), "Ensemble needs members");
}

std::vector<double> select_weights(const Eigen::MatrixXd& oof, const Eigen::VectorXd& y, int rounds) {
  const Eigen::Index m = oof.cols();
  std::vector<int> picks(static_cast<std::size_t>(m), 0);
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(oof.rows());
  for (int round = 0; round < rounds; ++round) {
    double best = -2;
    Eigen::Index best_j = 0;
    for (Eigen::Index j = 0; j < m; ++j) {
      double t = kendall_tau(sum + oof.col(j), y);
      if (t > best) best = t, best_j = j;
    }
    sum += oof.col(best_j);
    ++picks[static_cast<std::size_t>(best_j)];
  }
  std::vector<double> w;
  for (int p : picks) w.push_back(static_cast<double>(p) / rounds);
  return w;
}

std::vector<double> nnls_weights(const Eigen::MatrixXd& oof, const Eigen::VectorXd& y) {
  const Eigen::Index m = oof.cols();
  const Eigen::MatrixXd z = oof.rowwise() - oof.colwise().mean();
  const Eigen::VectorXd yc = y.array() - y.mean();
  Eigen::VectorXd w = Eigen::VectorXd::Zero(m), residual = yc;
  const Eigen::VectorXd norms = z.colwise().squaredNorm().transpose();
  for (int sweep = 0; sweep < 500; ++sweep) {
    double largest_step = 0;
    for (Eigen::Index j = 0; j < m; ++j) {
      if (norms[j] <= 0) continue;
      const double updated = std::max(0.0, w[j] + z.col(j).dot(residual) / norms[j]);
      residual -= (updated - w[j]) * z.col(j);
      largest_step = std::max(largest_step, std::abs(updated - w[j]));
      w[j] = updated;
    }
    if (largest_step < 1e-12) break;
  }
  const double total = w.sum();
  std::vector<double> out(static_cast<std::size_t>(m), total > 0 ? 0.0 : 1.0 / static_cast<double>(m));
  if (total > 0)
    for (Eigen::Index j = 0; j < m; ++j) out[static_cast<std::size_t>(j)] = w[j] / total;
  return out;
}

Eigen::VectorXd Ensemble::combine(const Eigen::MatrixXd& member_predictions) const {
  Eigen::VectorXd s = Eigen::VectorXd::Zero(member_predictions.rows());
  for (std::size_t j = 0; j < members_.size(); ++j)
    if (weights_[j] > 0)
      s += weights_[j] * ((member_predictions.col(static_cast<Eigen::Index>(j)).array() - mean_[j]) / scale_[j]).matrix();
  return s;
}

void Ensemble::fit(const Eigen::MatrixXd& genes, const Eigen::VectorXd& y) {
  const int n = static_cast<int>(y.size());
  const Eigen::Index m = static_cast<Eigen::Index>(members_.size());
  // Out-of-fold predictions of every member on the training data only.
  std::vector<int> fold_of = fold_assignment(n, std::min(folds_, n), seed_ + 7919);
  Eigen::MatrixXd oof(n, m);
  for (int f = 0; f < folds_; ++f) {
    Eigen::MatrixXd train = rows_of(genes, fold_of, f, false), held = rows_of(genes, fold_of, f, true);
    Eigen::VectorXd ty = rows_of(y, fold_of, f, false);
    for (Eigen::Index j = 0; j < m; ++j) {
      members_[static_cast<std::size_t>(j)]->fit(train, ty);
      Eigen::VectorXd p = members_[static_cast<std::size_t>(j)]->predict(held);
      Eigen::Index k = 0;
      for (int r = 0; r < n; ++r)
        if (fold_of[static_cast<std::size_t>(r)] == f) oof(r, j) = p[k++];
    }
  }
  mean_.assign(static_cast<std::size_t>(m), 0);
  scale_.assign(static_cast<std::size_t>(m), 1);
  Eigen::MatrixXd z(n, m);
  for (Eigen::Index j = 0; j < m; ++j) {
    double mu = oof.col(j).mean();
    double sd = std::sqrt((oof.col(j).array() - mu).square().mean());
    mean_[static_cast<std::size_t>(j)] = mu;
    scale_[static_cast<std::size_t>(j)] = sd > 0 ? sd : 1.0;
    z.col(j) = (oof.col(j).array() - mu) / scale_[static_cast<std::size_t>(j)];
  }
  weights_ = stacking_ == Stacking::Greedy ? select_weights(z, y, 20) : nnls_weights(z, y);
  // Target units: least squares y ≈ intercept + slope * combined score, on the same OOF rows.
  Eigen::VectorXd s = combine(oof);
  double sm = s.mean(), ym = y.mean(), var = (s.array() - sm).square().sum();
  slope_ = var > 0 ? ((s.array() - sm) * (y.array() - ym)).sum() / var : 0.0;
  intercept_ = ym - slope_ * sm;
  for (auto& member : members_) member->fit(genes, y);
}

Eigen::VectorXd Ensemble::predict(const Eigen::MatrixXd& genes) const {
  GW_CHECK(weights_.size() == members_.size(), "Ensemble::predict before fit");
  Eigen::MatrixXd p(genes.rows(), static_cast<Eigen::Index>(members_.size()));
  for (std::size_t j = 0; j < members_.size(); ++j)
    if (weights_[j] > 0) p.col(static_cast<Eigen::Index>(j)) = members_[j]->predict(genes);
    else p.col(static_cast<Eigen::Index>(j)).setZero();
  return (slope_ * combine(p).array() + intercept_).matrix();
}

nlohmann::json Ensemble::to_json() const {
  nlohmann::json members = nlohmann::json::array();
  for (const auto& member : members_) members.push_back(member->to_json());
  return {{"type", "ensemble"}, {"stacking", stacking_ == Stacking::Greedy ? "greedy" : "nnls"}, {"folds", folds_}, {"seed", seed_}, {"weights", weights_}, {"mean", mean_},
          {"scale", scale_}, {"intercept", intercept_}, {"slope", slope_}, {"members", members}};
}

std::unique_ptr<Ensemble> Ensemble::from_json(const nlohmann::json& j) {
  std::vector<std::unique_ptr<Model>> members;
  for (const auto& mj : j.at("members")) members.push_back(model_from_json(mj));
  const Stacking stacking = j.value("stacking", "greedy") == "nnls" ? Stacking::Nnls : Stacking::Greedy;
  auto e = std::make_unique<Ensemble>(std::move(members), j.at("folds").get<int>(), j.at("seed").get<std::uint64_t>(),
                                      stacking);
  e->weights_ = j.at("weights").get<std::vector<double>>();
  e->mean_ = j.at("mean").get<std::vector<double>>();
  e->scale_ = j.at("scale").get<std::vector<double>>();
  e->intercept_ = j.at("intercept").get<double>();
  e->slope_ = j.at("slope").get<double>();
  return e;
}

}  // namespace greenwave::nas
