"""Training and evaluation with the C++ agents (DQN trainer, baselines), GIL released."""

from __future__ import annotations

import json
import os

from . import _greenwave
from .simulation import as_scenario

__all__ = ["train", "evaluate"]

# Keyword arguments that set the scenario's run settings rather than the DQN config.
_SETTINGS = ("horizon", "action_interval", "yellow", "min_green", "metric_period", "demand_jitter")


def _split_settings(kwargs):
    settings = {k: kwargs.pop(k) for k in _SETTINGS if k in kwargs}
    return settings, kwargs


def _require_agents():
    if not _greenwave.HAS_AGENTS:
        raise ImportError("this greenwave was built without agents/ (GREENWAVE_BUILD_AGENTS=OFF)")


def train(scenario, out, episodes=50, reward="queue", observation="lane_count,phase", device="cpu", seed=0, *,
          envs=1, eval_every=5, eval_episodes=1, threads=1, progress=False, **kwargs) -> dict:
    """Trains a parameter-shared DQN as ``greenwave train`` does and returns the final greedy
    evaluation's metrics (the CLI metrics keys, ``return``, ``last_checkpoint``,
    ``best_checkpoint``). Writes OUT/config.json, OUT/metrics.jsonl, OUT/last.pt, OUT/best.pt.

    Keyword arguments horizon, action_interval, yellow, min_green, metric_period, demand_jitter set the
    scenario's run settings; every other one is a DQN config field (docs/agents.md), e.g.
    ``learning_rate=1e-3, hidden_sizes=[64, 64], learning_starts=100``.
    """
    _require_agents()
    settings, dqn = _split_settings(dict(kwargs))
    return _greenwave._train(as_scenario(scenario, **settings), str(out), int(episodes), reward, observation, device,
                             int(seed), int(envs), int(eval_every), int(eval_episodes), int(threads), bool(progress),
                             json.dumps(dqn))


def evaluate(scenario, agent="maxpressure", episodes=1, seed=0, *, observation=None, reward=None, device="cpu",
             threads=1, replay=None, **settings) -> dict:
    """Mean metrics over ``episodes`` greedy episodes (seeds mix_seed(seed, e)) of a baseline
    ("fixed", "maxpressure", "sotl", "sotl-libsignal", "random") or a DQN checkpoint path, as ``greenwave eval``:
    the CLI metrics keys plus ``return`` (the reward summed over agents and steps). A
    checkpoint rebuilds the observation and reward it was trained with unless given. ``replay=PATH``
    writes the first episode to PATH for ``greenwave view`` (docs/replay.md), as ``eval --replay``."""
    _require_agents()
    return _greenwave._evaluate(as_scenario(scenario, **settings), str(agent), int(episodes), int(seed), observation,
                                reward or "", device, int(threads), _replay_path(replay))


def _replay_path(replay):
    """The replay path as a str ("" for None); ConfigError for anything but a path."""
    if replay is None:
        return ""
    if not isinstance(replay, (str, os.PathLike)) or not os.fspath(replay):
        raise _greenwave.ConfigError(f"replay: expected a file path or None, got {replay!r}")
    return os.fspath(replay)
