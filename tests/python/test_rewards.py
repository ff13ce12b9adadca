"""Custom rewards in Python: the view's values, weighted sums, errors, VectorEnv threads."""

import numpy as np
import pytest

import greenwave as gw


@pytest.fixture(scope="module")
def one():
    return gw.generate_grid(1, 1, rate=900, horizon=120, seed=1, demand="random")


def test_view_values_computed_by_hand(one):
    seen = []

    @gw.register_reward("test_rewards_by_hand")
    def by_hand(view):
        assert view.incoming_lanes.shape == (12,) and view.outgoing_lanes.shape == (12,)
        assert view.lane_counts.shape == (one.num_lanes,) and not view.lane_counts.flags.writeable
        seen.append((view.agent, view.time, view.interval, view.phase, view.incoming_lanes.copy(),
                     int(view.lane_counts[view.incoming_lanes].sum()),
                     int(view.lane_queues[view.incoming_lanes].sum()),
                     float(view.prev_lane_waiting_times[view.incoming_lanes].sum()
                           - view.lane_waiting_times[view.incoming_lanes].sum()) / 100.0))
        return view.time + 0.5 * view.phase

    assert "test_rewards_by_hand" in gw.reward_names()
    env = gw.make(one, reward="test_rewards_by_hand:2,queue:1,wait_time:-1")
    env.reset(seed=0)
    agent = env.possible_agents[0]
    for k in range(4):
        _, rewards, *_ = env.step({agent: 3})
        sim = env.simulator
        t = 10.0 * (k + 1)
        name, time, interval, phase, lanes, count, queue, wait = seen[-1]
        assert (name, time, interval, phase) == (agent, t, 10.0, 3)
        assert count == sim.lane_vehicle_counts()[lanes].sum() and queue == sim.lane_queue_counts()[lanes].sum()
        assert rewards[agent] == pytest.approx(2 * (t + 1.5) + (-queue) - wait, rel=1e-6)


def test_view_expires_after_the_call(one):
    kept = []
    gw.register_reward("test_rewards_keep_view", lambda view: kept.append(view) or 0.0)
    env = gw.make(one, reward="test_rewards_keep_view")
    env.reset()
    env.step({a: 0 for a in env.agents})
    with pytest.raises(RuntimeError, match="after its reward call"):
        kept[0].lane_counts


def test_exception_names_the_reward_and_chains_the_original(one):
    def broken(view):
        raise KeyError("no such lane")

    gw.register_reward("test_rewards_broken", broken)
    env = gw.make(one, reward="queue,test_rewards_broken:0.5")
    env.reset()
    with pytest.raises(gw.RewardError, match="reward 'test_rewards_broken' raised KeyError") as info:
        env.step({a: 0 for a in env.agents})
    assert isinstance(info.value.__cause__, KeyError)
    with pytest.raises(gw.ActionError, match="reset"):
        env.step({a: 0 for a in env.possible_agents})
    env.reset()  # usable again

    gw.register_reward("test_rewards_not_a_number", lambda view: "high")
    env = gw.make(one, reward="test_rewards_not_a_number")
    env.reset()
    with pytest.raises(gw.RewardError, match="test_rewards_not_a_number.*TypeError"):
        env.step({a: 0 for a in env.agents})

    gw.register_reward("test_rewards_nan", lambda view: float("nan"))
    env = gw.make(one, reward="test_rewards_nan")
    env.reset()
    with pytest.raises(gw.ConfigError, match="reward 'test_rewards_nan'.*NaN"):
        env.step({a: 0 for a in env.agents})


def test_registration_errors():
    with pytest.raises(gw.ConfigError, match="already registered"):
        gw.register_reward("queue", lambda view: 0.0)
    with pytest.raises(gw.ConfigError, match="bad name"):
        gw.register_reward("has space", lambda view: 0.0)
    with pytest.raises(TypeError):
        gw.register_reward("test_rewards_not_callable", 3)


def test_python_reward_in_vector_env_threads_matches_builtin():
    grid = gw.generate_grid(2, 2, rate=600, horizon=100, seed=3, demand="random")
    gw.register_reward("test_rewards_pressure",
                       lambda v: -abs(float((v.lane_counts[v.movement_from_lanes[v.movements]]
                                             - v.lane_counts[v.movement_to_lanes[v.movements]]).sum())))
    mine = gw.VectorEnv(grid, num_envs=4, threads=4, reward="test_rewards_pressure")
    builtin = gw.VectorEnv(grid, num_envs=4, threads=1, reward="pressure")
    mine.reset(seed=0)
    builtin.reset(seed=0)
    for k in range(12):
        actions = np.full((4, 4), k % 4, np.int32)
        r_mine = mine.step(actions)[1].copy()
        r_builtin = builtin.step(actions)[1]
        assert np.array_equal(r_mine, r_builtin)

    def fails_in_a_thread(view):
        if view.time >= 30:
            raise ValueError("late")
        return 0.0

    gw.register_reward("test_rewards_thread_error", fails_in_a_thread)
    venv = gw.VectorEnv(grid, num_envs=4, threads=4, reward="test_rewards_thread_error")
    venv.reset(seed=0)
    venv.step(np.zeros((4, 4), np.int32))
    venv.step(np.zeros((4, 4), np.int32))
    with pytest.raises(gw.RewardError, match="test_rewards_thread_error.*late") as info:
        venv.step(np.zeros((4, 4), np.int32))
    assert isinstance(info.value.__cause__, ValueError)
