"""Compile-time control-loop settings from Python (docs/simulator.md): the conflict rule
(load_scenario/make(conflicts=...) on Hangzhou gives CityFlow's figures under its rule and
greenwave's documented ones under the default) and the four-phase set (phases="four")."""

import json
import math
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


def _paired_cityflow_phases(roadnet):
    """Per signalized intersection, the indices of CityFlow's lightphases that are paired: their
    non-right roadLinks all go straight or all turn left, from two roads arriving from opposite
    directions (worked out from the roadnet JSON itself, not from greenwave's import)."""
    roads = {r["id"]: r for r in roadnet["roads"]}

    def arrival(road_id):
        points = roads[road_id]["points"]
        dx, dy = points[-1]["x"] - points[-2]["x"], points[-1]["y"] - points[-2]["y"]
        n = math.hypot(dx, dy)
        return dx / n, dy / n

    paired = {}
    for node in roadnet["intersections"]:
        if node["virtual"]:
            continue
        links = node["roadLinks"]
        chosen = []
        for index, phase in enumerate(node["trafficLight"]["lightphases"]):
            used = [links[k] for k in phase["availableRoadLinks"] if links[k]["type"] != "turn_right"]
            kinds = {link["type"] for link in used}
            starts = sorted({link["startRoad"] for link in used})
            if len(kinds) == 1 and kinds <= {"go_straight", "turn_left"} and len(starts) == 2:
                (ax, ay), (bx, by) = arrival(starts[0]), arrival(starts[1])
                if ax * bx + ay * by < math.cos(math.radians(135)):
                    chosen.append(str(index))
        paired[node["id"]] = chosen
    return paired


@needs_hangzhou
def test_four_phases_are_cityflows_paired_lightphases_and_drive_the_controllers():
    config = json.loads(HANGZHOU.read_text())
    roadnet = json.loads((HANGZHOU.parent / config["roadnetFile"]).read_text())
    expected = _paired_cityflow_phases(roadnet)
    four = gw.load_scenario(HANGZHOU, phases="four")
    assert four.phase_counts == [4] * 16
    # Greens keep CityFlow's lightphase indices as names (phase 0 is its clearance).
    assert dict(zip(four.signalized_intersections, four.phase_names)) == expected
    assert all(names == ["1", "2", "3", "4"] for names in expected.values())
    full = gw.load_scenario(HANGZHOU)
    assert full.phase_counts == [8] * 16
    env = gw.make(HANGZHOU, phases="four")
    assert set(env.action_counts) == {4}
    # MaxPressure choosing among 4 phases instead of 8 is a different policy: different figures.
    assert gw.evaluate(four, agent="maxpressure")["average_travel_time"] != pytest.approx(
        gw.evaluate(full, agent="maxpressure")["average_travel_time"], rel=1e-3)
    with pytest.raises(gw.ConfigError, match="phases: expected all or four, got 'five'"):
        gw.load_scenario(HANGZHOU, phases="five")
    with pytest.raises(gw.ConfigError, match="phases.*load_scenario"):
        gw.make(full, phases="four")
