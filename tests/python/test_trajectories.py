"""greenwave.trajectories reads the HDF5 logs the C++ TrajectoryWriter writes (docs/trajectories.md)."""

import json
import subprocess

import h5py
import numpy as np
import pytest

from conftest import BUILD, ROOT

from greenwave import trajectories

WRITER = BUILD / "tests" / "env_trajectory_writer"
CLI = BUILD / "tools" / "greenwave"
SCENARIO = ROOT / "scenarios" / "demo_grid_2x2.pbtxt"


@pytest.fixture()
def written(tmp_path):
    """Three 10-step episodes of the fake backend, written by the C++ TrajectoryWriter."""
    assert WRITER.exists(), f"build the env_trajectory_writer target first ({WRITER} is missing)"
    path = tmp_path / "run.h5"
    subprocess.run([str(WRITER), str(path), "3"], check=True)
    return path


def test_file_attributes_and_episodes(written):
    with trajectories.open(written) as log:
        assert log.schema_version == trajectories.SCHEMA_VERSION == 1
        assert log.scenario_hash == "0123456789abcdef"
        assert log.reward_spec == "pressure:1,queue:0.25"
        assert log.env_config["reward"] == "pressure:1,queue:0.25"
        assert log.seed == 42
        assert log.agent_ids == ["C", "X"] and log.num_agents == 2
        assert log.metric_names[:3] == ["served_vehicles", "delay_index", "average_travel_time"]
        assert len(log) == 3 and log.total_steps == 30
        assert [e.name for e in log] == ["episode_000000", "episode_000001", "episode_000002"]
        assert [e.seed for e in log.episodes] == [0, 1, 2]


def test_episode_arrays_match_h5py(written):
    with trajectories.open(written) as log:
        ep = log[1]
        assert ep.steps == 10
        # tests/engine/env/trajectory_rollout.hpp's components: 57 values, then cbengine's 24 lane
        # counts and 24 lane mean speeds (REFERENCE.md section 1).
        assert ep.observations.shape == (11, 2, 57 + 24 + 24) and ep.observations.dtype == np.float32
        assert ep.actions.shape == (10, 2) and ep.actions.dtype == np.int32
        assert ep.rewards.shape == (10, 2) and ep.rewards.dtype == np.float32
        assert ep.ignored.dtype == bool and ep.ignored.shape == (10, 2)
        assert ep.terminated.dtype == bool and not ep.terminated.any()
        assert ep.truncated.tolist() == [False] * 9 + [True]
        assert ep.metrics.shape == (10, len(ep.metric_names)) and ep.metrics.dtype == np.float64
        assert ep.metric("time").tolist() == [10.0 * (k + 1) for k in range(10)]
        assert ep.final_metrics()["time"] == 100.0
        with h5py.File(written, "r", locking=False) as f:  # same locking flag as the open reader
            raw = f["episode_000001"]
            np.testing.assert_array_equal(ep.observations, raw["observations"][:])
            np.testing.assert_array_equal(ep.actions, raw["actions"][:])
            np.testing.assert_array_equal(ep.rewards, raw["rewards"][:])
            np.testing.assert_array_equal(ep.metrics, raw["metrics"][:])
    assert ep.actions[:3].tolist() == [[0, 0], [1, 1], [2, 0]]  # arrays read stay valid after close


def test_unknown_metric_names_the_choices(written):
    with trajectories.open(written) as log:
        with pytest.raises(KeyError, match="no metric 'speed'.*delay_index"):
            log[0].metric("speed")


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.h5"):
        trajectories.open(tmp_path / "nope.h5")


def test_not_hdf5(tmp_path):
    bad = tmp_path / "bad.h5"
    bad.write_text("not hdf5")
    with pytest.raises(trajectories.TrajectoryFormatError, match="bad.h5: not an HDF5 file"):
        trajectories.open(bad)


def test_hdf5_without_schema(tmp_path):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["x"] = np.arange(3)
    with pytest.raises(trajectories.TrajectoryFormatError, match="other.h5: no 'schema_version'"):
        trajectories.open(other)


def test_wrong_schema_version(written, tmp_path):
    with h5py.File(written, "r+") as f:
        f.attrs["schema_version"] = np.int32(7)
    with pytest.raises(trajectories.TrajectoryFormatError, match="schema_version 7 is not supported"):
        trajectories.open(written)


def test_missing_dataset_is_named(written):
    with h5py.File(written, "r+") as f:
        del f["episode_000002"]["rewards"]
    with pytest.raises(trajectories.TrajectoryFormatError, match="episode_000002 lacks dataset.*rewards"):
        trajectories.open(written)


def test_open_episode_is_not_listed(written):
    with h5py.File(written, "r+") as f:
        del f["episode_000002"].attrs["steps"]  # as if the writer were still inside it
    with trajectories.open(written) as log:
        assert [e.name for e in log] == ["episode_000000", "episode_000001"]


def test_cli_run_trajectory_on_a_real_scenario(tmp_path):
    """A controller episode on the bundled 2x2 grid, logged by `greenwave run --trajectory`."""
    assert CLI.exists(), f"build the greenwave target first ({CLI} is missing)"
    path = tmp_path / "mp.h5"
    out = subprocess.run([str(CLI), "run", str(SCENARIO), "--controller", "maxpressure", "--horizon", "300",
                          "--trajectory", str(path), "--json"], check=True, capture_output=True, text=True).stdout
    metrics = json.loads(out)
    with trajectories.open(path) as log:
        assert len(log) == 1 and log.num_agents == 4
        ep = log[0]
        assert ep.observations.shape[0] == ep.steps + 1 and ep.actions.shape == (ep.steps, 4)
        assert ep.truncated[-1] and not ep.truncated[:-1].any()
        final = ep.final_metrics()
        assert final["served_vehicles"] == metrics["served_vehicles"]
        assert final["throughput"] == metrics["throughput"]
        assert np.all(np.diff(ep.metric("served_vehicles")) >= 0)
