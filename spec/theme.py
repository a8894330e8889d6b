"""Semantic colours and type sizes, one theme per background.

Colours come from the Okabe-Ito colour-blind-safe palette, lightened for the dark
background so that text in any role keeps WCAG AA contrast (4.5:1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np

Role = Literal["data", "model", "metric", "risk", "infra", "accent", "neutral", "muted"]
ROLES: tuple[str, ...] = get_args(Role)


def mix(fg: str, bg: str, alpha: float) -> str:
    """The hex colour of fg painted at opacity alpha over bg (sRGB, as Cairo does)."""
    a = np.array([int(fg.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)], dtype=float)
    b = np.array([int(bg.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)], dtype=float)
    c = np.clip(np.round(a * alpha + b * (1 - alpha)), 0, 255).astype(int)
    return "#" + "".join(f"{v:02X}" for v in c)


@dataclass(frozen=True)
class Theme:
    """Colours of one theme; `roles` maps a semantic role to a hex colour."""

    name: str
    background: str
    text: str
    subtle_text: str
    line: str
    panel_fill: str
    roles: dict[str, str] = field(default_factory=dict)

    def color(self, role: str | None) -> str:
        """Return the hex colour of a role (neutral when no role is given)."""
        return self.roles[role or "neutral"]


DARK = Theme(
    name="dark",
    background="#0F1420",
    text="#F2F4F8",
    subtle_text="#B4BCCB",
    line="#8A94A8",
    panel_fill="#1A2130",
    roles={
        "data": "#56B4E9",  # sky blue
        "model": "#E69F00",  # orange
        "metric": "#2BC48A",  # bluish green, lightened
        "risk": "#FF7A45",  # vermillion, lightened
        "infra": "#D99BC4",  # reddish purple, lightened
        "accent": "#F0E442",  # yellow
        "neutral": "#C9D1DE",
        "muted": "#8A94A8",
    },
)

LIGHT = Theme(
    name="light",
    background="#FFFFFF",
    text="#14181F",
    subtle_text="#4A5363",
    line="#5C6678",
    panel_fill="#F1F4F8",
    roles={
        "data": "#0868A8",
        "model": "#A35F00",
        "metric": "#00785A",
        "risk": "#B8400A",
        "infra": "#93477A",
        "accent": "#7A6A00",
        "neutral": "#3A4252",
        "muted": "#5C6678",
    },
)

THEMES: dict[str, Theme] = {t.name: t for t in (DARK, LIGHT)}

# Type sizes in Manim font_size units (Text at 24 has a 33 px cap height at 1080p).
FONT = "Inter"
MONO_FONT = "JetBrains Mono"
TITLE_SIZE = 40
TAGLINE_SIZE = 24
LABEL_SIZE = 22
SMALL_SIZE = 18
TEX_SIZE = 34
# The smallest text the lint accepts: one line of it ('Hg', top of a capital to the bottom of a
# descender) is this many px tall at 1920x1080. Inter at SMALL_SIZE (18) measures 31.8 px, so a
# layout may scale the smallest text down to about 75% before the lint objects.
MIN_TEXT_PX = 24


def contrast_ratio(fg: str, bg: str) -> float:
    """Return the WCAG contrast ratio between two hex colours."""

    def luminance(hex_colour: str) -> float:
        h = hex_colour.lstrip("#")
        chans = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in chans]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    a, b = luminance(fg), luminance(bg)
    hi, lo = max(a, b), min(a, b)
    return (hi + 0.05) / (lo + 0.05)
