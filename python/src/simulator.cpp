// greenwave.Simulator: the native simulator stepped directly from Python.
#include <pybind11/stl.h>

#include <string>

#include "bindings.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/env/traffic_env.hpp"
#include "greenwave/sim/simulator.hpp"
#include "simulator_handle.hpp"

namespace greenwave::python {
namespace {

const char* request_name(PhaseRequest r) {
  switch (r) {
    case PhaseRequest::Kept: return "kept";
    case PhaseRequest::Switched: return "switched";
    case PhaseRequest::TooEarly: return "too_early";
    case PhaseRequest::InClearance: return "in_clearance";
  }
  return "unknown";
}

template <class T>
py::array_t<T> copy_of(std::span<const T> values) {
  py::array_t<T> out(static_cast<py::ssize_t>(values.size()));
  std::copy(values.begin(), values.end(), out.mutable_data());
  return out;
}

}  // namespace

IntersectionId SimulatorHandle::intersection(const py::handle& id) const {
  const RoadNetwork& net = sim->scenario().network;
  if (py::isinstance<py::str>(id)) {
    const std::string name = py::cast<std::string>(id);
    const IntersectionId i = net.find_intersection(name);
    if (i == kNone) throw ConfigError("intersection", "unknown intersection id '" + name + "'");
    return i;
  }
  const long long i = py::cast<long long>(id);
  if (i < 0 || i >= net.num_intersections())
    throw ConfigError("intersection", "index " + std::to_string(i) + " is out of range [0, " +
                                          std::to_string(net.num_intersections()) + ")");
  return static_cast<IntersectionId>(i);
}

SimulatorHandle make_simulator(std::shared_ptr<const CompiledScenario> scenario, int threads) {
  if (threads < 1 || threads > 1024) throw ConfigError("threads", "expected 1..1024, got " + std::to_string(threads));
  auto sim = std::make_shared<Simulator>(scenario, SimOptions{threads});
  return SimulatorHandle{std::move(scenario), std::move(sim), threads};
}

py::dict metrics_dict(const Metrics& m) {
  std::vector<double> values(traffic_metric_names().size());
  write_traffic_metrics(m, values);
  py::dict out;
  for (std::size_t k = 0; k < values.size(); ++k) {
    const std::string& name = traffic_metric_names()[k];
    const bool integral = name == "served_vehicles" || name == "throughput" || name == "vehicles_scheduled" ||
                          name == "departed" || name == "running" || name == "waiting_to_enter" || name == "queued";
    if (integral) out[py::str(name)] = static_cast<long long>(values[k]);
    else out[py::str(name)] = values[k];
  }
  return out;
}

void bind_simulator(py::module_& m) {
  PYBIND11_NUMPY_DTYPE(VehicleView, slot, id, drivable, distance, speed, length, max_speed, route);
  py::class_<SimulatorHandle>(m, "Simulator", "The native traffic simulator of one scenario.")
      .def(py::init([](const py::object& scenario, int threads) { return make_simulator(scenario_from(scenario), threads); }),
           py::arg("scenario"), py::arg("threads") = 1)
      .def_property_readonly("scenario", [](const SimulatorHandle& h) { return ScenarioHandle{h.scenario, nullptr}; })
      .def("reset", [](SimulatorHandle& h, std::uint64_t seed) {
             py::gil_scoped_release release;
             h.sim->reset(seed);
           }, py::arg("seed") = 0, "Restarts at t = 0 with `seed`.")
      .def("step", [](SimulatorHandle& h, long long n) {
             if (n < 0) throw ConfigError("n", "expected a non-negative number of steps, got " + std::to_string(n));
             py::gil_scoped_release release;
             for (long long k = 0; k < n; ++k) h.sim->step();
           }, py::arg("n") = 1, "Advances `n` simulation steps (the GIL is released).")
      .def_property_readonly("time", [](const SimulatorHandle& h) { return h.sim->time(); })
      .def_property_readonly("steps", [](const SimulatorHandle& h) { return h.sim->steps(); })
      .def_property_readonly("running", [](const SimulatorHandle& h) { return h.sim->running(); })
      .def_property_readonly("demand_done", [](const SimulatorHandle& h) { return h.sim->demand_done(); })
      .def_property("threads", [](const SimulatorHandle& h) { return h.threads; },
                    [](SimulatorHandle& h, int threads) {
                      if (threads < 1 || threads > 1024) throw ConfigError("threads", "expected 1..1024, got " + std::to_string(threads));
                      h.sim->set_threads(threads);
                      h.threads = threads;
                    })
      .def("metrics", [](const SimulatorHandle& h) { return metrics_dict(h.sim->metrics()); },
           "The metrics now: the CLI metrics keys, then time, departed, running, waiting_to_enter, queued, mean_speed.")
      .def("lane_vehicle_counts", [](const SimulatorHandle& h) { return copy_of(h.sim->lane_vehicle_counts()); })
      .def("lane_queue_counts", [](const SimulatorHandle& h) { return copy_of(h.sim->lane_queue_counts()); })
      .def("lane_speed_sums", [](const SimulatorHandle& h) { return copy_of(h.sim->lane_speed_sums()); })
      .def("lane_waiting_times", [](const SimulatorHandle& h) { return copy_of(h.sim->lane_waiting_times()); })
      .def("lane_departures", [](const SimulatorHandle& h) { return copy_of(h.sim->lane_departures()); })
      .def("lane_entry_waiting", [](const SimulatorHandle& h) { return copy_of(h.sim->lane_entry_waiting()); })
      .def("vehicles", [](const SimulatorHandle& h) {
             const std::vector<VehicleView> v = h.sim->vehicles();
             py::array_t<VehicleView> out(static_cast<py::ssize_t>(v.size()));
             std::copy(v.begin(), v.end(), out.mutable_data());
             return out;
           }, "Running vehicles as a structured array (slot, id, drivable, distance, speed, length, max_speed, route).")
      .def("request_phase", [](SimulatorHandle& h, const py::handle& i, std::int32_t phase) {
             const IntersectionId id = h.intersection(i);
             const RoadNetwork& net = h.sim->scenario().network;
             if (!net.intersection_signalized[id])
               throw ActionError("request_phase: intersection '" + net.intersection_ids[id] + "' has no signal");
             if (phase < 0 || phase >= net.phase_count(id))
               throw ActionError("request_phase: phase " + std::to_string(phase) + " of intersection '" +
                                 net.intersection_ids[id] + "' is out of range [0, " + std::to_string(net.phase_count(id)) + ")");
             return request_name(h.sim->request_phase(id, phase));
           }, py::arg("intersection"), py::arg("phase"),
           "Asks an intersection (index or id) for a local phase: 'kept', 'switched', 'too_early' or 'in_clearance'.")
      .def("signal", [](const SimulatorHandle& h, const py::handle& i) {
             const SignalState s = h.sim->signal(h.intersection(i));
             py::dict out;
             out["phase"] = s.phase;
             out["in_clearance"] = s.in_clearance;
             out["time_in_phase"] = s.time_in_phase;
             return out;
           }, py::arg("intersection"), "The signal of an intersection (index or id): phase, in_clearance, time_in_phase.")
      .def("save_snapshot", [](const SimulatorHandle& h) {
             std::string bytes;
             {
               py::gil_scoped_release release;
               bytes = h.sim->save_snapshot();
             }
             return py::bytes(bytes);
           }, "The whole state as bytes (restore_snapshot() of a simulator of the same scenario continues bit-exactly).")
      .def("restore_snapshot", [](SimulatorHandle& h, const py::bytes& snapshot) {
             const std::string_view bytes = snapshot;
             py::gil_scoped_release release;
             h.sim->restore_snapshot(bytes);
           }, py::arg("snapshot"), "Replaces the state with save_snapshot() bytes of the same scenario.")
      .def("__repr__", [](const SimulatorHandle& h) {
        return "<greenwave.Simulator '" + h.sim->scenario().name + "' t=" + std::to_string(h.sim->time()) + ">";
      });
}

}  // namespace greenwave::python
