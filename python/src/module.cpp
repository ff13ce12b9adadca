// The _greenwave extension module: thin bindings over the C++ engine (see docs/python.md).
#include <pybind11/pybind11.h>

#include "greenwave/core/error.hpp"
#include "greenwave/core/version.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_greenwave, m) {
  m.doc() = "greenwave C++ engine bindings";
  m.attr("__version__") = greenwave::version();

  static py::exception<greenwave::ScenarioError> scenario_error(m, "ScenarioError", PyExc_ValueError);
  static py::exception<greenwave::ConfigError> config_error(m, "ConfigError", PyExc_ValueError);
  static py::exception<greenwave::ActionError> action_error(m, "ActionError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const greenwave::ScenarioError& e) {
      PyErr_SetString(scenario_error.ptr(), e.what());
    } catch (const greenwave::ConfigError& e) {
      PyErr_SetString(config_error.ptr(), e.what());
    } catch (const greenwave::ActionError& e) {
      PyErr_SetString(action_error.ptr(), e.what());
    }
  });
}
