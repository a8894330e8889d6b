"""Reusable drawing helpers shared by every panel kind.

Every mobject that matters to the layout lint is tagged with `part` ('text', 'box',
'edge', 'curve', 'shape', 'mark') and `owner` (the element id it belongs to), so
the lint can tell a label crossing its own box from one crossing somebody else's.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    Animation,
    Create,
    FadeIn,
    MathTex,
    Mobject,
    Text,
    VGroup,
    VMobject,
    Write,
)

from spec import theme as T
from spec.theme import Theme, mix  # noqa: F401  (mix: the drawing code uses it from here)

FRAME_W = 128 / 9  # Manim's frame is 14.22 x 8 units at 16:9
FRAME_H = 8.0
SAFE_X = FRAME_W / 2 * 0.9
SAFE_Y = FRAME_H / 2 * 0.9
HEADER_H = 1.3  # title + tagline band at the top of the safe area
PX_PER_UNIT = 1080 / FRAME_H


@dataclass(frozen=True)
class Rect:
    """An axis-aligned region of the frame in Manim units."""

    left: float
    bottom: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def top(self) -> float:
        return self.bottom + self.height

    @property
    def center(self) -> np.ndarray:
        return np.array([self.left + self.width / 2, self.bottom + self.height / 2, 0.0])

    def shrink(self, top: float = 0, bottom: float = 0, left: float = 0, right: float = 0) -> Rect:
        return Rect(self.left + left, self.bottom + bottom, self.width - left - right, self.height - top - bottom)


CONTENT = Rect(-SAFE_X, -SAFE_Y, 2 * SAFE_X, 2 * SAFE_Y - HEADER_H)
GUTTER = 0.18


def box_rect(box: tuple[float, float, float, float]) -> Rect:
    """Map a panel's fractional box (origin top-left) to a Rect inside the content area, with gutters."""
    x, y, w, h = box
    left = CONTENT.left + x * CONTENT.width
    top = CONTENT.top - y * CONTENT.height
    rect = Rect(left, top - h * CONTENT.height, w * CONTENT.width, h * CONTENT.height)
    g = GUTTER
    return rect.shrink(
        top=g if y > 0 else 0, bottom=g if y + h < 0.999 else 0, left=g if x > 0 else 0, right=g if x + w < 0.999 else 0
    )


def ink_on(role: str | None, opacity: float, th: Theme) -> str:
    """Text colour for a label on a role-coloured fill: the theme's text or background colour,
    whichever keeps the better contrast in every theme (the picture is recoloured slot by slot)."""
    from spec.theme import THEMES, contrast_ratio

    def worst(slot: str) -> float:
        return min(contrast_ratio(getattr(o, slot), mix(o.color(role), o.background, opacity)) for o in THEMES.values())

    return th.text if worst("text") >= worst("background") else th.background


def readable_opacity(role: str | None, opacity: float) -> float:
    """The strongest fill opacity up to `opacity` under which theme text on this role's fill keeps 4.5:1 in every theme."""
    from spec.theme import THEMES, contrast_ratio

    o = opacity
    while o > 0.1:
        if all(contrast_ratio(t.text, mix(t.color(role), t.background, o)) >= 4.6 for t in THEMES.values()):
            return o
        o = round(o - 0.05, 2)
    return o


def tag(mob: Mobject, part: str, owner: str) -> Mobject:
    """Mark a mobject for the layout lint."""
    mob.part = part  # type: ignore[attr-defined]
    mob.owner = owner  # type: ignore[attr-defined]
    return mob


# Built texts by their arguments: a copy of one is much cheaper than laying it out again, which matters when a
# sweep rebuilds a panel on every frame. Bounded, and only ever handed out as copies.
_TEXTS: dict[tuple[object, ...], Mobject] = {}
_TEXTS_MAX = 4096


def _cached(key: tuple[object, ...], make: Callable[[], Mobject]) -> Mobject:
    proto = _TEXTS.get(key)
    if proto is None:
        if len(_TEXTS) >= _TEXTS_MAX:
            _TEXTS.clear()
        proto = _TEXTS[key] = make()
    return proto.copy()


def text(s: str, owner: str, th: Theme, size: float = T.LABEL_SIZE, color: str | None = None,
         weight: str = "NORMAL", mono: bool = False) -> Text:
    """A tagged Text in the house font."""
    font, color = (T.MONO_FONT if mono else T.FONT), color or th.text
    t = _cached(("text", s, font, size, color, weight),
                lambda: Text(s, font=font, font_size=size, color=color, weight=weight))
    return tag(t, "text", owner)  # type: ignore[return-value]


def tex(s: str, owner: str, th: Theme, size: float = T.TEX_SIZE, color: str | None = None) -> MathTex:
    """A tagged MathTex."""
    color = color or th.text
    m = _cached(("tex", s, size, color), lambda: MathTex(s, font_size=size, color=color))
    return tag(m, "text", owner)  # type: ignore[return-value]


def label_mob(label: object, owner: str, th: Theme, size: float = T.LABEL_SIZE, color: str | None = None) -> Mobject:
    """Build a Label spec (text or tex) into a mobject."""
    if getattr(label, "tex", None):
        return tex(label.tex, owner, th, size=size * 1.35, color=color)  # type: ignore[attr-defined]
    return text(label.text, owner, th, size=size, color=color)  # type: ignore[attr-defined]


def wrapped(s: str, owner: str, th: Theme, max_width: float, size: float = T.LABEL_SIZE,
            color: str | None = None, align_center: bool = True) -> Mobject:
    """Text wrapped onto as many lines as it needs to fit max_width."""
    one = text(s, owner, th, size, color)
    if one.width <= max_width:
        return one
    chars = max(8, int(len(s) * max_width / one.width))
    while True:
        lines = textwrap.wrap(s, chars) or [s]
        group = VGroup(*[text(line, owner, th, size, color) for line in lines])
        group.arrange(DOWN, buff=0.1, aligned_edge=ORIGIN if align_center else LEFT)
        if group.width <= max_width or chars <= 8:
            return group
        chars -= 2


def fit(mob: Mobject, rect: Rect, max_scale: float = 1.0) -> Mobject:
    """Scale mob to fit rect (never above max_scale) and centre it there."""
    if mob.width > 0 and mob.height > 0:
        s = min(rect.width / mob.width, rect.height / mob.height, max_scale)
        mob.scale(s)
    mob.move_to(rect.center)
    return mob


@dataclass
class Built:
    """What a panel builder returns: its elements, positioned, and how each enters."""

    elements: dict[str, Mobject]
    intros: dict[str, Callable[[Mobject], Animation]] = field(default_factory=dict)
    heading: Mobject | None = None
    paths: dict[str, VMobject] = field(default_factory=dict)  # flow/walk routes by element id
    waypoints: dict[str, list[np.ndarray]] = field(default_factory=dict)  # walk stops by element id
    stages: dict[str, list[Callable[[], Animation]]] = field(default_factory=dict)  # iterate steps, in order
    # (scale, element id) when the panel was shrunk to fit the width of its widest element, so the lint can name
    # the line that made every text of the panel small.
    shrunk: tuple[float, str] | None = None

    def intro(self, eid: str) -> Animation:
        mob = self.elements[eid]
        make = self.intros.get(eid)
        if make:
            return make(mob)
        return default_intro(mob)


def default_intro(mob: Mobject) -> Animation:
    """Fade a mobject in with a small lift."""
    return FadeIn(mob, shift=0.15 * UP)


def draw_intro(mob: Mobject) -> Animation:
    """Draw strokes (curves, edges), then fill."""
    return Create(mob)


def write_intro(mob: Mobject) -> Animation:
    """Write text and formulas stroke by stroke."""
    return Write(mob)


def heading(title: str | None, rect: Rect, owner: str, th: Theme) -> tuple[Mobject | None, Rect]:
    """Place a panel heading at the top of rect; return it and the remaining rect."""
    if not title:
        return None, rect
    h = text(title, owner, th, size=T.LABEL_SIZE, color=th.subtle_text, weight="BOLD")
    if h.width > rect.width:
        h.scale_to_fit_width(rect.width)
    h.move_to([rect.left, rect.top, 0], aligned_edge=LEFT + UP)
    if rect.width > h.width * 1.2:
        h.move_to([rect.center[0], rect.top, 0], aligned_edge=UP)
    return h, rect.shrink(top=h.height + 0.2)


__all__ = ["RIGHT", "UP", "DOWN", "LEFT", "ORIGIN"]
