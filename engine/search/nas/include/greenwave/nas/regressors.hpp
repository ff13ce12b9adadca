// Regressors on feature matrices: GP-NAS (REFERENCE.md §6), ridge and kernel ridge.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <Eigen/Dense>
#include <nlohmann/json.hpp>

namespace greenwave::nas {

/// A regressor from features (rows = samples) to one number per sample.
class Regressor {
 public:
  virtual ~Regressor() = default;
  /// Fits on features `x` and targets `y` (choosing any hyper-parameter by inner CV on them).
  virtual void fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) = 0;
  /// Predictions for the rows of `x`; only after fit.
  virtual Eigen::VectorXd predict(const Eigen::MatrixXd& x) const = 0;
  /// The fitted state, for model files.
  virtual nlohmann::json to_json() const = 0;
};

/// The two GP-NAS kernels of REFERENCE.md §6.
enum class GpKernel {
  SquaredExp,   ///< 0.5 exp(-||x - x'||^2 / 16)
  Exponential,  ///< exp(-||x - x'|| / 12), ||.|| Euclidean
};

/// GP-NAS as in PaddleSlim: features [x, 1], prior mean weights by least squares, prior weight
/// covariance 0.01 I, posterior weights, and a kernel correction of the residuals. With one
/// length and one noise of 1 and 0 (the defaults) it is REFERENCE.md §6 exactly; with grids it
/// picks the kernel's length multiplier (16 m or 12 m in the kernel) and a noise r added to the
/// ε on K's diagonal (K + (ε + r) I, in the posterior weights and the prediction alike) by
/// inner CV on its training data.
class GpNas final : public Regressor {
 public:
  /// A GP-NAS with the given kernel; several `lengths` or `noises` are chosen by `folds`-fold CV.
  explicit GpNas(GpKernel kernel, std::vector<double> lengths = {1.0}, std::vector<double> noises = {0.0}, int folds = 5,
                 std::uint64_t seed = 1)
      : kernel_(kernel), lengths_(std::move(lengths)), noises_(std::move(noises)), folds_(folds), seed_(seed) {}
  void fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) override;
  Eigen::VectorXd predict(const Eigen::MatrixXd& x) const override;
  nlohmann::json to_json() const override;
  /// Reads what to_json wrote.
  static std::unique_ptr<GpNas> from_json(const nlohmann::json& j);
  /// The kernel matrix between the rows of a and of b (at the fitted length multiplier).
  Eigen::MatrixXd kernel_matrix(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) const;
  /// Posterior weights w (features + 1 entries, the bias last).
  const Eigen::VectorXd& weights() const { return w_; }
  /// The length multiplier fit used.
  double length() const { return length_; }
  /// The noise fit used.
  double noise() const { return noise_; }

 private:
  GpKernel kernel_;
  std::vector<double> lengths_, noises_;
  int folds_;
  std::uint64_t seed_;
  double length_ = 1.0, noise_ = 0.0;
  Eigen::MatrixXd x_;      // training features
  Eigen::VectorXd w_;      // posterior weights
  Eigen::VectorXd alpha_;  // (K + (eps + noise) I)^-1 (y - Phi w)
  // Fits w_, x_ and alpha_ at the current length_ and noise_.
  void fit_at(const Eigen::MatrixXd& x, const Eigen::VectorXd& y);
};

/// Ridge regression with an unpenalised intercept; lambda chosen by inner CV from a grid.
class Ridge final : public Regressor {
 public:
  /// Ridge choosing lambda among `lambdas` by `folds`-fold CV (seeded); one lambda = fixed.
  explicit Ridge(std::vector<double> lambdas = {0.1, 0.3, 1, 3, 10, 30, 100, 300}, int folds = 5, std::uint64_t seed = 1)
      : lambdas_(std::move(lambdas)), folds_(folds), seed_(seed) {}
  void fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) override;
  Eigen::VectorXd predict(const Eigen::MatrixXd& x) const override;
  nlohmann::json to_json() const override;
  /// Reads what to_json wrote.
  static std::unique_ptr<Ridge> from_json(const nlohmann::json& j);
  /// The lambda fit used.
  double lambda() const { return lambda_; }

 private:
  std::vector<double> lambdas_;
  int folds_;
  std::uint64_t seed_;
  double lambda_ = 0;
  Eigen::VectorXd mean_x_, w_;
  double mean_y_ = 0;
};

/// Kernel ridge regression with the Gaussian kernel exp(-gamma ||x - x'||^2) around the target
/// mean; (lambda, gamma) chosen by inner CV from grids, gamma relative to 1 / features.
class KernelRidge final : public Regressor {
 public:
  /// Kernel ridge choosing (lambda, gamma * d) from the grids by `folds`-fold CV (seeded).
  explicit KernelRidge(std::vector<double> lambdas = {0.1, 0.3, 1, 3}, std::vector<double> gammas = {0.1, 0.3, 1, 3},
                       int folds = 5, std::uint64_t seed = 1)
      : lambdas_(std::move(lambdas)), gammas_(std::move(gammas)), folds_(folds), seed_(seed) {}
  void fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) override;
  Eigen::VectorXd predict(const Eigen::MatrixXd& x) const override;
  nlohmann::json to_json() const override;
  /// Reads what to_json wrote.
  static std::unique_ptr<KernelRidge> from_json(const nlohmann::json& j);

 private:
  std::vector<double> lambdas_, gammas_;
  int folds_;
  std::uint64_t seed_;
  double lambda_ = 0, gamma_ = 0;
  Eigen::MatrixXd x_;
  Eigen::VectorXd alpha_;
  double mean_y_ = 0;
};

/// Gradient-boosted regression trees (squared loss, depth-limited, shrinkage 0.1, every split
/// over every feature's midpoints); the number of trees chosen by inner CV from a grid.
class BoostedTrees final : public Regressor {
 public:
  /// Trees of `depth` levels, their count chosen among `tree_counts` by `folds`-fold CV (seeded).
  explicit BoostedTrees(std::vector<int> tree_counts = {25, 50, 100, 200}, int depth = 2, int folds = 5,
                        std::uint64_t seed = 1)
      : tree_counts_(std::move(tree_counts)), depth_(depth), folds_(folds), seed_(seed) {}
  void fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) override;
  Eigen::VectorXd predict(const Eigen::MatrixXd& x) const override;
  nlohmann::json to_json() const override;
  /// Reads what to_json wrote.
  static std::unique_ptr<BoostedTrees> from_json(const nlohmann::json& j);

  /// One tree node: a split (feature, threshold, children) or a leaf (feature = -1, value).
  struct Node {
    int feature = -1;       ///< split feature, -1 for a leaf
    double threshold = 0;   ///< rows with x[feature] <= threshold go left
    int left = -1, right = -1;  ///< child node indices
    double value = 0;       ///< leaf output
  };

 private:
  std::vector<int> tree_counts_;
  int depth_, folds_;
  std::uint64_t seed_;
  double base_ = 0;
  std::vector<std::vector<Node>> trees_;
};

/// Reads any regressor's to_json (dispatching on its "type").
std::unique_ptr<Regressor> regressor_from_json(const nlohmann::json& j);

}  // namespace greenwave::nas
