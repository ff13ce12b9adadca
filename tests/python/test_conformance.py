"""Determinism and bad-action checks for every env type (the ecosystem's own checkers run in
test_ecosystem.py)."""

import re

import numpy as np
import pytest

import greenwave as gw


@pytest.fixture(scope="module")
def grid():
    return gw.generate_grid(2, 2, rate=700, horizon=120, seed=5, demand="random")


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """Two agents with 8 and 4 phases (so agent 2 has masked actions)."""
    path = tmp_path_factory.mktemp("mixed") / "g12.pbtxt"
    gw.generate_grid(1, 2, path, horizon=60, rate=600)
    head, sep, tail = path.read_text().partition('id: "intersection_2_1"')
    tail = re.sub(r'  phases \{\n    name: "[5-8]"\n(?:    movements: \d+\n)*  \}\n', "", tail)
    path.write_text(head + sep + tail)
    scenario = gw.load_scenario(path)
    assert scenario.phase_counts == [8, 4]
    return scenario


def sampled_actions(env, infos, rng):
    return {a: int(rng.choice(np.flatnonzero(infos[a]["action_mask"]))) for a in env.agents}


def rollout_gym(scenario, seed, threads):
    env = gw.GymEnv(scenario, threads=threads)
    env.action_space.seed(seed)
    obs, _ = env.reset(seed=seed)
    trace = [obs.tobytes()]
    while True:
        obs, reward, term, trunc, _ = env.step(env.action_space.sample())
        trace.append((obs.tobytes(), reward))
        if term or trunc:
            return trace


def test_same_seed_same_rollout_and_any_thread_count(grid):
    a = rollout_gym(grid, 4, threads=1)
    assert a == rollout_gym(grid, 4, threads=1)
    assert a == rollout_gym(grid, 4, threads=2)
    assert a != rollout_gym(grid, 5, threads=1)


def test_vector_env_determinism_across_threads(grid):
    traces = []
    for threads, sim_threads in ((1, 1), (2, 1), (2, 2)):
        venv = gw.VectorEnv(grid, num_envs=3, threads=threads, sim_threads=sim_threads)
        obs, _ = venv.reset(seed=9)
        trace = [obs.copy()]
        for k in range(15):  # crosses an autoreset (12 decisions per episode)
            obs, rew, term, trunc, _ = venv.step(np.full((3, 4), k % 4))
            trace += [obs.copy(), rew.copy(), term.copy(), trunc.copy()]
        traces.append(trace)
    for other in traces[1:]:
        assert all(np.array_equal(x, y) for x, y in zip(traces[0], other))


def test_bad_actions_raise_action_error(mixed):
    env = gw.make(mixed)
    agents = env.possible_agents
    with pytest.raises(gw.ActionError, match="reset"):
        env.step({a: 0 for a in agents})
    _, infos = env.reset(seed=0)
    assert infos[agents[1]]["action_mask"].tolist() == [1, 1, 1, 1, 0, 0, 0, 0]
    with pytest.raises(gw.ActionError, match="masked"):
        env.step({agents[0]: 0, agents[1]: 5})
    with pytest.raises(gw.ActionError, match="out of range"):
        env.step({agents[0]: 8, agents[1]: 0})
    with pytest.raises(gw.ActionError, match="out of range"):
        env.step({agents[0]: -1, agents[1]: 0})
    with pytest.raises(gw.ActionError, match="no action"):
        env.step({agents[0]: 0})
    with pytest.raises(gw.ActionError, match="unknown agent"):
        env.step({agents[0]: 0, agents[1]: 0, "ghost": 0})
    with pytest.raises(gw.ActionError, match="integers"):
        env.step({agents[0]: 0.5, agents[1]: 0})
    assert env.time == 0.0  # nothing moved
    while env.agents:
        env.step({a: 0 for a in agents})
    with pytest.raises(gw.ActionError, match="ended"):
        env.step({a: 0 for a in agents})

    genv = gw.GymEnv(mixed)
    genv.reset()
    with pytest.raises(gw.ActionError, match="shape"):
        genv.step(np.zeros(3, np.int64))
    with pytest.raises(gw.ActionError, match="masked"):
        genv.step(np.array([0, 4]))
    mask = (np.ones(8, np.int8), np.array([1, 0, 1, 0], np.int8))  # Gymnasium's form: one mask per agent
    for _ in range(20):
        action = genv.action_space.sample(mask=mask)
        assert action in genv.action_space and action[1] in (0, 2)

    venv = gw.VectorEnv(mixed, num_envs=2, threads=1)
    with pytest.raises(gw.ActionError, match="reset"):
        venv.step(np.zeros((2, 2), np.int32))
    venv.reset(seed=0)
    with pytest.raises(gw.ActionError, match="shape"):
        venv.step(np.zeros((2, 3), np.int32))
    with pytest.raises(gw.ActionError, match="out of range or masked"):
        venv.step(np.array([[0, 0], [0, 6]], np.int32))
    with pytest.raises(gw.ActionError, match="integers"):
        venv.step(np.zeros((2, 2)))
