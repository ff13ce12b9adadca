// The _greenwave extension module: thin bindings over the C++ engine (see docs/python.md).
#include <pybind11/pybind11.h>

#include "bindings.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/core/version.hpp"
#include "rewards.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_greenwave, m) {
  m.doc() = "greenwave C++ engine bindings";
  m.attr("__version__") = greenwave::version();

  static py::exception<greenwave::ScenarioError> scenario_error(m, "ScenarioError", PyExc_ValueError);
  static py::exception<greenwave::ConfigError> config_error(m, "ConfigError", PyExc_ValueError);
  static py::exception<greenwave::ActionError> action_error(m, "ActionError", PyExc_ValueError);
  static py::exception<greenwave::python::RewardCallbackError> reward_error(m, "RewardError", PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const greenwave::ScenarioError& e) {
      PyErr_SetString(scenario_error.ptr(), e.what());
    } catch (const greenwave::ConfigError& e) {
      PyErr_SetString(config_error.ptr(), e.what());
    } catch (const greenwave::ActionError& e) {
      PyErr_SetString(action_error.ptr(), e.what());
    } catch (const greenwave::IoError& e) {
      // OSError(errno, message) picks the matching subclass (FileNotFoundError, PermissionError...).
      py::object error = py::reinterpret_steal<py::object>(PyObject_CallFunction(PyExc_OSError, "is", e.error_number(), e.what()));
      if (!error) return;  // the call's own exception is set
      error.attr("filename") = e.path();
      PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(error.ptr())), error.ptr());
    } catch (const greenwave::python::RewardCallbackError& e) {
      e.raise(reward_error.ptr());
    }
  });

  greenwave::python::bind_scenario(m);
  greenwave::python::bind_simulator(m);
  greenwave::python::bind_envs(m);
  greenwave::python::bind_rewards(m);
  greenwave::python::bind_nas(m);
  greenwave::python::bind_catalog_envs(m);
#ifdef GREENWAVE_PYTHON_WITH_AGENTS
  greenwave::python::bind_training(m);
#else
  m.attr("HAS_AGENTS") = false;
#endif
}
