// `greenwave moe el|config|optimal|search`: the Efficiency-Leverage law of MoE models as a tool
// (docs/moe.md).
#include <cmath>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>

#include "args.hpp"
#include "commands.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/search/moe/moe_law.hpp"
#include "greenwave/search/moe/moe_search.hpp"
#ifdef GREENWAVE_HAVE_AGENTS
#include "moe_dqn.hpp"
#endif

namespace greenwave::cli {

namespace {

using Json = nlohmann::json;

constexpr const char* kUsage =
    "usage: greenwave moe el --activation-ratio A --granularity G --compute C [--json]\n"
    "       greenwave moe config --experts E --active E_a --shared E_s --d-model D --d-expert d\n"
    "                            [--layers L] [--dense-layers K] [--compute C] [--json]\n"
    "       greenwave moe optimal --compute C [--json]\n"
    "       greenwave moe search --compute C --max-total-params P [--max-active-params Q] [--d-model D]\n"
    "                            [--layers L] [--dense-layers K] [--method exhaustive|random|evolution|dqn]\n"
    "                            [--evaluations N] [--seed S] [--json]\n"
    "                            dqn: [--episodes N] [--steps T] [--checkpoint CKPT] [--device D]\n"
    "The Efficiency-Leverage scaling law of MoE language models (arXiv 2507.17702; docs/moe.md):\n"
    "el prints EL(A, G, C); config prints A, S, G, parameters, FLOPs per token (and EL at --compute);\n"
    "optimal prints the compute-optimal learning rate, batch, model size and tokens (MoE and dense);\n"
    "search finds the configuration of highest EL under the parameter budgets on the grid of\n"
    "docs/moe.md (d_model, layers fixed), with the number of configurations it evaluated.\n";

/// A required positive number option.
double required_positive(const Args& args, const std::string& name) {
  if (!args.get(name)) throw ConfigError("--" + name, "required");
  const double v = args.get_double(name, 0);
  if (!(std::isfinite(v) && v > 0)) throw ConfigError("--" + name, "expected a positive number, got " + *args.get(name));
  return v;
}

/// A required integer option.
std::int64_t required_int(const Args& args, const std::string& name) {
  if (!args.get(name)) throw ConfigError("--" + name, "required");
  return args.get_int(name, 0);
}

Json config_json(const moe::MoeConfig& c) {
  return {{"experts", c.experts},   {"active_experts", c.active_experts}, {"shared_experts", c.shared_experts},
          {"d_model", c.d_model},   {"d_expert", c.d_expert},             {"layers", c.layers},
          {"dense_layers", c.dense_layers}};
}

Json optimal_json(const moe::ComputeOptimal& o, bool with_hyper) {
  Json j = {{"flops_per_token", o.flops_per_token}, {"tokens", o.tokens}};
  if (with_hyper) {
    j["learning_rate"] = o.learning_rate;
    j["batch_tokens"] = o.batch_tokens;
  }
  return j;
}

void print(const Json& j, bool json) {
  if (json) std::cout << j.dump() << "\n";
  else std::cout << j.dump(2) << "\n";
}

int moe_el(const Args& args) {
  const double a = required_positive(args, "activation-ratio");
  const double g = required_positive(args, "granularity");
  const double c = required_positive(args, "compute");
  print({{"efficiency_leverage", moe::efficiency_leverage(a, g, c)},
         {"activation_ratio", a},
         {"granularity", g},
         {"compute", c}},
        args.flag("json"));
  return 0;
}

int moe_config(const Args& args) {
  moe::MoeConfig c;
  c.experts = required_int(args, "experts");
  c.active_experts = required_int(args, "active");
  c.shared_experts = args.get_int("shared", 0);
  c.d_model = required_int(args, "d-model");
  c.d_expert = required_int(args, "d-expert");
  c.layers = args.get_int("layers", c.layers);
  c.dense_layers = args.get_int("dense-layers", c.dense_layers);
  const moe::ParamCount p = moe::parameter_count(c);  // validates
  Json j = {{"config", config_json(c)},
            {"activation_ratio", moe::activation_ratio(c)},
            {"sharing_ratio", moe::sharing_ratio(c)},
            {"granularity", moe::granularity(c)},
            {"optimal_granularity", moe::optimal_granularity()},
            {"total_params", p.total},
            {"active_params", p.active},
            {"flops_per_token", moe::flops_per_token(c)}};
  if (args.get("compute")) {
    const double compute = required_positive(args, "compute");
    j["compute"] = compute;
    j["efficiency_leverage"] = moe::efficiency_leverage(c, compute);
  }
  print(j, args.flag("json"));
  return 0;
}

int moe_optimal(const Args& args) {
  const double c = required_positive(args, "compute");
  print({{"compute", c},
         {"moe", optimal_json(moe::compute_optimal_moe(c), true)},
         {"dense", optimal_json(moe::compute_optimal_dense(c), false)}},
        args.flag("json"));
  return 0;
}

int moe_search(const Args& args) {
  moe::SearchProblem p;
  p.compute = required_positive(args, "compute");
  p.max_total_params = required_positive(args, "max-total-params");
  p.max_active_params = args.get("max-active-params") ? required_positive(args, "max-active-params")
                                                      : std::numeric_limits<double>::infinity();
  p.d_model = args.get_int("d-model", p.d_model);
  p.layers = args.get_int("layers", p.layers);
  p.dense_layers = args.get_int("dense-layers", p.dense_layers);
  moe::validate(p);
  const std::string method = args.get_or("method", "exhaustive");
  const std::int64_t evaluations = args.get_int("evaluations", 100);
  const std::uint64_t seed = args.get_seed(0);
  moe::SearchResult r;
  Json extra = Json::object();
  if (method == "exhaustive") {
    r = moe::search_exhaustive(p);
  } else if (method == "random") {
    r = moe::search_random(p, evaluations, seed);
  } else if (method == "evolution") {
    r = moe::search_evolution(p, evaluations, seed);
  } else if (method == "dqn") {
#ifdef GREENWAVE_HAVE_AGENTS
    MoeDqnOptions o;
    const long long steps = args.get_int("steps", o.steps);
    if (steps < 1 || steps > 100000) throw ConfigError("--steps", "expected 1..100000, got " + std::to_string(steps));
    o.steps = static_cast<std::int32_t>(steps);
    o.episodes = static_cast<int>(args.get_int("episodes", o.episodes));
    o.checkpoint = args.get_or("checkpoint", "");
    o.device = args.get_or("device", o.device);
    o.seed = seed;
    const MoeDqnOutcome out = moe_search_dqn(p, evaluations, o);
    r = out.result;
    extra["training_evaluations"] = out.training_evaluations;
#else
    throw ConfigError("--method", "dqn needs a build with agents/ (GREENWAVE_BUILD_AGENTS)");
#endif
  } else {
    throw ConfigError("--method", "expected exhaustive, random, evolution or dqn, got '" + method + "'");
  }
  Json j = {{"method", method}, {"evaluations", r.evaluations}, {"found", r.found}, {"grid_points", moe::valid_points(p)}};
  j.update(extra);
  if (r.found) {
    j["config"] = config_json(r.config);
    j["efficiency_leverage"] = r.evaluation.efficiency_leverage;
    j["activation_ratio"] = moe::activation_ratio(r.config);
    j["granularity"] = moe::granularity(r.config);
    j["total_params"] = r.evaluation.params.total;
    j["active_params"] = r.evaluation.params.active;
  } else {
    j["config"] = nullptr;
    j["efficiency_leverage"] = nullptr;
  }
  print(j, args.flag("json"));
  if (!r.found) std::cerr << "greenwave moe search: no configuration of those evaluated fits the parameter budget\n";
  return r.found ? 0 : 1;
}

}  // namespace

int cmd_moe(int argc, char** argv) {
  const std::string sub = argc >= 3 ? argv[2] : "";
  const Args args(argc, argv, 3, {"json", "help"},
                  {"activation-ratio", "granularity", "compute", "experts", "active", "shared", "d-model", "d-expert",
                   "layers", "dense-layers", "max-total-params", "max-active-params", "method", "evaluations", "seed",
                   "episodes", "steps", "checkpoint", "device"});
  if (sub == "--help" || sub == "-h" || args.flag("help")) {
    std::cout << kUsage;
    return 0;
  }
  if (!args.positional().empty()) throw ConfigError(args.positional()[0], "unexpected argument (see greenwave moe --help)");
#ifdef GREENWAVE_AGENTS_PROGRAM
  // The DQN search links LibTorch: it runs in greenwave-agents (tools/cli/agents_main.cpp).
  if (sub == "search" && args.get_or("method", "") == "dqn") return exec_agents(argc, argv);
#endif
  if (sub == "el") return moe_el(args);
  if (sub == "config") return moe_config(args);
  if (sub == "optimal") return moe_optimal(args);
  if (sub == "search") return moe_search(args);
  std::cerr << kUsage;
  if (!sub.empty()) std::cerr << "greenwave moe: unknown subcommand '" << sub << "'\n";
  return 2;
}

}  // namespace greenwave::cli
