"""Trajectory files written by greenwave read back with plain h5py (no greenwave import)."""

import json
import subprocess

import h5py
import numpy as np
import pytest

from conftest import BUILD

WRITER = BUILD / "tests" / "env_trajectory_writer"
CLI = BUILD / "tools" / "greenwave"


@pytest.fixture()
def trajectory(tmp_path):
    assert WRITER.exists(), f"build the env_trajectory_writer target first ({WRITER} is missing)"
    path = tmp_path / "run.h5"
    subprocess.run([str(WRITER), str(path), "3"], check=True)
    return path


def test_h5py_reads_the_documented_schema(trajectory):
    with h5py.File(trajectory, "r") as f:
        assert f.attrs["schema_version"] == 1
        assert f.attrs["scenario_hash"] == "0123456789abcdef"
        assert f.attrs["reward_spec"] == "pressure:1,queue:0.25"
        assert json.loads(f.attrs["env_config"])["reward"] == "pressure:1,queue:0.25"
        assert int(f.attrs["seed"]) == 42
        assert list(f.attrs["agent_ids"]) == ["C", "X"]
        assert sorted(k for k in f.keys()) == ["episode_000000", "episode_000001", "episode_000002"]
        ep = f["episode_000001"]
        assert int(ep.attrs["seed"]) == 1 and int(ep.attrs["steps"]) == 10
        assert ep["observations"].shape == (11, 2, 105) and ep["observations"].dtype == np.float32
        assert ep["actions"].shape == (10, 2) and ep["actions"].dtype == np.int32
        assert ep["rewards"].shape == (10, 2) and ep["ignored"].shape == (10, 2)
        assert ep["terminated"].shape == (10,) and ep["truncated"][:].tolist() == [0] * 9 + [1]
        names = list(ep["metrics"].attrs["metric_names"])
        assert names[:7] == ["served_vehicles", "delay_index", "average_travel_time",
                             "average_travel_time_finished", "throughput", "vehicles_scheduled", "horizon_s"]
        assert ep["metrics"].shape == (10, len(names))
        assert ep["metrics"][:, names.index("time")].tolist() == [10.0 * (k + 1) for k in range(10)]
        assert ep["actions"][:3].tolist() == [[0, 0], [1, 1], [2, 0]]
        assert ep["observations"].compression == "gzip" and ep["observations"].chunks is not None
        assert np.isfinite(ep["rewards"][:]).all()


def test_cli_inspect_json(trajectory):
    assert CLI.exists(), f"build the greenwave target first ({CLI} is missing)"
    out = subprocess.run([str(CLI), "inspect", str(trajectory), "--json"], check=True,
                         capture_output=True, text=True).stdout
    summary = json.loads(out)
    assert summary["episodes"] == 3
    assert summary["steps"] == 30
    assert summary["agents"] == 2
    assert summary["episode_steps"] == [10, 10, 10]


def test_cli_inspect_rejects_a_non_trajectory(tmp_path):
    bad = tmp_path / "bad.h5"
    bad.write_text("not hdf5")
    result = subprocess.run([str(CLI), "inspect", str(bad)], capture_output=True, text=True)
    assert result.returncode != 0
    assert "bad.h5" in result.stderr
