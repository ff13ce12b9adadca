"""greenwave's envs under the ecosystem's real checkers (Gymnasium 1.2.3, PettingZoo 1.26.1,
installed or from ../shared/peers, see conftest.py) on the demo scenario and on Hangzhou 4x4."""

import os
import pathlib
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest

from conftest import BUILD, PEERS, ROOT

gymnasium = pytest.importorskip("gymnasium", reason=f"Gymnasium not installed and not found in {PEERS}")
pettingzoo = pytest.importorskip("pettingzoo", reason=f"PettingZoo not installed and not found in {PEERS}")
import gymnasium.wrappers.vector as vw  # noqa: E402
from gymnasium.utils.env_checker import check_env  # noqa: E402
from pettingzoo.test import api_test, parallel_api_test, parallel_seed_test, seed_test  # noqa: E402
from pettingzoo.utils import parallel_to_aec  # noqa: E402

import greenwave as gw  # noqa: E402

DATA = pathlib.Path(os.environ.get("GREENWAVE_DATA_DIR", ROOT.parent / "shared" / "data"))
HANGZHOU = DATA / "cityflow" / "hangzhou_4x4" / "config.json"
DEMO = ROOT / "scenarios" / "demo_grid_2x2.pbtxt"
needs_hangzhou = pytest.mark.skipif(not HANGZHOU.is_file(), reason=f"shared data not found at {DATA} (set GREENWAVE_DATA_DIR)")


@pytest.fixture(scope="module", params=["demo", pytest.param("hangzhou", marks=needs_hangzhou)])
def scenario(request):
    """Each scenario cut to 300 s (30 decisions) so every suite runs whole episodes quickly."""
    return gw.load_scenario(DEMO if request.param == "demo" else HANGZHOU, horizon=300)


def test_envs_are_gymnasium_classes_with_gymnasium_spaces(scenario):
    genv = gw.GymEnv(scenario)
    assert isinstance(genv, gymnasium.Env)
    assert isinstance(genv.observation_space, gymnasium.spaces.Box)
    assert isinstance(genv.action_space, gymnasium.spaces.MultiDiscrete)
    env = gw.make(scenario)
    agent = env.possible_agents[0]
    assert isinstance(env.observation_space(agent), gymnasium.spaces.Box)
    assert isinstance(env.action_space(agent), gymnasium.spaces.Discrete)
    assert env.unwrapped is env and env.render_mode is None and env.metadata["name"] == "greenwave_traffic_v0"
    assert isinstance(gw.VectorEnv(scenario, num_envs=2), gymnasium.vector.VectorEnv)


def test_observation_bounds_are_finite(scenario):
    """Every default and count component is bounded: by lane capacity and the horizon."""
    env = gw.make(scenario, observation="lane_count,lane_queue,out_lane_count,pressure,phase,time_in_phase,phase_pressure")
    space = env.observation_space(env.possible_agents[0])
    assert np.all(np.isfinite(space.low)) and np.all(np.isfinite(space.high))
    time_in_phase = next(c for c in env.components if c["name"] == "time_in_phase")
    assert time_in_phase["high"] == 300 + 1  # the horizon plus one 1 s step


def test_gymnasium_check_env_passes_without_warnings(scenario):
    env = gymnasium.make(gw.GYM_ID, scenario=scenario)
    assert env.spec.id == "greenwave/Traffic-v0"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any checker warning fails the test
        check_env(env.unwrapped)
    env.close()


def test_pettingzoo_parallel_api_and_seed_tests(scenario):
    parallel_api_test(gw.make(scenario), num_cycles=1000)
    parallel_seed_test(lambda: gw.make(scenario))


def test_pettingzoo_aec_api_and_seed_tests_through_parallel_to_aec(scenario):
    api_test(parallel_to_aec(gw.make(scenario)), num_cycles=1000)
    seed_test(lambda: parallel_to_aec(gw.make(scenario)))


def test_record_episode_statistics_on_the_vector_env(scenario):
    venv = gw.VectorEnv(scenario, num_envs=2, threads=1)
    assert venv.metadata["autoreset_mode"] == gymnasium.vector.AutoresetMode.NEXT_STEP
    env = vw.RecordEpisodeStatistics(venv)
    env.reset(seed=1)
    steps, total = 0, np.zeros(2)
    while True:
        _, rewards, terminated, truncated, infos = env.step(np.zeros((2, len(venv.possible_agents)), np.int64))
        steps += 1
        total += rewards
        if (terminated | truncated).all():
            break
    assert steps == 30  # 300 s / 10 s decisions
    assert infos["_episode"].all() and np.all(infos["episode"]["l"] == 30)
    assert np.allclose(infos["episode"]["r"], total, rtol=1e-5)


def test_scenario_and_envs_pickle(scenario):
    copy = pickle.loads(pickle.dumps(scenario.with_settings(horizon=200, seed=7)))
    assert (copy.content_hash, copy.name, copy.horizon, copy.seed) == (scenario.content_hash, scenario.name, 200.0, 7)
    env = gw.make(scenario, observation="lane_count,phase_pressure", reward="pressure", seed=11)
    twin = pickle.loads(pickle.dumps(env))
    assert twin.components == env.components and twin.scenario.content_hash == scenario.content_hash
    a, b = env.reset()[0], twin.reset()[0]
    assert all(np.array_equal(a[k], b[k]) for k in env.possible_agents)
    genv = pickle.loads(pickle.dumps(gw.GymEnv(scenario, seed=3)))
    assert np.array_equal(genv.reset()[0], gw.GymEnv(scenario, seed=3).reset()[0])
    with pytest.raises(gw.ConfigError, match="Simulator"):
        pickle.dumps(gw.Simulator(scenario).scenario)


def _make_gym_env(scenario):
    return gymnasium.make(gw.GYM_ID, scenario=scenario)


def test_async_vector_env_with_spawn_matches_the_native_vector_env():
    scenario = gw.load_scenario(DEMO, horizon=100)
    fns = [lambda: _make_gym_env(scenario) for _ in range(2)]
    async_env = gymnasium.vector.AsyncVectorEnv(fns, context="spawn")
    try:
        obs, _ = async_env.reset(seed=5)
        native = gw.VectorEnv(scenario, num_envs=2)
        nobs, _ = native.reset(seed=5)
        assert np.array_equal(obs, nobs)
        actions = np.ones((2, 4), np.int64)
        obs, rewards, *_ = async_env.step(actions)
        nobs, nrewards, *_ = native.step(actions)
        assert np.array_equal(obs, nobs) and np.allclose(rewards, nrewards, rtol=1e-6)
    finally:
        async_env.close()


@pytest.mark.parametrize("bad", [1.5, -1, "3", True, 2**64])
def test_reset_seed_is_validated_with_a_greenwave_error(bad):
    scenario = gw.load_scenario(DEMO, horizon=60)
    for reset in (gw.make(scenario).reset, gw.GymEnv(scenario).reset, gw.VectorEnv(scenario).reset):
        with pytest.raises(gw.ConfigError, match="seed"):
            reset(seed=bad)


def test_without_gymnasium_the_envs_use_greenwave_spaces():
    """A Python that cannot import gymnasium (blocked) still gets working envs."""
    code = ("import sys; sys.modules['gymnasium'] = None\n"
            "import greenwave as gw, numpy as np\n"
            f"env = gw.GymEnv(gw.load_scenario({str(DEMO)!r}, horizon=60))\n"
            "assert isinstance(env.observation_space, gw.spaces.Box), type(env.observation_space)\n"
            "obs, _ = env.reset(seed=0); obs, r, te, tr, info = env.step(env.action_space.sample())\n"
            "assert obs in env.observation_space\n"
            "v = gw.VectorEnv(env.env.scenario, num_envs=2); v.reset(seed=0)\n"
            "assert v.metadata['autoreset_mode'] == 'next_step'\n"
            "print('ok')\n")
    env = dict(os.environ, PYTHONPATH=str(BUILD / "python"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
