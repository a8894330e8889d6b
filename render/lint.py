"""The visual quality gate: build each tile's scene without encoding and inspect every step.

The scene is played with Manim's animations skipped (no frame is drawn or encoded);
after each step the director calls back here and the picture on screen is checked
against the design card's layout rules. Every mobject that matters is tagged by the
builders with `part` and `owner` (scenes/common.py); the lint maps each one back to
its `panel.element` reference through the panels the scene built.

Rules (each finding names the tile, the step, the rule and the elements):

safe-area      every painted mobject lies inside the frame's safe area (5% margin on
               each side; 0.02 units of tolerance for anti-aliasing), so nothing is clipped.
text-overlap   no two text mobjects overlap (glyph bounding boxes intersect by more than
               0.02 units, about 3 px at 1080p, in both directions).
text-crossed   no edge, curve, mark, or the border of a box or stroked shape crosses a
               text: points sampled every 0.02 units along the real Bezier outlines fall
               inside the text's glyph box shrunk by 0.03 units (about 4 px). Real geometry,
               not bounding boxes, so a label inside its own box, or an edge passing
               beside a label, is fine, while a curve running through its own label is
               not. Elements the spec nests (`PanelBase.nested_ids`: a cluster and its
               nodes, the grid and its cells) may cross; fill-only shapes (tints) have no
               border.
box-overlap    no two boxes overlap unless the spec nests them: points of the intersection
               of their bounding boxes (shrunk by 0.03 units) lie inside both convex hulls.
text-size      every text is at least MIN_TEXT_PX tall at 1920x1080, where a text's size is
               the height of one line of it, 'Hg' (top of a capital to the bottom of a
               descender), set in its font at its effective font size (after all the
               scaling the layout applied).
title-size     the tile's title stays readable on a 480 px wide tile: the cap height ('H')
               of the title, scaled from 1920 to 480 px wide, is at least MIN_TITLE_CAP_PX.
contrast       WCAG AA in every theme: text against what lies beneath it (the background
               and any fills under its centre) at least 4.5:1; strokes (edges, curves,
               outlines) and the solid fills of marks and arrowheads against the
               background at least 3:1. Dimmed elements are exempt (their low contrast is
               the point), as is any paint at 30% opacity or less (what `dim` leaves, and
               what a builder fades along with a dimmed element), as are strokes drawn in the background colour (gaps between
               segments) and the fills of boxes and shapes (surfaces whose colour may carry
               data, such as heatmap pixels; text on them is checked against them).
               The scene is built once; colours are mapped slot by slot (text, line,
               role colours...) to every other theme.
step-count     a tile has 3 to 12 steps.
duration       a tile lasts 10 to 60 seconds.
final-hold     the final picture is held at least 2 seconds after the last animation.
final-picture  every element declared in the spec is on screen at the end, unless the
               tile's `transient` list names it (or its panel).

A tile whose scene cannot be built at all gets one finding of rule `build`.
Run it with `python -m render lint [IDS] [--png DIR] [--theme dark|light|all]` or `make lint`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from render.files import atomic_path
from scenes.common import FRAME_H, FRAME_W, PX_PER_UNIT, SAFE_X, SAFE_Y  # PX_PER_UNIT: at 1920x1080
from scenes.encode import Quality
from spec import Layer, Spec, Tile
from spec import theme as T
from spec.theme import THEMES, Theme, contrast_ratio, mix

log = logging.getLogger(__name__)


SAFE_TOL = 0.02  # units; anti-aliasing and half a stroke may touch the margin
TEXT_OVERLAP_TOL = 0.02  # units (about 3 px at 1080p) of overlap tolerated between two texts
TEXT_SHRINK = 0.03  # units; a stroke must reach this far into a text's box to cross it
BOX_SHRINK = 0.03  # units; boxes may touch (shared borders of cells and segments)
SAMPLE_STEP = 0.02  # units between points sampled along a stroke

MIN_TEXT_PX = T.MIN_TEXT_PX
THUMB_WIDTH_PX = 480
MIN_TITLE_CAP_PX = 8.0  # cap height of the title on a 480 px wide tile
TEXT_CONTRAST = 4.5
GRAPHIC_CONTRAST = 3.0
TINT_OPACITY = 0.5  # fills below this opacity are tints, not graphics
DIM_OPACITY = 0.3  # paint at or below this opacity is dimmed on purpose (the `dim` action uses 0.22)

MIN_STEPS, MAX_STEPS = 3, 12
MIN_SECONDS, MAX_SECONDS = 10.0, 60.0
MIN_FINAL_HOLD = 2.0

MAX_PNG_FINDINGS = 12  # findings listed under a debug image
LINT_QUALITY = Quality("lint", 854, 480, 15, "ultrafast", 23, 640, 10)  # camera size for debug frames only

RULES: dict[str, str] = {
    "safe-area": "everything lies inside the safe area (5% margin); nothing is clipped",
    "text-overlap": "no text overlaps other text",
    "text-crossed": "no edge, curve, mark or border crosses a text, unless the spec nests the two",
    "box-overlap": "no two boxes overlap unless the spec nests them",
    "text-size": f"every text is at least {MIN_TEXT_PX} px tall ('Hg' line height at 1920x1080)",
    "title-size": f"the title's cap height is at least {MIN_TITLE_CAP_PX:g} px on a {THUMB_WIDTH_PX} px wide tile",
    "contrast": f"WCAG AA: text {TEXT_CONTRAST}:1, lines and marks {GRAPHIC_CONTRAST}:1, in every theme",
    "step-count": f"a tile has {MIN_STEPS} to {MAX_STEPS} steps",
    "duration": f"a tile lasts {MIN_SECONDS:g} to {MAX_SECONDS:g} seconds",
    "final-hold": f"the final picture is held at least {MIN_FINAL_HOLD:g} seconds",
    "final-picture": "every declared element is on screen at the end unless listed in `transient`",
}

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in frame units


@dataclass(frozen=True)
class Finding:
    """One problem: which tile, which step (1-based; None for the whole tile), which rule, which elements."""

    tile: str
    step: int | None
    rule: str
    message: str
    refs: tuple[str, ...] = ()
    boxes: tuple[Box, ...] = ()
    later_steps: tuple[int, ...] = ()

    def key(self) -> tuple[str, str, tuple[str, ...]]:
        return self.rule, self.message, self.refs

    def __str__(self) -> str:
        where = self.tile if self.step is None else f"{self.tile} step {self.step}"
        refs = f" ({', '.join(self.refs)})" if self.refs else ""
        also = (
            f" (also at step{'s' if len(self.later_steps) > 1 else ''} {_ranges(self.later_steps)})"
            if self.later_steps
            else ""
        )
        return f"{where} [{self.rule}]: {self.message}{refs}{also}"


@dataclass(frozen=True)
class Problem:
    """A finding before it is placed in a tile and step."""

    rule: str
    message: str
    refs: tuple[str, ...] = ()
    boxes: tuple[Box, ...] = ()


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


# ---------------------------------------------------------------- the picture at the end of a step


@dataclass(eq=False)
class Item:
    """A tagged mobject on screen, with the element it belongs to."""

    ref: str  # 'panel.element', 'panel' for a panel heading, 'header' for the title block
    part: str
    mob: Any
    order: int
    dimmed: bool

    @cached_property
    def members(self) -> list[Any]:
        """Family members with points that paint something."""
        return [m for m in self.mob.family_members_with_points() if _painted(m)]

    @cached_property
    def outline(self) -> np.ndarray:
        """Points sampled along the outlines that this item draws."""
        if self.part in ("edge", "curve", "shape"):  # strokes and solid fills (arrowheads); tints have no border
            mems = [m for m in self.members if _stroked(m) or m.get_fill_opacity() >= TINT_OPACITY]
        else:
            mems = self.members
        pts = [bezier_samples(m.points) for m in mems]
        return np.vstack(pts) if pts else np.zeros((0, 2))

    @cached_property
    def bbox(self) -> Box:
        pts = [np.asarray(m.points)[:, :2] for m in self.members]
        return _bbox(np.vstack(pts)) if pts else (0.0, 0.0, 0.0, 0.0)

    @cached_property
    def hull(self) -> np.ndarray:
        return convex_hull(self.outline) if len(self.outline) else np.zeros((0, 2))

    @property
    def visible(self) -> bool:
        return bool(self.members)

    def describe(self) -> str:
        if self.part == "text":
            return f"text '{text_of(self.mob)}'"
        return f"{self.part} {self.ref}"


def text_of(mob: Any) -> str:
    """The string a text mobject shows, shortened for a message."""
    s = getattr(mob, "original_text", None) or getattr(mob, "tex_string", None) or "?"
    s = " ".join(str(s).split())
    return s if len(s) <= 40 else s[:39] + "…"


@dataclass
class Picture:
    """What is on screen at the end of one step."""

    items: list[Item]
    leaves: list[tuple[str, Any]]  # every painted family member with points, with its ref, in drawing order
    nested: set[tuple[str, str]]
    rendered_theme: Theme
    themes: tuple[Theme, ...]
    tile: Tile
    title_mob: Any = None

    def texts(self) -> list[Item]:
        return [i for i in self.items if i.part == "text"]

    def of(self, *parts: str) -> list[Item]:
        return [i for i in self.items if i.part in parts]

    def nested_pair(self, a: str, b: str) -> bool:
        """Whether the spec nests one of two elements in the other (they may overlap)."""
        return (a, b) in self.nested or (b, a) in self.nested


def _ref_map(scene: Any) -> dict[int, str]:
    """Map every family member of every element (and heading, and header) to its reference."""
    refs: dict[int, str] = {}
    for pid, built in scene.panels.items():
        if built.heading is not None:
            for m in built.heading.get_family():
                refs[id(m)] = pid
        # Containers first, so that the members of a nested element (a segment in its row) end up
        # with the innermost element; a tagged member's owner names its element outright.
        by_size = sorted(built.elements.items(), key=lambda kv: -len(kv[1].get_family()))
        for eid, mob in by_size:
            for m in mob.get_family():
                refs[id(m)] = f"{pid}.{eid}"
        for _, mob in by_size:
            for m in mob.get_family():
                owner = getattr(m, "owner", None)
                if owner in built.elements:
                    refs[id(m)] = f"{pid}.{owner}"
    return refs


def snapshot(scene: Any, tile: Tile, themes: tuple[Theme, ...]) -> Picture:
    """Collect the tagged mobjects on screen, in drawing order, with their references."""
    refs = _ref_map(scene)
    family: list[Any] = []
    seen: set[int] = set()
    for top in scene.mobjects:
        for m in top.get_family():
            if id(m) not in seen:
                seen.add(id(m))
                family.append(m)
    family.sort(key=lambda m: m.z_index)  # stable, like Manim's camera
    dimmed_refs = set(scene.dimmed)
    items: list[Item] = []
    leaves: list[tuple[str, Any]] = []
    title_mob = None
    header_ids: set[int] = set()
    for order, m in enumerate(family):
        part = getattr(m, "part", None)
        if part == "header":
            header_ids.update(id(x) for x in m.get_family())
        ref = "header" if id(m) in header_ids else refs.get(id(m), "")
        if part is not None and part != "header":
            dimmed = any(ref == d or ref.startswith(d + ".") for d in dimmed_refs)
            item = Item(ref or f"?.{getattr(m, 'owner', '?')}", part, m, order, dimmed)
            if item.visible:
                items.append(item)
                if ref == "header" and getattr(m, "original_text", None) == tile.title:
                    title_mob = m
        if len(m.points) and _painted(m):
            leaves.append((ref, m))
    # A painted mobject of an element that no tag covers (a tick mark, say) still counts as a stroke.
    position = {id(m): k for k, m in enumerate(family)}
    covered = header_ids | {id(x) for item in items for x in item.mob.get_family()}
    for ref, m in leaves:
        if id(m) not in covered and ref:
            dimmed = any(ref == d or ref.startswith(d + ".") for d in dimmed_refs)
            items.append(Item(ref, "shape", m, position[id(m)], dimmed))
    nested = {(f"{p.id}.{a}", f"{p.id}.{b}") for p in tile.panels for a, b in p.nested_ids()}
    return Picture(items, leaves, nested, scene.theme, themes, tile, title_mob)


# ---------------------------------------------------------------- rules on one picture

PictureRule = Callable[[Picture], Iterator[Problem]]
PICTURE_RULES: dict[str, PictureRule] = {}


def picture_rule(name: str) -> Callable[[PictureRule], PictureRule]:
    """Register a check of the picture at the end of a step."""

    def register(fn: PictureRule) -> PictureRule:
        assert name in RULES
        PICTURE_RULES[name] = fn
        return fn

    return register


@picture_rule("safe-area")
def check_safe_area(pic: Picture) -> Iterator[Problem]:
    worst: dict[str, tuple[float, str, Box]] = {}
    for ref, m in pic.leaves:
        x0, y0, x1, y1 = _bbox(np.asarray(m.points)[:, :2])
        over = {"left": -SAFE_X - x0, "right": x1 - SAFE_X, "bottom": -SAFE_Y - y0, "top": y1 - SAFE_Y}
        side, amount = max(over.items(), key=lambda kv: kv[1])
        if amount > SAFE_TOL:
            key = ref or "an untagged mobject"
            prev = worst.get(key)
            box = (x0, y0, x1, y1)
            if prev is None or amount > prev[0]:
                worst[key] = (amount, side, box if prev is None else _union([prev[2], box]))
            else:
                worst[key] = (prev[0], prev[1], _union([prev[2], box]))
    for ref, (amount, side, box) in sorted(worst.items()):
        clipped = " and is clipped by the frame" if _outside_frame(box) else ""
        yield Problem(
            "safe-area",
            f"{ref} reaches {amount * PX_PER_UNIT:.0f} px past the {side} edge of the safe area{clipped}",
            (ref,) if ref else (),
            (box,),
        )


def _outside_frame(b: Box) -> bool:
    return b[0] < -FRAME_W / 2 or b[2] > FRAME_W / 2 or b[1] < -FRAME_H / 2 or b[3] > FRAME_H / 2


@picture_rule("text-overlap")
def check_text_overlap(pic: Picture) -> Iterator[Problem]:
    texts = pic.texts()
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            if _intersection(a.bbox, b.bbox, TEXT_OVERLAP_TOL / 2):
                yield Problem(
                    "text-overlap", f"{a.describe()} overlaps {b.describe()}", _refs(a.ref, b.ref), (a.bbox, b.bbox)
                )


@picture_rule("text-crossed")
def check_text_crossed(pic: Picture) -> Iterator[Problem]:
    strokes = pic.of("edge", "curve", "shape", "box", "mark")
    for t in pic.texts():
        x0, y0, x1, y1 = t.bbox
        inner = (x0 + TEXT_SHRINK, y0 + TEXT_SHRINK, x1 - TEXT_SHRINK, y1 - TEXT_SHRINK)
        if inner[0] >= inner[2] or inner[1] >= inner[3]:
            continue
        for s in strokes:
            if pic.nested_pair(t.ref, s.ref) or not _touches(t.bbox, s.bbox):
                continue
            pts = s.outline
            hit = (pts[:, 0] > inner[0]) & (pts[:, 0] < inner[2]) & (pts[:, 1] > inner[1]) & (pts[:, 1] < inner[3])
            if hit.any():
                what = "the border of box" if s.part == "box" else s.part
                whose = " (its own label)" if s.ref == t.ref else ""
                yield Problem(
                    "text-crossed",
                    f"{what} {s.ref} crosses {t.describe()}{whose}",
                    _refs(t.ref, s.ref),
                    (t.bbox, _bbox(pts[hit])),
                )


@picture_rule("box-overlap")
def check_box_overlap(pic: Picture) -> Iterator[Problem]:
    boxes = pic.of("box")
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if a.ref == b.ref or pic.nested_pair(a.ref, b.ref):
                continue
            common = _intersection(a.bbox, b.bbox, BOX_SHRINK)
            if common is None:
                continue
            gx, gy = np.meshgrid(np.linspace(common[0], common[2], 9), np.linspace(common[1], common[3], 9))
            grid = np.column_stack([gx.ravel(), gy.ravel()])
            both = inside_hull(grid, a.hull) & inside_hull(grid, b.hull)
            if both.any():
                yield Problem("box-overlap", f"box {a.ref} overlaps box {b.ref}", _refs(a.ref, b.ref), (a.bbox, b.bbox))


@picture_rule("text-size")
def check_text_size(pic: Picture) -> Iterator[Problem]:
    for t in pic.texts():
        px = text_line_px(t.mob)
        if px is not None and px < MIN_TEXT_PX - 0.05:
            yield Problem(
                "text-size",
                f"{t.describe()} is {px:.1f} px tall at 1080p (minimum {MIN_TEXT_PX} px)",
                (t.ref,),
                (t.bbox,),
            )


@picture_rule("title-size")
def check_title_size(pic: Picture) -> Iterator[Problem]:
    if pic.title_mob is None:
        return
    cap = text_cap_px(pic.title_mob) * THUMB_WIDTH_PX / 1920
    if cap < MIN_TITLE_CAP_PX:
        yield Problem(
            "title-size",
            f"the title's cap height is {cap:.1f} px on a {THUMB_WIDTH_PX} px wide tile "
            f"(minimum {MIN_TITLE_CAP_PX:g} px)",
            ("header",),
            (_bbox_of(pic.title_mob),),
        )


@picture_rule("contrast")
def check_contrast(pic: Picture) -> Iterator[Problem]:
    glyphs = {id(m) for t in pic.texts() for m in t.mob.get_family()}
    fills = [(_bbox_of(m), m) for _, m in pic.leaves if m.get_fill_opacity() > 0 and id(m) not in glyphs]
    order = {id(m): k for k, (_, m) in enumerate(pic.leaves)}
    for item in pic.items:
        if item.dimmed:
            continue
        if item.part == "text":
            yield from _text_contrast(pic, item, fills, order)
        else:
            yield from _graphic_contrast(pic, item)


def _text_contrast(pic: Picture, item: Item, fills: list[tuple[Box, Any]], order: dict[int, int]) -> Iterator[Problem]:
    centre = np.array([(item.bbox[0] + item.bbox[2]) / 2, (item.bbox[1] + item.bbox[3]) / 2])
    first = min(order.get(id(m), 0) for m in item.members)
    under: list[tuple[str, float]] = []
    for box, m in fills:
        if order.get(id(m), 0) >= first or not _contains(box, centre):
            continue
        if inside_polygon(centre, bezier_samples(m.points, 0.05)):
            under.append((_hex(m.get_fill_color()), float(m.get_fill_opacity())))
    colours = {
        (_hex(m.get_fill_color()), float(m.get_fill_opacity()))
        for m in item.members
        if m.get_fill_opacity() > DIM_OPACITY
    }
    for fg, alpha in sorted(colours):
        for th in pic.themes:
            worst = _text_ratio(fg, alpha, tuple(under), pic.rendered_theme.name, th.name)
            if worst < TEXT_CONTRAST - 0.005:
                yield Problem(
                    "contrast",
                    f"{item.describe()} has contrast {worst:.2f}:1 in the {th.name} theme (minimum {TEXT_CONTRAST}:1)",
                    (item.ref,),
                    (item.bbox,),
                )


@lru_cache(maxsize=4096)
def _text_ratio(fg: str, alpha: float, under: tuple[tuple[str, float], ...], src: str, dst: str) -> float:
    """The worst contrast of a text colour over the fills beneath it, once mapped into theme dst."""
    s, d = THEMES[src], THEMES[dst]
    bg = _composite(_translate_layers(list(under), s, d), d.background)
    return min(contrast_ratio(mix(c, bg, alpha), bg) for c in _translate(fg, s, d))


def _graphic_contrast(pic: Picture, item: Item) -> Iterator[Problem]:
    """Strokes, and the solid fills of marks and arrowheads, against the background (the worst per theme).

    Other fills are surfaces, not lines: their colour may carry data (a heatmap pixel, a
    segment's role), and any text on them is checked against them instead.
    """
    src = pic.rendered_theme
    paints: set[tuple[str, float]] = set()
    for m in item.members:
        if _stroked(m):
            colour = _hex(m.get_stroke_color())
            if colour != src.background.upper() and m.get_stroke_opacity() > DIM_OPACITY:
                paints.add((colour, float(m.get_stroke_opacity())))
        elif item.part in ("mark", "edge") and m.get_fill_opacity() >= TINT_OPACITY:
            paints.add((_hex(m.get_fill_color()), float(m.get_fill_opacity())))
    for th in pic.themes:
        bg = th.background.upper()
        ratios = [contrast_ratio(mix(c, bg, alpha), bg) for fg, alpha in paints for c in _translate(fg, src, th)]
        worst = min(ratios, default=GRAPHIC_CONTRAST)
        if worst < GRAPHIC_CONTRAST - 0.005:
            yield Problem(
                "contrast",
                f"{item.describe()} has contrast {worst:.2f}:1 in the {th.name} theme "
                f"(minimum {GRAPHIC_CONTRAST}:1 for lines and marks)",
                (item.ref,),
                (item.bbox,),
            )


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


# ---------------------------------------------------------------- colours across themes


def _hex(c: Any) -> str:
    return str(c.to_hex() if hasattr(c, "to_hex") else c).upper()[:7]


def _slots(th: Theme) -> dict[str, str]:
    out = {
        "background": th.background,
        "text": th.text,
        "subtle_text": th.subtle_text,
        "line": th.line,
        "panel_fill": th.panel_fill,
    }
    out.update({f"role.{k}": v for k, v in th.roles.items()})
    return {k: v.upper() for k, v in out.items()}


def _translate(colour: str, src: Theme, dst: Theme) -> list[str]:
    """The colours a colour of theme `src` becomes in theme `dst` (itself when it is not a theme colour)."""
    colour = colour.upper()
    if src.name == dst.name:
        return [colour]
    s, d = _slots(src), _slots(dst)
    rgb = _rgb(colour)
    # a colour read back from Manim may differ from the theme's hex by rounding
    found = sorted({d[k] for k, v in s.items() if np.abs(_rgb(v) - rgb).max() <= 2})
    return found or [colour]


def _translate_layers(layers: list[tuple[str, float]], src: Theme, dst: Theme) -> list[tuple[str, float]]:
    return [(_translate(c, src, dst)[0], a) for c, a in layers]


def _rgb(h: str) -> np.ndarray:
    h = h.lstrip("#")
    return np.array([int(h[i : i + 2], 16) for i in (0, 2, 4)], dtype=float)


def _composite(layers: list[tuple[str, float]], background: str) -> str:
    out = background.upper()
    for c, a in layers:
        out = mix(c, out, min(1.0, a))
    return out


def check_theme_palette(themes: Iterable[Theme] = THEMES.values()) -> list[str]:
    """Check every text and role colour of each theme against its background; return the failures."""
    out = []
    for th in themes:
        for name, colour in [("text", th.text), ("subtle_text", th.subtle_text)] + [
            (f"role {k}", v) for k, v in th.roles.items()
        ]:
            ratio = contrast_ratio(colour, th.background)
            if ratio < TEXT_CONTRAST:
                out.append(
                    f"theme {th.name}: {name} {colour} has contrast {ratio:.2f}:1 on {th.background} "
                    f"(minimum {TEXT_CONTRAST}:1 for text)"
                )
        ratio = contrast_ratio(th.line, th.background)
        if ratio < GRAPHIC_CONTRAST:
            out.append(
                f"theme {th.name}: line {th.line} has contrast {ratio:.2f}:1 on {th.background} "
                f"(minimum {GRAPHIC_CONTRAST}:1 for lines)"
            )
    return out


# ---------------------------------------------------------------- type sizes


_REFERENCE: dict[tuple[Any, ...], tuple[float, float]] = {}
REFERENCE_SIZE = 48.0


def _reference(mob: Any) -> tuple[float, float]:
    """(line height 'Hg', cap height 'H') in px at 1080p per font-size unit, for this mobject's font."""
    from manim import MathTex, SingleStringMathTex, Text

    if isinstance(mob, SingleStringMathTex):
        key: tuple[Any, ...] = ("tex",)
        if key not in _REFERENCE:
            line = MathTex("Hg", font_size=REFERENCE_SIZE).height
            cap = MathTex(r"\mathrm{H}", font_size=REFERENCE_SIZE).height
            _REFERENCE[key] = (line * PX_PER_UNIT / REFERENCE_SIZE, cap * PX_PER_UNIT / REFERENCE_SIZE)
    else:
        key = ("text", mob.font, str(mob.weight), str(getattr(mob, "slant", "")))
        if key not in _REFERENCE:
            kw = {"font": mob.font, "weight": mob.weight, "font_size": REFERENCE_SIZE}
            line = Text("Hg", **kw).height
            cap = Text("H", **kw).height
            _REFERENCE[key] = (line * PX_PER_UNIT / REFERENCE_SIZE, cap * PX_PER_UNIT / REFERENCE_SIZE)
    return _REFERENCE[key]


def effective_font_size(mob: Any) -> float | None:
    """The font size a text mobject is drawn at, after every scaling (rotation-aware for Text)."""
    from manim import SingleStringMathTex, Text

    initial = getattr(mob, "initial_height", None)
    if not initial:
        return None
    if isinstance(mob, SingleStringMathTex):
        return float(mob.height / initial / (1 / 960))
    if isinstance(mob, Text):
        extent = mob.height
        glyphs = mob.family_members_with_points()
        if len(glyphs) >= 2:
            d = glyphs[-1].get_center() - glyphs[0].get_center()
            if abs(d[1]) > abs(d[0]):  # the text runs vertically: it was turned by 90 degrees
                extent = mob.width
        return float(mob._font_size * extent / initial)
    return None


def text_line_px(mob: Any) -> float | None:
    """Height at 1080p of one line of this text ('Hg' in its font at its effective size)."""
    fs = effective_font_size(mob)
    return None if fs is None else fs * _reference(mob)[0]


def text_cap_px(mob: Any) -> float:
    """Cap height ('H') at 1080p of this text at its effective size."""
    fs = effective_font_size(mob) or 0.0
    return fs * _reference(mob)[1]


# ---------------------------------------------------------------- rules on the whole tile


def check_timing(tile: Tile, duration: float, settled_at: float) -> list[Finding]:
    """Step count, duration and the hold of the final picture."""
    out = []
    n = len(tile.steps)
    if not MIN_STEPS <= n <= MAX_STEPS:
        out.append(
            Finding(
                tile.id, None, "step-count", f"{n} step{'s' if n != 1 else ''}; a tile has {MIN_STEPS} to {MAX_STEPS}"
            )
        )
    if not MIN_SECONDS <= duration <= MAX_SECONDS:
        out.append(
            Finding(
                tile.id, None, "duration", f"lasts {duration:.1f} s; a tile lasts {MIN_SECONDS:g} to {MAX_SECONDS:g} s"
            )
        )
    hold = duration - settled_at
    if hold < MIN_FINAL_HOLD - 1e-6:
        out.append(
            Finding(tile.id, n, "final-hold", f"the final picture is held {hold:.1f} s (minimum {MIN_FINAL_HOLD:g} s)")
        )
    return out


def check_final_picture(scene: Any, tile: Tile) -> list[Finding]:
    """Every declared element is on screen at the end unless the tile calls it transient."""
    on_screen = {id(m) for top in scene.mobjects for m in top.get_family()}
    transient = set(tile.transient)
    missing = []
    for panel in tile.panels:
        for eid in panel.element_ids():
            ref = f"{panel.id}.{eid}"
            if ref in transient or panel.id in transient:
                continue
            if eid not in scene.panels[panel.id].elements:  # the builder drew nothing for it
                missing.append(ref)
                continue
            members = scene.mob(ref).family_members_with_points()
            shown = bool(members) and all(id(m) in on_screen for m in members) and any(_painted(m) for m in members)
            if not shown:
                missing.append(ref)
    return [
        Finding(
            tile.id,
            len(tile.steps),
            "final-picture",
            f"{ref} is not on screen in the final picture (show it, or list it in the tile's `transient`)",
            (ref,),
        )
        for ref in missing
    ]


# ---------------------------------------------------------------- driver


@dataclass
class TileReport:
    """The findings for one tile, and how long the lint took."""

    tile: str
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    pngs: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def lint_tile(
    tile: Tile,
    layer: Layer,
    number: int,
    work: Path,
    themes: tuple[str, ...] = ("dark", "light"),
    png_dir: Path | None = None,
) -> TileReport:
    """Build a tile's scene without encoding and check the picture after every step."""
    import time

    from scenes.worker import render_frames

    t0 = time.perf_counter()
    report = TileReport(tile.id)
    check_themes = tuple(THEMES[t] for t in themes)
    first_seen: dict[tuple[str, str, tuple[str, ...]], Finding] = {}
    later: dict[tuple[str, str, tuple[str, ...]], list[int]] = {}

    def on_step_end(scene: Any, index: int) -> None:
        scene.update_mobjects(0)  # run updaters, as a drawn frame would (skipped waits do not)
        pic = snapshot(scene, tile, check_themes)
        new: list[Finding] = []
        for check in PICTURE_RULES.values():
            for p in check(pic):
                f = Finding(tile.id, index + 1, p.rule, p.message, p.refs, p.boxes)
                if f.key() in first_seen:
                    steps = later.setdefault(f.key(), [])
                    if index + 1 not in steps and first_seen[f.key()].step != index + 1:
                        steps.append(index + 1)
                else:
                    first_seen[f.key()] = f
                    new.append(f)
        if index == len(tile.steps) - 1:
            final = check_final_picture(scene, tile)
            for f in final:
                first_seen[f.key()] = f
            new += final
        if png_dir is not None and new:
            report.pngs.append(write_debug_png(scene, new, png_dir / f"{tile.id}-step{index + 1:02d}.png"))

    scene = render_frames(tile, layer, number, LINT_QUALITY, themes[0], work, None, on_step_end)
    findings = [
        Finding(f.tile, f.step, f.rule, f.message, f.refs, f.boxes, tuple(sorted(later.get(f.key(), []))))
        for f in first_seen.values()
    ]
    findings.sort(key=lambda f: (f.step or 0, list(RULES).index(f.rule), f.refs, f.message))
    findings += check_timing(tile, float(scene.renderer.time), float(getattr(scene, "settled_at", 0.0)))
    report.findings = findings
    report.seconds = time.perf_counter() - t0
    return report


def work_dir(cache: Path) -> Path:
    """A worker slot under the build cache: Manim's TeX and text caches, shared with the render workers."""
    from scenes.worker import _acquire_slot

    return _acquire_slot(cache)


def lint_tiles(
    spec: Spec,
    ids: list[str] | None,
    work: Path,
    themes: tuple[str, ...] = ("dark", "light"),
    png_dir: Path | None = None,
    done: Callable[[TileReport], None] | None = None,
) -> list[TileReport]:
    """Lint the authored tiles of a spec (or those named), one after another."""
    reports = []
    for layer, tile in spec.tiles():
        if (ids and tile.id not in ids) or tile.status != "authored":
            continue
        try:
            rep = lint_tile(tile, layer, spec.number_of(tile.id), work, themes, png_dir)
        except Exception as e:  # a tile that cannot be built is a finding, not a crash of the whole lint
            log.debug("lint of %s failed", tile.id, exc_info=True)
            rep = TileReport(
                tile.id, [Finding(tile.id, None, "build", f"the scene could not be built: {type(e).__name__}: {e}")]
            )
        reports.append(rep)
        if done:
            done(rep)
    return reports


# ---------------------------------------------------------------- debug images


def write_debug_png(scene: Any, findings: list[Finding], path: Path) -> Path:
    """Render the step's frame at low resolution, outline the offending boxes in red, list the findings below."""
    from PIL import Image, ImageDraw, ImageFont

    camera = scene.renderer.camera
    camera.reset()
    camera.capture_mobjects(scene.mobjects)
    frame = Image.fromarray(camera.pixel_array.copy()).convert("RGB")
    w, h = frame.size
    k = w / FRAME_W

    def px(x: float, y: float) -> tuple[float, float]:
        return (x + FRAME_W / 2) * k, (FRAME_H / 2 - y) * k

    draw = ImageDraw.Draw(frame)
    sx0, sy0 = px(-SAFE_X, SAFE_Y)
    sx1, sy1 = px(SAFE_X, -SAFE_Y)
    for x in range(int(sx0), int(sx1), 8):  # the safe area, dotted
        draw.line([(x, sy0), (x + 3, sy0)], fill=(128, 128, 128))
        draw.line([(x, sy1), (x + 3, sy1)], fill=(128, 128, 128))
    for y in range(int(sy0), int(sy1), 8):
        draw.line([(sx0, y), (sx0, y + 3)], fill=(128, 128, 128))
        draw.line([(sx1, y), (sx1, y + 3)], fill=(128, 128, 128))
    for f in findings:
        for b in f.boxes:
            (x0, y1), (x1, y0) = px(b[0], b[1]), px(b[2], b[3])
            draw.rectangle([x0 - 3, y0 - 3, x1 + 3, y1 + 3], outline=(255, 40, 40), width=2)
    font = ImageFont.load_default(size=13)
    lines: list[str] = []
    shown = findings[:MAX_PNG_FINDINGS]
    for f in shown:  # wrap each finding to the width of the frame
        words, line = str(f).split(" "), ""
        for word in words:
            if line and font.getlength(f"{line} {word}") > w - 12:
                lines.append(line)
                line = "    " + word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    if len(findings) > len(shown):
        lines.append(f"… and {len(findings) - len(shown)} more (see the lint's output)")
    line_h = 17
    band = Image.new("RGB", (w, line_h * len(lines) + 10), (255, 255, 255))
    bd = ImageDraw.Draw(band)
    for i, line in enumerate(lines):
        bd.text((6, 5 + i * line_h), line, fill=(180, 0, 0), font=font)
    out = Image.new("RGB", (w, h + band.height), (255, 255, 255))
    out.paste(frame, (0, 0))
    out.paste(band, (0, h))
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        out.save(tmp, format="PNG")
    return path


def _ranges(steps: Iterable[int]) -> str:
    """Render 2, 3, 4, 7 as '2-4, 7'."""
    out: list[str] = []
    run: list[int] = []
    for s in sorted(steps):
        if run and s == run[-1] + 1:
            run.append(s)
            continue
        if run:
            out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [s]
    if run:
        out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return ", ".join(out)
