"""Read greenwave's HDF5 trajectory logs into NumPy arrays (schema in docs/trajectories.md).

    with greenwave.trajectories.open("run.h5") as log:
        for episode in log.episodes:
            episode.observations, episode.actions, episode.rewards, episode.metric("delay_index")

Only h5py and NumPy are needed; the file may still be written by a running greenwave (HDF5
file locking is off on both sides). An episode still open in the writer (no ``steps``
attribute yet) is not listed.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
from functools import cached_property
from typing import Any, Iterator

import h5py
import numpy as np

__all__ = ["SCHEMA_VERSION", "Episode", "Trajectories", "TrajectoryFormatError", "open"]

#: The schema version this reader understands (``schema_version`` file attribute).
SCHEMA_VERSION = 1

_EPISODE_NAME = re.compile(r"^episode_(\d{6,})$")
_EPISODE_DATASETS = ("observations", "actions", "rewards", "ignored", "terminated", "truncated", "metrics")
_FILE_ATTRIBUTES = ("schema_version", "scenario_hash", "reward_spec", "env_config", "seed", "agent_ids",
                    "observation_components", "metric_names")


class TrajectoryFormatError(ValueError):
    """A file that is not a greenwave trajectory log of a schema version this reader knows."""


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _texts(value: Any) -> list[str]:
    return [_text(v) for v in np.atleast_1d(value)]


class Episode:
    """One finished episode of a trajectory file; each array is read from disk on first use."""

    def __init__(self, path: str, group: h5py.Group, index: int, metric_names: list[str]):
        self.path = path
        #: The HDF5 group name, e.g. ``episode_000003``.
        self.name = group.name.lstrip("/")
        #: Position of the episode in the file (0-based).
        self.index = index
        #: The seed the episode was reset with.
        self.seed = int(group.attrs["seed"])
        #: Number of steps T (actions/rewards have T rows, observations T + 1).
        self.steps = int(group.attrs["steps"])
        #: Column names of :attr:`metrics`.
        self.metric_names = metric_names
        self._group = group

    def _read(self, name: str, dtype: Any = None) -> np.ndarray:
        if name not in self._group:
            raise TrajectoryFormatError(f"{self.path}: {self.name} has no dataset '{name}'")
        data = self._group[name][()]
        return data.astype(dtype) if dtype is not None else data

    @cached_property
    def observations(self) -> np.ndarray:
        """(T + 1, agents, obs) float32; row 0 is the reset observation."""
        return self._read("observations")

    @cached_property
    def actions(self) -> np.ndarray:
        """(T, agents) int32: the actions of each step."""
        return self._read("actions")

    @cached_property
    def rewards(self) -> np.ndarray:
        """(T, agents) float32: the rewards of each step."""
        return self._read("rewards")

    @cached_property
    def ignored(self) -> np.ndarray:
        """(T, agents) bool: the agent's phase request could not take effect (min_green)."""
        return self._read("ignored", bool)

    @cached_property
    def terminated(self) -> np.ndarray:
        """(T,) bool: the episode ended by itself at this step."""
        return self._read("terminated", bool)

    @cached_property
    def truncated(self) -> np.ndarray:
        """(T,) bool: the episode was cut at the horizon at this step."""
        return self._read("truncated", bool)

    @cached_property
    def metrics(self) -> np.ndarray:
        """(T, n_metrics) float64: the step's metric values, columns :attr:`metric_names`."""
        return self._read("metrics")

    def metric(self, name: str) -> np.ndarray:
        """(T,) float64: one metric column by name, e.g. ``"delay_index"`` or ``"time"``."""
        if name not in self.metric_names:
            raise KeyError(f"{self.path}: no metric '{name}' (have {', '.join(self.metric_names)})")
        return self.metrics[:, self.metric_names.index(name)]

    def final_metrics(self) -> dict[str, float]:
        """The metric values after the last step, keyed by name (empty for a 0-step episode)."""
        if self.steps == 0:
            return {}
        return dict(zip(self.metric_names, (float(v) for v in self.metrics[-1])))

    def __repr__(self) -> str:
        return f"Episode({self.name!r}, seed={self.seed}, steps={self.steps})"


class Trajectories:
    """An open trajectory file: the run's attributes and its finished episodes. Close it (or use
    ``with``) to release the file."""

    def __init__(self, path: str | os.PathLike):
        self.path = str(path)
        if not pathlib.Path(self.path).is_file():
            raise FileNotFoundError(f"trajectory file {self.path} does not exist")
        try:
            self._file = h5py.File(self.path, "r", locking=False)
        except OSError as e:
            raise TrajectoryFormatError(f"{self.path}: not an HDF5 file ({e})") from None
        try:
            self._load_attributes()
        except BaseException:
            self._file.close()
            raise

    def _load_attributes(self) -> None:
        attrs = self._file.attrs
        missing = [a for a in _FILE_ATTRIBUTES if a not in attrs]
        if "schema_version" in missing:
            raise TrajectoryFormatError(f"{self.path}: no 'schema_version' attribute; not a greenwave trajectory file")
        #: The file's schema version (``SCHEMA_VERSION``).
        self.schema_version = int(attrs["schema_version"])
        if self.schema_version != SCHEMA_VERSION:
            raise TrajectoryFormatError(f"{self.path}: schema_version {self.schema_version} is not supported "
                                        f"(this reader knows {SCHEMA_VERSION})")
        if missing:
            raise TrajectoryFormatError(f"{self.path}: missing file attribute(s) {', '.join(missing)}")
        #: ``CompiledScenario::content_hash`` of the scenario the run used.
        self.scenario_hash = _text(attrs["scenario_hash"])
        #: The canonical reward spec, e.g. ``pressure:1,queue:0.25``.
        self.reward_spec = _text(attrs["reward_spec"])
        try:
            #: The env config (observation, reward, ...) as a dict.
            self.env_config = json.loads(_text(attrs["env_config"]))
        except json.JSONDecodeError as e:
            raise TrajectoryFormatError(f"{self.path}: attribute env_config is not JSON ({e})") from None
        #: The run's base seed.
        self.seed = int(attrs["seed"])
        #: Agent (intersection) ids in agent order: the second axis of observations/actions/rewards.
        self.agent_ids = _texts(attrs["agent_ids"])
        #: Names of the observation components, in order.
        self.observation_components = _texts(attrs["observation_components"])
        #: Columns of each episode's ``metrics``.
        self.metric_names = _texts(attrs["metric_names"])
        episodes = []
        for name in sorted(self._file.keys()):
            match = _EPISODE_NAME.match(name)
            if match is None:
                continue
            group = self._file[name]
            if "steps" not in group.attrs:
                continue  # still being written, or cut by a crash
            missing = [d for d in _EPISODE_DATASETS if d not in group]
            if missing:
                raise TrajectoryFormatError(f"{self.path}: {name} lacks dataset(s) {', '.join(missing)}")
            names = group["metrics"].attrs.get("metric_names")
            episodes.append(Episode(self.path, group, len(episodes),
                                    _texts(names) if names is not None else self.metric_names))
        #: The finished episodes, in file order.
        self.episodes: list[Episode] = episodes

    @property
    def num_agents(self) -> int:
        """Number of agents (intersections)."""
        return len(self.agent_ids)

    @property
    def total_steps(self) -> int:
        """Steps over all finished episodes."""
        return sum(e.steps for e in self.episodes)

    def __len__(self) -> int:
        return len(self.episodes)

    def __getitem__(self, index: int) -> Episode:
        return self.episodes[index]

    def __iter__(self) -> Iterator[Episode]:
        return iter(self.episodes)

    def close(self) -> None:
        """Closes the file; episode arrays already read stay valid."""
        self._file.close()

    def __enter__(self) -> "Trajectories":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (f"Trajectories({self.path!r}, episodes={len(self.episodes)}, agents={self.num_agents}, "
                f"reward={self.reward_spec!r})")


def open(path: str | os.PathLike) -> Trajectories:  # noqa: A001 - mirrors h5py.File / builtins.open
    """Opens a trajectory file written by greenwave; raises FileNotFoundError when it is absent and
    TrajectoryFormatError when it is not a trajectory log of schema version 1."""
    return Trajectories(path)
