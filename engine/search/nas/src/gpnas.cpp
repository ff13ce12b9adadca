// GP-NAS exactly as REFERENCE.md §6 writes PaddleSlim's equations.
#include <cmath>

#include "greenwave/core/error.hpp"
#include "greenwave/nas/regressors.hpp"
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
  Eigen::MatrixXd k(a.rows(), b.rows());
  for (Eigen::Index i = 0; i < a.rows(); ++i)
    for (Eigen::Index j = 0; j < b.rows(); ++j) {
      double d2 = (a.row(i) - b.row(j)).squaredNorm();
      k(i, j) = kernel_ == GpKernel::SquaredExp ? 0.5 * std::exp(-d2 / 16.0) : std::exp(-std::sqrt(d2) / 12.0);
    }
  return k;
}

void GpNas::fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
  GW_CHECK(x.rows() == y.size() && x.rows() > 0, "GpNas::fit: rows and targets differ");
  const Eigen::MatrixXd phi = with_bias(x);
  const Eigen::Index p = phi.cols(), n = phi.rows();
  const Eigen::MatrixXd ip = Eigen::MatrixXd::Identity(p, p);
  // Prior mean w0 = (ΦᵀΦ + εI)^-1 Φᵀ y.
  const Eigen::VectorXd w0 = (phi.transpose() * phi + kEps * ip).ldlt().solve(phi.transpose() * y);
  // (Σ_w + εI)^-1 is diagonal.
  const Eigen::MatrixXd prior_precision = ip / (kPriorCovariance + kEps);
  const auto k_solver = (kernel_matrix(x, x) + kEps * Eigen::MatrixXd::Identity(n, n)).ldlt();
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
          {"x", detail::to_json(x_)}, {"w", detail::to_json(w_)}, {"alpha", detail::to_json(alpha_)}};
}

std::unique_ptr<GpNas> GpNas::from_json(const nlohmann::json& j) {
  auto g = std::make_unique<GpNas>(j.at("type") == "gpnas" ? GpKernel::SquaredExp : GpKernel::Exponential);
  g->w_ = detail::vector_from_json(j.at("w"));
  g->alpha_ = detail::vector_from_json(j.at("alpha"));
  g->x_ = detail::matrix_from_json(j.at("x"), g->w_.size() - 1);
  return g;
}

}  // namespace greenwave::nas
