"""Colours across themes: slot-by-slot translation, compositing, the palette check."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import numpy as np

from render.lint.base import GRAPHIC_CONTRAST, TEXT_CONTRAST
from spec.theme import THEMES, Theme, contrast_ratio, mix

log = logging.getLogger(__name__)


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


