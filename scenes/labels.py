"""Label helpers for the kinds that place many short names in narrow columns."""

from __future__ import annotations

import textwrap

from manim import DOWN, LEFT, ORIGIN, Mobject, Text, VGroup

from scenes.common import text
from spec import theme as T
from spec.theme import Theme

MIN_SCALE = 0.8  # never shrink a label below this (the lint's 24 px floor is at about 0.62 of LABEL_SIZE)


def fitted(s: str, owner: str, th: Theme, max_width: float, size: float = T.LABEL_SIZE, color: str | None = None,
           weight: str = "NORMAL", centred: bool = True) -> Mobject:
    """Text that fits max_width: one line, else wrapped at spaces (never inside a word), else slightly smaller."""
    one = text(s, owner, th, size, color, weight)
    if one.width <= max_width:
        return one
    words = s.split()
    best: Mobject = one
    for n_lines in range(2, min(len(words), 4) + 1):
        width = max(len(w) for w in words)
        chars = max(width, -(-len(s) // n_lines))
        lines = textwrap.wrap(s, chars, break_long_words=False)
        group = VGroup(*[text(line, owner, th, size, color, weight) for line in lines]).arrange(
            DOWN, buff=0.08, aligned_edge=ORIGIN if centred else LEFT)
        best = group if group.width < best.width else best
        if group.width <= max_width:
            return group
    if best.width > max_width:
        best.scale(max(max_width / best.width, MIN_SCALE))
    return best


def centre_on_baseline(lab: Mobject, centre: object, ascent: float, descent: float, mono: bool = False,
                       size: float = T.LABEL_SIZE) -> Mobject:
    """Centre a one-line Text as if it were 'Hg', keeping its glyphs on their baseline.

    A lone '.', '-' or 'g' then sits where it would in a line of text instead of floating in the
    middle of its box. The baseline offset is measured on 'H' + the same text (same font and size).
    """
    import numpy as np

    c = np.asarray(centre, dtype=float)
    baseline = c[1] - (ascent - descent) / 2
    s = getattr(lab, "original_text", "")
    if not s.strip():
        lab.move_to(c)
        return lab
    ref = Text("H" + s, font=T.MONO_FONT if mono else T.FONT, font_size=size)
    above = ref[1:].get_bottom()[1] - ref[0].get_bottom()[1]  # how far the text's lowest point sits above the baseline
    scale = lab.height / max(ref[1:].height, 1e-9)
    lab.shift(np.array([c[0] - lab.get_center()[0], baseline + above * scale - lab.get_bottom()[1], 0.0]))
    return lab
