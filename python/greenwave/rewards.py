"""Custom rewards written in Python, registered by name in the engine's reward registry.

A reward is ``fn(view: RewardView) -> float``, called once per agent at the end of every
decision interval; ``view`` exposes NumPy views (read-only, valid only during the call) of the
network-wide lane arrays and the agent's lane and movement ids. Registered names work
wherever a reward spec does: ``make(reward="name")``, weighted sums ``"name:0.5,queue:1"``,
``VectorEnv`` and ``train``. An exception inside ``fn`` is raised as ``RewardError`` naming the
reward, chained to the original.
"""

from __future__ import annotations

from ._greenwave import RewardError, RewardView, _register_reward, reward_names

__all__ = ["RewardError", "RewardView", "register_reward", "reward_names"]


def register_reward(name, fn=None):
    """Registers ``fn`` under ``name`` (letters, digits, _; once per process) and returns it.
    Without ``fn`` it returns a decorator. Raises ConfigError on a bad or taken name.

    ``fn`` may run in several threads (VectorEnv, train); the GIL serialises the calls.
    """
    if fn is None:
        return lambda f: register_reward(name, f)
    if not callable(fn):
        raise TypeError(f"register_reward: fn must be callable, got {type(fn).__name__}")
    _register_reward(name, fn)
    return fn
