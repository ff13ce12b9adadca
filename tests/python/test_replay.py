"""Replays from Python: evaluate(..., replay=) and TrafficEnv(..., replay=), decoded here with
zlib and struct from the layout in docs/replay.md (not with greenwave's own reader)."""

import json
import struct
import zlib

import numpy as np
import pytest

import greenwave as gw


def read_replay(path):
    """(metadata, frames): each frame a dict of time, metrics (dict), n (running vehicles)."""
    data = open(path, "rb").read()
    assert data[:8] == b"GWREPLAY" and struct.unpack_from("<I", data, 8)[0] == 1
    body = zlib.decompress(data[12:])
    (meta_len,) = struct.unpack_from("<I", body, 0)
    meta = json.loads(body[4:4 + meta_len].rstrip(b"\0"))
    off = (4 + meta_len + 3) // 4 * 4
    frames = []
    while off < len(body):
        size, n = struct.unpack_from("<II", body, off)
        (t,) = struct.unpack_from("<d", body, off + 8)
        values = struct.unpack_from(f"<{len(meta['metrics'])}f", body, off + 16)
        frames.append({"time": t, "n": n, "metrics": dict(zip(meta["metrics"], values))})
        off += size
    assert off == len(body)
    return meta, frames


@pytest.fixture(scope="module")
def grid():
    return gw.generate_grid(2, 2, rate=600, horizon=90, seed=4, demand="random")


@pytest.mark.skipif(not gw._greenwave.HAS_AGENTS, reason="built without agents/ (no LibTorch)")
def test_evaluate_writes_the_first_episode(grid, tmp_path):
    path = tmp_path / "eval.gwr"
    m = gw.evaluate(grid, "maxpressure", episodes=1, seed=3, replay=path)
    meta, frames = read_replay(path)
    assert meta["horizon"] == 90
    # One frame at reset, then one per 1 s step up to the 90 s horizon.
    assert [f["time"] for f in frames] == [float(k) for k in range(91)]
    assert frames[-1]["metrics"]["served_vehicles"] == m["served_vehicles"]
    assert frames[-1]["metrics"]["throughput"] == m["throughput"]
    with pytest.raises(gw.ConfigError, match="replay"):
        gw.evaluate(grid, "fixed", replay=3)


def test_traffic_env_records_until_close(grid, tmp_path):
    path = tmp_path / "env.gwr"
    env = gw.make(grid, replay=str(path), action_interval=10)
    env.reset(seed=5)
    for _ in range(3):
        env.step({a: 0 for a in env.possible_agents})
    running = env.metrics()["running"]
    env.close()
    meta, frames = read_replay(path)
    assert meta["seed"] == 5 and len(meta["signals"]["intersection"]) == 4
    # Three decisions of 10 one-second steps each: 31 frames, the last at t = 30 s.
    assert len(frames) == 31 and frames[-1]["time"] == 30.0
    assert frames[-1]["n"] == running
    # A copy of the env (pickling) does not write the same file.
    import pickle
    copy = pickle.loads(pickle.dumps(env))
    copy.reset(seed=5)
    copy.close()
    assert read_replay(path)[1][-1]["time"] == 30.0


def test_gym_env_passes_replay_on(grid, tmp_path):
    path = tmp_path / "gym.gwr"
    env = gw.GymEnv(grid, replay=path, action_interval=10)
    env.reset(seed=1)
    env.step(np.zeros(4, dtype=np.int64))
    env.close()
    assert len(read_replay(path)[1]) == 11


def test_vector_env_records_env0_first_episode(grid, tmp_path):
    path = tmp_path / "vec.gwr"
    env = gw.VectorEnv(grid, num_envs=2, threads=1, replay=path, action_interval=10, seed=7)
    env.reset()
    actions = np.zeros((2, 4), dtype=np.int32)
    # The 90 s horizon is 9 decisions of 10 s: env 0's episode ends at the 9th step; the 10th is
    # its autoreset (seed 7 + 2), which finishes the file and writes nothing more.
    for _ in range(9):
        env.step(actions)
    assert env._terminated[0] or env._truncated[0]
    running = env.simulator(0).metrics()["running"]
    env.step(actions)
    env.step(actions)
    meta, frames = read_replay(path)
    assert meta["seed"] == 7 and len(meta["signals"]["intersection"]) == 4
    # One frame at reset, then one per 1 s step up to the horizon: 91 frames, the last at 90 s.
    assert [f["time"] for f in frames] == [float(k) for k in range(91)]
    assert frames[-1]["n"] == running
    env.close()
    assert len(read_replay(path)[1]) == 91
    with pytest.raises(gw.ConfigError, match="replay"):
        gw.VectorEnv(grid, num_envs=1, replay=3)
