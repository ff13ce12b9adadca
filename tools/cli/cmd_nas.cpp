// `greenwave nas`: cross-validate, fit and apply architecture-performance predictors (docs/nas.md).
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "args.hpp"
#include "commands.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/nas/model.hpp"
#include "greenwave/nas/nas_search_env.hpp"
#include "greenwave/nas/search.hpp"
#ifdef GREENWAVE_HAVE_AGENTS
#include "greenwave/agents/dqn.hpp"
#include "greenwave/agents/trainer.hpp"
#endif

namespace greenwave::cli {

namespace {

constexpr const char* kUsage =
    "usage: greenwave nas cv DATA --target FIELD [--lower-is-better] [--target-scale X] [--model M|all]\n"
    "                        [--encoding E] [--genes I,J,...] [--folds K] [--seed S] [--repeats R] [--json]\n"
    "       greenwave nas fit DATA --target FIELD --model M --out MODEL.json [--force] [--lower-is-better]\n"
    "                        [--target-scale X] [--encoding E] [--genes I,J,...] [--seed S] [--json]\n"
    "       greenwave nas predict MODEL.json ARCHS.json [--json]\n"
    "       greenwave nas search MODEL.json --budget N [--method random|evolution|dqn] [--seed S]\n"
    "                        [--population P] [--sample K] [--max-steps M] [--reward-scale X] [--json]\n"
    "DATA and ARCHS are JSON objects {id: {\"arch\": [...] | [[...], ...] | \"string\", FIELD: number}}.\n"
    "Models: gpnas, gpnas-exp (GP-NAS, REFERENCE.md section 6), gpnas-cv, gpnas-exp-cv (the same\n"
    "with kernel length and noise by inner CV), ridge, krr (kernel ridge), gbt (boosted trees),\n"
    "ensemble, ensemble-nnls (greedy or non-negative least-squares stacking); cv also takes\n"
    "--model all. Encodings: raw, onehot, mod<K>, counts joined by '+' (default: raw for GP-NAS,\n"
    "onehot otherwise; the ensembles' tuned members use E). --genes selects gene\n"
    "positions (default: every gene that varies). --repeats R runs seeds S..S+R-1. fit refuses an\n"
    "existing MODEL.json unless --force replaces it.\n"
    "search spends N predictor calls and prints the best architecture with the best predicted target\n"
    "after 1, 2, 5, 10, 20, 50, ... calls (dqn: a DQN trained on NasSearchEnv, docs/nas.md).\n";

// The data-set options shared by cv and fit.
nas::DatasetOptions dataset_options(const Args& args) {
  nas::DatasetOptions o;
  o.target = args.get_or("target", "");
  if (o.target.empty()) throw ConfigError("--target", "is required (the numeric field to predict)");
  o.lower_is_better = args.flag("lower-is-better");
  o.target_scale = args.get_double("target-scale", 1.0);
  o.arch_field = args.get_or("arch-field", "arch");
  return o;
}

// The --encoding/--genes choice, or none for each model's default.
std::optional<nas::EncodingSpec> encoding_option(const Args& args) {
  if (!args.get("encoding") && !args.get("genes")) return std::nullopt;
  return nas::parse_encoding(args.get_or("encoding", "onehot"), args.get_or("genes", ""));
}

int nas_cv(const Args& args) {
  if (args.positional().size() != 2) throw ConfigError("nas cv", "expected one DATA file");
  const nas::DatasetOptions options = dataset_options(args);
  const nas::ArchDataset data = nas::load_dataset(args.positional()[1], options);
  const std::string model = args.get_or("model", "ensemble");
  const int folds = static_cast<int>(args.get_int("folds", 5));
  const std::uint64_t seed = args.get_seed(0);
  const long long repeats = args.get_int("repeats", 1);
  if (repeats < 1) throw ConfigError("--repeats", "expected at least 1, got " + std::to_string(repeats));
  std::vector<std::string> kinds = model == "all" ? nas::model_kinds() : std::vector<std::string>{model};
  nlohmann::json tau = nlohmann::json::object(), err = nlohmann::json::object(), per_fold = nlohmann::json::object(),
                 names = nlohmann::json::object();
  const auto encoding = encoding_option(args);
  for (const auto& kind : kinds) {
    double sum_tau = 0, sum_rmse = 0;
    int count = 0;
    per_fold[kind] = nlohmann::json::array();
    for (long long r = 0; r < repeats; ++r) {
      const nas::CvResult cv = nas::cross_validate(kind, encoding, data, folds, seed + static_cast<std::uint64_t>(r));
      names[kind] = cv.model;
      for (std::size_t f = 0; f < cv.folds.size(); ++f) {
        per_fold[kind].push_back({{"seed", seed + static_cast<std::uint64_t>(r)}, {"fold", f}, {"kendall_tau", cv.folds[f].tau}, {"rmse", cv.folds[f].rmse}});
        sum_tau += cv.folds[f].tau;
        sum_rmse += cv.folds[f].rmse;
        ++count;
      }
    }
    tau[kind] = sum_tau / count;
    err[kind] = sum_rmse / count;
  }
  if (args.flag("json")) {
    std::cout << nlohmann::json{{"kendall_tau", tau}, {"rmse", err}, {"folds", per_fold}, {"models", names},
                                {"samples", data.size()}, {"genes", data.genes.cols()}}.dump()
              << "\n";
    return 0;
  }
  std::cout << data.source << ": " << data.size() << " architectures, " << data.genes.cols() << " genes, " << folds
            << "-fold CV x " << repeats << " seed(s) from " << seed << "\n";
  std::cout << "  " << std::left << std::setw(34) << "model" << std::setw(12) << "tau" << "rmse\n";
  for (const auto& kind : kinds)
    std::cout << "  " << std::setw(34) << names[kind].get<std::string>() << std::setw(12) << std::fixed
              << std::setprecision(3) << tau[kind].get<double>() << std::setprecision(4) << err[kind].get<double>() << "\n";
  return 0;
}

int nas_fit(const Args& args) {
  if (args.positional().size() != 2) throw ConfigError("nas fit", "expected one DATA file");
  const auto out = args.get("out");
  if (!out) throw ConfigError("--out", "is required (the model file to write)");
  args.refuse_overwrite(*out, "--out");
  const nas::DatasetOptions options = dataset_options(args);
  const nas::ArchDataset data = nas::load_dataset(args.positional()[1], options);
  const std::string model = args.get_or("model", "ensemble");
  const nas::Predictor p = nas::fit_predictor(model, encoding_option(args), data, options,
                                              args.get_seed(0));
  nas::save_predictor(p, *out);
  if (args.flag("json"))
    std::cout << nlohmann::json{{"model", p.model->name()}, {"samples", data.size()}, {"out", *out}}.dump() << "\n";
  else
    std::cout << "wrote " << *out << " (" << p.model->name() << " on " << data.size() << " architectures)\n";
  return 0;
}

int nas_predict(const Args& args) {
  if (args.positional().size() != 3) throw ConfigError("nas predict", "expected MODEL.json and ARCHS.json");
  const nas::Predictor p = nas::load_predictor(args.positional()[1]);
  nas::DatasetOptions options;
  options.arch_field = args.get_or("arch-field", "arch");
  const nas::ArchDataset archs = nas::load_dataset(args.positional()[2], options);
  const Eigen::VectorXd pred = p.model->predict(archs.genes);
  nlohmann::ordered_json predictions = nlohmann::ordered_json::object();
  for (int i = 0; i < archs.size(); ++i) predictions[archs.ids[static_cast<std::size_t>(i)]] = pred[i];
  if (args.flag("json")) {
    std::cout << nlohmann::ordered_json{{"target", p.target}, {"predictions", predictions}}.dump() << "\n";
    return 0;
  }
  for (int i = 0; i < archs.size(); ++i)
    std::cout << archs.ids[static_cast<std::size_t>(i)] << " " << std::setprecision(10) << pred[i] << "\n";
  return 0;
}

// Call counts at which a search reports its best: 1, 2, 5, 10, 20, 50, ... and the budget.
std::vector<std::int64_t> report_points(std::int64_t budget) {
  std::vector<std::int64_t> out;
  for (std::int64_t decade = 1; decade <= budget; decade *= 10)
    for (std::int64_t m : {1, 2, 5})
      if (m * decade < budget) out.push_back(m * decade);
  out.push_back(budget);
  return out;
}

int nas_search(const Args& args) {
  if (args.positional().size() != 2) throw ConfigError("nas search", "expected one MODEL.json");
  auto predictor = std::make_shared<const nas::Predictor>(nas::load_predictor(args.positional()[1]));
  const long long budget = args.get_int("budget", 1000);
  if (budget < 1) throw ConfigError("--budget", "expected at least 1 predictor call, got " + std::to_string(budget));
  const std::string method = args.get_or("method", "evolution");
  const auto seed = args.get_seed(0);
  const nas::SearchSpace space = nas::SearchSpace::of(*predictor);
  std::vector<double> best_after;
  Eigen::VectorXd best;
  if (method == "random" || method == "evolution") {
    nas::ScoreRecorder recorder(*predictor);
    if (method == "random")
      nas::random_search(space, recorder, budget, seed);
    else
      nas::regularized_evolution(space, recorder, budget, static_cast<int>(args.get_int("population", 50)),
                                 static_cast<int>(args.get_int("sample", 10)), seed);
    best_after = recorder.best_after();
    best = recorder.best_genes();
  } else if (method == "dqn") {
#ifdef GREENWAVE_HAVE_AGENTS
    nas::NasSearchConfig ec;
    ec.max_steps = static_cast<int>(args.get_int("max-steps", ec.max_steps));
    ec.reward_scale = args.get_double("reward-scale", ec.reward_scale);
    nas::NasSearchEnv env(predictor, ec, budget);
    DqnConfig c;
    c.seed = seed;
    c.device = "cpu";
    c.learning_starts = std::min<std::int64_t>(c.learning_starts, budget / 10 + 1);
    c.epsilon_decay_steps = std::max<std::int64_t>(1, budget / 2);
    DqnAgent agent(c, DqnShape{env.spec().observation.size(), env.spec().max_actions, 1});
    for (std::uint64_t episode = 0; env.recorder().calls() < budget; ++episode)
      run_episode(env, agent, mix_seed(seed, episode), true, true);
    best_after = env.recorder().best_after();
    best = env.recorder().best_genes();
#else
    throw ConfigError("--method", "dqn needs a build with agents/ (LibTorch)");
#endif
  } else {
    throw ConfigError("--method", "expected random, evolution or dqn, got '" + method + "'");
  }
  const double sign = predictor->lower_is_better ? -1.0 : 1.0;
  nlohmann::ordered_json by_calls = nlohmann::ordered_json::object();
  for (std::int64_t k : report_points(budget)) by_calls[std::to_string(k)] = sign * best_after[static_cast<std::size_t>(k - 1)];
  const std::vector<double> genes(best.data(), best.data() + best.size());
  if (args.flag("json")) {
    std::cout << nlohmann::ordered_json{{"method", method}, {"budget", budget}, {"target", predictor->target},
                                        {"best_prediction", sign * best_after.back()}, {"best_arch", genes},
                                        {"best_by_calls", by_calls}}.dump()
              << "\n";
    return 0;
  }
  std::cout << method << " search, " << budget << " predictor calls: best predicted " << predictor->target << " "
            << std::setprecision(6) << sign * best_after.back() << "\n  genes";
  for (double g : genes) std::cout << " " << g;
  std::cout << "\n  calls  best predicted\n";
  for (const auto& [k, v] : by_calls.items()) std::cout << "  " << std::setw(6) << k << " " << v.get<double>() << "\n";
  return 0;
}

}  // namespace

int cmd_nas(int argc, char** argv) {
  const Args args(argc, argv, 2, {"json", "help", "lower-is-better", "force"},
                  {"target", "target-scale", "arch-field", "model", "encoding", "genes", "folds", "seed", "repeats", "out",
                   "budget", "method", "population", "sample", "max-steps", "reward-scale"});
  if (args.flag("help") || args.positional().empty()) {
    std::cout << kUsage;
    return args.flag("help") ? 0 : 2;
  }
  const std::string sub = args.positional()[0];
#ifdef GREENWAVE_AGENTS_PROGRAM
  // The DQN search links LibTorch: it runs in greenwave-agents (tools/cli/agents_main.cpp).
  if (sub == "search" && args.get_or("method", "") == "dqn") return exec_agents(argc, argv);
#endif
  if (sub == "cv") return nas_cv(args);
  if (sub == "fit") return nas_fit(args);
  if (sub == "predict") return nas_predict(args);
  if (sub == "search") return nas_search(args);
  throw ConfigError("nas", "unknown subcommand '" + sub + "' (expected cv, fit, predict or search)");
}

}  // namespace greenwave::cli
