"""The conflict rule from Python: load_scenario/make(conflicts=...) on Hangzhou gives CityFlow's
figures under its rule and greenwave's documented ones under the default (docs/simulator.md)."""

import os
import pathlib

import pytest

import greenwave as gw

DATA = pathlib.Path(os.environ.get("GREENWAVE_DATA_DIR", pathlib.Path(__file__).resolve().parents[3] / "shared" / "data"))
HANGZHOU = DATA / "cityflow" / "hangzhou_4x4" / "config.json"
needs_hangzhou = pytest.mark.skipif(not HANGZHOU.is_file(), reason=f"shared data not found at {DATA} (set GREENWAVE_DATA_DIR)")


@needs_hangzhou
@pytest.mark.parametrize("rule, agent, att, throughput", [
    # CityFlow's own figures (commit 81ee0f4 on this machine, REFERENCE.md §3 loop).
    ("cityflow", "fixed", 575.6, 2422),
    ("cityflow", "maxpressure", 365.1, 2707),
    # greenwave's default rule, as docs/simulator.md documents it.
    ("greenwave", "fixed", 531.6, 2489),
    ("greenwave", "maxpressure", 363.1, 2700),
])
def test_hangzhou_figures_per_conflict_rule_within_one_percent(rule, agent, att, throughput):
    scenario = gw.load_scenario(HANGZHOU, conflicts=rule)
    assert scenario.conflicts == rule
    result = gw.evaluate(scenario, agent=agent)
    assert result["average_travel_time"] == pytest.approx(att, rel=0.01)
    assert result["throughput"] == pytest.approx(throughput, rel=0.01)


@needs_hangzhou
def test_make_takes_the_rule_for_a_path_and_refuses_it_for_a_compiled_scenario():
    assert gw.make(HANGZHOU, conflicts="cityflow").scenario.conflicts == "cityflow"
    assert gw.load_scenario(HANGZHOU).conflicts == "greenwave"
    with pytest.raises(gw.ConfigError, match="conflicts.*load_scenario"):
        gw.make(gw.load_scenario(HANGZHOU), conflicts="cityflow")
    with pytest.raises(gw.ConfigError, match="conflicts.*'sumo'"):
        gw.load_scenario(HANGZHOU, conflicts="sumo")
