"""Scenarios and the bare simulator: load, convert, generate, step, read lane arrays.

``Scenario`` is an immutable compiled scenario shared by any number of simulations;
``Simulator`` steps one of them (see docs/python.md).
"""

from __future__ import annotations

from ._greenwave import Scenario, Simulator, convert, generate_arterial, generate_grid
from ._greenwave import load_scenario as _load_scenario

__all__ = ["Scenario", "Simulator", "load_scenario", "convert", "generate_grid", "generate_arterial",
           "as_scenario"]


def load_scenario(path, flow=None, horizon=None, conflicts=None, phases=None, vehicle_model=None) -> Scenario:
    """Reads and compiles a scenario in any supported format (native .pbtxt/.pb, CityFlow
    config.json or roadnet.json + ``flow``, CBEngine .cfg or roadnet.txt + ``flow``);
    ``horizon`` (seconds), ``conflicts`` (``"greenwave"`` or ``"cityflow"``) and ``vehicle_model``
    (``"cityflow"`` or ``"idm"``; docs/simulator.md) override the scenario's; ``phases="four"``
    keeps each intersection's four paired phases (``"all"``, the default, every green). Raises
    ScenarioError naming the file."""
    return _load_scenario(path, flow, horizon, conflicts, phases, vehicle_model)


def as_scenario(scenario_or_path, **settings) -> Scenario:
    """A Scenario from a Scenario or a path, with run settings (horizon, action_interval,
    yellow, min_green, metric_period, demand_jitter, seed; and conflicts, phases, vehicle_model for a path) replaced where given and
    not None."""
    if isinstance(scenario_or_path, Scenario):
        return scenario_or_path.with_settings(**settings)
    # Loaded with the horizon: flows are expanded into departures only up to it.
    scenario = load_scenario(scenario_or_path, horizon=settings.pop("horizon", None),
                             conflicts=settings.pop("conflicts", None), phases=settings.pop("phases", None),
                             vehicle_model=settings.pop("vehicle_model", None))
    return scenario.with_settings(**settings)
