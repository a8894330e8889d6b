"""The vetted set of named, seeded data generators a panel may use.

YAML names a generator and gives its numeric parameters; nothing from the YAML is
evaluated as code. Every generator is deterministic: the same parameters (seed
included) give the same data on every machine.

Two registries:
- POINT_SETS: clouds of 2-D points (embedding spaces), each returning an (n, 2) array;
- IMAGES: small procedural pictures, each returning an (h, w, 3) float array in [0, 1].
The diffusion forward and reverse processes used by the `frames` panel live here too.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

POINT_SETS: dict[str, Callable[..., np.ndarray]] = {}
IMAGES: dict[str, Callable[..., np.ndarray]] = {}


def point_set(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """Register a point-cloud generator under its own name."""
    POINT_SETS[fn.__name__] = fn
    return fn


def image(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """Register a picture generator under its own name."""
    IMAGES[fn.__name__] = fn
    return fn


def parameters(registry: dict[str, Callable[..., Any]], name: str) -> list[str]:
    """Return the parameter names a registered generator accepts."""
    return list(inspect.signature(registry[name]).parameters)


# ---------------------------------------------------------------- point sets


@point_set
def blob(seed: float = 0, n: float = 12, center: tuple[float, float] | list[float] = (0.0, 0.0),
         spread: float = 0.1) -> np.ndarray:
    """n points from an isotropic Gaussian around center with standard deviation spread.

    seed: random seed
    n: number of points
    center: centre [x, y]
    spread: standard deviation
    """
    rng = np.random.default_rng(int(seed))
    return np.asarray(center, dtype=float)[:2] + rng.normal(0.0, spread, size=(int(n), 2))


@point_set
def arc(seed: float = 0, n: float = 12, radius: float = 0.8, angle: float = 45.0, width: float = 20.0,
        jitter: float = 0.06) -> np.ndarray:
    """n points along a direction (degrees) from the origin, within +-width/2 degrees: a topic's cone.

    seed: random seed
    n: number of points
    radius: outer radius
    angle: direction in degrees
    width: angular width in degrees
    jitter: radial noise
    """
    rng = np.random.default_rng(int(seed))
    k = int(n)
    a = np.radians(angle + rng.uniform(-width / 2, width / 2, size=k))
    r = radius * rng.uniform(0.55, 1.0, size=k) + rng.normal(0.0, jitter, size=k)
    return np.column_stack([r * np.cos(a), r * np.sin(a)])


def generate_points(name: str, params: dict[str, Any]) -> np.ndarray:
    """Run a registered point-set generator."""
    return np.asarray(POINT_SETS[name](**params), dtype=float)


# ---------------------------------------------------------------- pictures


def _grid(size: int) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.mgrid[0:size, 0:size].astype(float) / (size - 1)
    return xs, ys  # x to the right, y downward, both in [0, 1]


@image
def landscape(seed: float = 0, size: float = 48) -> np.ndarray:
    """A sun over two mountain ridges and a lake; the seed changes the ridges and the sun.

    seed: random seed (ridges, sun)
    size: width and height in pixels
    """
    rng = np.random.default_rng(int(seed))
    n = int(size)
    xs, ys = _grid(n)
    img = np.zeros((n, n, 3))
    sky_top, sky_low = np.array([0.16, 0.38, 0.78]), np.array([0.98, 0.72, 0.45])
    img[:] = sky_top + (sky_low - sky_top) * ys[..., None] ** 1.3
    sx, sy = rng.uniform(0.58, 0.8), rng.uniform(0.2, 0.3)
    sun = (xs - sx) ** 2 + (ys - sy) ** 2 < 0.1**2
    img[sun] = [1.0, 0.9, 0.3]
    for depth, colour, base in ((0, [0.42, 0.35, 0.55], 0.5), (1, [0.2, 0.45, 0.3], 0.62)):
        phase = rng.uniform(0, 2 * np.pi, 3)
        ridge = base - 0.12 * np.sin(2.5 * np.pi * xs + phase[0]) - 0.05 * np.sin(7 * np.pi * xs + phase[1]) \
            - 0.02 * np.sin(15 * np.pi * xs + phase[2])
        img[ys > ridge + 0.04 * depth] = colour
    lake = ys > 0.78
    img[lake] = np.array([0.12, 0.3, 0.6]) + 0.15 * (ys[lake][:, None] - 0.78)
    glint = lake & (np.abs(xs - sx) < 0.05 * (1.2 - ys)) & (np.sin(60 * ys) > 0)
    img[glint] = [1.0, 0.85, 0.4]
    return np.clip(img, 0, 1)


@image
def shapes(seed: float = 0, size: float = 48) -> np.ndarray:
    """A red disc, a blue square and a yellow triangle on a light background, placed by the seed.

    seed: random seed (positions)
    size: width and height in pixels
    """
    rng = np.random.default_rng(int(seed))
    n = int(size)
    xs, ys = _grid(n)
    img = np.ones((n, n, 3)) * np.array([0.93, 0.92, 0.88])
    cx, cy = rng.uniform(0.25, 0.4, 2)
    img[(xs - cx) ** 2 + (ys - cy) ** 2 < 0.17**2] = [0.85, 0.2, 0.2]
    qx, qy = rng.uniform(0.68, 0.75), rng.uniform(0.2, 0.35)
    img[(np.abs(xs - qx) < 0.15) & (np.abs(ys - qy) < 0.15)] = [0.15, 0.35, 0.8]
    tx, ty = rng.uniform(0.35, 0.6), 0.88
    img[(ys < ty) & (ys > ty - 0.32) & (np.abs(xs - tx) < (ys - (ty - 0.32)) * 0.6)] = [0.95, 0.75, 0.1]
    return img


def generate_image(name: str, params: dict[str, Any]) -> np.ndarray:
    """Run a registered picture generator; return floats in [0, 1], shape (h, w, 3)."""
    return np.clip(np.asarray(IMAGES[name](**params), dtype=float), 0.0, 1.0)


# ---------------------------------------------------------------- diffusion (DDPM)


def alpha_bars(schedule: str, steps: int) -> np.ndarray:
    """Cumulative products alpha_bar_t = prod_{s<=t} (1 - beta_s) for t = 1..T (index 0 is t = 0, alpha_bar = 1).

    `linear`: beta from 1e-4 to 0.02 (Ho et al., 2020); `cosine`: Nichol & Dhariwal (2021), s = 0.008.
    """
    if schedule == "linear":
        betas = np.linspace(1e-4, 0.02, steps)
        ab = np.cumprod(1.0 - betas)
    else:
        s = 0.008
        t = np.arange(steps + 1) / steps
        f = np.cos((t + s) / (1 + s) * np.pi / 2) ** 2
        betas = np.minimum(1.0 - f[1:] / f[:-1], 0.999)
        ab = np.cumprod(1.0 - betas)
    return np.concatenate([[1.0], ab])


def forward_noised(x0: np.ndarray, ts: list[int], schedule: str, steps: int, seed: int) -> list[np.ndarray]:
    """Sample x_t ~ q(x_t | x_0) = N(sqrt(ab_t) x_0, (1 - ab_t) I) for each t, with one fixed noise draw.

    Images are scaled to [-1, 1] for the process and back to [0, 1] (clipped) for display.
    """
    ab = alpha_bars(schedule, steps)
    x = 2.0 * x0 - 1.0
    eps = np.random.default_rng(seed).normal(size=x.shape)
    return [np.clip((np.sqrt(ab[t]) * x + np.sqrt(1.0 - ab[t]) * eps + 1.0) / 2.0, 0.0, 1.0) for t in ts]


def reverse_chain(x0: np.ndarray, ts: list[int], schedule: str, steps: int, seed: int) -> list[np.ndarray]:
    """Run DDPM ancestral sampling from x_T ~ N(0, I) down to x_0 and return x_t at the requested ts.

    The noise predictor is an oracle that knows x_0 (eps_hat = (x_t - sqrt(ab_t) x_0) / sqrt(1 - ab_t)),
    i.e. a perfectly trained model for a one-image data set, so each step samples the true posterior
    q(x_{t-1} | x_t, x_0). Update: x_{t-1} = (x_t - beta_t / sqrt(1 - ab_t) eps_hat) / sqrt(alpha_t) + sigma_t z,
    with sigma_t^2 = beta_t (the DDPM choice).
    """
    ab = alpha_bars(schedule, steps)
    alphas = ab[1:] / ab[:-1]
    target = 2.0 * x0 - 1.0
    rng = np.random.default_rng(seed)
    x = rng.normal(size=x0.shape)
    wanted = set(ts)
    out: dict[int, np.ndarray] = {}
    if steps in wanted:
        out[steps] = x.copy()
    for t in range(steps, 0, -1):
        a, a_bar = alphas[t - 1], ab[t]
        beta = 1.0 - a
        eps_hat = (x - np.sqrt(a_bar) * target) / np.sqrt(1.0 - a_bar)
        mean = (x - beta / np.sqrt(1.0 - a_bar) * eps_hat) / np.sqrt(a)
        x = mean + (np.sqrt(beta) * rng.normal(size=x.shape) if t > 1 else 0.0)
        if t - 1 in wanted:
            out[t - 1] = x.copy()
    return [np.clip((out[t] + 1.0) / 2.0, 0.0, 1.0) for t in ts]
