// Encoded models, the model factory, cross-validation and predictor files.
#include "greenwave/nas/model.hpp"

#include <fstream>

#include "greenwave/core/error.hpp"
#include "greenwave/nas/ensemble.hpp"
#include "greenwave/nas/metrics.hpp"
#include "json_eigen.hpp"

namespace greenwave::nas {

namespace {

constexpr const char* kFormat = "greenwave-nas-predictor/1";

// A fresh regressor of `kind` whose inner CV uses `seed`.
std::unique_ptr<Regressor> make_regressor(const std::string& kind, std::uint64_t seed) {
  if (kind == "gpnas") return std::make_unique<GpNas>(GpKernel::SquaredExp);
  if (kind == "gpnas-exp") return std::make_unique<GpNas>(GpKernel::Exponential);
  // The same equations with the kernel length multiplier and a diagonal noise by inner CV.
  const std::vector<double> lengths = {0.25, 1, 4, 16}, noises = {0, 0.1, 1, 10};
  if (kind == "gpnas-cv") return std::make_unique<GpNas>(GpKernel::SquaredExp, lengths, noises, 5, seed);
  if (kind == "gpnas-exp-cv") return std::make_unique<GpNas>(GpKernel::Exponential, lengths, noises, 5, seed);
  if (kind == "ridge") return std::make_unique<Ridge>(std::vector<double>{0.1, 0.3, 1, 3, 10, 30, 100, 300}, 5, seed);
  if (kind == "krr") return std::make_unique<KernelRidge>(std::vector<double>{0.1, 0.3, 1, 3}, std::vector<double>{0.1, 0.3, 1, 3}, 5, seed);
  if (kind == "gbt") return std::make_unique<BoostedTrees>(std::vector<int>{25, 50, 100, 200}, 2, 5, seed);
  throw ConfigError("--model", "unknown model '" + kind + "'");
}

}  // namespace

EncodedModel::EncodedModel(std::string kind, EncodingSpec encoding, std::uint64_t seed)
    : kind_(std::move(kind)), spec_(std::move(encoding)), seed_(seed), regressor_(make_regressor(kind_, seed)) {}

void EncodedModel::fit(const Eigen::MatrixXd& genes, const Eigen::VectorXd& y) {
  encoder_ = Encoder::fit(spec_, genes);
  regressor_ = make_regressor(kind_, seed_);
  regressor_->fit(encoder_->encode(genes), y);
}

Eigen::VectorXd EncodedModel::predict(const Eigen::MatrixXd& genes) const {
  GW_CHECK(encoder_.has_value(), "EncodedModel::predict before fit");
  return regressor_->predict(encoder_->encode(genes));
}

nlohmann::json EncodedModel::to_json() const {
  GW_CHECK(encoder_.has_value(), "EncodedModel::to_json before fit");
  return {{"type", "encoded"}, {"kind", kind_}, {"seed", seed_}, {"encoding", encoder_->to_json()}, {"regressor", regressor_->to_json()}};
}

std::string EncodedModel::name() const { return kind_ + "[" + encoding_name(spec_) + "]"; }

std::unique_ptr<EncodedModel> EncodedModel::from_json(const nlohmann::json& j) {
  Encoder encoder = Encoder::from_json(j.at("encoding"));
  auto m = std::make_unique<EncodedModel>(j.at("kind").get<std::string>(), encoder.spec(), j.at("seed").get<std::uint64_t>());
  m->encoder_ = std::move(encoder);
  m->regressor_ = regressor_from_json(j.at("regressor"));
  return m;
}

const std::vector<std::string>& model_kinds() {
  static const std::vector<std::string> kinds = {"gpnas", "gpnas-exp", "gpnas-cv", "gpnas-exp-cv", "ridge", "krr", "gbt", "ensemble", "ensemble-nnls"};
  return kinds;
}

std::unique_ptr<Model> make_model(const std::string& kind, const std::optional<EncodingSpec>& encoding, std::uint64_t seed) {
  const EncodingSpec raw = parse_encoding("raw"), onehot = parse_encoding("onehot");
  if (kind == "gpnas" || kind == "gpnas-exp" || kind == "gpnas-cv" || kind == "gpnas-exp-cv") return std::make_unique<EncodedModel>(kind, encoding.value_or(raw), seed);
  if (kind == "ridge" || kind == "krr" || kind == "gbt") return std::make_unique<EncodedModel>(kind, encoding.value_or(onehot), seed);
  if (kind == "ensemble" || kind == "ensemble-nnls") {
    // GP-NAS as the reference uses it (raw genes) and on one-hot genes, GP-NAS with inner-CV
    // hyper-parameters, ridge, kernel ridge and boosted trees on `encoding`, and ridge and
    // kernel ridge on one-hot genes when `encoding` is something else.
    const EncodingSpec rich = encoding.value_or(onehot);
    const bool rich_is_onehot = encoding_name(rich) == "onehot" && rich.positions.empty();
    std::vector<std::unique_ptr<Model>> members;
    for (const char* gp : {"gpnas", "gpnas-exp"}) {
      members.push_back(std::make_unique<EncodedModel>(gp, raw, seed));
      members.push_back(std::make_unique<EncodedModel>(gp, onehot, seed));
    }
    for (const char* m : {"gpnas-cv", "gpnas-exp-cv", "ridge", "krr", "gbt"})
      members.push_back(std::make_unique<EncodedModel>(m, rich, seed));
    if (!rich_is_onehot)
      for (const char* m : {"ridge", "krr"}) members.push_back(std::make_unique<EncodedModel>(m, onehot, seed));
    return std::make_unique<Ensemble>(std::move(members), 5, seed, kind == "ensemble" ? Stacking::Greedy : Stacking::Nnls);
  }
  std::string known;
  for (const auto& k : model_kinds()) known += (known.empty() ? "" : ", ") + k;
  throw ConfigError("--model", "unknown model '" + kind + "' (expected one of " + known + ")");
}

std::unique_ptr<Model> model_from_json(const nlohmann::json& j) {
  const std::string type = j.at("type").get<std::string>();
  if (type == "encoded") return EncodedModel::from_json(j);
  if (type == "ensemble") return Ensemble::from_json(j);
  throw ConfigError("model", "unknown model type '" + type + "'");
}

CvResult cross_validate(const std::string& kind, const std::optional<EncodingSpec>& encoding, const ArchDataset& data,
                        int folds, std::uint64_t seed) {
  if (data.targets.size() != data.size()) throw ConfigError("--target", "the data set has no targets to cross-validate on");
  CvResult out;
  std::vector<int> fold_of = fold_assignment(data.size(), folds, seed);
  for (int f = 0; f < folds; ++f) {
    auto model = make_model(kind, encoding, seed);
    out.model = model->name();
    model->fit(rows_of(data.genes, fold_of, f, false), rows_of(data.targets, fold_of, f, false));
    Eigen::VectorXd truth = rows_of(data.targets, fold_of, f, true);
    Eigen::VectorXd pred = model->predict(rows_of(data.genes, fold_of, f, true));
    out.folds.push_back({kendall_tau(pred, truth), rmse(pred, truth)});
    out.mean_tau += out.folds.back().tau / folds;
    out.mean_rmse += out.folds.back().rmse / folds;
  }
  return out;
}

Eigen::VectorXd Predictor::score(const Eigen::MatrixXd& genes) const {
  Eigen::VectorXd p = model->predict(genes);
  return lower_is_better ? Eigen::VectorXd(-p) : p;
}

Predictor fit_predictor(const std::string& kind, const std::optional<EncodingSpec>& encoding, const ArchDataset& data,
                        const DatasetOptions& options, std::uint64_t seed) {
  if (data.targets.size() != data.size()) throw ConfigError("--target", "the data set has no targets to fit on");
  Predictor p;
  p.model = make_model(kind, encoding, seed);
  p.model->fit(data.genes, data.targets);
  p.target = options.target;
  p.lower_is_better = options.lower_is_better;
  p.target_scale = options.target_scale;
  p.domains = gene_domains(data.genes);
  p.reference = data.genes.row(0).transpose();
  return p;
}

void save_predictor(const Predictor& predictor, const std::string& path) {
  nlohmann::json j = {{"format", kFormat},
                      {"target", predictor.target},
                      {"lower_is_better", predictor.lower_is_better},
                      {"target_scale", predictor.target_scale},
                      {"domains", predictor.domains},
                      {"reference", detail::to_json(predictor.reference)},
                      {"model", predictor.model->to_json()}};
  std::ofstream out(path);
  if (!out) throw ConfigError("--out", "cannot write '" + path + "'");
  out << j.dump() << "\n";
}

Predictor load_predictor(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ScenarioError(path, "", "cannot open the predictor file");
  try {
    nlohmann::json j = nlohmann::json::parse(in);
    if (!j.is_object() || j.value("format", "") != kFormat)
      throw ScenarioError(path, "/format", std::string("expected \"") + kFormat + "\" (write it with greenwave nas fit)");
    Predictor p;
    p.target = j.at("target").get<std::string>();
    p.lower_is_better = j.at("lower_is_better").get<bool>();
    p.target_scale = j.at("target_scale").get<double>();
    p.domains = j.at("domains").get<std::vector<std::vector<double>>>();
    p.reference = detail::vector_from_json(j.at("reference"));
    p.model = model_from_json(j.at("model"));
    return p;
  } catch (const nlohmann::json::exception& e) {
    throw ScenarioError(path, "", std::string("malformed predictor file: ") + e.what());
  }
}

}  // namespace greenwave::nas
