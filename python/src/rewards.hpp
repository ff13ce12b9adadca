// The C++ exception that carries a Python reward's exception across TBB threads.
#pragma once

#include <stdexcept>
#include <string>

#include "bindings.hpp"

namespace greenwave::python {

/// A Python reward function raised: names the reward, agent and time, keeps the original.
class RewardCallbackError : public std::runtime_error {
 public:
  /// Wraps `error` (fetched while holding the GIL) raised by reward `reward`.
  RewardCallbackError(const std::string& reward, const std::string& agent, double time, py::error_already_set error);
  /// Sets a Python exception of `type` with this message, chained from the original (GIL held).
  void raise(PyObject* type) const;

 private:
  py::error_already_set error_;
};

}  // namespace greenwave::python
