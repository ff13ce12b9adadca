"""train and evaluate from Python: the C++ trainer's files, baselines, checkpoints, Python rewards."""

import json

import pytest

import greenwave as gw

pytestmark = pytest.mark.skipif(not gw._greenwave.HAS_AGENTS, reason="built without agents/ (no LibTorch)")

KEYS = ["served_vehicles", "delay_index", "average_travel_time", "average_travel_time_finished", "throughput",
        "vehicles_scheduled", "horizon_s"]


@pytest.fixture(scope="module")
def grid():
    return gw.generate_grid(1, 1, rate=600, horizon=120, seed=2, demand="random")


def test_evaluate_baselines_return_the_cli_metrics(grid):
    for agent in ("fixed", "maxpressure", "sotl", "random"):
        m = gw.evaluate(grid, agent, episodes=2, seed=1)
        assert list(m)[:7] == KEYS and m["horizon_s"] == 120.0 and m["vehicles_scheduled"] == grid.vehicles_scheduled
    with pytest.raises(gw.ConfigError, match="neither a checkpoint"):
        gw.evaluate(grid, "no_such_agent.pt")


def test_train_writes_the_cli_files_and_uses_a_python_reward(grid, tmp_path):
    calls = []

    def served(view):
        calls.append(view.time)
        return float(view.lane_departures[view.incoming_lanes].sum() - view.prev_lane_departures[view.incoming_lanes].sum())

    gw.register_reward("test_training_served", served)
    out = tmp_path / "run"
    m = gw.train(grid, out, episodes=2, reward="test_training_served", seed=3, eval_every=1,
                 hidden_sizes=[16], learning_starts=4, batch_size=8, action_interval=20)
    assert list(m)[:7] == KEYS and m["horizon_s"] == 120.0
    assert {"best.pt", "config.json", "last.pt", "metrics.jsonl"} <= {p.name for p in out.iterdir()}
    lines = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert len(lines) == 2 and all(set(KEYS) <= set(line) for line in lines)
    config = json.loads((out / "config.json").read_text())
    assert "test_training_served" in json.dumps(config)
    assert len(calls) >= 2 * 6  # two training episodes of 6 decisions, plus evaluations
    again = gw.evaluate(grid, str(out / "best.pt"), action_interval=20)
    assert list(again)[:7] == KEYS
    with pytest.raises(gw.ConfigError, match="no_such_field"):
        gw.train(grid, tmp_path / "bad", episodes=1, no_such_field=1)
