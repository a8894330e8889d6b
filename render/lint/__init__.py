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
own-outline    a line drawn inside an element's own shape (a cylinder's lid; outline points deeper than
               0.02 units inside the shape's convex hull) keeps OWN_GAP (0.04 units, about 5 px at
               1080p) from the element's label's glyph box: it neither crosses nor crowds it.
edge-label     an edge's label keeps OWN_GAP from its own edge, the line and the arrowhead: beside its
               line, never on it (text-crossed leaves an edge and its own label to this rule).
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

# The lint's public face: what the CLI and the tests use. The parts live in their modules.
from render.lint.base import MIN_TITLE_CAP_PX, RULES, THUMB_WIDTH_PX, Finding
from render.lint.colours import check_theme_palette
from render.lint.driver import TileReport, lint_tile, lint_tiles, work_dir
from render.lint.geometry import bezier_samples, convex_hull, inside_hull, inside_polygon
from render.lint.sizes import text_cap_px, text_line_px

__all__ = [
    "MIN_TITLE_CAP_PX", "RULES", "THUMB_WIDTH_PX", "Finding", "TileReport", "bezier_samples", "check_theme_palette",
    "convex_hull", "inside_hull", "inside_polygon", "lint_tile", "lint_tiles", "text_cap_px", "text_line_px",
    "work_dir",
]
