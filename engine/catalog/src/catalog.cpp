#include "greenwave/catalog/catalog.hpp"

#include <cmath>
#include <limits>

#include "greenwave/core/error.hpp"
#include "greenwave/env/traffic_env.hpp"
#include "greenwave/networks/scenario_io.hpp"
#include "greenwave/nas/nas_search_env.hpp"
#include "greenwave/search/moe/moe_env.hpp"
#include "greenwave/sim/simulator.hpp"

namespace greenwave {

namespace {

const std::string& option(const EnvOptions& options, const std::string& name) {
  const auto it = options.find(name);
  if (it == options.end()) throw ConfigError(name, "option not given");
  return it->second;
}

EnvEntry traffic_entry() {
  EnvEntry e;
  e.name = "traffic";
  e.summary = "traffic-signal control: one agent per signalized intersection (docs/env.md)";
  e.options = {{"scenario", "", "scenario file (any supported format)", true},
               {"flow", "", "demand file for a roadnet given alone", false},
               {"observation", TrafficEnvConfig{}.observation, "observation components (docs/observations.md)", false},
               {"reward", TrafficEnvConfig{}.reward, "reward spec (docs/rewards.md)", false},
               {"threads", "1", "simulator threads", false}};
  e.factory = [](const EnvOptions& o) -> std::unique_ptr<Env> {
    const long long threads = option_int(o, "threads");
    if (threads < 1 || threads > 1024) throw ConfigError("threads", "expected 1..1024, got " + std::to_string(threads));
    auto sim = std::make_unique<Simulator>(load_scenario(option(o, "scenario"), option(o, "flow")),
                                           SimOptions{static_cast<int>(threads)});
    return std::make_unique<TrafficEnv>(std::move(sim), TrafficEnvConfig{option(o, "observation"), option(o, "reward")});
  };
  e.best_metric = "average_travel_time";
  e.lower_is_better = true;
  return e;
}

EnvEntry moe_entry() {
  EnvEntry e;
  e.name = "moe";
  e.summary = "MoE configuration search by the Efficiency-Leverage law (docs/moe.md)";
  const moe::SearchProblem d;
  e.options = {{"compute", "1e22", "compute budget C in FLOPs", false},
               {"max-total-params", "2e10", "budget on total parameters", false},
               {"max-active-params", "inf", "budget on active parameters (inf = none)", false},
               {"d-model", std::to_string(d.d_model), "fixed hidden size", false},
               {"layers", std::to_string(d.layers), "fixed layer count", false},
               {"dense-layers", std::to_string(d.dense_layers), "leading dense layers", false},
               {"steps", std::to_string(moe::MoeEnvConfig{}.max_steps), "decisions per episode", false}};
  e.factory = [](const EnvOptions& o) -> std::unique_ptr<Env> {
    moe::SearchProblem p;
    p.compute = option_double(o, "compute");
    p.max_total_params = option_double(o, "max-total-params");
    p.max_active_params = option(o, "max-active-params") == "inf" ? std::numeric_limits<double>::infinity()
                                                                  : option_double(o, "max-active-params");
    p.d_model = option_int(o, "d-model");
    p.layers = option_int(o, "layers");
    p.dense_layers = option_int(o, "dense-layers");
    moe::MoeEnvConfig c;
    const long long steps = option_int(o, "steps");
    if (steps < 1 || steps > 100000) throw ConfigError("steps", "expected 1..100000, got " + std::to_string(steps));
    c.max_steps = static_cast<std::int32_t>(steps);
    return std::make_unique<moe::MoeConfigEnv>(p, c);
  };
  e.best_metric = "best_feasible_efficiency_leverage";
  e.lower_is_better = false;
  return e;
}

EnvEntry nas_entry() {
  EnvEntry e;
  e.name = "nas";
  e.summary = "architecture search with a frozen performance predictor (docs/nas.md)";
  const nas::NasSearchConfig d;
  e.options = {{"model", "", "predictor file written by greenwave nas fit", true},
               {"max-steps", std::to_string(d.max_steps), "gene changes per episode", false},
               {"reward-scale", "1", "reward = scale x predicted improvement", false}};
  e.factory = [](const EnvOptions& o) -> std::unique_ptr<Env> {
    nas::NasSearchConfig c;
    const long long steps = option_int(o, "max-steps");
    if (steps < 1 || steps > 100000) throw ConfigError("max-steps", "expected 1..100000, got " + std::to_string(steps));
    c.max_steps = static_cast<int>(steps);
    c.reward_scale = option_double(o, "reward-scale");
    if (!(c.reward_scale > 0)) throw ConfigError("reward-scale", "expected a positive number, got " + option(o, "reward-scale"));
    return std::make_unique<nas::NasSearchEnv>(std::make_shared<const nas::Predictor>(nas::load_predictor(option(o, "model"))), c);
  };
  e.best_metric = "best_score";
  e.lower_is_better = false;
  return e;
}

}  // namespace

double option_double(const EnvOptions& options, const std::string& name) {
  const std::string& text = option(options, name);
  try {
    std::size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size() && std::isfinite(v)) return v;
  } catch (const std::exception&) {
  }
  throw ConfigError(name, "expected a finite number, got '" + text + "'");
}

long long option_int(const EnvOptions& options, const std::string& name) {
  const std::string& text = option(options, name);
  try {
    std::size_t used = 0;
    const long long v = std::stoll(text, &used);
    if (used == text.size()) return v;
  } catch (const std::exception&) {
  }
  throw ConfigError(name, "expected an integer, got '" + text + "'");
}

const EnvRegistry& env_catalog() {
  static const EnvRegistry registry = [] {
    EnvRegistry r;
    r.add(traffic_entry());
    r.add(moe_entry());
    r.add(nas_entry());
    return r;
  }();
  return registry;
}

}  // namespace greenwave
