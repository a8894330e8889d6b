"""Rule names, thresholds and findings: what every part of the lint shares."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from scenes.encode import Quality
from spec import theme as T

log = logging.getLogger(__name__)



SAFE_TOL = 0.02  # units; anti-aliasing and half a stroke may touch the margin
TEXT_OVERLAP_TOL = 0.02  # units (about 3 px at 1080p) of overlap tolerated between two texts
TEXT_SHRINK = 0.03  # units; a stroke must reach this far into a text's box to cross it
BOX_SHRINK = 0.03  # units; boxes may touch (shared borders of cells and segments)
SAMPLE_STEP = 0.02  # units between points sampled along a stroke
OWN_GAP = 0.04  # units (about 5 px at 1080p) between a label and a line of its own element (a lid, its edge)
INNER_DEPTH = 0.02  # units; an outline point this far inside its shape's hull is an inner line (a cylinder's lid)

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
    "own-outline": f"no line inside an element's own shape (a cylinder's lid) crosses its label or comes within "
                   f"{OWN_GAP * 135:.0f} px of it",
    "edge-label": f"an edge's label keeps {OWN_GAP * 135:.0f} px clear of its own edge (line and arrowhead)",
    "box-overlap": "no two boxes overlap unless the spec nests them",
    "text-size": f"every text is at least {MIN_TEXT_PX} px tall ('Hg' line height at 1920x1080)",
    "title-size": f"the title's cap height is at least {MIN_TITLE_CAP_PX:g} px on a {THUMB_WIDTH_PX} px wide tile",
    "contrast": f"WCAG AA: text {TEXT_CONTRAST}:1, lines and marks {GRAPHIC_CONTRAST}:1, in every theme",
    "step-count": f"a tile has {MIN_STEPS} to {MAX_STEPS} steps",
    "duration": f"a tile lasts {MIN_SECONDS:g} to {MAX_SECONDS:g} seconds",
    "final-hold": f"the final picture is held at least {MIN_FINAL_HOLD:g} seconds",
    "final-picture": "every declared element is on screen at the end unless listed in `transient`",
    "step-unchanged": "every step ends on a picture different from the step before",
    "key-points": "every key point's elements are on screen, not dimmed, and their text legible at the end",
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

