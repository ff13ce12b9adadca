"""make(..., backend="sumo"): an episode of SUMO itself through the Python env (docs/sumo.md)."""

import os
import pathlib

import pytest

import greenwave as gw

DATA = pathlib.Path(os.environ.get("GREENWAVE_DATA_DIR", pathlib.Path(__file__).resolve().parents[3] / "shared" / "data"))
INGOLSTADT = DATA / "sumo" / "ingolstadt1" / "ingolstadt1.sumocfg"
needs_ingolstadt = pytest.mark.skipif(not INGOLSTADT.is_file(), reason=f"shared data not found at {DATA}")


needs_sumo = pytest.mark.skipif(not gw._greenwave._with_sumo, reason="greenwave built without GREENWAVE_WITH_SUMO")


@needs_ingolstadt
@needs_sumo
def test_an_episode_on_sumo_counts_the_files_trips():
    env = gw.make(str(INGOLSTADT), backend="sumo", horizon=600)
    env.reset(seed=1)
    steps = 0
    while env.agents:
        _, _, term, trunc, _ = env.step({a: 0 for a in env.agents})
        steps += 1
        if all(term.values()) or all(trunc.values()):
            break
    m = env.metrics()
    # 238 passenger trips depart before 600 s (counted from the .rou.xml with xml.etree).
    assert m["vehicles_scheduled"] == 238
    assert m["time"] == 600.0
    assert steps == 60  # 600 s at the default 10 s action interval
    assert m["departed"] == m["waiting_to_enter"] + m["running"] + m["throughput"]
    # libsumo holds one simulation per process: a second env is refused while this one lives.
    with pytest.raises(gw.ConfigError, match="one simulation per process"):
        gw.make(str(INGOLSTADT), backend="sumo")


def test_sumo_backend_refuses_what_it_cannot_run():
    with pytest.raises(gw.ConfigError, match="SUMO scenario file"):
        gw.make(str(pathlib.Path(__file__).resolve().parents[2] / "scenarios" / "demo_grid_2x2.pbtxt"), backend="sumo")
    with pytest.raises(gw.ConfigError, match="expected 'native' or 'sumo'"):
        gw.make(str(INGOLSTADT), backend="cityflow")
    with pytest.raises(gw.ConfigError, match="VectorEnv runs the native engine only"):
        gw.VectorEnv(str(INGOLSTADT), 2, backend="sumo")
