"""greenwave.sweep: a (scenario x agent x seed x reward) grid on a 2-worker dask LocalCluster,
including a worker that dies in the middle of a task."""

import csv
import json
import os
import pathlib

import pytest

from conftest import ROOT

import greenwave
from greenwave import sweep

SCENARIO = str(ROOT / "scenarios" / "demo_grid_2x2.pbtxt")
CONFIG = {"horizon": 120}  # a couple of seconds per task
METRIC_KEYS = ["served_vehicles", "delay_index", "average_travel_time", "average_travel_time_finished",
               "throughput", "vehicles_scheduled", "horizon_s"]


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes with one thread each, dashboard on a free port; shared by this module's tests."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as c:
        with distributed.Client(c) as client:
            yield client


def test_grid_is_scenario_major():
    grid = sweep.tasks(["a", "b"], ["fixed", "dqn"], [0, 1], [None, "queue"])
    assert len(grid) == 16
    assert grid[0] == {"task": 0, "scenario": "a", "agent": "fixed", "seed": 0, "reward": None}
    assert grid[5] == {"task": 5, "scenario": "a", "agent": "dqn", "seed": 0, "reward": "queue"}
    assert [t["scenario"] for t in grid] == ["a"] * 8 + ["b"] * 8
    assert [t["task"] for t in grid] == list(range(16))


def test_table_formats(tmp_path):
    rows = [{"task": 0, "agent": "fixed", "delay_index": 1.5}, {"task": 1, "agent": "sotl", "delay_index": 1.25,
                                                               "extra": "x"}]
    sweep.write_table(rows, tmp_path / "t.json")
    assert json.loads((tmp_path / "t.json").read_text()) == rows
    sweep.write_table(rows, tmp_path / "t.csv")
    with (tmp_path / "t.csv").open() as f:
        read = list(csv.DictReader(f))
    assert [r["agent"] for r in read] == ["fixed", "sotl"] and read[1]["extra"] == "x" and read[0]["extra"] == ""
    with pytest.raises(greenwave.ConfigError, match=r"out: .*t\.txt: expected a \.json or \.csv"):
        sweep.write_table(rows, tmp_path / "t.txt")


def test_bad_agent_fails_before_any_work():
    with pytest.raises(greenwave.ConfigError, match="agents: 'greedy' is neither"):
        sweep.run(SCENARIO, agents=["greedy"], client="tcp://127.0.0.1:1")  # no connection attempted


@pytest.mark.dask
def test_sweep_rows_match_direct_evaluation(cluster, tmp_path):
    out = tmp_path / "rows.csv"
    rows = sweep.run(SCENARIO, agents=["fixed", "maxpressure"], seeds=[0, 1], client=cluster, out=out, config=CONFIG)
    assert [(r["task"], r["agent"], r["seed"]) for r in rows] == [
        (0, "fixed", 0), (1, "fixed", 1), (2, "maxpressure", 0), (3, "maxpressure", 1)]
    for r in rows:
        assert list(r)[:5] == list(sweep.PARAM_KEYS) and all(k in r for k in METRIC_KEYS)
        assert r["horizon_s"] == 120
    direct = greenwave.evaluate(greenwave.load_scenario(SCENARIO, horizon=120), agent="maxpressure", seed=1)
    assert {k: rows[3][k] for k in METRIC_KEYS} == {k: direct[k] for k in METRIC_KEYS}
    with out.open() as f:
        table = list(csv.DictReader(f))
    assert [t["agent"] for t in table] == ["fixed", "fixed", "maxpressure", "maxpressure"]
    assert float(table[2]["delay_index"]) == pytest.approx(rows[2]["delay_index"])


@pytest.mark.dask
def test_sweep_by_scheduler_address_with_rewards(cluster, tmp_path):
    address = cluster.scheduler.address
    rows = sweep.run([SCENARIO], agents=["random"], seeds=[3], rewards=["queue", "pressure"], client=address,
                     out=tmp_path / "rows.json", config=CONFIG)
    assert [r["reward"] for r in rows] == ["queue", "pressure"]
    assert json.loads((tmp_path / "rows.json").read_text()) == rows
    assert rows[0]["return"] != rows[1]["return"]  # the reward reached the env
    assert rows[0]["served_vehicles"] == rows[1]["served_vehicles"]  # same seed, same random actions


def kill_worker_once(task):
    """Hook run on the worker before each task: the first run of task 1 kills its worker process."""
    marks = pathlib.Path(os.environ["GREENWAVE_SWEEP_TEST_DIR"])
    if task["task"] != 1:
        return
    with (marks / "runs").open("a") as f:
        f.write(f"{os.getpid()}\n")
    if not (marks / "killed").exists():
        (marks / "killed").write_text("")
        os._exit(1)


@pytest.mark.dask
def test_sweep_survives_a_worker_dying(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    # The worker processes inherit this environment when the cluster starts.
    monkeypatch.setenv("GREENWAVE_SWEEP_TEST_DIR", str(tmp_path))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as c:
        with distributed.Client(c) as client:
            rows = sweep.run(SCENARIO, agents=["fixed"], seeds=[0, 1, 2], client=client, config=CONFIG,
                             hook=kill_worker_once)
    assert [r["seed"] for r in rows] == [0, 1, 2]
    assert all(r["served_vehicles"] > 0 for r in rows)
    pids = (tmp_path / "runs").read_text().split()
    assert len(pids) == 2 and pids[0] != pids[1]  # task 1 ran twice, the second time in a live worker


@pytest.mark.dask
def test_sweep_dqn_task(cluster, tmp_path):
    rows = sweep.run(SCENARIO, agents=["dqn"], seeds=[0], client=cluster, train_episodes=1,
                     checkpoint_dir=tmp_path / "ckpt", config=dict(CONFIG, eval_every=1, batch_size=8))
    assert rows[0]["agent"] == "dqn" and rows[0]["horizon_s"] == 120
    assert pathlib.Path(rows[0]["last_checkpoint"]).is_file()
    assert pathlib.Path(rows[0]["last_checkpoint"]).is_relative_to(tmp_path / "ckpt" / "task_00000")


@pytest.mark.dask
def test_task_error_arrives_with_its_type(cluster, tmp_path):
    with pytest.raises(greenwave.ScenarioError, match="missing.pbtxt"):
        sweep.run(str(tmp_path / "missing.pbtxt"), agents=["fixed"], client=cluster)


@pytest.mark.dask
def test_module_entry_point(cluster, tmp_path, capsys):
    out = tmp_path / "rows.csv"
    assert sweep.main([SCENARIO, "--agents", "fixed,sotl", "--seeds", "4", "--horizon", "120",
                       "--scheduler", cluster.scheduler.address, "--out", str(out)]) == 0
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["agent"], r["seed"], r["horizon_s"]) for r in printed] == [("fixed", 4, 120), ("sotl", 4, 120)]
    assert len(out.read_text().splitlines()) == 3
