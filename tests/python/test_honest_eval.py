"""Honest agent evaluation (docs/agents.md, "Honest evaluation"): demand jitter makes seeds give
different episodes; `train --validate` picks best.pt on validation scenarios among the last and
WSM-merged networks and reports that candidate; `eval` runs several scenarios and agents and
prints mean and spread. Expected values come from separate runs and the selection rule applied
here, never from the figures under test."""

import json
import pickle
import statistics
import subprocess

import pytest

from conftest import BUILD, ROOT

CLI = BUILD / "tools" / "greenwave"
DEMO = ROOT / "scenarios" / "demo_grid_2x2.pbtxt"
SHORT = ["--horizon", 300]


def cli(*args, json_out=True):
    r = subprocess.run([str(CLI), *map(str, args), *(["--json"] if json_out else [])], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr
    return (json.loads(r.stdout) if json_out else r.stdout), r.stderr


def run_att(seed, jitter):
    out, _ = cli("run", DEMO, *SHORT, "--controller", "maxpressure", "--seed", seed, "--demand-jitter", jitter)
    return out


def test_demand_jitter_same_seed_same_episode_other_seed_other_episode():
    a, b, c = run_att(1, 60), run_att(1, 60), run_att(2, 60)
    assert a == b
    assert a["average_travel_time"] != c["average_travel_time"]
    # The shift keeps every vehicle of the horizon in it.
    assert a["vehicles_scheduled"] == c["vehicles_scheduled"] == run_att(1, 0)["vehicles_scheduled"]


def test_demand_jitter_rejects_negative_seconds():
    r = subprocess.run([str(CLI), "run", str(DEMO), "--demand-jitter", "-5"], capture_output=True, text=True)
    assert r.returncode != 0 and "--demand-jitter" in r.stderr


def test_python_make_demand_jitter_and_pickle():
    gw = pytest.importorskip("greenwave")
    scenario = gw.load_scenario(DEMO, horizon=300)
    jittered = scenario.with_settings(demand_jitter=45)
    assert jittered.demand_jitter == 45 and scenario.demand_jitter == 0
    assert pickle.loads(pickle.dumps(jittered)).demand_jitter == 45

    def departed_by(seed, at=120):
        sim = gw.Simulator(jittered)
        sim.reset(seed=seed)
        sim.step(at)
        return sim.metrics()["departed"]

    assert departed_by(4) == departed_by(4)
    assert len({departed_by(s) for s in range(5)}) > 1
    env = gw.make(DEMO, horizon=300, demand_jitter=45)
    assert env.scenario.demand_jitter == 45


def test_eval_several_scenarios_and_agents_mean_and_spread(tmp_path):
    # Two agents on one scenario, two episodes each (seeds 5, 6), with jitter: four episodes whose
    # figures are those of `greenwave run` with each controller and seed.
    common = [*SHORT, "--demand-jitter", 60]
    singles = [cli("run", DEMO, *common, "--controller", c, "--seed", s)[0]
               for c in ("fixed", "maxpressure") for s in (5, 6)]
    out, _ = cli("eval", DEMO, *common, "--agent", "fixed", "--agent", "maxpressure", "--episodes", 2, "--seed", 5)
    att = [r["average_travel_time"] for r in singles]
    assert out["episodes"] == 4
    assert out["average_travel_time"] == pytest.approx(statistics.mean(att), rel=1e-12)
    assert out["std"]["average_travel_time"] == pytest.approx(statistics.stdev(att), rel=1e-9)
    assert out["min"]["average_travel_time"] == pytest.approx(min(att), rel=1e-12)
    assert out["max"]["average_travel_time"] == pytest.approx(max(att), rel=1e-12)
    assert [(r["agent"], r["average_travel_time"]) for r in out["runs"]] == [
        ("fixed", pytest.approx(statistics.mean(att[:2]), rel=1e-12)),
        ("maxpressure", pytest.approx(statistics.mean(att[2:]), rel=1e-12))]
    # Two scenario files: the mean is over both (each the same file here, so the same figures).
    twice, _ = cli("eval", DEMO, DEMO, *common, "--agent", "maxpressure", "--episodes", 2, "--seed", 5)
    assert twice["episodes"] == 4
    assert twice["average_travel_time"] == pytest.approx(statistics.mean(att[2:]), rel=1e-12)
    assert [r["scenario"] for r in twice["runs"]] == [str(DEMO), str(DEMO)]
    text, _ = cli("eval", DEMO, *common, "--agent", "fixed", "--agent", "maxpressure", "--episodes", 2, "--seed", 5,
                  json_out=False)
    assert "spread over 4 episodes" in text


def best_from_metrics(run_dir):
    """The best validation ATT among every evaluation of metrics.jsonl (last and merged), and which."""
    best = None
    for line in (run_dir / "metrics.jsonl").read_text().splitlines():
        row = json.loads(line)
        for key, candidate in (("eval", "last"), ("eval_merged", "merged")):
            if key in row and (best is None or row[key]["average_travel_time"] < best[0]):
                best = (row[key]["average_travel_time"], candidate, row["episode"])
    return best


def test_train_selects_best_on_validation_scenarios(tmp_path):
    out_dir = tmp_path / "run"
    config = tmp_path / "dqn.json"  # updates from the 10th decision, so WSM has checkpoints to merge
    config.write_text(json.dumps({"learning_starts": 10, "batch_size": 16}))
    out, err = cli("train", DEMO, *SHORT, "--episodes", 4, "--eval-every", 1, "--device", "cpu", "--out", out_dir,
                   "--config", config,
                   "--validate", DEMO, "--validate-jitter", 60, "--schedule", "wsm", "--wsm-warmup", 0,
                   "--wsm-every", 5, "--wsm-count", 3, "--no-progress")
    assert "no --validate" not in err
    assert out["validation"] == {"scenarios": [str(DEMO)], "demand_jitter": 60, "training_scenario": False,
                                 "episodes": 1}
    att, candidate, episode = best_from_metrics(out_dir)
    assert out["average_travel_time"] == pytest.approx(att, rel=1e-12)
    assert out["best"]["candidate"] == candidate and out["best"]["episode"] == episode
    assert "merged" in out and "last" in out
    assert (out_dir / "best.pt").exists()


def test_train_without_validate_warns_and_says_so(tmp_path):
    out, err = cli("train", DEMO, *SHORT, "--episodes", 1, "--device", "cpu", "--out", tmp_path / "run", "--no-progress")
    assert "no --validate scenario" in err
    assert out["validation"]["training_scenario"] is True
    assert out["best"]["candidate"] == "last"
