"""matrix: a grid of labelled cells with row and column headers."""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, UP, FadeIn, LaggedStart, Mobject, Rectangle, VGroup

from scenes.common import Built, Rect, fit, heading, ink_on, mix, tag, text
from scenes.kinds import builder
from spec import Cell, MatrixPanel
from spec import theme as T
from spec.theme import THEMES, Theme, contrast_ratio


@builder("matrix")
def build_matrix(spec: MatrixPanel, rect: Rect, th: Theme) -> Built:
    head, rect = heading(spec.title, rect, spec.id, th)
    grid_cells = _cells(spec)
    shades = _shades(spec)
    n_rows, n_cols = len(grid_cells), len(grid_cells[0])
    contents: list[list[VGroup]] = []
    for r, row in enumerate(grid_cells):
        line = []
        for c, cell in enumerate(row):
            owner = spec.cell_id(r, c)
            ink = ink_on(spec.shade, shades[r][c], th) if shades else None
            parts = [text(cell.text, owner, th, size=T.LABEL_SIZE, weight="BOLD", color=ink)] if cell.text else []
            if cell.sub:
                parts.append(text(cell.sub, owner, th, size=T.SMALL_SIZE, color=th.subtle_text))
            line.append(VGroup(*parts).arrange(DOWN, buff=0.08) if parts else VGroup())
        contents.append(line)
    cw = max([m.width for row in contents for m in row] + [1.0]) + 0.5
    chh = max([m.height for row in contents for m in row] + [0.4]) + 0.4
    if spec.values is not None:  # a heatmap: compact square cells sized to the numbers
        cw = chh = max([m.width for row in contents for m in row] + [m.height for row in contents for m in row]) + 0.32
    col_heads = [text(c, "grid", th, size=T.SMALL_SIZE, color=th.subtle_text) for c in spec.cols]
    row_heads = [text(r, "grid", th, size=T.SMALL_SIZE, color=th.subtle_text) for r in spec.rows]
    cw = max([cw] + [h.width + 0.3 for h in col_heads])

    grid = VGroup()
    cells: dict[str, Mobject] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            cell = grid_cells[r][c]
            color = th.color(cell.role) if cell.role else th.line
            opacity = 0.22 if cell.role else 0.06
            if shades:
                color, opacity = th.color(spec.shade), shades[r][c]
            box = Rectangle(width=cw, height=chh, stroke_color=th.line, stroke_width=2,
                            fill_color=color, fill_opacity=opacity)
            box.move_to(np.array([c * cw, -r * chh, 0.0]))
            owner = spec.cell_id(r, c)
            tag(box, "box", owner)
            contents[r][c].move_to(box)
            cells[owner] = VGroup(box, contents[r][c])
    frame = VGroup(*cells.values())
    for c, h in enumerate(col_heads):
        h.next_to(frame, UP, buff=0.15).set_x(c * cw)
        grid.add(h)
    for r, h in enumerate(row_heads):
        h.next_to(frame, LEFT, buff=0.2).set_y(-r * chh)
        grid.add(h)
    if spec.col_title:
        ct = text(spec.col_title, "grid", th, size=T.LABEL_SIZE, weight="BOLD")
        ct.next_to(VGroup(frame, *col_heads), UP, buff=0.15)
        grid.add(ct)
    if spec.row_title:
        rt = text(spec.row_title, "grid", th, size=T.LABEL_SIZE, weight="BOLD").rotate(np.pi / 2)
        rt.next_to(VGroup(frame, *row_heads), LEFT, buff=0.15)
        grid.add(rt)
    outline = Rectangle(width=cw * n_cols, height=chh * n_rows, stroke_color=th.line, stroke_width=2.5)
    outline.move_to(frame)
    tag(outline, "box", "grid")
    grid.add(outline)
    frames: dict[str, Mobject] = {}
    for f in spec.frames:
        (r0, r1), (c0, c1) = f.rows, f.cols
        box = Rectangle(width=cw * (c1 - c0 + 1), height=chh * (r1 - r0 + 1),
                        stroke_color=th.color(f.role or "accent"), stroke_width=7)
        box.move_to(np.array([(c0 + c1 - 2) / 2 * cw, -(r0 + r1 - 2) / 2 * chh, 0.0]))
        box.set_z_index(3)
        frames[f.id] = tag(box, "shape", f.id)
    whole = VGroup(grid, *cells.values(), *frames.values())
    fit(whole, rect, max_scale=1.3)
    intros = {"cells": lambda mob: LaggedStart(*[FadeIn(m) for m in mob.submobjects], lag_ratio=0.6 / len(cells))}
    return Built({"grid": grid, "cells": VGroup(*cells.values()), **cells, **frames}, intros=intros, heading=head)


def _cells(spec: MatrixPanel) -> list[list[Cell]]:
    """Every cell as a Cell: declared ones, or numbers formatted with the panel's digits."""
    if spec.values is not None:
        return [[Cell(text=_number(v, spec.digits)) for v in row] for row in spec.values]
    def one(raw: Cell | str) -> Cell:
        if not isinstance(raw, Cell):
            return Cell(text=str(raw))
        if isinstance(raw.value, float | int):  # a number (bound ones arrive resolved), in place of {value}
            number = _number(float(raw.value), spec.digits)
            return raw.model_copy(update={"text": raw.text.replace("{value}", number) if "{value}" in raw.text
                                          else number})
        return raw

    return [[one(raw) for raw in row] for row in spec.cells]


def _number(v: float, digits: int) -> str:
    s = f"{v:.{digits}f}"
    if float(s) == 0:
        s = s.lstrip("-")
    return s.replace("-", "\u2212")


MIN_SHADE, MAX_SHADE = 0.04, 0.6
TEXT_CONTRAST = 4.6  # WCAG AA (4.5:1) with a little room


def _max_shade(role: str) -> float:
    """The strongest tint under which the theme's text colour still reads at AA in every theme."""
    a = MAX_SHADE
    while a > 0.2:
        if min(contrast_ratio(t.text, mix(t.color(role), t.background, a)) for t in THEMES.values()) >= TEXT_CONTRAST:
            return a
        a -= 0.02
    return a


def _shades(spec: MatrixPanel) -> list[list[float]]:
    """Fill opacity of each value's cell, from MIN_SHADE (smallest) to the role's strongest readable tint."""
    if spec.values is None or spec.shade is None:
        return []
    vals = np.asarray(spec.values, dtype=float)
    lo, hi = spec.range if spec.range else (float(vals.min()), float(vals.max()))
    t = np.clip((vals - lo) / (hi - lo), 0, 1) if hi > lo else np.ones_like(vals)
    return (MIN_SHADE + t * (_max_shade(spec.shade) - MIN_SHADE)).tolist()
