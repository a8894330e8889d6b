"""Geometry on frame units: Bezier samples, hulls, boxes."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import numpy as np

from render.lint.base import SAMPLE_STEP, Box

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- geometry


def _painted(m: Any) -> bool:
    """Whether a mobject with points puts any paint on the frame."""
    stroke = m.get_stroke_width() > 0 and m.get_stroke_opacity() > 0
    return bool(stroke or m.get_fill_opacity() > 0)


def _stroked(m: Any) -> bool:
    return bool(m.get_stroke_width() > 0 and m.get_stroke_opacity() > 0)


def bezier_samples(points: np.ndarray, step: float = SAMPLE_STEP) -> np.ndarray:
    """Sample the cubic Bezier curves of a Cairo VMobject's points (groups of 4) every `step` units."""
    k = len(points) // 4
    if k == 0:
        return np.zeros((0, 2))
    c = np.asarray(points[: 4 * k], dtype=float).reshape(k, 4, 3)[:, :, :2]
    longest = float(np.linalg.norm(np.diff(c, axis=1), axis=2).sum(axis=1).max())
    n = int(np.clip(np.ceil(longest / step) + 1, 2, 400))
    t = np.linspace(0.0, 1.0, n)[:, None, None]
    u = 1 - t
    b = u**3 * c[:, 0] + 3 * u**2 * t * c[:, 1] + 3 * u * t**2 * c[:, 2] + t**3 * c[:, 3]
    return b.transpose(1, 0, 2).reshape(-1, 2)  # curve by curve, so that a closed outline is a polygon


def convex_hull(pts: np.ndarray) -> np.ndarray:
    """Andrew's monotone chain; return the hull counter-clockwise (at least the unique points)."""
    p = np.unique(np.round(pts, 6), axis=0)
    if len(p) < 3:
        return p

    def cross(o: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
        return float((a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]))

    lower: list[np.ndarray] = []
    for q in p:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], q) <= 0:
            lower.pop()
        lower.append(q)
    upper: list[np.ndarray] = []
    for q in p[::-1]:
        while len(upper) >= 2 and cross(upper[-2], upper[-1], q) <= 0:
            upper.pop()
        upper.append(q)
    return np.array(lower[:-1] + upper[:-1])


def inside_hull(pts: np.ndarray, hull: np.ndarray) -> np.ndarray:
    """Which points lie strictly inside a counter-clockwise convex polygon."""
    if len(hull) < 3 or len(pts) == 0:
        return np.zeros(len(pts), dtype=bool)
    a = hull
    e = np.roll(hull, -1, axis=0) - a
    cross = e[None, :, 0] * (pts[:, None, 1] - a[None, :, 1]) - e[None, :, 1] * (pts[:, None, 0] - a[None, :, 0])
    return np.asarray((cross > 1e-9).all(axis=1))


def inside_polygon(pt: np.ndarray, poly: np.ndarray) -> bool:
    """Even-odd test of one point against a closed polygon (any shape)."""
    if len(poly) < 3:
        return False
    x, y = float(pt[0]), float(pt[1])
    a = poly
    b = np.roll(poly, -1, axis=0)
    straddle = (a[:, 1] > y) != (b[:, 1] > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        xs = a[:, 0] + (y - a[:, 1]) * (b[:, 0] - a[:, 0]) / (b[:, 1] - a[:, 1])
    return bool(np.count_nonzero(straddle & (xs > x)) % 2)


def _bbox(pts: np.ndarray) -> Box:
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    return float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])


def _intersection(a: Box, b: Box, shrink: float = 0.0) -> Box | None:
    x0, y0 = max(a[0], b[0]) + shrink, max(a[1], b[1]) + shrink
    x1, y1 = min(a[2], b[2]) - shrink, min(a[3], b[3]) - shrink
    return (x0, y0, x1, y1) if x0 < x1 and y0 < y1 else None


def _touches(a: Box, b: Box) -> bool:
    """Whether two boxes meet (a horizontal line has a box of zero height)."""
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _union(boxes: Iterable[Box]) -> Box:
    bs = list(boxes)
    return min(b[0] for b in bs), min(b[1] for b in bs), max(b[2] for b in bs), max(b[3] for b in bs)


def _contains(b: Box, p: np.ndarray) -> bool:
    return b[0] <= p[0] <= b[2] and b[1] <= p[1] <= b[3]


def _bbox_of(m: Any) -> Box:
    pts = [np.asarray(x.points)[:, :2] for x in m.family_members_with_points()]
    return _bbox(np.vstack(pts)) if pts else (0.0, 0.0, 0.0, 0.0)


def _refs(*refs: str) -> tuple[str, ...]:
    out: list[str] = []
    for r in refs:
        if r not in out:
            out.append(r)
    return tuple(out)


