"""Seeded point-set generators for scatter panels (classes, clusters, noisy curves).

They register in the one vetted registry of point sets, `spec.vetted.generators.POINT_SETS`:
YAML names a generator and gives its numeric parameters; nothing from the YAML is
evaluated as code. Every generator takes a `seed` and returns the same points on
every machine (NumPy's PCG64); `generate` rounds them to 3 decimals so builds are stable.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from spec.vetted.generators import POINT_SETS
from spec.vetted.generators import point_set as generator


def _rng(seed: float) -> np.random.Generator:
    return np.random.default_rng(int(seed))


@generator
def blobs(n=30, centers=((0.0, 0.0),), spread=0.5, seed=0):
    """n points split evenly over isotropic Gaussian blobs around `centers`, standard deviation `spread`.

    n: number of points
    centers: blob centres [[x, y], ...]
    spread: standard deviation
    seed: random seed
    """
    rng = _rng(seed)
    centers = np.asarray(centers, dtype=float).reshape(-1, 2)
    n = int(n)
    counts = [n // len(centers) + (1 if i < n % len(centers) else 0) for i in range(len(centers))]
    parts = [c + rng.normal(0.0, spread, size=(k, 2)) for c, k in zip(centers, counts, strict=True)]
    return np.vstack(parts)


@generator
def gaussian(n=40, mean=(0.0, 0.0), cov=((1.0, 0.0), (0.0, 1.0)), seed=0):
    """n points from a 2-D Gaussian with the given mean and covariance matrix [[sxx, sxy], [sxy, syy]].

    n: number of points
    mean: [x, y]
    cov: covariance [[sxx, sxy], [sxy, syy]]
    seed: random seed
    """
    rng = _rng(seed)
    return rng.multivariate_normal(np.asarray(mean, dtype=float), np.asarray(cov, dtype=float), size=int(n))


@generator
def line(n=20, slope=1.0, intercept=0.0, noise=0.5, x_range=(0.0, 1.0), seed=0):
    """n points y = intercept + slope x + N(0, noise^2), x evenly spread over x_range with a little jitter.

    n: number of points
    slope: slope
    intercept: intercept
    noise: standard deviation of y noise
    x_range: [lo, hi] of x
    seed: random seed
    """
    rng = _rng(seed)
    lo, hi = x_range
    n = int(n)
    xs = np.linspace(lo, hi, n) + rng.uniform(-0.3, 0.3, n) * (hi - lo) / max(n, 1)
    xs = np.clip(xs, lo, hi)
    ys = intercept + slope * xs + rng.normal(0.0, noise, n)
    return np.column_stack([xs, ys])


@generator
def wave(n=20, a=1.0, f=1.0, c=0.0, noise=0.2, x_range=(0.0, 6.0), seed=0):
    """n points y = a sin(f x) + c + N(0, noise^2), x evenly spread over x_range with a little jitter.

    n: number of points
    a: amplitude
    f: angular frequency
    c: vertical offset
    noise: standard deviation of y noise
    x_range: [lo, hi] of x
    seed: random seed
    """
    rng = _rng(seed)
    lo, hi = x_range
    n = int(n)
    xs = np.linspace(lo, hi, n) + rng.uniform(-0.3, 0.3, n) * (hi - lo) / max(n, 1)
    xs = np.clip(xs, lo, hi)
    ys = a * np.sin(f * xs) + c + rng.normal(0.0, noise, n)
    return np.column_stack([xs, ys])


@generator
def strip(n=10, mean=0.0, spread=1.0, y=0.0, seed=0):
    """n points at height y whose x is Gaussian (mean, spread): one class of a 1-D classification.

    n: number of points
    mean: mean of x
    spread: standard deviation of x
    y: the height of the strip
    seed: random seed
    """
    rng = _rng(seed)
    xs = rng.normal(mean, spread, int(n))
    return np.column_stack([xs, np.full(int(n), float(y))])


@generator
def uniform(n=20, x_range=(0.0, 1.0), y_range=(0.0, 1.0), seed=0):
    """n points uniform in the rectangle x_range x y_range.

    n: number of points
    x_range: [lo, hi] of x
    y_range: [lo, hi] of y
    seed: random seed
    """
    rng = _rng(seed)
    n = int(n)
    return np.column_stack([rng.uniform(*x_range, n), rng.uniform(*y_range, n)])


def generate(name: str, params: dict[str, Any]) -> np.ndarray:
    """Run a registered point-set generator; return an (n, 2) array rounded to 3 decimals."""
    pts = np.asarray(POINT_SETS[name](**params), dtype=float).reshape(-1, 2)
    return np.round(pts, 3) + 0.0
