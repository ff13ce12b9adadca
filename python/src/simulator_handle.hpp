// The Simulator as Python holds it: shared, so an env can lend its simulator to Python.
#pragma once

#include <memory>

#include "bindings.hpp"
#include "greenwave/sim/simulator.hpp"

namespace greenwave::python {

/// greenwave.Simulator: a shared native simulator, its scenario and its thread count.
struct SimulatorHandle {
  std::shared_ptr<const CompiledScenario> scenario;  ///< what `sim` runs
  std::shared_ptr<Simulator> sim;                    ///< never null
  int threads = 1;                                   ///< the simulator's worker threads
  /// Intersection index from an int index or a str id; ConfigError when unknown.
  IntersectionId intersection(const py::handle& id) const;
};

/// Builds a simulator of `scenario` with `threads` (ConfigError outside 1..1024).
SimulatorHandle make_simulator(std::shared_ptr<const CompiledScenario> scenario, int threads);

/// The metrics as a dict: traffic_metric_names() keys, counts as int.
py::dict metrics_dict(const Metrics& m);

}  // namespace greenwave::python
