// GP-NAS exactly as REFERENCE.md §6 writes PaddleSlim's equations, optionally with its kernel
// length and a noise term chosen by inner CV.
#include <cmath>

#include "greenwave/core/error.hpp"
#include "greenwave/nas/regressors.hpp"
#include "inner_cv.hpp"
#include "json_eigen.hpp"

namespace greenwave::nas {

namespace {

constexpr double kEps = 1e-7;           // ε of REFERENCE.md §6
constexpr double kPriorCovariance = 0.01;  // Σ_w = 0.01 I

// φ(x) = [x, 1] for every row.
Eigen::MatrixXd with_bias(const Eigen::MatrixXd& x) {
  Eigen::MatrixXd phi(x.rows(), x.cols() + 1);
  phi << x, Eigen::VectorXd::Ones(x.rows());
  return phi;
}

}  // namespace

Eigen::MatrixXd GpNas::kernel_matrix(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) const {
  // ||a_i - b_j||² = ||a_i||² + ||b_j||² - 2 a_i·b_j, clamped at 0 against rounding.
  Eigen::MatrixXd d2 = (-2.0 * a * b.transpose()).colwise() + a.rowwise().squaredNorm();
  d2.rowwise() += b.rowwise().squaredNorm().transpose();
  const Eigen::ArrayXXd d = d2.array().max(0.0);
  if (kernel_ == GpKernel::SquaredExp) return (0.5 * (-d / (16.0 * length_)).exp()).matrix();
  return (-d.sqrt() / (12.0 * length_)).exp().matrix();
}

void GpNas::fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
  GW_CHECK(x.rows() == y.size() && x.rows() > 0 && !lengths_.empty() && !noises_.empty(),
           "GpNas::fit: rows and targets differ or an empty grid");
  length_ = lengths_.front();
  noise_ = noises_.front();
  if (lengths_.size() * noises_.size() > 1) {
    double best = -2, best_length = length_, best_noise = noise_;
    for (double l : lengths_)
      for (double r : noises_) {
        auto fit_predict = [&](const Eigen::MatrixXd& xt, const Eigen::VectorXd& yt, const Eigen::MatrixXd& xp) {
          GpNas g(kernel_, {l}, {r});
          g.fit(xt, yt);
          return g.predict(xp);
        };
        const double t = detail::inner_cv_tau(fit_predict, x, y, folds_, seed_);
        if (t > best) best = t, best_length = l, best_noise = r;
      }
    length_ = best_length;
    noise_ = best_noise;
  }
  fit_at(x, y);
}

void GpNas::fit_at(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
  const Eigen::MatrixXd phi = with_bias(x);
  const Eigen::Index p = phi.cols(), n = phi.rows();
  const Eigen::MatrixXd ip = Eigen::MatrixXd::Identity(p, p);
  // Prior mean w0 = (ΦᵀΦ + εI)^-1 Φᵀ y.
  const Eigen::VectorXd w0 = (phi.transpose() * phi + kEps * ip).ldlt().solve(phi.transpose() * y);
  // (Σ_w + εI)^-1 is diagonal.
  const Eigen::MatrixXd prior_precision = ip / (kPriorCovariance + kEps);
  const auto k_solver = (kernel_matrix(x, x) + (kEps + noise_) * Eigen::MatrixXd::Identity(n, n)).ldlt();
  const Eigen::MatrixXd k_inv_phi = k_solver.solve(phi);
  const Eigen::VectorXd k_inv_y = k_solver.solve(y);
  const Eigen::MatrixXd lhs = phi.transpose() * k_inv_phi + prior_precision + kEps * ip;
  const Eigen::VectorXd rhs = phi.transpose() * k_inv_y + prior_precision * w0;
  w_ = lhs.ldlt().solve(rhs);
  x_ = x;
  alpha_ = k_solver.solve(y - phi * w_);
}

Eigen::VectorXd GpNas::predict(const Eigen::MatrixXd& x) const {
  GW_CHECK(w_.size() == x.cols() + 1, "GpNas::predict: not fitted or feature count differs");
  return with_bias(x) * w_ + kernel_matrix(x, x_) * alpha_;
}

nlohmann::json GpNas::to_json() const {
  return {{"type", kernel_ == GpKernel::SquaredExp ? "gpnas" : "gpnas-exp"},
          {"length", length_},
          {"noise", noise_},
          {"x", detail::to_json(x_)}, {"w", detail::to_json(w_)}, {"alpha", detail::to_json(alpha_)}};
}

std::unique_ptr<GpNas> GpNas::from_json(const nlohmann::json& j) {
  auto g = std::make_unique<GpNas>(j.at("type") == "gpnas" ? GpKernel::SquaredExp : GpKernel::Exponential);
  g->length_ = j.value("length", 1.0);  // files written before the CV variants: the reference's
  g->noise_ = j.value("noise", 0.0);
  g->w_ = detail::vector_from_json(j.at("w"));
  g->alpha_ = detail::vector_from_json(j.at("alpha"));
  g->x_ = detail::matrix_from_json(j.at("x"), g->w_.size() - 1);
  return g;
}

}  // namespace greenwave::nas
