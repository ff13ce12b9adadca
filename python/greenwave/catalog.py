"""Envs of the C++ catalog by name (``greenwave.make("moe", compute=1e22, ...)``), with the
Gymnasium API. See docs/python.md and docs/moe.md."""

from __future__ import annotations

import numpy as np

from . import _greenwave
from ._greenwave import ActionError
from .spaces import Box, Discrete, MultiDiscrete

__all__ = ["CatalogEnv", "env_names", "env_options"]


def env_names():
    """Names of the catalog's envs ("traffic", "moe", ...)."""
    return list(_greenwave.env_names())


def env_options(name):
    """The options of catalog env ``name``: dicts with name, default, help, required."""
    return list(_greenwave.env_options(name))


def _option_text(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value == float("inf"):
        return "inf"
    return str(value)


class CatalogEnv:
    """A catalog env with Gymnasium's API: ``reset(seed) -> (obs, info)``, ``step(action) ->
    (obs, reward, terminated, truncated, info)``. With one agent the observation is (obs_dim,)
    and the action an int (Discrete); with several, (agents, obs_dim) and a MultiDiscrete.
    ``info`` holds ``action_mask`` and ``metrics`` (the env's metric names to values).
    Options are keywords (underscores stand for the options' dashes: ``max_total_params``)."""

    metadata = {"render_modes": []}
    render_mode = None

    def __init__(self, name, *, seed=0, **options):
        text = {k.replace("_", "-"): _option_text(v) for k, v in options.items()}
        self._core = _greenwave._CatalogCore(name, text)
        self.name = name
        self.agents = list(self._core.agent_ids)
        self._single = len(self.agents) == 1
        low, high = self._core.obs_bounds
        shape = (self._core.obs_size,) if self._single else (len(self.agents), self._core.obs_size)
        self.observation_space = Box(np.broadcast_to(low, shape), np.broadcast_to(high, shape), shape=shape,
                                     dtype=np.float32)
        counts = list(self._core.action_counts)
        self.action_space = Discrete(counts[0]) if self._single else MultiDiscrete(counts)
        self._seed = int(seed)
        self._episode = -1
        self._running = False

    @property
    def unwrapped(self):
        """This env (Gymnasium's convention)."""
        return self

    @property
    def options(self):
        """Every option's value (defaults filled in), as text."""
        return dict(self._core.options)

    @property
    def metric_names(self):
        """Names of info["metrics"]."""
        return list(self._core.metric_names)

    def _obs(self):
        obs = self._core.obs.copy()
        return obs[0] if self._single else obs

    def _info(self):
        mask = self._core.action_mask.astype(np.int8)
        return {"action_mask": mask[0] if self._single else mask, "metrics": self._core.metrics()}

    def reset(self, seed=None, options=None):
        """Starts an episode (episode k after reset(seed=s) uses seed s + k); returns (obs, info)."""
        if seed is not None:
            self._seed, self._episode = int(seed), 0
        else:
            self._episode += 1
        self._core.reset(self._seed + self._episode)
        self._running = True
        return self._obs(), self._info()

    def step(self, action):
        """Applies the action; returns (obs, reward, terminated, truncated, info)."""
        if not self._running:
            raise ActionError("step: call reset() first (or again after the episode ended)")
        a = np.asarray(action, dtype=np.int64).reshape(-1)
        if a.size != len(self.agents):
            raise ActionError(f"step: expected {len(self.agents)} action(s), got {a.size}")
        self._core.step(a.astype(np.int32))
        terminated, truncated = bool(self._core.terminated), bool(self._core.truncated)
        self._running = not (terminated or truncated)
        rewards = self._core.rewards.copy()
        reward = float(rewards[0]) if self._single else float(rewards.sum())
        return self._obs(), reward, terminated, truncated, self._info()

    def render(self):
        """Nothing to render."""
        return None

    def close(self):
        """Nothing to release early."""

    def __repr__(self):
        return f"<greenwave.CatalogEnv {self.name!r}>"
