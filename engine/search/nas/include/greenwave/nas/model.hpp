// Predictors over gene rows: a regressor on an encoding, or an ensemble of them; model files;
// cross-validation.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Dense>
#include <nlohmann/json.hpp>

#include "greenwave/nas/dataset.hpp"
#include "greenwave/nas/encoding.hpp"
#include "greenwave/nas/regressors.hpp"

namespace greenwave::nas {

/// A performance predictor from gene rows (one architecture per row) to scores.
class Model {
 public:
  virtual ~Model() = default;
  /// Fits on genes and targets; every hyper-parameter is chosen from these alone.
  virtual void fit(const Eigen::MatrixXd& genes, const Eigen::VectorXd& y) = 0;
  /// Predictions for each row; only after fit.
  virtual Eigen::VectorXd predict(const Eigen::MatrixXd& genes) const = 0;
  /// The fitted model, for model files.
  virtual nlohmann::json to_json() const = 0;
  /// e.g. "ridge[onehot]".
  virtual std::string name() const = 0;
};

/// One regressor (gpnas, gpnas-exp, gpnas-cv, gpnas-exp-cv, ridge, krr, gbt) on one encoding fitted to the training genes.
class EncodedModel final : public Model {
 public:
  /// An unfitted model of `kind` on `encoding`; `seed` seeds its inner CV.
  EncodedModel(std::string kind, EncodingSpec encoding, std::uint64_t seed);
  void fit(const Eigen::MatrixXd& genes, const Eigen::VectorXd& y) override;
  Eigen::VectorXd predict(const Eigen::MatrixXd& genes) const override;
  nlohmann::json to_json() const override;
  std::string name() const override;
  /// Reads what to_json wrote.
  static std::unique_ptr<EncodedModel> from_json(const nlohmann::json& j);

 private:
  std::string kind_;
  EncodingSpec spec_;
  std::uint64_t seed_;
  std::optional<Encoder> encoder_;
  std::unique_ptr<Regressor> regressor_;
};

/// The model kinds make_model accepts.
const std::vector<std::string>& model_kinds();

/// An unfitted model: gpnas, gpnas-exp, gpnas-cv, gpnas-exp-cv (raw genes unless `encoding`
/// says otherwise), ridge, krr, gbt (one-hot unless told), or ensemble / ensemble-nnls (greedy
/// or NNLS stacking; its tuned members use `encoding`, docs/nas.md lists them).
/// ConfigError naming "--model" for an unknown kind.
std::unique_ptr<Model> make_model(const std::string& kind, const std::optional<EncodingSpec>& encoding, std::uint64_t seed);

/// Reads any model's to_json.
std::unique_ptr<Model> model_from_json(const nlohmann::json& j);

/// Tau and RMSE of one held-out fold.
struct FoldScore {
  double tau = 0;   ///< Kendall tau-b of predictions vs targets
  double rmse = 0;  ///< in target units (after target_scale)
};

/// Cross-validation of one model kind.
struct CvResult {
  std::string model;              ///< the model's name
  std::vector<FoldScore> folds;   ///< per fold
  double mean_tau = 0;            ///< mean over folds
  double mean_rmse = 0;           ///< mean over folds
};

/// `folds`-fold CV (folds from `seed`) of a fresh model per fold; the model sees only its
/// training folds (its inner CV included).
CvResult cross_validate(const std::string& kind, const std::optional<EncodingSpec>& encoding, const ArchDataset& data,
                        int folds, std::uint64_t seed);

/// A fitted model with what a search needs: the target's meaning and each gene's values.
struct Predictor {
  std::unique_ptr<Model> model;               ///< the fitted model
  std::string target;                         ///< target field it predicts
  bool lower_is_better = false;               ///< direction of the target
  double target_scale = 1.0;                  ///< multiplier applied to targets on load
  std::vector<std::vector<double>> domains;   ///< per gene: the values seen in training
  Eigen::VectorXd reference;                  ///< the first training architecture's genes
  /// Scores of the rows (higher = better): predictions, negated when lower is better.
  Eigen::VectorXd score(const Eigen::MatrixXd& genes) const;
};

/// Fits `kind` on all of `data` and packs it with its metadata.
Predictor fit_predictor(const std::string& kind, const std::optional<EncodingSpec>& encoding, const ArchDataset& data,
                        const DatasetOptions& options, std::uint64_t seed);

/// Writes a predictor as JSON; ConfigError naming the path when it cannot be written.
void save_predictor(const Predictor& predictor, const std::string& path);

/// Reads a predictor file; ScenarioError naming the path on bad content.
Predictor load_predictor(const std::string& path);

}  // namespace greenwave::nas
