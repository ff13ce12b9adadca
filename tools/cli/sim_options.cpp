#include "sim_options.hpp"

#include "greenwave/core/error.hpp"
#include "greenwave/core/warning.hpp"
#include "greenwave/networks/phase_sets.hpp"
#include "greenwave/networks/scenario_io.hpp"

namespace greenwave::cli {
namespace {

/// --NAME as seconds >= 0 (> 0 unless allow_zero), or ConfigError naming the option.
double seconds_option(const Args& args, const std::string& name, bool allow_zero) {
  const double v = args.get_double(name, 0);
  if (!(v > 0 || (allow_zero && v == 0)))
    throw ConfigError("--" + name, std::string("expected a ") + (allow_zero ? "non-negative" : "positive") +
                                       " number of seconds, got " + *args.get(name));
  return v;
}

/// read_scenario_file's work, on the calling thread's arena.
v1::Scenario read_scenario_here(const Args& args, const std::string& path, bool with_flow) {
  v1::Scenario scenario = read_scenario(path, with_flow ? args.get_or("flow", "") : "");
  if (scenario.demand().flows_size() == 0 && scenario.demand().trips_size() == 0)
    warn(path + " has no demand (no flows or trips): a road network alone runs empty; pass its demand with --flow FLOW");
  v1::RunSettings& settings = *scenario.mutable_settings();
  // Set before compiling: flows are expanded into departures only up to the horizon.
  if (args.get("horizon")) settings.set_horizon(seconds_option(args, "horizon", false));
  if (args.get("action-interval")) settings.set_action_interval(seconds_option(args, "action-interval", false));
  if (args.get("min-green")) settings.set_min_green(seconds_option(args, "min-green", true));
  if (args.get("clearance")) settings.set_yellow(seconds_option(args, "clearance", false));
  if (args.get("demand-jitter")) settings.set_demand_jitter(seconds_option(args, "demand-jitter", true));
  if (const auto rule = args.get("conflicts")) {
    if (*rule == "cityflow") settings.set_conflicts(v1::CONFLICT_RULE_CITYFLOW);
    else if (*rule == "greenwave") settings.set_conflicts(v1::CONFLICT_RULE_GREENWAVE);
    else throw ConfigError("--conflicts", "expected cityflow or greenwave, got '" + *rule + "'");
  }
  if (const auto model = args.get("vehicle-model")) {
    if (*model == "cityflow") settings.set_vehicle_model(v1::VEHICLE_MODEL_CITYFLOW);
    else if (*model == "idm") settings.set_vehicle_model(v1::VEHICLE_MODEL_IDM);
    else throw ConfigError("--vehicle-model", "expected cityflow or idm, got '" + *model + "'");
  }
  if (const auto set = args.get("phases")) select_phases(scenario, parse_phase_set(*set, "--phases"));
  return scenario;
}

}  // namespace

v1::Scenario read_scenario_option(const Args& args) { return read_scenario_file(args, args.positional()[0], true); }

v1::Scenario read_scenario_file(const Args& args, const std::string& path, bool with_flow) {
  return with_threads(args, [&] { return read_scenario_here(args, path, with_flow); });
}

std::shared_ptr<const CompiledScenario> load_scenario_option(const Args& args) {
  return load_scenario_file(args, args.positional()[0], true);
}

std::shared_ptr<const CompiledScenario> load_scenario_file(const Args& args, const std::string& path, bool with_flow) {
  return with_threads(args, [&] {
    return std::make_shared<const CompiledScenario>(compile_scenario(read_scenario_here(args, path, with_flow), path));
  });
}

int threads_option(const Args& args) {
  const long long threads = args.get_int("threads", 1);
  if (threads < 1 || threads > 1024) throw ConfigError("--threads", "expected 1..1024, got " + std::to_string(threads));
  return static_cast<int>(threads);
}

}  // namespace greenwave::cli
