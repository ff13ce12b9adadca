"""Environments: TrafficEnv (PettingZoo parallel API), GymEnv (Gymnasium single-agent API over
the joint action) and VectorEnv (batched, zero-copy NumPy arrays). See docs/python.md.

Config keywords shared by all three: ``observation`` (components, docs/observations.md),
``reward`` (spec, docs/rewards.md), ``threads`` (simulator threads), ``seed`` (the seed of
``reset()`` without one; default the scenario's), and the run settings ``horizon``,
``action_interval``, ``yellow`` (the clearance interval), ``min_green``, ``metric_period``,
``demand_jitter`` (seconds: each reset shifts every departure by a uniform offset in [-j, j]
drawn from the reset's seed; docs/simulator.md) (None keeps the scenario's value), and, when the scenario is given as a path (all three are fixed at
compile time), ``conflicts`` (``"greenwave"`` or ``"cityflow"``), ``phases`` (``"all"`` or
``"four"``) and ``vehicle_model`` (``"cityflow"`` or ``"idm"``; docs/simulator.md). ``replay=PATH`` (TrafficEnv, GymEnv; VectorEnv: env 0) records the first episode
after construction to PATH for ``greenwave view`` (docs/replay.md); the file is complete at the
next ``reset()``, at ``close()`` or when the env is freed. ``backend="sumo"`` (TrafficEnv, GymEnv) runs SUMO itself through
libsumo on a SUMO scenario file, one env per process (docs/sumo.md).
"""

from __future__ import annotations

import os
import numpy as np

from . import _greenwave
from ._greenwave import ActionError, ConfigError
from .simulation import Scenario, as_scenario

try:  # with Gymnasium installed, the envs are Gymnasium's classes and use its spaces
    import gymnasium
    import gymnasium.vector
except ImportError:
    gymnasium = None

if gymnasium is not None:
    from gymnasium.spaces import Box, Discrete, MultiDiscrete
    _EnvBase, _VectorEnvBase = gymnasium.Env, gymnasium.vector.VectorEnv
    _NEXT_STEP = gymnasium.vector.AutoresetMode.NEXT_STEP
else:
    from .spaces import Box, Discrete, MultiDiscrete
    _EnvBase = _VectorEnvBase = object
    _NEXT_STEP = "next_step"

__all__ = ["TrafficEnv", "GymEnv", "VectorEnv", "make", "GYM_ID"]

GYM_ID = "greenwave/Traffic-v0"
"""The Gymnasium id of GymEnv: ``gymnasium.make(GYM_ID, scenario=..., **config)``."""

_INT32 = np.iinfo(np.int32)
_SEED_MAX = 2**64 - 1


def _seed_arg(seed, what="reset"):
    """`seed` as a Python int in [0, 2**64); ConfigError naming the call for anything else (None passes)."""
    if seed is None:
        return None
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise ConfigError(f"{what}: seed must be a non-negative integer or None, got {seed!r} "
                          f"({type(seed).__name__})")
    seed = int(seed)
    if not 0 <= seed <= _SEED_MAX:
        raise ConfigError(f"{what}: seed must be in [0, 2**64), got {seed}")
    return seed


def _int32_actions(actions, shape):
    """`actions` as a C-ordered int32 array of `shape`; ActionError on another shape or non-integers."""
    a = actions if isinstance(actions, np.ndarray) else np.asarray(actions)
    if a.shape != shape:
        raise ActionError(f"step: actions have shape {a.shape}, expected {shape}")
    if a.dtype != np.int32:
        if not np.issubdtype(a.dtype, np.integer):
            raise ActionError(f"step: actions must be integers, got dtype {a.dtype}")
        if a.size and (a.min() < _INT32.min or a.max() > _INT32.max):
            raise ActionError("step: an action is out of the int32 range")
        a = a.astype(np.int32)
    return a


def _observation_box(core, batch=()):
    low, high = core.obs_bounds
    shape = tuple(batch) + (core.obs_size,)
    return Box(np.broadcast_to(low, shape), np.broadcast_to(high, shape), shape=shape, dtype=np.float32)


class TrafficEnv:
    """One agent per signalized intersection (agent ids = intersection ids), PettingZoo's
    parallel API: ``reset(seed, options) -> (obs, infos)``, ``step(actions) -> (obs, rewards,
    terminations, truncations, infos)``, all dicts keyed by agent. Agent k's action is a
    local phase index; ``infos[agent]["action_mask"]`` marks the allowed ones.

    Observations returned are copies (safe to keep). ``reset()`` without a seed continues
    from the last seed: episode k after ``reset(seed=s)`` uses seed ``s + k``.
    """

    metadata = {"name": "greenwave_traffic_v0", "render_modes": [], "is_parallelizable": True}

    def __init__(self, scenario, *, observation="lane_count,phase", reward="queue", threads=1, seed=None,
                 render_mode=None, backend="native", replay=None, **settings):
        if render_mode is not None:
            raise ConfigError(f"render_mode: greenwave envs do not render, got {render_mode!r}")
        sumo_source = _sumo_source(scenario, backend)
        self.scenario: Scenario = as_scenario(scenario, **settings)
        self._config = {"observation": observation, "reward": reward, "threads": threads, "seed": seed,
                        "backend": backend}
        # A SUMO env is rebuilt from its file (the SUMO network is not part of a Scenario).
        self._source = (sumo_source, dict(settings)) if sumo_source else None
        from .training import _replay_path
        # replay= is not part of the pickled config: a copy does not write the same file.
        self._core = _greenwave._EnvCore(self.scenario, observation, reward, int(threads), sumo_source,
                                         _replay_path(replay))
        self.render_mode = None
        self.possible_agents = list(self._core.agent_ids)
        self.agents = []
        self.action_counts = list(self._core.action_counts)
        self._obs_spaces = {a: _observation_box(self._core) for a in self.possible_agents}
        self._act_spaces = {a: Discrete(n) for a, n in zip(self.possible_agents, self.action_counts)}
        self.state_space = _observation_box(self._core, (len(self.possible_agents),))
        seed = _seed_arg(seed, "TrafficEnv")
        self._seed = int(self.scenario.seed if seed is None else seed)
        self._episode = -1  # episodes since the last explicit seed
        self._status = "new"  # new | running | ended

    def __reduce__(self):
        """Pickles the scenario and the config (not the episode: the copy starts with reset())."""
        if self._source is not None:
            return (_rebuild_traffic_env, (self._source[0], {**self._config, **self._source[1]}))
        return (_rebuild_traffic_env, (self.scenario, self._config))

    # --- spec ---
    @property
    def unwrapped(self):
        """This env (PettingZoo's and Gymnasium's convention for an env without wrappers)."""
        return self

    @property
    def num_agents(self):
        """Agents in the running episode."""
        return len(self.agents)

    @property
    def max_num_agents(self):
        """Number of possible agents."""
        return len(self.possible_agents)

    @property
    def components(self):
        """Observation components: dicts with name, offset, size, low, high."""
        return self._core.components

    @property
    def metric_names(self):
        """Names of the values of metrics() (the CLI metrics keys first)."""
        return self._core.metric_names

    @property
    def simulator(self):
        """The Simulator this env steps (shared: stepping it directly desynchronises the env)."""
        return self._core.simulator

    @property
    def time(self):
        """Simulated seconds since reset."""
        return self._core.time

    def observation_space(self, agent):
        """The Box of one agent's observation (float32, (obs_dim,))."""
        return self._obs_spaces[agent]

    def action_space(self, agent):
        """The Discrete phase choice of one agent."""
        return self._act_spaces[agent]

    # --- episode ---
    def reset(self, seed=None, options=None):
        """Starts an episode; returns (observations, infos) keyed by agent."""
        seed = _seed_arg(seed)
        if seed is not None:
            self._seed, self._episode = seed, 0
        else:
            self._episode += 1
        self._core.reset((self._seed + self._episode) % (_SEED_MAX + 1))
        self._status = "running"
        self.agents = list(self.possible_agents)
        return self._observations(), self._infos()

    def step(self, actions):
        """Applies one phase per agent (dict agent -> int) and advances one decision interval."""
        if self._status != "running":
            self._step_blocked()
        missing = [a for a in self.possible_agents if a not in actions]
        if missing:
            raise ActionError(f"step: no action for agent(s) {missing}")
        if len(actions) != len(self.possible_agents):
            unknown = [a for a in actions if a not in self._act_spaces]
            raise ActionError(f"step: unknown agent(s) {unknown}")
        joint = [actions[a] for a in self.possible_agents]
        self._step_array(_int32_actions(joint, (len(joint),)))
        core = self._core
        rewards = core.rewards
        terminated, truncated = bool(core.terminated), bool(core.truncated)
        out = (self._observations(),
               {a: float(rewards[k]) for k, a in enumerate(self.possible_agents)},
               {a: terminated for a in self.possible_agents},
               {a: truncated for a in self.possible_agents},
               self._infos())
        if terminated or truncated:
            self.agents = []
        return out

    def _step_blocked(self):
        if self._status == "new":
            raise ActionError("step: call reset() before the first step")
        raise ActionError("step: the episode has ended (terminated or truncated); call reset()")

    def _step_array(self, actions):
        """Steps with an int32 (agents,) array; tracks whether the episode ended."""
        if self._status != "running":
            self._step_blocked()
        try:
            self._core.step(actions)
        except ActionError:
            raise
        except Exception:
            self._status = "ended"  # a failed reward leaves the episode unusable until reset()
            self.agents = []
            raise
        if self._core.terminated or self._core.truncated:
            self._status = "ended"

    def _observations(self):
        obs = self._core.obs.copy()
        return {a: obs[k] for k, a in enumerate(self.possible_agents)}

    def _infos(self):
        core = self._core
        mask, ignored, clearance, t = core.action_mask, core.ignored, core.in_clearance, core.time
        return {a: {"action_mask": mask[k].astype(np.int8), "ignored": bool(ignored[k]),
                    "in_clearance": bool(clearance[k]), "time": t}
                for k, a in enumerate(self.possible_agents)}

    def state(self):
        """The global state: every agent's observation stacked, (agents, obs_dim) float32."""
        return self._core.obs.copy()

    def metrics(self):
        """Network metrics now: the CLI metrics keys, then time, departed, running, ..."""
        return self._core.metrics()

    def render(self):
        """Nothing to render (render_mode is None)."""
        return None

    def close(self):
        """Finishes the replay file of ``replay=PATH`` (the engine is freed with the env)."""
        self._core.finish_replay()

    def __repr__(self):
        return f"<greenwave.TrafficEnv {self.scenario.name!r}: {self.max_num_agents} agents>"


def _sumo_source(scenario, backend):
    """The SUMO file a backend="sumo" env runs ("" for the native backend); ConfigError otherwise."""
    if backend == "native":
        return ""
    if backend != "sumo":
        raise ConfigError(f"backend: expected 'native' or 'sumo', got {backend!r}")
    path = scenario if isinstance(scenario, (str, os.PathLike)) else None
    if path is None or not os.fspath(path).endswith((".sumocfg", ".net.xml")):
        raise ConfigError(f"backend: 'sumo' runs a SUMO scenario file (.sumocfg or .net.xml), got {scenario!r} "
                          "(`greenwave convert SCENARIO OUT.sumocfg --to sumo` writes one)")
    return os.fspath(path)


def _rebuild_traffic_env(scenario, config):
    """A TrafficEnv from its pickled scenario and config."""
    return TrafficEnv(scenario, **config)


class GymEnv(_EnvBase):
    """A TrafficEnv as one Gymnasium agent choosing the joint action: observation
    (agents, obs_dim) float32, action a MultiDiscrete over every agent's phases, reward the
    sum over agents (per-agent rewards in ``info["rewards"]``). A ``gymnasium.Env`` when
    Gymnasium is installed (registered as ``greenwave/Traffic-v0``)."""

    metadata = {"render_modes": []}
    render_mode = None

    def __init__(self, scenario, render_mode=None, **config):
        if render_mode is not None:
            raise ConfigError(f"render_mode: greenwave envs do not render, got {render_mode!r}")
        if isinstance(scenario, TrafficEnv):
            if config:
                raise ConfigError(f"GymEnv: config {sorted(config)} given with an existing TrafficEnv")
            self.env = scenario
        else:
            self.env = TrafficEnv(scenario, **config)
        core = self.env._core
        self.observation_space = _observation_box(core, (len(self.env.possible_agents),))
        self.action_space = MultiDiscrete(self.env.action_counts)
        self._shape = (len(self.env.possible_agents),)

    def __reduce__(self):
        """Pickles the TrafficEnv it wraps (its scenario and config)."""
        return (GymEnv, (self.env,))

    @property
    def unwrapped(self):
        """This env (Gymnasium's convention)."""
        return self

    def reset(self, *, seed=None, options=None):
        """Starts an episode; returns (obs, info)."""
        seed = _seed_arg(seed)
        if gymnasium is not None:
            super().reset(seed=seed)  # seeds np_random, as Gymnasium expects
        self.env.reset(seed=seed, options=options)
        core = self.env._core
        return core.obs.copy(), {"action_mask": core.action_mask.astype(np.int8), "time": core.time}

    def step(self, action):
        """Applies the joint action ((agents,) ints); returns (obs, reward, terminated, truncated, info)."""
        self.env._step_array(_int32_actions(action, self._shape))
        core = self.env._core
        rewards = core.rewards.copy()
        info = {"rewards": rewards, "action_mask": core.action_mask.astype(np.int8),
                "ignored": core.ignored.copy(), "time": core.time}
        return core.obs.copy(), float(rewards.sum()), bool(core.terminated), bool(core.truncated), info

    def render(self):
        """Nothing to render."""
        return None

    def close(self):
        """Closes the TrafficEnv (finishing its replay file, if any)."""
        self.env.close()


class VectorEnv(_VectorEnvBase):
    """N GymEnvs (joint-action TrafficEnvs) stepped in parallel by C++ threads with the GIL
    released; a ``gymnasium.vector.VectorEnv`` when Gymnasium is installed.

    ``reset(seed) -> (obs, infos)`` and ``step(actions) -> (obs, rewards, terminated,
    truncated, infos)`` return the SAME read-only NumPy arrays every time: views of buffers the
    C++ side owns, overwritten in place by the next reset/step (as EnvPool). Copy what you keep.
    obs (N, agents, obs_dim) float32, rewards (N,) float32 (the sum over agents, as GymEnv),
    terminated/truncated (N,) bool; infos (a new dict each call, over the same arrays):
    rewards (N, agents) float32 per agent, action_mask (N, agents, max_actions) bool, time (N,),
    ignored and in_clearance (N, agents) bool, metrics (N, len(metric_names)) float64.

    Autoreset is Gymnasium's next-step mode: the step after env i ended ignores its actions and
    returns its reset observation with reward 0. Episode k of env i uses seed ``seed + i + k*N``.

    ``backend="sumo"`` (the scenarios SUMO files) runs each env in SUMO through libsumo in a worker
    process of its own, as ``greenwave train --backend sumo`` does (docs/sumo.md); ``simulator(i)``
    is then unavailable.

    ``replay=PATH`` (native backend) records env 0's first episode (seed ``seed``) to PATH for
    ``greenwave view`` (docs/replay.md); the file is complete at env 0's autoreset or at close().
    """

    metadata = {"autoreset_mode": _NEXT_STEP, "render_modes": []}
    render_mode = None
    closed = False

    def __init__(self, scenarios, num_envs=None, threads=0, *, observation="lane_count,phase", reward="queue",
                 sim_threads=1, seed=None, backend="native", replay=None, **settings):
        from .training import _replay_path
        if isinstance(scenarios, (list, tuple)):
            if num_envs is not None and num_envs != len(scenarios):
                raise ConfigError(f"num_envs: {num_envs} given with {len(scenarios)} scenarios")
            sources = [_sumo_source(s, backend) for s in scenarios]
            compiled = [as_scenario(s, **settings) for s in scenarios]
        else:
            n = 1 if num_envs is None else int(num_envs)
            if n < 1:
                raise ConfigError(f"num_envs: expected >= 1, got {n}")
            sources = [_sumo_source(scenarios, backend)] * n
            compiled = [as_scenario(scenarios, **settings)] * n
        self.scenarios = compiled
        # backend="sumo": libsumo holds one simulation per process, so each env is a TrafficEnv on
        # SUMO in a worker process of its own (docs/sumo.md); the threads step the workers.
        self._core = _greenwave._VectorCore(compiled, observation, reward, int(threads), int(sim_threads),
                                            sources if backend == "sumo" else [], _replay_path(replay))
        self.num_envs = self._core.num_envs
        self.possible_agents = list(self._core.agent_ids)
        self.agents = self.possible_agents
        b = self._core.buffers()
        self._obs, self._rewards = b["obs"], b["reward_sums"]
        self._terminated, self._truncated = b["terminated"], b["truncated"]
        self._infos = {k: b[k] for k in ("rewards", "action_mask", "time", "ignored", "in_clearance", "metrics")}
        self.metric_names = list(self._core.metric_names)
        counts = np.asarray(self._core.action_counts, dtype=np.int64)
        self.single_observation_space = _observation_box(self._core, (len(self.possible_agents),))
        self.single_action_space = MultiDiscrete(counts)
        self.observation_space = _observation_box(self._core, (self.num_envs, len(self.possible_agents)))
        self.action_space = MultiDiscrete(np.tile(counts, (self.num_envs, 1)))
        self._shape = (self.num_envs, len(self.possible_agents))
        seed = _seed_arg(seed, "VectorEnv")
        self._seed = int(compiled[0].seed if seed is None else seed)
        self._resets = -1

    @property
    def components(self):
        """Observation components: dicts with name, offset, size, low, high."""
        return self._core.components

    @property
    def num_threads(self):
        """Worker threads stepping the envs (0 at construction = all cores)."""
        return self._core.num_threads

    @num_threads.setter
    def num_threads(self, n):
        self._core.num_threads = int(n)

    def simulator(self, i):
        """The Simulator of env i (shared with the env)."""
        return self._core.simulator(int(i))

    def reset(self, *, seed=None, options=None):
        """Resets every env (env i with seed + i); without a seed, continues past the seeds used."""
        seed = _seed_arg(seed)
        if gymnasium is not None:
            super().reset(seed=seed)  # seeds np_random, as Gymnasium expects
        if seed is not None:
            self._seed, self._resets = seed, 0
        else:
            self._resets += 1
        self._core.reset((self._seed + self._resets * self.num_envs) % (_SEED_MAX + 1))
        return self._obs, dict(self._infos)

    def step(self, actions):
        """Steps every env with (N, agents) integer actions."""
        a = actions
        if type(a) is not np.ndarray or a.dtype != np.int32 or a.shape != self._shape:
            a = _int32_actions(actions, self._shape)
        self._core.step(a)
        return self._obs, self._rewards, self._terminated, self._truncated, dict(self._infos)

    def _step_loop(self, actions, n):
        """n steps with the same actions, looped in C++ (benchmark reference for step())."""
        self._core.step_n(_int32_actions(actions, self._shape), int(n))
        return self._obs, self._rewards, self._terminated, self._truncated, dict(self._infos)

    def close(self, **kwargs):
        """Marks the env closed and finishes the replay file of ``replay=PATH``; the engine is freed
        with the object."""
        if hasattr(self, "_core"):  # Gymnasium's __del__ closes an env whose __init__ raised, too
            self._core.finish_replay()
        self.closed = True


def make(scenario, **config):
    """A TrafficEnv on a Scenario or a scenario path (config keywords: see this module), or, when
    ``scenario`` is the name of a catalog env other than "traffic" (``greenwave.env_names()``),
    that env as a CatalogEnv with ``config`` as its options: ``make("moe", compute=1e22)``.
    ``make("traffic", scenario=PATH, ...)`` is the TrafficEnv on PATH."""
    if isinstance(scenario, str) and scenario in _greenwave.env_names():
        if scenario == "traffic":
            if "scenario" not in config:
                raise ConfigError("scenario: make('traffic', ...) needs scenario=PATH")
            return TrafficEnv(config.pop("scenario"), **config)
        from .catalog import CatalogEnv
        return CatalogEnv(scenario, **config)
    return TrafficEnv(scenario, **config)


if gymnasium is not None and GYM_ID not in gymnasium.registry:
    gymnasium.register(id=GYM_ID, entry_point="greenwave.envs:GymEnv")
