"""VectorEnv: batched shapes, zero-copy buffers, seeds, autoreset, agreement with TrafficEnv."""

import numpy as np
import pytest

import greenwave as gw


@pytest.fixture(scope="module")
def grid():
    return gw.generate_grid(2, 2, rate=600, horizon=100, seed=3, demand="random")


def test_shapes_dtypes_and_spaces(grid):
    venv = gw.VectorEnv(grid, num_envs=3, threads=2)
    obs, infos = venv.reset(seed=0)
    assert obs.shape == (3, 4, 20) and obs.dtype == np.float32
    assert infos["action_mask"].shape == (3, 4, 8) and infos["action_mask"].dtype == np.bool_
    assert infos["metrics"].shape == (3, len(venv.metric_names)) and venv.metric_names[0] == "served_vehicles"
    assert venv.single_observation_space.shape == (4, 20) and venv.observation_space.shape == (3, 4, 20)
    assert venv.action_space.shape == (3, 4) and venv.num_threads == 2
    actions = venv.action_space.sample()
    obs, rewards, terminated, truncated, infos = venv.step(actions)
    assert rewards.shape == (3,) and rewards.dtype == np.float32  # the sum over agents
    assert infos["rewards"].shape == (3, 4) and infos["rewards"].dtype == np.float32
    assert np.allclose(rewards, infos["rewards"].sum(axis=1))
    assert terminated.shape == truncated.shape == (3,) and terminated.dtype == np.bool_
    assert np.all(infos["time"] == 10.0) and venv.observation_space.contains(obs)


def test_arrays_are_read_only_views_reused_without_copies(grid):
    venv = gw.VectorEnv(grid, num_envs=2, threads=1)
    obs0, infos0 = venv.reset(seed=0)
    first = obs0.copy()
    obs1, rew1, term1, trunc1, infos1 = venv.step(np.ones((2, 4), np.int32))
    obs2, rew2, term2, trunc2, infos2 = venv.step(np.ones((2, 4), np.int32))
    assert obs0 is obs1 is obs2 and rew1 is rew2 and infos0["metrics"] is infos2["metrics"]
    assert infos1 is not infos2  # a new dict each step: wrappers may add keys to it
    assert np.shares_memory(obs0, obs2) and np.shares_memory(rew1, rew2)
    assert not np.array_equal(first, obs2)  # overwritten in place
    for array in (obs2, rew2, term2, trunc2, infos2["action_mask"], infos2["metrics"]):
        assert not array.flags.writeable
    with pytest.raises(ValueError):
        obs2[0, 0, 0] = 1.0


def test_matches_independent_envs_with_env_pool_seeds(grid):
    n = 3
    venv = gw.VectorEnv(grid, num_envs=n, threads=2)
    obs, _ = venv.reset(seed=20)
    singles = [gw.make(grid) for _ in range(n)]
    for i, env in enumerate(singles):
        o, _ = env.reset(seed=20 + i)
        assert np.array_equal(obs[i], np.stack([o[a] for a in env.possible_agents]))
    for k in range(10):  # the whole 100 s episode
        actions = np.full((n, 4), k % 5, np.int32)
        obs, rewards, terminated, truncated, infos = venv.step(actions)
        for i, env in enumerate(singles):
            o, r, te, tr, _ = env.step({a: k % 5 for a in env.possible_agents})
            assert np.array_equal(obs[i], np.stack([o[a] for a in env.possible_agents]))
            assert np.array_equal(infos["rewards"][i], np.array([r[a] for a in env.possible_agents], np.float32))
            assert rewards[i] == pytest.approx(sum(r.values()), rel=1e-6)
    assert truncated.all() and not terminated.any()
    # next-step autoreset: episode 1 of env i uses seed 20 + i + 1 * n, rewards 0
    obs, rewards, terminated, truncated, infos = venv.step(np.zeros((n, 4), np.int32))
    assert not rewards.any() and not infos["rewards"].any() and not truncated.any() and np.all(infos["time"] == 0.0)
    for i in range(n):
        o, _ = gw.make(grid).reset(seed=20 + i + n)
        assert np.array_equal(obs[i], np.stack([o[a] for a in singles[i].possible_agents]))


def test_several_scenarios_of_the_same_shape(grid):
    other = gw.generate_grid(2, 2, rate=300, horizon=100, seed=8, demand="uniform")
    venv = gw.VectorEnv([grid, other], threads=1)
    assert venv.num_envs == 2
    venv.reset(seed=0)
    venv.step(np.zeros((2, 4), np.int32))
    assert venv.simulator(1).scenario.content_hash == other.content_hash
    with pytest.raises(gw.ConfigError, match="shape"):
        gw.VectorEnv([grid, gw.generate_grid(1, 1, horizon=100)])
    with pytest.raises(gw.ConfigError, match="num_envs"):
        gw.VectorEnv([grid, other], num_envs=3)


def test_step_loop_equals_python_steps(grid):
    a = gw.VectorEnv(grid, num_envs=2, threads=1)
    b = gw.VectorEnv(grid, num_envs=2, threads=1)
    a.reset(seed=1)
    b.reset(seed=1)
    actions = np.full((2, 4), 2, np.int32)
    for _ in range(7):
        a.step(actions)
    out = b._step_loop(actions, 7)
    assert np.array_equal(a.step(actions)[0], b.step(actions)[0]) and out[0] is b._obs
