"""Catalog envs by name through greenwave.make: the moe env with the Gymnasium API."""

import numpy as np
import pytest

import greenwave


def test_env_names_and_options():
    assert greenwave.env_names()[:2] == ["traffic", "moe"]
    names = [o["name"] for o in greenwave.env_options("moe")]
    assert "compute" in names and "max-total-params" in names


def test_make_moe_runs_an_episode_with_masks():
    env = greenwave.make("moe", compute=1e21, max_total_params=5e9, steps=5)
    assert env.options["compute"] == "1e+21" or float(env.options["compute"]) == 1e21
    assert env.action_space.n == 9 and env.observation_space.shape == (44,)
    obs, info = env.reset(seed=3)
    assert obs.shape == (44,) and info["action_mask"][0] == 1  # stop is always allowed
    steps = 0
    while True:
        allowed = np.flatnonzero(info["action_mask"][1:]) + 1
        obs, reward, terminated, truncated, info = env.step(int(allowed[0]))
        steps += 1
        assert np.isfinite(reward)
        if terminated or truncated:
            break
    assert truncated and steps == 5
    assert info["metrics"]["evaluations"] == 6  # the start and 5 moves
    with pytest.raises(greenwave.ActionError):
        env.step(0)


def test_bad_options_name_the_option():
    with pytest.raises(greenwave.ConfigError, match="experts"):
        greenwave.make("moe", experts=8)
    with pytest.raises(greenwave.ConfigError, match="compute"):
        greenwave.make("moe", compute=-1)
