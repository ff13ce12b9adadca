"""make(..., backend="sumo"): an episode of SUMO itself through the Python env (docs/sumo.md)."""

import gc
import os
import pathlib

import numpy as np
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
    with pytest.raises(gw.ConfigError, match="SUMO scenario file"):
        gw.VectorEnv(str(pathlib.Path(__file__).resolve().parents[2] / "scenarios" / "demo_grid_2x2.pbtxt"), 2,
                     backend="sumo")


@needs_ingolstadt
@needs_sumo
def test_a_vector_env_runs_each_sumo_env_in_a_worker_process_as_the_in_process_env_runs_it():
    # The same actions (phase k // 6 % 3 at decision k, decisions every 2 s, so the 3 s clearance
    # of each switch is seen) on the in-process env with seeds 5 and 6, then on a 2-env VectorEnv
    # seeded 5 (env i: 5 + i), whose envs are SUMO in two worker processes: the same metrics and
    # clearance flags at every decision.
    def actions(k):
        return (k // 6) % 3

    config = dict(backend="sumo", horizon=120, action_interval=2)
    expected = []
    for seed in (5, 6):
        env = gw.make(str(INGOLSTADT), **config)
        env.reset(seed=seed)
        rows = []
        for k in range(60):
            env.step({a: actions(k) for a in env.agents})
            rows.append((env.metrics(), env._core.in_clearance.copy()))
        expected.append(rows)
        del env
        gc.collect()  # the worker processes fork from here: no SUMO env may live in this process
    venv = gw.VectorEnv(str(INGOLSTADT), 2, **config)
    assert venv.num_envs == 2
    obs, _ = venv.reset(seed=5)
    assert obs.shape == (2, 1, venv.single_observation_space.shape[-1])
    names = venv.metric_names
    clearances = 0
    for k in range(60):
        obs, rewards, term, trunc, infos = venv.step(np.full((2, 1), actions(k), dtype=np.int32))
        for i in range(2):
            metrics, clearance = expected[i][k]
            got = dict(zip(names, infos["metrics"][i]))
            for name in ("vehicles_scheduled", "served_vehicles", "throughput", "average_travel_time", "time"):
                assert got[name] == pytest.approx(metrics[name]), (i, k, name)
            assert (infos["in_clearance"][i] == clearance).all(), (i, k)
            clearances += int(clearance.sum())
    assert clearances > 0  # switches were seen in clearance, and the workers reported it
    assert bool(trunc.all())  # 60 decisions of 2 s reach the 120 s horizon
    assert expected[0][-1][0]["vehicles_scheduled"] == 73  # passenger trips before 120 s (.rou.xml, xml.etree)
    with pytest.raises(gw.ConfigError, match="no native simulator"):
        venv.simulator(0)
