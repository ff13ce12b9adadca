"""One implementation per baseline: `greenwave run --controller C` and `greenwave eval --agent C`
give the same episode (same metrics), on a scenario without plans (REFERENCE.md §3's FixedTime)
and on CityFlow's example, whose own fixed-time plan `fixed` follows."""

import json
import subprocess

import pytest

from conftest import BUILD, ROOT

CLI = BUILD / "tools" / "greenwave"
DEMO = ROOT / "scenarios" / "demo_grid_2x2.pbtxt"
EXAMPLE = (ROOT / ".." / "shared" / "data" / "cityflow" / "example" / "config.json").resolve()
KEYS = ("served_vehicles", "throughput", "vehicles_scheduled", "average_travel_time",
        "average_travel_time_finished", "delay_index")


def cli_json(*args):
    r = subprocess.run([str(CLI), *map(str, args), "--json"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.mark.parametrize("controller", ["fixed", "maxpressure", "sotl", "sotl-libsignal"])
@pytest.mark.parametrize("scenario", [DEMO, EXAMPLE], ids=["demo_grid", "cityflow_example"])
def test_run_and_eval_give_the_same_episode(controller, scenario):
    common = [scenario, "--horizon", 900, "--seed", 3]
    run = cli_json("run", *common, "--controller", controller)
    ev = cli_json("eval", *common, "--agent", controller)
    assert run["throughput"] > 0
    for key in KEYS:
        assert ev[key] == pytest.approx(run[key], rel=1e-12, abs=1e-12), key
