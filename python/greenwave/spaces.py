"""Observation and action spaces as plain classes (no Gymnasium needed).

Each space has ``shape``, ``dtype``, ``contains(x)`` (also ``x in space``), ``sample()``
(seedable with ``seed(s)``) and ``to_gymnasium()``, which returns the equivalent
``gymnasium.spaces`` object when Gymnasium is installed.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Space", "Discrete", "Box", "MultiDiscrete"]


def _gymnasium_spaces():
    """The gymnasium.spaces module, or ImportError saying how to get it."""
    try:
        import gymnasium.spaces
    except ImportError as e:  # Debian ships no gymnasium
        raise ImportError("to_gymnasium() needs the gymnasium package (pip install gymnasium); "
                          "greenwave's own spaces work without it") from e
    return gymnasium.spaces


class Space:
    """Base class: a set of values with a shape and a dtype, and a seedable sampler."""

    def __init__(self, shape, dtype, seed=None):
        self.shape = tuple(int(s) for s in shape)
        self.dtype = np.dtype(dtype)
        self._rng = np.random.default_rng(seed)

    def seed(self, seed=None):
        """Reseeds sample(); returns [seed] as Gymnasium does."""
        self._rng = np.random.default_rng(seed)
        return [seed]

    def __contains__(self, x):
        return self.contains(x)


class Discrete(Space):
    """The integers ``start .. start + n - 1``."""

    def __init__(self, n, seed=None, start=0):
        if int(n) <= 0:
            raise ValueError(f"Discrete: n must be positive, got {n}")
        super().__init__((), np.int64, seed)
        self.n = int(n)
        self.start = int(start)

    def contains(self, x):
        """True for an integer (Python or NumPy, 0-d array) in range."""
        if isinstance(x, np.ndarray):
            if x.shape != () or not np.issubdtype(x.dtype, np.integer):
                return False
            x = x.item()
        if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, np.integer)):
            return False
        return self.start <= int(x) < self.start + self.n

    def sample(self, mask=None):
        """A uniform value; with a (n,) int8/bool mask, uniform over the allowed values."""
        if mask is not None:
            allowed = np.flatnonzero(np.asarray(mask, dtype=bool))
            if allowed.size == 0:
                return self.start
            return int(self.start + self._rng.choice(allowed))
        return int(self.start + self._rng.integers(self.n))

    def to_gymnasium(self):
        """The equivalent gymnasium.spaces.Discrete."""
        return _gymnasium_spaces().Discrete(self.n, start=self.start)

    def __eq__(self, other):
        return isinstance(other, Discrete) and (self.n, self.start) == (other.n, other.start)

    def __repr__(self):
        return f"Discrete({self.n})" if self.start == 0 else f"Discrete({self.n}, start={self.start})"


class Box(Space):
    """Arrays of ``shape`` with element-wise bounds ``low <= x <= high`` (bounds may be infinite)."""

    def __init__(self, low, high, shape=None, dtype=np.float32, seed=None):
        dtype = np.dtype(dtype)
        if shape is None:
            shape = np.broadcast(np.asarray(low), np.asarray(high)).shape
        shape = tuple(int(s) for s in shape)
        super().__init__(shape, dtype, seed)
        self.low = np.broadcast_to(np.asarray(low, dtype=dtype), shape).copy()
        self.high = np.broadcast_to(np.asarray(high, dtype=dtype), shape).copy()
        if np.any(self.low > self.high):
            raise ValueError("Box: low must not exceed high")

    def contains(self, x):
        """True for an array of this shape (any castable dtype) inside the bounds."""
        try:
            x = np.asarray(x)
        except (TypeError, ValueError):
            return False
        if x.shape != self.shape or not np.can_cast(x.dtype, self.dtype, casting="same_kind"):
            return False
        return bool(np.all(x >= self.low) and np.all(x <= self.high))

    def is_bounded(self):
        """True when every bound is finite."""
        return bool(np.all(np.isfinite(self.low)) and np.all(np.isfinite(self.high)))

    def sample(self):
        """As Gymnasium: uniform where bounded, shifted exponential where half-bounded, normal where unbounded."""
        low = self.low.astype(np.float64)
        high = self.high.astype(np.float64)
        lo_fin, hi_fin = np.isfinite(low), np.isfinite(high)
        out = np.empty(self.shape, dtype=np.float64)
        both = lo_fin & hi_fin
        out[both] = self._rng.uniform(low[both], high[both])
        only_lo = lo_fin & ~hi_fin
        out[only_lo] = low[only_lo] + self._rng.exponential(size=int(only_lo.sum()))
        only_hi = ~lo_fin & hi_fin
        out[only_hi] = high[only_hi] - self._rng.exponential(size=int(only_hi.sum()))
        neither = ~lo_fin & ~hi_fin
        out[neither] = self._rng.normal(size=int(neither.sum()))
        if np.issubdtype(self.dtype, np.integer):
            out = np.floor(out)
        return np.clip(out, low, high).astype(self.dtype)

    def to_gymnasium(self):
        """The equivalent gymnasium.spaces.Box."""
        return _gymnasium_spaces().Box(low=self.low, high=self.high, shape=self.shape, dtype=self.dtype)

    def __eq__(self, other):
        return (isinstance(other, Box) and self.shape == other.shape and self.dtype == other.dtype
                and np.array_equal(self.low, other.low) and np.array_equal(self.high, other.high))

    def __repr__(self):
        return f"Box({self.low.min()}, {self.high.max()}, {self.shape}, {self.dtype})"


class MultiDiscrete(Space):
    """Integer arrays with ``0 <= x[i] < nvec[i]`` element-wise (nvec may be multi-dimensional)."""

    def __init__(self, nvec, dtype=np.int64, seed=None):
        nvec = np.asarray(nvec, dtype=np.int64)
        if np.any(nvec <= 0):
            raise ValueError("MultiDiscrete: every nvec entry must be positive")
        super().__init__(nvec.shape, dtype, seed)
        self.nvec = nvec

    def contains(self, x):
        """True for an integer array of this shape inside the bounds."""
        try:
            x = np.asarray(x)
        except (TypeError, ValueError):
            return False
        if x.shape != self.shape or not np.issubdtype(x.dtype, np.integer):
            return False
        return bool(np.all(x >= 0) and np.all(x < self.nvec))

    def sample(self, mask=None):
        """A uniform array; with a mask (shape + (max(nvec),), 1 = allowed), uniform over the allowed values."""
        if mask is None:
            return (self._rng.random(self.shape) * self.nvec).astype(self.dtype)
        mask = np.asarray(mask, dtype=bool).reshape(self.nvec.size, -1)
        out = np.empty(self.nvec.size, dtype=self.dtype)
        for k, n in enumerate(self.nvec.ravel()):
            allowed = np.flatnonzero(mask[k, :n])
            out[k] = self._rng.choice(allowed) if allowed.size else 0
        return out.reshape(self.shape)

    def to_gymnasium(self):
        """The equivalent gymnasium.spaces.MultiDiscrete."""
        return _gymnasium_spaces().MultiDiscrete(self.nvec, dtype=self.dtype)

    def __eq__(self, other):
        return isinstance(other, MultiDiscrete) and np.array_equal(self.nvec, other.nvec)

    def __repr__(self):
        return f"MultiDiscrete({self.nvec.tolist()})"
