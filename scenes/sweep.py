"""Parameter sweeps: move a tile parameter and redraw every element that follows it, frame by frame.

A panel whose spec binds a number to a parameter is built from the spec resolved at the current values
(spec/sweep.py). A sweep rebuilds such panels at each frame's value and hands each affected element the
new drawing (its points and parts), so the element keeps its identity in the scene: later steps can still
show, highlight or dim it. Which elements follow is measured, not declared twice: those whose drawing
differs between the start, the middle and the end of the sweep.

The still keeps a trace: a bound point leaves the path it moved along; a bound line, curve or region a
faint copy of where it started. Nothing keeps running after the sweep (no updater outlives it).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from manim import Mobject, UpdateFromAlphaFunc, VGroup, VMobject, linear, rate_functions

from scenes.common import Built, box_rect, tag
from scenes.kinds import BUILDERS
from spec.sweep import Param, has_binding, resolve

if TYPE_CHECKING:
    from scenes.director import TileScene
    from spec import Sweep, Tile
    from spec.base import PanelBase
    from spec.theme import Theme

TRACE_OPACITY = 0.3
HOLD_PER_VALUE = 0.7  # seconds each value of an integer sweep is shown by default
TRACE_KINDS = ("plot", "scatter", "bars")  # where a trace is drawn (not in tables or text); a bar leaves its outline
TRAIL_SAMPLES = 32  # values a point's trail is drawn through


def bound_panels(scene: TileScene) -> dict[str, PanelBase]:
    """The tile's panels that follow some parameter, by id."""
    return {p.id: p for p in scene.tile.panels if has_binding(p)}


def build_panel(tile: Tile, panel: PanelBase, values: dict[str, float], theme: Theme) -> Built:
    """Build a panel as it looks at these parameter values (what a sweep draws when it passes them)."""
    if has_binding(panel):
        integers = {p.id for p in tile.params if p.integer}
        panel = resolve(panel, tile.param_values() | values, integers)  # type: ignore[assignment]
    return BUILDERS[panel.kind](panel, box_rect(panel.box), theme)


def value_at(p: Param, start: float, end: float, u: float) -> float:
    """The parameter's value a fraction u of the way through a sweep from start to end."""
    if p.integer:
        values = p.values_between(start, end)
        return values[min(int(u * len(values)), len(values) - 1)]
    if p.log:
        a, b = math.log10(start), math.log10(end)
        return float(10 ** (a + (b - a) * u))
    return start + (end - start) * u


def _drawing(mob: Mobject) -> list[np.ndarray]:
    return [m.points for m in mob.family_members_with_points()]


def _same(a: Mobject, b: Mobject) -> bool:
    pa, pb = _drawing(a), _drawing(b)
    return len(pa) == len(pb) and all(x.shape == y.shape and np.allclose(x, y, atol=1e-6) for x, y in zip(pa, pb,
                                                                                                     strict=True))


def followers(scene: TileScene, param: str, start: float, end: float, p: Param) -> dict[str, list[str]]:
    """Per panel id, the element ids whose drawing changes as the parameter moves from start to end."""
    out: dict[str, list[str]] = {}
    for pid, panel in bound_panels(scene).items():
        probes = [value_at(p, start, end, u) for u in (0.0, 0.5, 1.0)]
        builds = [build_panel(scene.tile, panel, scene.values | {param: v}, scene.theme) for v in probes]
        moved = [eid for eid in builds[0].elements
                 if not all(_same(builds[0].elements[eid], b.elements[eid]) for b in builds[1:])]
        if moved:
            out[pid] = moved
    return out


def swap(el: Mobject, new: Mobject) -> list[Mobject]:
    """Give el new's drawing (points, style, parts) while el stays the object the scene and the steps know.
    Returns el's former descendants, which no longer belong to the picture."""
    before = el.get_family()[1:]
    el.submobjects = list(new.submobjects)
    if isinstance(el, VMobject) and isinstance(new, VMobject):
        el.points = new.points.copy()
        el.match_style(new, family=False)
    for attr in ("part", "owner"):
        if hasattr(new, attr):
            setattr(el, attr, getattr(new, attr))
    now = {id(m) for m in el.get_family()}
    return [m for m in before if id(m) not in now]


GHOST_MAX_PARTS = 3  # a ghost of more lines than this (a bundle of resampled fits) would clutter the still


def _ghost(el: Mobject) -> VGroup | None:
    """A faint outline of an element's lines and shapes (not its fills or texts): where it was when the sweep
    began. None for an element of many parts (a bundle of fits, a grid of regions): its ghost would clutter."""
    lines = [m for m in el.get_family() if getattr(m, "part", None) not in (None, "text")
             and not _inside_text(m, el)]
    if not lines or len(lines) > GHOST_MAX_PARTS:
        return None
    ghost = VGroup(*[m.copy() for m in lines])
    for m in ghost:
        for x in m.family_members_with_points():
            x.set_stroke(opacity=x.get_stroke_opacity() * TRACE_OPACITY, family=False)
            x.set_fill(opacity=0, family=False)
        tag(m, "trace", getattr(m, "owner", ""))
    if not any(x.get_stroke_width() > 0 for x in ghost.family_members_with_points()):
        return None  # a region drawn by its fill alone leaves nothing to outline
    return ghost


def _inside_text(m: Mobject, root: Mobject) -> bool:
    """Whether m is a glyph of some text inside root."""
    return any(getattr(t, "part", None) == "text" and m in t.get_family() for t in root.get_family() if t is not m)


def _mark(el: Mobject) -> Mobject:
    return next(m for m in el.family_members_with_points() if getattr(m, "part", None) == "mark")


def _is_point(el: Mobject) -> bool:
    """A single marker (a plot point): it leaves a path rather than a ghost."""
    marks = [m for m in el.family_members_with_points() if getattr(m, "part", None) == "mark"]
    return len(marks) == 1 and all(getattr(m, "part", None) in ("mark", "text") or _inside_text(m, el)
                                   for m in el.family_members_with_points())


def play_sweep(scene: TileScene, a: Sweep) -> None:
    p = next(x for x in scene.tile.params if x.id == a.sweep)
    start, end = scene.values[p.id], a.to
    moving = followers(scene, p.id, start, end, p)
    els = {(pid, eid): scene.panels[pid].elements[eid] for pid, eids in moving.items() for eid in eids}
    shown = {k: el for k, el in els.items() if scene.is_visible(f"{k[0]}.{k[1]}")}

    traces: list[Mobject] = []
    trails: dict[tuple[str, str], VMobject] = {}
    if a.trace:
        for (pid, eid), el in shown.items():
            if scene.tile.panel(pid).kind not in TRACE_KINDS:
                continue
            if _is_point(el):
                line = VMobject().set_stroke(_mark(el).get_color(), width=3, opacity=0.6)
                trails[(pid, eid)] = tag(line, "trace", eid)  # type: ignore[assignment]
                traces.append(line)
                scene.traces.setdefault(f"{pid}.{eid}", []).append(line)
            else:
                ghost = _ghost(el)
                if ghost is not None:
                    traces.append(ghost)
                    scene.traces.setdefault(f"{pid}.{eid}", []).append(ghost)
        if traces:  # the past, drawn faint and behind the live elements
            scene.add(*traces)
            scene.bring_to_back(*traces)
            for t in traces:
                t.set_z_index(-1)
    # A trail follows the values the sweep passes, sampled the same way for the video and for the stills (which
    # jump to the end): the path of a point along a curve is that curve, not a chord.
    us = np.linspace(0.0, 1.0, TRAIL_SAMPLES + 1)
    track: dict[tuple[str, str], list[np.ndarray]] = {k: [] for k in trails}
    for u in us if trails else []:
        v = value_at(p, start, end, float(u))
        for pid in {pid for pid, _ in trails}:
            built = build_panel(scene.tile, scene.tile.panel(pid), scene.values | {p.id: v}, scene.theme)
            for (tp, eid) in trails:
                if tp == pid:
                    track[(tp, eid)].append(_mark(built.elements[eid]).get_center().copy())

    state = {"value": start}

    def apply(value: float, u: float) -> None:
        if value != state["value"]:
            state["value"] = value
            scene.values[p.id] = value
            gone: set[int] = set()
            for pid, eids in moving.items():
                built = build_panel(scene.tile, scene.tile.panel(pid), scene.values, scene.theme)
                for eid in eids:
                    gone.update(id(m) for m in swap(scene.panels[pid].elements[eid], built.elements[eid]))
            # The renderer draws the flattened list of moving mobjects it took when the animation began: the
            # parts a swap replaced are still in it and would stay drawn at the start value until the sweep ends.
            if gone and getattr(scene, "moving_mobjects", None):
                scene.moving_mobjects = [m for m in scene.moving_mobjects if id(m) not in gone]
        for (pid, eid), line in trails.items():
            pts = [pt for pt, uu in zip(track[(pid, eid)], us, strict=True) if uu <= u + 1e-9]
            pts.append(_mark(scene.panels[pid].elements[eid]).get_center().copy())
            if len(pts) >= 2:
                line.set_points_as_corners(pts)

    run_time = a.run_time or (HOLD_PER_VALUE * len(p.values_between(start, end)) if p.integer else 3.0)
    driver = {"done": -1.0}

    def step(_m: Mobject, alpha: float) -> None:
        if alpha == driver["done"]:  # every animated mobject calls in on each frame: rebuild once
            return
        driver["done"] = alpha
        apply(value_at(p, start, end, alpha), alpha)

    anims = [UpdateFromAlphaFunc(m, step) for m in list(shown.values()) + list(trails.values())]
    if not anims:  # nothing on screen follows yet: the elements change off screen, in no time
        apply(end, 1.0)
        return
    scene.play(*anims, run_time=run_time, rate_func=linear if p.integer else rate_functions.smooth)
    apply(end, 1.0)
