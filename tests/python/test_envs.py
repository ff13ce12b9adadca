"""TrafficEnv (PettingZoo parallel API) and GymEnv (Gymnasium API): config, values, infos."""

import numpy as np
import pytest

import greenwave as gw


@pytest.fixture(scope="module")
def grid():
    return gw.generate_grid(2, 2, rate=600, horizon=200, seed=2, demand="random")


def test_make_builds_a_traffic_env_with_the_config(grid):
    env = gw.make(grid, observation="lane_count,phase,time_in_phase", reward="pressure:1,queue:0.25",
                  action_interval=5, yellow=2, min_green=5, horizon=100, threads=2, seed=11)
    assert isinstance(env, gw.TrafficEnv)
    assert env.possible_agents == grid.signalized_intersections and env.agents == []
    assert [c["name"] for c in env.components] == ["lane_count", "phase", "time_in_phase"]
    assert env.scenario.action_interval == 5 and env.scenario.horizon == 100 and grid.horizon == 200
    assert env.observation_space(env.possible_agents[0]).shape == (12 + 8 + 1,)
    assert env.action_space(env.possible_agents[0]) == gw.envs.Discrete(8)
    env.reset()
    steps = 0
    while env.agents:
        env.step({a: 0 for a in env.agents})
        steps += 1
    assert steps == 20  # 100 s horizon / 5 s decisions
    assert env.metrics()["time"] == 100.0


def test_make_accepts_a_path(tmp_path):
    path = tmp_path / "g.pbtxt"
    gw.generate_grid(1, 1, path, horizon=50)
    env = gw.make(str(path))
    obs, _ = env.reset(seed=0)
    assert list(obs) == env.possible_agents


_INCOMING = {}


def _record_incoming(view):
    _INCOMING[view.agent] = view.incoming_lanes.copy()
    return 0.0


gw.register_reward("test_envs_record_incoming", _record_incoming)


def incoming_lanes(scenario):
    """Each agent's incoming lane ids, read through a reward view."""
    env = gw.make(scenario, reward="test_envs_record_incoming")
    env.reset()
    env.step({a: 0 for a in env.agents})
    return {a: _INCOMING[a] for a in env.possible_agents}


def test_observation_values_match_the_simulator(grid):
    lanes = incoming_lanes(grid)
    env = gw.make(grid, observation="lane_count,lane_queue,phase")
    env.reset(seed=4)
    for _ in range(5):
        obs, *_ = env.step({a: 2 for a in env.agents})
    sim = env.simulator
    counts, queues = sim.lane_vehicle_counts(), sim.lane_queue_counts()
    assert counts.sum() > 0
    comps = {c["name"]: c for c in env.components}

    def part(o, name):
        return o[comps[name]["offset"]:comps[name]["offset"] + comps[name]["size"]]

    for agent in env.possible_agents:
        assert np.array_equal(part(obs[agent], "lane_count"), counts[lanes[agent]])
        assert np.array_equal(part(obs[agent], "lane_queue"), queues[lanes[agent]])
        phase = part(obs[agent], "phase")
        assert phase.sum() == 1 and int(np.argmax(phase)) == sim.signal(agent)["phase"]


def test_queue_reward_is_minus_incoming_queues(grid):
    lanes = incoming_lanes(grid)
    env = gw.make(grid, reward="queue")
    env.reset(seed=1)
    for _ in range(6):
        _, rewards, *_ = env.step({a: 0 for a in env.agents})
    queues = env.simulator.lane_queue_counts()
    assert rewards == {a: -float(queues[lanes[a]].sum()) for a in env.possible_agents}
    assert any(r < 0 for r in rewards.values())


def test_reset_without_seed_continues_the_seed_sequence(grid):
    env = gw.make(grid, seed=7)

    def first_obs(e, **kw):
        obs, _ = e.reset(**kw)
        for _ in range(3):
            obs, *_ = e.step({a: 1 for a in e.agents})
        return np.stack([obs[a] for a in e.possible_agents])

    a0 = first_obs(env)  # seed 7
    a1 = first_obs(env)  # seed 8
    assert np.array_equal(a0, first_obs(gw.make(grid), seed=7))
    assert np.array_equal(a1, first_obs(gw.make(grid), seed=8))


def test_infos_carry_masks_and_ignored_requests(grid):
    env = gw.make(grid.with_settings(min_green=30))
    _, infos = env.reset(seed=0)
    agent = env.possible_agents[0]
    assert infos[agent]["action_mask"].tolist() == [1] * 8
    env.step({a: 1 for a in env.agents})   # switch (clearance starts)
    _, _, _, _, infos = env.step({a: 2 for a in env.agents})  # too early: min_green
    assert infos[agent]["ignored"] is True and infos[agent]["time"] == 20.0


def test_gym_env_joint_action_and_summed_reward(grid):
    genv = gw.GymEnv(grid, reward="queue")
    obs, info = genv.reset(seed=3)
    assert obs.shape == (4, 20) and obs.dtype == np.float32 and info["action_mask"].shape == (4, 8)
    assert genv.action_space == gw.envs.MultiDiscrete([8, 8, 8, 8])
    penv = gw.make(grid, reward="queue")
    penv.reset(seed=3)
    for k in range(8):
        action = np.full(4, k % 3)
        obs, reward, terminated, truncated, info = genv.step(action)
        pobs, prewards, *_ = penv.step({a: k % 3 for a in penv.agents})
        assert reward == pytest.approx(sum(prewards.values()))
        assert np.array_equal(info["rewards"], np.array([prewards[a] for a in penv.possible_agents], np.float32))
        assert np.array_equal(obs, np.stack([pobs[a] for a in penv.possible_agents]))
    wrapped = gw.GymEnv(penv)
    assert wrapped.env is penv
    with pytest.raises(gw.ConfigError):
        gw.GymEnv(penv, reward="queue")


def test_returned_observations_are_copies(grid):
    env = gw.make(grid)
    obs0, _ = env.reset(seed=0)
    keep = {a: o.copy() for a, o in obs0.items()}
    for _ in range(4):
        env.step({a: 3 for a in env.agents})
    assert all(np.array_equal(keep[a], obs0[a]) for a in keep)
