// greenwave.Scenario and the functions that make one: load, convert, generate.
#include <pybind11/stl.h>

#include <cmath>
#include <string>

#include "bindings.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/networks/importers.hpp"
#include "greenwave/networks/phase_sets.hpp"
#include "greenwave/networks/scenario_io.hpp"

namespace greenwave::python {
namespace {

std::string path_string(const py::handle& path) { return py::str(py::module_::import("os").attr("fspath")(path)); }

/// A positive finite number for settings field `name`, or ConfigError naming it.
double positive(const py::handle& value, const char* name, bool allow_zero = false) {
  const double v = py::cast<double>(value);
  if (!std::isfinite(v) || v < 0 || (v == 0 && !allow_zero))
    throw ConfigError(name, std::string("expected a ") + (allow_zero ? "non-negative" : "positive") +
                                " number of seconds, got " + std::to_string(v));
  return v;
}

/// The conflict rule named by `value` ("greenwave" or "cityflow"; None keeps the scenario's).
v1::ConflictRule conflict_rule(const py::object& value) {
  if (value.is_none()) return v1::CONFLICT_RULE_UNSPECIFIED;
  const std::string name = py::cast<std::string>(py::str(value));
  if (name == "greenwave") return v1::CONFLICT_RULE_GREENWAVE;
  if (name == "cityflow") return v1::CONFLICT_RULE_CITYFLOW;
  throw ConfigError("conflicts", "expected 'greenwave' or 'cityflow', got '" + name + "'");
}

/// The vehicle model named by `value` ("cityflow" or "idm"; None keeps the scenario's).
v1::VehicleModel vehicle_model_of(const py::object& value) {
  if (value.is_none()) return v1::VEHICLE_MODEL_UNSPECIFIED;
  const std::string name = py::cast<std::string>(py::str(value));
  if (name == "cityflow") return v1::VEHICLE_MODEL_CITYFLOW;
  if (name == "idm") return v1::VEHICLE_MODEL_IDM;
  throw ConfigError("vehicle_model", "expected 'cityflow' or 'idm', got '" + name + "'");
}

/// A copy of `base` with the run settings named in `overrides` replaced (None values skipped).
std::shared_ptr<const CompiledScenario> with_settings(const std::shared_ptr<const CompiledScenario>& base,
                                                      const py::dict& overrides) {
  bool any = false;
  for (const auto& item : overrides) any = any || !item.second.is_none();
  if (!any) return base;
  auto copy = std::make_shared<CompiledScenario>(*base);
  RunSettings& s = copy->settings;
  for (const auto& [key_handle, value] : overrides) {
    if (value.is_none()) continue;
    const std::string key = py::cast<std::string>(key_handle);
    if (key == "horizon") {
      const double horizon = positive(value, "horizon");
      // Flows were expanded into departures only up to the compiled horizon.
      if (horizon > base->settings.horizon)
        throw ConfigError("horizon", "cannot raise the horizon of a compiled scenario from " +
                                         std::to_string(base->settings.horizon) + " to " + std::to_string(horizon) +
                                         " s: its flows stop at the old one; reload it with load_scenario(path, "
                                         "horizon=...) or generate it with that horizon");
      s.horizon = horizon;
    }
    else if (key == "action_interval") s.action_interval = positive(value, "action_interval");
    else if (key == "yellow") s.yellow = positive(value, "yellow", true);
    else if (key == "min_green") s.min_green = positive(value, "min_green", true);
    else if (key == "metric_period") s.metric_period = positive(value, "metric_period");
    else if (key == "demand_jitter") s.demand_jitter = positive(value, "demand_jitter", true);
    else if (key == "seed") {
      const long long seed = py::cast<long long>(value);
      if (seed < 0) throw ConfigError("seed", "expected a non-negative integer, got " + std::to_string(seed));
      s.seed = static_cast<std::uint64_t>(seed);
    } else if (key == "conflicts" || key == "phases" || key == "vehicle_model") {
      throw ConfigError(key, "the " + key + " setting is fixed when a scenario is compiled: pass it to "
                             "load_scenario(path, " + key + "=...) or make(path, " + key + "=...)");
    } else {
      throw ConfigError(key, "unknown run setting (known: horizon, action_interval, yellow, min_green, "
                             "metric_period, demand_jitter, seed)");
    }
  }
  return copy;
}

DemandOptions demand_options(const std::string& pattern, double rate, double horizon, long long seed) {
  DemandOptions d;
  if (pattern == "uniform") d.pattern = DemandPattern::Uniform;
  else if (pattern == "random") d.pattern = DemandPattern::Random;
  else if (pattern == "peak") d.pattern = DemandPattern::Peak;
  else throw ConfigError("demand", "expected uniform, random or peak, got '" + pattern + "'");
  if (seed < 0) throw ConfigError("seed", "expected a non-negative integer, got " + std::to_string(seed));
  d.rate = rate;
  d.horizon = horizon;
  d.seed = static_cast<std::uint64_t>(seed);
  return d;
}

/// A handle on `scenario` compiled, keeping its native encoding for pickling.
ScenarioHandle handle_of(const v1::Scenario& scenario, const std::string& source) {
  auto native = std::make_shared<std::string>();
  scenario.SerializeToString(native.get());
  return {std::make_shared<const CompiledScenario>(compile_scenario(scenario, source)), std::move(native)};
}

/// Compiles a generated scenario, writing it to `out` first when given.
ScenarioHandle finish_generated(const v1::Scenario& scenario, const py::object& out) {
  std::string source = "<generated " + scenario.name() + ">";
  if (!out.is_none()) {
    source = path_string(out);
    write_native(scenario, source);
  }
  return handle_of(scenario, source);
}

std::int64_t scheduled_in_horizon(const CompiledScenario& s) {
  std::int64_t n = 0;
  for (const Departure& d : s.demand.departures) n += d.time < s.settings.horizon;
  return n;
}

/// The Scenario a pickle state holds: (native bytes, source, horizon, action_interval, yellow,
/// min_green, metric_period, seed, content hash, demand_jitter), compiled again with those run
/// settings.
ScenarioHandle scenario_from_state(const py::tuple& state) {
  if (state.size() != 10) throw ConfigError("scenario", "a pickled Scenario holds 10 values, got " + std::to_string(state.size()));
  const std::string expected_hash = py::cast<std::string>(state[8]);
  const std::string bytes = py::cast<std::string>(state[0]);
  const std::string source = py::cast<std::string>(state[1]);
  RunSettings settings;
  settings.horizon = py::cast<double>(state[2]);
  settings.action_interval = py::cast<double>(state[3]);
  settings.yellow = py::cast<double>(state[4]);
  settings.min_green = py::cast<double>(state[5]);
  settings.metric_period = py::cast<double>(state[6]);
  settings.seed = py::cast<std::uint64_t>(state[7]);
  settings.demand_jitter = py::cast<double>(state[9]);
  py::gil_scoped_release release;
  v1::Scenario scenario;
  if (!scenario.ParseFromString(bytes)) throw ScenarioError(source, "", "the pickled scenario bytes do not parse");
  auto compiled = std::make_shared<CompiledScenario>(compile_scenario(scenario, source));
  if (compiled->content_hash != expected_hash)
    throw ScenarioError(source, "", "the pickled scenario compiles to hash " + compiled->content_hash + ", expected " + expected_hash);
  RunSettings& s = compiled->settings;
  s.horizon = settings.horizon;
  s.action_interval = settings.action_interval;
  s.yellow = settings.yellow;
  s.min_green = settings.min_green;
  s.metric_period = settings.metric_period;
  s.seed = settings.seed;
  s.demand_jitter = settings.demand_jitter;
  return {std::move(compiled), std::make_shared<const std::string>(bytes)};
}

}  // namespace

std::shared_ptr<const CompiledScenario> scenario_from(const py::handle& scenario_or_path) {
  if (py::isinstance<ScenarioHandle>(scenario_or_path)) return py::cast<const ScenarioHandle&>(scenario_or_path).scenario;
  if (py::isinstance<py::str>(scenario_or_path) || py::hasattr(scenario_or_path, "__fspath__")) {
    const std::string path = path_string(scenario_or_path);
    py::gil_scoped_release release;
    return load_scenario(path);
  }
  throw ConfigError("scenario", "expected a greenwave.Scenario or a path, got " +
                                    py::cast<std::string>(py::repr(scenario_or_path)));
}

void bind_scenario(py::module_& m) {
  py::class_<ScenarioHandle>(m, "Scenario", "A loaded, compiled scenario (immutable, shared by every simulation).")
      .def_property_readonly("name", [](const ScenarioHandle& h) { return h.scenario->name; })
      .def_property_readonly("source", [](const ScenarioHandle& h) { return h.scenario->source; })
      .def_property_readonly("content_hash", [](const ScenarioHandle& h) { return h.scenario->content_hash; })
      .def_property_readonly("num_intersections", [](const ScenarioHandle& h) { return h.scenario->network.num_intersections(); })
      .def_property_readonly("num_roads", [](const ScenarioHandle& h) { return h.scenario->network.num_roads(); })
      .def_property_readonly("num_lanes", [](const ScenarioHandle& h) { return h.scenario->network.num_lanes(); })
      .def_property_readonly("num_movements", [](const ScenarioHandle& h) { return h.scenario->network.num_movements(); })
      .def_property_readonly("num_phases", [](const ScenarioHandle& h) { return h.scenario->network.num_phases(); })
      .def_property_readonly("signalized_intersections",
                             [](const ScenarioHandle& h) {
                               std::vector<std::string> ids;
                               for (IntersectionId i : h.scenario->network.signalized) ids.push_back(h.scenario->network.intersection_ids[i]);
                               return ids;
                             })
      .def_property_readonly("intersection_ids", [](const ScenarioHandle& h) { return h.scenario->network.intersection_ids; })
      .def_property_readonly("road_ids", [](const ScenarioHandle& h) { return h.scenario->network.road_ids; })
      .def_property_readonly("lane_ids",
                             [](const ScenarioHandle& h) {
                               const RoadNetwork& net = h.scenario->network;
                               std::vector<std::string> ids;
                               for (LaneId l = 0; l < net.num_lanes(); ++l)
                                 ids.push_back(net.road_ids[net.lane_road[l]] + "_" + std::to_string(net.lane_index[l]));
                               return ids;
                             }, "Lane ids as ROAD_INDEX (CityFlow's naming), indexed like the lane arrays.")
      .def_property_readonly("lane_roads", [](const ScenarioHandle& h) { return h.scenario->network.lane_road; })
      .def_property_readonly("lane_lengths", [](const ScenarioHandle& h) { return h.scenario->network.lane_length; })
      .def_property_readonly("lane_speed_limits", [](const ScenarioHandle& h) { return h.scenario->network.lane_speed_limit; })
      .def_property_readonly("phase_counts",
                             [](const ScenarioHandle& h) {
                               std::vector<std::int32_t> counts;
                               for (IntersectionId i : h.scenario->network.signalized) counts.push_back(h.scenario->network.phase_count(i));
                               return counts;
                             }, "Phases of each signalized intersection (the agents' action counts).")
      .def_property_readonly("phase_names",
                             [](const ScenarioHandle& h) {
                               const RoadNetwork& net = h.scenario->network;
                               std::vector<std::vector<std::string>> names;
                               for (IntersectionId i : net.signalized) {
                                 names.emplace_back();
                                 for (PhaseId p = net.intersection_phase_begin[i]; p < net.intersection_phase_begin[i + 1]; ++p)
                                   names.back().push_back(net.phase_names[p]);
                               }
                               return names;
                             }, "Phase names of each signalized intersection, in action order.")
      .def_property_readonly("vehicles_scheduled", [](const ScenarioHandle& h) { return scheduled_in_horizon(*h.scenario); })
      .def_property_readonly("departures", [](const ScenarioHandle& h) { return h.scenario->demand.departures.size(); })
      .def_property_readonly("horizon", [](const ScenarioHandle& h) { return h.scenario->settings.horizon; })
      .def_property_readonly("dt", [](const ScenarioHandle& h) { return h.scenario->settings.dt; })
      .def_property_readonly("action_interval", [](const ScenarioHandle& h) { return h.scenario->settings.action_interval; })
      .def_property_readonly("yellow", [](const ScenarioHandle& h) { return h.scenario->settings.yellow; })
      .def_property_readonly("min_green", [](const ScenarioHandle& h) { return h.scenario->settings.min_green; })
      .def_property_readonly("seed", [](const ScenarioHandle& h) { return h.scenario->settings.seed; })
      .def_property_readonly("demand_jitter", [](const ScenarioHandle& h) { return h.scenario->settings.demand_jitter; },
                             "Seconds of seeded departure jitter at each reset (0: the demand as scheduled).")
      .def_property_readonly("conflicts",
                             [](const ScenarioHandle& h) {
                               return h.scenario->settings.conflicts == ConflictRule::CityFlow ? "cityflow" : "greenwave";
                             })
      .def_property_readonly("vehicle_model",
                             [](const ScenarioHandle& h) {
                               return h.scenario->settings.vehicle_model == VehicleModel::IDM ? "idm" : "cityflow";
                             }, "The car-following model: 'cityflow' or 'idm' (docs/simulator.md).")
      .def("with_settings",
           [](const ScenarioHandle& h, const py::kwargs& overrides) {
             return ScenarioHandle{with_settings(h.scenario, overrides), h.native};
           },
           "A copy with run settings replaced: horizon, action_interval, yellow, min_green, metric_period, "
           "demand_jitter, seed.")
      .def(py::pickle(
          [](const ScenarioHandle& h) {
            if (!h.native)
              throw ConfigError("scenario", "the Scenario a Simulator reports cannot be pickled; pickle the Scenario "
                                            "(or path) the simulator was made from");
            const RunSettings& s = h.scenario->settings;
            return py::make_tuple(py::bytes(*h.native), h.scenario->source, s.horizon, s.action_interval,
                                  s.yellow, s.min_green, s.metric_period, s.seed, h.scenario->content_hash,
                                  s.demand_jitter);
          },
          [](const py::tuple& state) { return scenario_from_state(state); }))
      .def("__repr__", [](const ScenarioHandle& h) {
        return "<greenwave.Scenario '" + h.scenario->name + "': " + std::to_string(h.scenario->network.num_intersections()) +
               " intersections (" + std::to_string(h.scenario->network.signalized.size()) + " signalized), " +
               std::to_string(h.scenario->network.num_lanes()) + " lanes, horizon " +
               std::to_string(static_cast<long long>(h.scenario->settings.horizon)) + " s>";
      });

  m.def(
      "load_scenario",
      [](const py::object& path, const py::object& flow, const py::object& horizon, const py::object& conflicts,
         const py::object& phases, const py::object& vehicle_model) {
        const std::string p = path_string(path);
        const std::string f = flow.is_none() ? std::string() : path_string(flow);
        const double h = horizon.is_none() ? 0.0 : positive(horizon, "horizon");
        const v1::ConflictRule rule = conflict_rule(conflicts);
        const v1::VehicleModel model = vehicle_model_of(vehicle_model);
        const PhaseSet set = phases.is_none() ? PhaseSet::All : parse_phase_set(py::cast<std::string>(py::str(phases)), "phases");
        py::gil_scoped_release release;
        v1::Scenario scenario = read_scenario(p, f);
        // Set before compiling: flows are expanded into departures only up to the horizon.
        if (h > 0) scenario.mutable_settings()->set_horizon(h);
        if (rule != v1::CONFLICT_RULE_UNSPECIFIED) scenario.mutable_settings()->set_conflicts(rule);
        if (model != v1::VEHICLE_MODEL_UNSPECIFIED) scenario.mutable_settings()->set_vehicle_model(model);
        select_phases(scenario, set);
        return handle_of(scenario, p);
      },
      py::arg("path"), py::arg("flow") = py::none(), py::arg("horizon") = py::none(),
      py::arg("conflicts") = py::none(), py::arg("phases") = py::none(), py::arg("vehicle_model") = py::none(),
      "Reads and compiles a scenario in any supported format; `horizon` (s), `conflicts`\n"
      "('greenwave' or 'cityflow', docs/simulator.md) and `vehicle_model` ('cityflow' or 'idm')\n"
      "replace the scenario's; `phases` 'four' keeps the four paired phases of each intersection\n"
      "('all', the default, keeps every green).");
  m.def(
      "convert",
      [](const py::object& src, const py::object& dst, const py::object& flow) {
        const std::string s = path_string(src), d = path_string(dst);
        const std::string f = flow.is_none() ? std::string() : path_string(flow);
        py::gil_scoped_release release;
        const v1::Scenario scenario = read_scenario(s, f);
        compile_scenario(scenario, s);  // validate before writing, as `greenwave convert`
        write_native(scenario, d);
      },
      py::arg("src"), py::arg("dst"), py::arg("flow") = py::none(),
      "Converts any supported scenario to the native format (.pbtxt text or .pb binary by extension).");
  m.def(
      "generate_grid",
      [](int rows, int cols, const py::object& out, double spacing, double speed, const std::string& demand, double rate,
         double horizon, long long seed, const std::string& name) {
        GridOptions o;
        o.rows = rows;
        o.cols = cols;
        o.spacing = spacing;
        o.speed = speed;
        o.demand = demand_options(demand, rate, horizon, seed);
        o.name = name;
        return finish_generated(generate_grid(o), out);
      },
      py::arg("rows"), py::arg("cols"), py::arg("out") = py::none(), py::kw_only(), py::arg("spacing") = 300.0,
      py::arg("speed") = 13.89, py::arg("demand") = "uniform", py::arg("rate") = 300.0, py::arg("horizon") = 3600.0,
      py::arg("seed") = 0, py::arg("name") = "",
      "A rows x cols grid of signalized intersections (as `greenwave generate grid`); writes `out` when given.");
  m.def(
      "generate_arterial",
      [](int intersections, const py::object& out, double spacing, double arterial_speed, double side_speed,
         double side_rate_ratio, const std::string& demand, double rate, double horizon, long long seed,
         const std::string& name) {
        ArterialOptions o;
        o.intersections = intersections;
        o.spacing = spacing;
        o.arterial_speed = arterial_speed;
        o.side_speed = side_speed;
        o.side_rate_ratio = side_rate_ratio;
        o.demand = demand_options(demand, rate, horizon, seed);
        o.name = name;
        return finish_generated(generate_arterial(o), out);
      },
      py::arg("intersections"), py::arg("out") = py::none(), py::kw_only(), py::arg("spacing") = 300.0,
      py::arg("arterial_speed") = 16.67, py::arg("side_speed") = 11.11, py::arg("side_rate_ratio") = 0.5,
      py::arg("demand") = "uniform", py::arg("rate") = 300.0, py::arg("horizon") = 3600.0, py::arg("seed") = 0,
      py::arg("name") = "",
      "A signalized arterial with side streets (as `greenwave generate arterial`); writes `out` when given.");
}

}  // namespace greenwave::python
