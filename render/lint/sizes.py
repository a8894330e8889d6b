"""Type sizes: the effective font size and line height of a text mobject, in pixels at 1080p."""

from __future__ import annotations

import logging
from typing import Any

from scenes.common import PX_PER_UNIT  # PX_PER_UNIT: at 1920x1080

log = logging.getLogger(__name__)


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


