// Shared pieces of the _greenwave extension module: the scenario handle every binding accepts,
// read-only NumPy views, and the registration functions of each binding file.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "greenwave/networks/road_network.hpp"

namespace greenwave::python {

namespace py = pybind11;

/// A compiled scenario as Python sees it (`greenwave.Scenario`): shared, immutable.
struct ScenarioHandle {
  std::shared_ptr<const CompiledScenario> scenario;  ///< never null
  /// The native binary encoding it was compiled from (what pickling sends); null for the
  /// scenario a Simulator reports, which keeps only the compiled form.
  std::shared_ptr<const std::string> native;
};

/// The compiled scenario behind a Scenario handle or a path (str / os.PathLike, loaded now).
std::shared_ptr<const CompiledScenario> scenario_from(const py::handle& scenario_or_path);

/// A read-only NumPy array over `data` with `shape` (C order) that keeps `owner` alive.
template <class T>
py::array_t<T> readonly_view(const T* data, std::vector<py::ssize_t> shape, const py::handle& owner) {
  py::array_t<T> out(std::move(shape), data, owner);
  out.attr("setflags")(py::arg("write") = false);
  return out;
}

/// A C-ordered NumPy array of `shape` that C++ writes into and Python reads (read-only there).
template <class T>
py::array_t<T> owned_buffer(std::vector<py::ssize_t> shape) {
  py::array_t<T> out(std::move(shape));
  std::fill(out.mutable_data(), out.mutable_data() + out.size(), T{});
  out.attr("setflags")(py::arg("write") = false);
  return out;
}

/// Registers greenwave.Scenario, load_scenario, convert and the generators.
void bind_scenario(py::module_& m);
/// greenwave.nas: predictors and search (python/src/nas.cpp).
void bind_nas(py::module_& m);
/// Registers greenwave.Simulator.
void bind_simulator(py::module_& m);
/// Registers the C++ cores of TrafficEnv and VectorEnv.
void bind_envs(py::module_& m);
/// Registers register_reward, the RewardView passed to Python rewards and RewardError.
void bind_rewards(py::module_& m);
/// Registers env_names, env_options and the core of greenwave.CatalogEnv.
void bind_catalog_envs(py::module_& m);
/// Registers train and evaluate (only in builds with agents/).
void bind_training(py::module_& m);

}  // namespace greenwave::python
