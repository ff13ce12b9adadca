// Ridge and kernel ridge with hyper-parameters chosen by inner cross-validation.
#include <cmath>

#include "greenwave/core/error.hpp"
#include "greenwave/nas/metrics.hpp"
#include "greenwave/nas/regressors.hpp"
#include "inner_cv.hpp"
#include "json_eigen.hpp"

namespace greenwave::nas {

namespace {

using detail::inner_cv_tau;

// Ridge weights on centred data.
Eigen::VectorXd ridge_weights(const Eigen::MatrixXd& xc, const Eigen::VectorXd& yc, double lambda) {
  const Eigen::Index d = xc.cols();
  return (xc.transpose() * xc + lambda * Eigen::MatrixXd::Identity(d, d)).ldlt().solve(xc.transpose() * yc);
}

// exp(-gamma ||a_i - b_j||^2).
Eigen::MatrixXd gaussian_kernel(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, double gamma) {
  Eigen::VectorXd na = a.rowwise().squaredNorm(), nb = b.rowwise().squaredNorm();
  Eigen::MatrixXd d2 = (-2.0 * a * b.transpose()).colwise() + na;
  d2.rowwise() += nb.transpose();
  return (-gamma * d2.array().max(0.0)).exp().matrix();
}

}  // namespace

void Ridge::fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
  GW_CHECK(x.rows() == y.size() && x.rows() > 1 && !lambdas_.empty(), "Ridge::fit: bad shapes or no lambda");
  auto fit_predict = [](double lambda) {
    return [lambda](const Eigen::MatrixXd& xt, const Eigen::VectorXd& yt, const Eigen::MatrixXd& xp) {
      Eigen::RowVectorXd mx = xt.colwise().mean();
      double my = yt.mean();
      Eigen::VectorXd w = ridge_weights(xt.rowwise() - mx, yt.array() - my, lambda);
      return Eigen::VectorXd(((xp.rowwise() - mx) * w).array() + my);
    };
  };
  lambda_ = lambdas_.front();
  if (lambdas_.size() > 1) {
    double best = -2;
    for (double l : lambdas_) {
      double t = inner_cv_tau(fit_predict(l), x, y, folds_, seed_);
      if (t > best) best = t, lambda_ = l;
    }
  }
  mean_x_ = x.colwise().mean().transpose();
  mean_y_ = y.mean();
  w_ = ridge_weights(x.rowwise() - mean_x_.transpose(), y.array() - mean_y_, lambda_);
}

Eigen::VectorXd Ridge::predict(const Eigen::MatrixXd& x) const {
  GW_CHECK(w_.size() == x.cols(), "Ridge::predict: not fitted or feature count differs");
  return ((x.rowwise() - mean_x_.transpose()) * w_).array() + mean_y_;
}

nlohmann::json Ridge::to_json() const {
  return {{"type", "ridge"}, {"lambda", lambda_}, {"mean_x", detail::to_json(mean_x_)}, {"mean_y", mean_y_}, {"w", detail::to_json(w_)}};
}

std::unique_ptr<Ridge> Ridge::from_json(const nlohmann::json& j) {
  auto r = std::make_unique<Ridge>(std::vector<double>{j.at("lambda").get<double>()});
  r->lambda_ = j.at("lambda").get<double>();
  r->mean_x_ = detail::vector_from_json(j.at("mean_x"));
  r->mean_y_ = j.at("mean_y").get<double>();
  r->w_ = detail::vector_from_json(j.at("w"));
  return r;
}

void KernelRidge::fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
  GW_CHECK(x.rows() == y.size() && x.rows() > 1 && !lambdas_.empty() && !gammas_.empty(), "KernelRidge::fit: bad input");
  const double per_feature = 1.0 / static_cast<double>(std::max<Eigen::Index>(1, x.cols()));
  auto fit_predict = [](double lambda, double gamma) {
    return [lambda, gamma](const Eigen::MatrixXd& xt, const Eigen::VectorXd& yt, const Eigen::MatrixXd& xp) {
      double my = yt.mean();
      const Eigen::Index n = xt.rows();
      Eigen::VectorXd a = (gaussian_kernel(xt, xt, gamma) + lambda * Eigen::MatrixXd::Identity(n, n)).ldlt().solve(
          Eigen::VectorXd(yt.array() - my));
      return Eigen::VectorXd((gaussian_kernel(xp, xt, gamma) * a).array() + my);
    };
  };
  lambda_ = lambdas_.front();
  gamma_ = gammas_.front() * per_feature;
  if (lambdas_.size() * gammas_.size() > 1) {
    double best = -2;
    for (double l : lambdas_)
      for (double g : gammas_) {
        double t = inner_cv_tau(fit_predict(l, g * per_feature), x, y, folds_, seed_);
        if (t > best) best = t, lambda_ = l, gamma_ = g * per_feature;
      }
  }
  x_ = x;
  mean_y_ = y.mean();
  alpha_ = (gaussian_kernel(x, x, gamma_) + lambda_ * Eigen::MatrixXd::Identity(x.rows(), x.rows())).ldlt().solve(
      Eigen::VectorXd(y.array() - mean_y_));
}

Eigen::VectorXd KernelRidge::predict(const Eigen::MatrixXd& x) const {
  GW_CHECK(x_.cols() == x.cols() && alpha_.size() == x_.rows(), "KernelRidge::predict: not fitted or feature count differs");
  return (gaussian_kernel(x, x_, gamma_) * alpha_).array() + mean_y_;
}

nlohmann::json KernelRidge::to_json() const {
  return {{"type", "krr"}, {"lambda", lambda_}, {"gamma", gamma_}, {"x", detail::to_json(x_)},
          {"alpha", detail::to_json(alpha_)}, {"mean_y", mean_y_}};
}

std::unique_ptr<KernelRidge> KernelRidge::from_json(const nlohmann::json& j) {
  auto k = std::make_unique<KernelRidge>();
  k->lambda_ = j.at("lambda").get<double>();
  k->gamma_ = j.at("gamma").get<double>();
  k->x_ = detail::matrix_from_json(j.at("x"));
  k->alpha_ = detail::vector_from_json(j.at("alpha"));
  k->mean_y_ = j.at("mean_y").get<double>();
  return k;
}

std::unique_ptr<Regressor> regressor_from_json(const nlohmann::json& j) {
  const std::string type = j.at("type").get<std::string>();
  if (type == "gpnas" || type == "gpnas-exp") return GpNas::from_json(j);
  if (type == "ridge") return Ridge::from_json(j);
  if (type == "krr") return KernelRidge::from_json(j);
  if (type == "gbt") return BoostedTrees::from_json(j);
  throw ConfigError("model", "unknown regressor type '" + type + "'");
}

}  // namespace greenwave::nas
