"""plot: axes with curves, paths, points, shaded areas, shapes and labels."""

from __future__ import annotations

import numpy as np
from manim import (
    DL,
    DOWN,
    DR,
    LEFT,
    RIGHT,
    UL,
    UP,
    UR,
    DashedVMobject,
    Dot,
    Line,
    Mobject,
    Polygon,
    VGroup,
    VMobject,
)

from scenes.common import Built, Rect, draw_intro, heading, label_mob, tag, tex, text
from scenes.kinds import builder
from spec import Curve, PlotPanel
from spec import theme as T
from spec.sweep import fill
from spec.theme import Theme
from spec.vetted import functions

DIRECTIONS = {"up": UP, "down": DOWN, "left": LEFT, "right": RIGHT, "ur": UR, "ul": UL, "dr": DR, "dl": DL}
SAMPLES = 160


def _curve_xy(curve: Curve, spec: PlotPanel, cache: dict[str, tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Sample a curve on its domain (declared points, a vetted function, or a sum of curves)."""
    if curve.id in cache:
        return cache[curve.id]
    lo, hi = curve.domain or spec.x.range
    if curve.points is not None:
        pts = np.array(curve.points, dtype=float)
        xy = (pts[:, 0], pts[:, 1])
    elif curve.fn is not None:
        xs = np.linspace(lo, hi, SAMPLES)
        xy = (xs, functions.evaluate(curve.fn, curve.params, xs))
    else:
        xs = np.linspace(lo, hi, SAMPLES)
        ys = np.full_like(xs, curve.offset)
        for sid in curve.sum_of or []:
            other = next(c for c in spec.curves if c.id == sid)
            ox, oy = _curve_xy(other, spec, cache)
            ys = ys + np.interp(xs, ox, oy)
        xy = (xs, ys)
    cache[curve.id] = xy
    return xy


def _clip_to_range(xs: np.ndarray, ys: np.ndarray, spec: PlotPanel) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = spec.y.range
    keep = (ys >= lo - 1e-9) & (ys <= hi + 1e-9)
    if not keep.any():
        return xs[:1], np.clip(ys[:1], lo, hi)
    # keep the longest contiguous run inside the y range (a curve leaving the top is cut there)
    idx = np.flatnonzero(keep)
    runs = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)
    run = max(runs, key=len)
    return xs[run], ys[run]


TIP = 0.1  # half the length of a path's arrowhead, in frame units


def _segment_tips(stops: list[np.ndarray], color: str) -> list[Polygon]:
    """A filled arrowhead at the middle of each segment long enough to hold one, pointing along it."""
    tips = []
    for a, b in zip(stops, stops[1:], strict=False):
        d = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
        length = float(np.hypot(d[0], d[1]))
        if length < 4 * TIP:
            continue
        d /= length
        n = np.array([-d[1], d[0], 0.0])
        m = (np.asarray(a, dtype=float) + np.asarray(b, dtype=float)) / 2
        tip = Polygon(m + d * TIP, m - d * TIP + n * TIP * 0.8, m - d * TIP - n * TIP * 0.8)
        tips.append(tip.set_fill(color, opacity=1).set_stroke(color, width=1))
    return tips


@builder("plot")
def build_plot(spec: PlotPanel, rect: Rect, th: Theme) -> Built:
    head, rect = heading(spec.title, rect, spec.id, th)
    axes, axes_group, box = _axes(spec, rect, th)

    elements: dict[str, Mobject] = {"axes": axes_group}
    intros = {"axes": draw_intro}
    paths: dict[str, VMobject] = {}
    waypoints: dict[str, list[np.ndarray]] = {}
    cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def place_label(mob: Mobject, anchor: np.ndarray, direction: np.ndarray) -> Mobject:
        mob.next_to(anchor, direction, buff=0.12)
        return _clamp(mob, rect)

    for a in spec.areas:
        curve = next(c for c in spec.curves if c.id == a.curve)
        xs, ys = _curve_xy(curve, spec, cache)
        lo, hi = a.domain or (xs[0], xs[-1])
        sel = (xs >= lo) & (xs <= hi)
        top = [axes.c2p(x, y) for x, y in zip(xs[sel], ys[sel], strict=True)]
        base_y = max(spec.y.range[0], 0.0)
        poly = Polygon(axes.c2p(xs[sel][0], base_y), *top, axes.c2p(xs[sel][-1], base_y))
        color = th.color(a.role)
        poly.set_stroke(width=0).set_fill(color, opacity=0.28)
        tag(poly, "shape", a.id)
        group = VGroup(poly)
        if a.label:
            lab = label_mob(a.label, a.id, th, color=th.text)
            lab.move_to(axes.c2p((lo + hi) / 2, base_y + 0.3 * (float(np.interp((lo + hi) / 2, xs, ys)) - base_y)))
            group.add(lab)
        elements[a.id] = group

    for c in spec.curves:
        xs, ys = _curve_xy(c, spec, cache)
        xs, ys = _clip_to_range(xs, ys, spec)
        line = VMobject()
        line.set_points_smoothly([axes.c2p(x, y) for x, y in zip(xs, ys, strict=True)]) if c.points is not None \
            else line.set_points_as_corners([axes.c2p(x, y) for x, y in zip(xs, ys, strict=True)])
        color = th.color(c.role)
        line.set_stroke(color, width=4)
        if c.dashed:
            line = DashedVMobject(line, num_dashes=40).set_stroke(color, width=4)
        tag(line, "curve", c.id)
        group = VGroup(line)
        if c.label:
            lab = label_mob(c.label, c.id, th, color=color)
            at = c.label_at if c.label_at is not None else xs[-1]
            y = float(np.interp(at, xs, ys))
            place_label(lab, axes.c2p(at, y), UR if at < xs[-1] else RIGHT)
            group.add(lab)
        elements[c.id] = group
        intros[c.id] = draw_intro

    for s in spec.shapes:
        color = th.color(s.role)
        if s.polygon:
            mob: VMobject = Polygon(*[axes.c2p(x, y) for x, y in s.polygon])
        elif s.circle:
            cx, cy, r = s.circle
            ts = np.linspace(0, 2 * np.pi, 96)
            mob = Polygon(*[axes.c2p(cx + r * np.cos(t), cy + r * np.sin(t)) for t in ts[:-1]])
        elif s.ellipse:
            cx, cy, rx, ry, ang = s.ellipse
            ts = np.linspace(0, 2 * np.pi, 96)[:-1]
            a = np.radians(ang)
            pts = [(cx + rx * np.cos(t) * np.cos(a) - ry * np.sin(t) * np.sin(a),
                    cy + rx * np.cos(t) * np.sin(a) + ry * np.sin(t) * np.cos(a)) for t in ts]
            mob = Polygon(*[axes.c2p(x, y) for x, y in pts])
        else:
            assert s.segment is not None
            mob = Line(axes.c2p(*s.segment[0]), axes.c2p(*s.segment[1]))
        mob.set_stroke(color, width=3.5)
        mob.set_fill(color, opacity=0.22 if s.fill else 0)
        if s.dashed:
            mob = DashedVMobject(mob, num_dashes=48).set_stroke(color, width=3)
        tag(mob, "shape", s.id)
        group = VGroup(mob)
        if s.label:
            lab = label_mob(s.label, s.id, th, color=color)
            place_label(lab, mob.get_corner(UR), UR)
            group.add(lab)
        elements[s.id] = group
        intros[s.id] = draw_intro

    for p in spec.paths:
        if p.descent:
            curve = next(c for c in spec.curves if c.id == p.descent.curve)
            pts = functions.descent_path(curve.fn or "", curve.params, p.descent.start, p.descent.lr,
                                         p.descent.steps, spec.x.range)
        else:
            pts = list(p.points or [])
        lo, hi = spec.y.range
        pts = [(x, y) for x, y in pts if lo <= y <= hi]
        color = th.color(p.role or "model")
        stops = [axes.c2p(x, y) for x, y in pts]
        route = VMobject().set_points_as_corners(stops)
        route.set_stroke(color, width=3)
        tag(route, "curve", p.id)
        dots = VGroup(*[tag(Dot(s, radius=0.07, color=color), "mark", p.id) for s in stops])
        group = VGroup(route, dots)
        if p.arrows:
            group.add(*[tag(tip, "mark", p.id) for tip in _segment_tips(stops, color)])
        if p.label:
            lab = label_mob(p.label, p.id, th, color=color)
            place_label(lab, stops[0], UP)
            group.add(lab)
        elements[p.id] = group
        paths[p.id] = route.copy()
        waypoints[p.id] = stops
        intros[p.id] = draw_intro

    for pt in spec.points:
        color = th.color(pt.role or "accent")
        at = (float(pt.at[0]), float(pt.at[1]))  # type: ignore[arg-type]
        if pt.curve is not None:  # on a curve: y is the curve's at x
            cx, cy = _curve_xy(next(c for c in spec.curves if c.id == pt.curve), spec, cache)
            at = (at[0], float(np.interp(at[0], cx, cy)))
        dot = tag(Dot(axes.c2p(*at), radius=0.09, color=color), "mark", pt.id)
        group = VGroup(dot)
        if pt.label:
            lab = label_mob(pt.label, pt.id, th, color=color)
            place_label(lab, dot.get_center(), DIRECTIONS[pt.direction])
            group.add(lab)
        elements[pt.id] = group

    for lb in spec.labels:
        color = th.color(lb.role) if lb.role else th.text
        words = lb.text or ""
        if isinstance(lb.value, float | int):  # a number (a bound one arrives resolved), in place of {value}
            words = fill(words, {"value": float(lb.value)})
        mob = tex(lb.tex, lb.id, th, color=color) if lb.tex else text(words, lb.id, th, color=color)
        mob.move_to(axes.c2p(*lb.at))
        elements[lb.id] = mob

    return Built(elements, intros=intros, heading=head, paths=paths, waypoints=waypoints)


class PlotAxes:
    """A linear map from data to frame coordinates, with axes on the left and bottom edges."""

    def __init__(self, spec: PlotPanel, area: Rect):
        self.x0, self.x1 = spec.x.range
        self.y0, self.y1 = spec.y.range
        self.area = area

    def c2p(self, x: float, y: float) -> np.ndarray:
        a = self.area
        px = a.left + (x - self.x0) / (self.x1 - self.x0) * a.width
        py = a.bottom + (y - self.y0) / (self.y1 - self.y0) * a.height
        return np.array([px, py, 0.0])


def _fmt(v: float, step: float) -> str:
    if float(step).is_integer() and float(v).is_integer():
        return str(int(v)).replace("-", "\u2212")
    digits = 1 if float(step * 10).is_integer() else 2
    return f"{v:.{digits}f}".replace("-", "\u2212")


def _ticks(lo: float, hi: float, step: float) -> list[float]:
    first = np.ceil(lo / step - 1e-9) * step
    return [round(v, 9) + 0.0 for v in np.arange(first, hi + step * 1e-6, step)]  # + 0.0 turns -0.0 into 0.0


def _axes(spec: PlotPanel, rect: Rect, th: Theme) -> tuple[PlotAxes, VGroup, Rect]:
    """Draw the axes (left and bottom edges, tick labels, axis names) and return the data map."""
    size = T.SMALL_SIZE
    y_nums = [text(_fmt(v, spec.y.step), "axes", th, size=size, color=th.subtle_text)
              for v in _ticks(*spec.y.range, spec.y.step)] if spec.y.step else []
    y_label = None
    if spec.y.label:
        y_label = tex(spec.y.label, "axes", th, size=T.TEX_SIZE * 0.85, color=th.subtle_text) if spec.y.tex else \
            text(spec.y.label, "axes", th, size=size, color=th.subtle_text)
    x_label = None
    if spec.x.label:
        x_label = tex(spec.x.label, "axes", th, size=T.TEX_SIZE * 0.85, color=th.subtle_text) if spec.x.tex else \
            text(spec.x.label, "axes", th, size=size, color=th.subtle_text)
    num_h = text("0", "axes", th, size=size).height
    left = (max([m.width for m in y_nums] + [0]) + 0.15 if y_nums else 0.05)
    if y_label is not None:
        left += (y_label.width if spec.y.tex else y_label.height) + 0.2  # tex stays upright; text is turned 90°
    bottom = (num_h + 0.15 if spec.x.step else 0.05) + (x_label.height + 0.15 if x_label is not None else 0)
    area = rect.shrink(left=left, bottom=bottom, top=num_h / 2 + 0.05, right=0.2)
    if spec.equal_aspect:
        ux = area.width / (spec.x.range[1] - spec.x.range[0])
        uy = area.height / (spec.y.range[1] - spec.y.range[0])
        u = min(ux, uy)
        w, h = u * (spec.x.range[1] - spec.x.range[0]), u * (spec.y.range[1] - spec.y.range[0])
        area = Rect(area.left + (area.width - w) / 2, area.bottom + (area.height - h) / 2, w, h)
    ax = PlotAxes(spec, area)
    lines = VGroup(
        Line([area.left, area.bottom, 0], [area.right, area.bottom, 0]),
        Line([area.left, area.bottom, 0], [area.left, area.top, 0]),
    ).set_stroke(th.line, width=2.5)
    tag(lines[0], "shape", "axes")
    tag(lines[1], "shape", "axes")
    group = VGroup(lines)
    if spec.x.step:
        for v in _ticks(*spec.x.range, spec.x.step):
            p = ax.c2p(v, spec.y.range[0])
            tick = Line(p, p + 0.08 * DOWN).set_stroke(th.line, width=2)
            num = text(_fmt(v, spec.x.step), "axes", th, size=size, color=th.subtle_text)
            num.next_to(tick, DOWN, buff=0.06)
            group.add(tick, num)
    for v, num in zip(_ticks(*spec.y.range, spec.y.step), y_nums, strict=True) if spec.y.step else []:
        p = ax.c2p(spec.x.range[0], v)
        tick = Line(p, p + 0.08 * LEFT).set_stroke(th.line, width=2)
        num.next_to(tick, LEFT, buff=0.06)
        group.add(tick, num)
    if x_label is not None:
        x_label.next_to([area.center[0], area.bottom, 0], DOWN, buff=bottom - x_label.height - 0.02)
        group.add(x_label)
    if y_label is not None:
        if not spec.y.tex:
            y_label.rotate(np.pi / 2)
        nums_w = max([m.width for m in y_nums] + [0]) + 0.15 if y_nums else 0.05
        y_label.move_to([area.left - nums_w - 0.15 - y_label.width / 2, area.center[1], 0])
        group.add(y_label)
    return ax, group, area


def _clamp(mob: Mobject, rect: Rect) -> Mobject:
    """Shift a label back inside the panel's rect if it sticks out."""
    dx = max(0.0, rect.left - mob.get_left()[0]) - max(0.0, mob.get_right()[0] - rect.right)
    dy = max(0.0, rect.bottom - mob.get_bottom()[1]) - max(0.0, mob.get_top()[1] - rect.top)
    mob.shift(np.array([dx, dy, 0.0]))
    return mob
