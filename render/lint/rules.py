"""Rules on one picture (safe area, overlaps, crossings, sizes, contrast), registered with @picture_rule."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

import numpy as np

from render.lint.base import (
    BOX_SHRINK,
    DIM_OPACITY,
    GRAPHIC_CONTRAST,
    INNER_DEPTH,
    MIN_TEXT_PX,
    MIN_TITLE_CAP_PX,
    OWN_GAP,
    RULES,
    SAFE_TOL,
    TEXT_CONTRAST,
    TEXT_OVERLAP_TOL,
    TEXT_SHRINK,
    THUMB_WIDTH_PX,
    TINT_OPACITY,
    Box,
    Problem,
)
from render.lint.colours import _composite, _hex, _translate, _translate_layers
from render.lint.geometry import (
    _bbox,
    _bbox_of,
    _contains,
    _intersection,
    _refs,
    _stroked,
    _touches,
    _union,
    bezier_samples,
    inside_hull,
    inside_polygon,
)
from render.lint.picture import Item, Picture
from render.lint.sizes import text_cap_px, text_line_px
from scenes.common import FRAME_H, FRAME_W, PX_PER_UNIT, SAFE_X, SAFE_Y  # PX_PER_UNIT: at 1920x1080
from spec.theme import THEMES, contrast_ratio, mix

log = logging.getLogger(__name__)


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
            if s.ref == t.ref and s.part == "edge":  # an edge and its own label: `edge-label`, with a gap
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


def clearance(box: Box, pts: np.ndarray) -> np.ndarray:
    """Each point's distance to a box: positive outside it, minus how deep it lies inside."""
    x0, y0, x1, y1 = box
    dx = np.maximum(np.maximum(x0 - pts[:, 0], pts[:, 0] - x1), 0.0)
    dy = np.maximum(np.maximum(y0 - pts[:, 1], pts[:, 1] - y1), 0.0)
    depth = np.minimum(np.minimum(pts[:, 0] - x0, x1 - pts[:, 0]), np.minimum(pts[:, 1] - y0, y1 - pts[:, 1]))
    return np.where((dx == 0) & (dy == 0), -depth, np.hypot(dx, dy))


def hull_depth(pts: np.ndarray, hull: np.ndarray) -> np.ndarray:
    """How far each point lies inside a counter-clockwise convex polygon (0 or less: on or outside it)."""
    if len(hull) < 3 or len(pts) == 0:
        return np.zeros(len(pts))
    e = np.roll(hull, -1, axis=0) - hull
    length = np.maximum(np.hypot(e[:, 0], e[:, 1]), 1e-12)
    cross = e[None, :, 0] * (pts[:, None, 1] - hull[None, :, 1]) - e[None, :, 1] * (pts[:, None, 0] - hull[None, :, 0])
    return np.asarray((cross / length[None, :]).min(axis=1))


def _crowding(t: Item, pts: np.ndarray) -> tuple[float, Box] | None:
    """The closest approach of points to a text's glyph box, and the box of the points too close, if any is."""
    if not len(pts):
        return None
    d = clearance(t.bbox, pts)
    near = d < OWN_GAP
    if not near.any():
        return None
    return float(d.min()), _bbox(pts[near])


def _how_close(d: float, what: str) -> str:
    px = d * PX_PER_UNIT
    if px <= -0.5:
        return f"crosses {what} ({-px:.0f} px deep)"
    if px < 0.5:
        return f"touches {what}"
    return f"comes within {px:.0f} px of {what}"


def _own_crowding(t: Item, shapes: list[Item], outline: Callable[[Item], np.ndarray]) -> tuple[str, float, Box] | None:
    """The closest approach to a text of its own element's lines (outline picks which points of a shape count):
    the shape's ref, the distance and the box of the points too close; None when all keep clear."""
    worst: tuple[str, float, Box] | None = None
    for s in shapes:
        if s.ref != t.ref:
            continue
        hit = _crowding(t, outline(s))
        if hit and (worst is None or hit[0] < worst[1]):
            worst = (s.ref, *hit)
    return worst


@picture_rule("own-outline")
def check_own_outline(pic: Picture) -> Iterator[Problem]:
    """A line drawn inside an element's own shape (a cylinder's lid, a divider) must keep clear of its label.

    Only the inner lines count: outline points deeper than INNER_DEPTH inside the shape's convex hull. The outer
    border is `text-crossed`'s (a label fills its box up to a padding, so its border is near by design)."""
    boxes = pic.of("box")
    for t in pic.texts():
        near = [s for s in boxes if _touches(t.bbox, s.bbox)]
        hit = _own_crowding(t, near, lambda s: s.outline[hull_depth(s.outline, s.hull) > INNER_DEPTH])
        if hit:
            yield Problem(
                "own-outline",
                f"a line inside box {hit[0]} (its own shape) {_how_close(hit[1], t.describe())}: "
                f"keep {OWN_GAP * PX_PER_UNIT:.0f} px between them",
                (t.ref,),
                (t.bbox, hit[2]),
            )


@picture_rule("edge-label")
def check_edge_label(pic: Picture) -> Iterator[Problem]:
    """An edge's label sits beside its edge, clear of the line and the arrowhead, never on them."""
    edges = pic.of("edge")
    for t in pic.texts():
        hit = _own_crowding(t, edges, lambda s: s.outline)
        if hit:
            yield Problem(
                "edge-label",
                f"edge {t.ref} {_how_close(hit[1], 'its label ' + t.describe())}: "
                f"keep {OWN_GAP * PX_PER_UNIT:.0f} px between them",
                (t.ref,),
                (t.bbox, hit[2]),
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
            pid = t.ref.partition(".")[0]
            cause = ""
            if pid in pic.shrunk:
                scale, widest = pic.shrunk[pid]
                cause = (f"; panel '{pid}' was shrunk to {scale:.0%} to fit its widest line '{pid}.{widest}': "
                         "shorten or split that line")
            yield Problem(
                "text-size",
                f"{t.describe()} is {px:.1f} px tall at 1080p (minimum {MIN_TEXT_PX} px){cause}",
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


