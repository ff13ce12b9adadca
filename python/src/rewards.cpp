// Python reward functions in the C++ reward registry: the RewardView they receive, the GIL
// handling (envs call them from TBB worker threads) and the RewardError they raise.
#include <pybind11/stl.h>

#include <string>

#include "bindings.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/env/reward.hpp"
#include "rewards.hpp"

namespace greenwave::python {
namespace {

/// greenwave.RewardView: what a Python reward sees of one agent, valid only during its call.
struct PyRewardView {
  const RewardView* view = nullptr;  ///< null once the call has returned

  const RewardView& get() const {
    if (!view) throw std::runtime_error("RewardView used after its reward call returned (copy the arrays you keep)");
    return *view;
  }
};

/// Holds a Python callable; dropping the last reference takes the GIL (envs may be destroyed
/// by C++ code that runs without it).
struct PyCallable {
  py::object fn;
  ~PyCallable() {
    py::gil_scoped_acquire gil;
    fn = py::object();
  }
};

template <class T>
py::array_t<T> view_of(std::span<const T> values, const py::handle& owner) {
  return readonly_view<T>(values.data(), {static_cast<py::ssize_t>(values.size())}, owner);
}

template <class T>
py::array_t<T> view_of(const std::vector<T>& values, const py::handle& owner) {
  return view_of<T>(std::span<const T>(values), owner);
}

/// A property of PyRewardView returning a view of a RewardView member.
template <class Get>
auto array_property(Get get) {
  return [get](const py::object& self) {
    const RewardView& v = self.cast<const PyRewardView&>().get();
    return view_of(get(v), self);
  };
}

}  // namespace

RewardCallbackError::RewardCallbackError(const std::string& reward, const std::string& agent, double time,
                                         py::error_already_set error)
    : std::runtime_error("reward '" + reward + "' raised " + py::cast<std::string>(error.type().attr("__name__")) +
                         ": " + py::cast<std::string>(py::str(error.value())) + " (agent '" + agent + "', t = " +
                         std::to_string(time) + " s)"),
      error_(std::move(error)) {}

void RewardCallbackError::raise(PyObject* type) const {
  py::error_already_set original = error_;
  original.restore();
  py::raise_from(type, what());
}

void bind_rewards(py::module_& m) {
  py::class_<PyRewardView>(m, "RewardView",
                           "One agent's state at the end of a decision interval, as NumPy views valid only during the "
                           "reward call. Lane arrays cover the whole network (index them with incoming_lanes etc.).")
      .def_property_readonly("agent", [](const PyRewardView& p) {
        const RewardView& v = p.get();
        return v.network.intersection_ids[v.agent.intersection];
      }, "The agent's (intersection's) id.")
      .def_property_readonly("intersection", [](const PyRewardView& p) { return p.get().agent.intersection; })
      .def_property_readonly("time", [](const PyRewardView& p) { return p.get().backend.time(); }, "Simulated seconds now.")
      .def_property_readonly("interval", [](const PyRewardView& p) { return p.get().interval; },
                             "Simulated seconds since the previous decision.")
      .def_property_readonly("phase", [](const PyRewardView& p) {
        const RewardView& v = p.get();
        return v.backend.signal(v.agent.intersection).phase;
      }, "The current local phase (during clearance: the phase that follows).")
      .def_property_readonly("in_clearance", [](const PyRewardView& p) {
        const RewardView& v = p.get();
        return v.backend.signal(v.agent.intersection).in_clearance;
      })
      .def_property_readonly("incoming_lanes", array_property([](const RewardView& v) { return std::span<const LaneId>(v.agent.incoming_lanes); }),
                             "Lane ids of the roads ending at the agent, ascending.")
      .def_property_readonly("outgoing_lanes", array_property([](const RewardView& v) { return std::span<const LaneId>(v.agent.outgoing_lanes); }),
                             "Lane ids of the roads starting at the agent, ascending.")
      .def_property_readonly("movements", array_property([](const RewardView& v) { return std::span<const MovementId>(v.agent.movements); }),
                             "The agent's movement (lane link) ids.")
      .def_property_readonly("movement_from_lanes", array_property([](const RewardView& v) { return std::span<const LaneId>(v.network.movement_from_lane); }),
                             "Per movement id over the network: the lane it leaves.")
      .def_property_readonly("movement_to_lanes", array_property([](const RewardView& v) { return std::span<const LaneId>(v.network.movement_to_lane); }),
                             "Per movement id over the network: the lane it enters.")
      .def_property_readonly("lane_speed_limits", array_property([](const RewardView& v) { return std::span<const double>(v.network.lane_speed_limit); }))
      .def_property_readonly("lane_counts", array_property([](const RewardView& v) { return v.lane_counts; }),
                             "Vehicles per lane now.")
      .def_property_readonly("lane_queues", array_property([](const RewardView& v) { return v.lane_queues; }),
                             "Vehicles with speed < 0.1 m/s per lane now.")
      .def_property_readonly("lane_speed_sums", array_property([](const RewardView& v) { return v.lane_speed_sums; }),
                             "Sum of vehicle speeds per lane now, m/s.")
      .def_property_readonly("lane_waiting_times", array_property([](const RewardView& v) { return v.lane_waiting_times; }),
                             "Accumulated waiting seconds of the vehicles now on each lane.")
      .def_property_readonly("lane_departures", array_property([](const RewardView& v) { return v.lane_departures; }),
                             "Vehicles that left each lane into an intersection since reset.")
      .def_property_readonly("prev_lane_waiting_times", array_property([](const RewardView& v) { return v.prev_lane_waiting_times; }),
                             "lane_waiting_times at the previous decision (or reset).")
      .def_property_readonly("prev_lane_departures", array_property([](const RewardView& v) { return v.prev_lane_departures; }),
                             "lane_departures at the previous decision (or reset).");

  m.def(
      "_register_reward",
      [](const std::string& name, const py::function& fn) {
        auto holder = std::make_shared<PyCallable>();
        holder->fn = fn;
        RewardRegistry::global().register_reward(name, [name, holder](const RewardView& v) -> double {
          py::gil_scoped_acquire gil;
          py::object view = py::cast(PyRewardView{&v});
          auto expire = [&view] { view.cast<PyRewardView&>().view = nullptr; };
          try {
            const py::object result = holder->fn(view);
            const double value = PyFloat_AsDouble(result.ptr());
            if (value == -1.0 && PyErr_Occurred()) throw py::error_already_set();
            expire();
            return value;
          } catch (py::error_already_set& e) {
            expire();
            throw RewardCallbackError(name, v.network.intersection_ids[v.agent.intersection], v.backend.time(), std::move(e));
          }
        });
      },
      py::arg("name"), py::arg("fn"));
  m.def("reward_names", [] { return RewardRegistry::global().names(); }, "Every registered reward name, sorted.");
}

}  // namespace greenwave::python
