// greenwave.nas: cross-validate, fit and apply architecture-performance predictors, and search
// with them (docs/nas.md); the GIL is released while C++ works.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/nas/model.hpp"
#include "greenwave/nas/search.hpp"

namespace greenwave::python {

namespace {

// The --encoding/--genes pair as an optional spec ("" and "" = each model's default).
std::optional<nas::EncodingSpec> encoding_of(const std::string& encoding, const std::string& genes) {
  if (encoding.empty() && genes.empty()) return std::nullopt;
  return nas::parse_encoding(encoding.empty() ? "onehot" : encoding, genes);
}

py::dict cross_validate(const std::string& data, const std::string& target, bool lower_is_better, double target_scale,
                        const std::string& model, const std::string& encoding, const std::string& genes, int folds,
                        std::uint64_t seed) {
  nas::CvResult r;
  {
    py::gil_scoped_release release;
    const nas::ArchDataset d = nas::load_dataset(data, {"arch", target, lower_is_better, target_scale});
    r = nas::cross_validate(model, encoding_of(encoding, genes), d, folds, seed);
  }
  py::list taus, rmses;
  for (const auto& f : r.folds) taus.append(f.tau), rmses.append(f.rmse);
  py::dict out;
  out["model"] = r.model;
  out["kendall_tau"] = r.mean_tau;
  out["rmse"] = r.mean_rmse;
  out["fold_kendall_tau"] = taus;
  out["fold_rmse"] = rmses;
  return out;
}

void fit(const std::string& data, const std::string& target, const std::string& out, const std::string& model,
         bool lower_is_better, double target_scale, const std::string& encoding, const std::string& genes,
         std::uint64_t seed) {
  py::gil_scoped_release release;
  const nas::DatasetOptions options{"arch", target, lower_is_better, target_scale};
  const nas::ArchDataset d = nas::load_dataset(data, options);
  nas::save_predictor(nas::fit_predictor(model, encoding_of(encoding, genes), d, options, seed), out);
}

py::dict predict(const std::string& model, const std::string& archs) {
  nas::ArchDataset d;
  Eigen::VectorXd p;
  {
    py::gil_scoped_release release;
    const nas::Predictor predictor = nas::load_predictor(model);
    d = nas::load_dataset(archs, {});
    p = predictor.model->predict(d.genes);
  }
  py::dict out;
  for (int i = 0; i < d.size(); ++i) out[py::str(d.ids[static_cast<std::size_t>(i)])] = p[i];
  return out;
}

py::dict search(const std::string& model, std::int64_t budget, const std::string& method, std::uint64_t seed,
                int population, int sample) {
  if (budget < 1) throw ConfigError("budget", "expected at least 1 predictor call, got " + std::to_string(budget));
  if (method != "random" && method != "evolution")
    throw ConfigError("method", "expected random or evolution (dqn: greenwave nas search), got '" + method + "'");
  std::vector<double> best_after, genes;
  double sign = 1;
  {
    py::gil_scoped_release release;
    const nas::Predictor predictor = nas::load_predictor(model);
    const nas::SearchSpace space = nas::SearchSpace::of(predictor);
    nas::ScoreRecorder recorder(predictor);
    if (method == "random") nas::random_search(space, recorder, budget, seed);
    else nas::regularized_evolution(space, recorder, budget, population, sample, seed);
    sign = predictor.lower_is_better ? -1.0 : 1.0;
    for (double s : recorder.best_after()) best_after.push_back(sign * s);
    genes.assign(recorder.best_genes().data(), recorder.best_genes().data() + recorder.best_genes().size());
  }
  py::dict out;
  out["best_prediction"] = best_after.back();
  out["best_arch"] = genes;
  out["best_by_calls"] = best_after;
  return out;
}

}  // namespace

void bind_nas(py::module_& m) {
  m.def("_nas_cross_validate", &cross_validate, py::arg("data"), py::arg("target"), py::arg("lower_is_better"),
        py::arg("target_scale"), py::arg("model"), py::arg("encoding"), py::arg("genes"), py::arg("folds"), py::arg("seed"));
  m.def("_nas_fit", &fit, py::arg("data"), py::arg("target"), py::arg("out"), py::arg("model"), py::arg("lower_is_better"),
        py::arg("target_scale"), py::arg("encoding"), py::arg("genes"), py::arg("seed"));
  m.def("_nas_predict", &predict, py::arg("model"), py::arg("archs"));
  m.def("_nas_search", &search, py::arg("model"), py::arg("budget"), py::arg("method"), py::arg("seed"),
        py::arg("population"), py::arg("sample"));
}

}  // namespace greenwave::python
