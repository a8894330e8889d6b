"""matrix: a grid of labelled cells with row and column headers."""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, UP, Mobject, Rectangle, VGroup

from render import theme as T
from render.spec import Cell, MatrixPanel
from render.theme import Theme
from scenes.common import Built, Rect, fit, heading, tag, text
from scenes.kinds import builder


@builder("matrix")
def build_matrix(spec: MatrixPanel, rect: Rect, th: Theme) -> Built:
    head, rect = heading(spec.title, rect, spec.id, th)
    n_rows, n_cols = len(spec.cells), len(spec.cells[0])
    contents: list[list[VGroup]] = []
    for r, row in enumerate(spec.cells):
        line = []
        for c, raw in enumerate(row):
            cell = raw if isinstance(raw, Cell) else Cell(text=str(raw))
            owner = spec.cell_id(r, c)
            parts = [text(cell.text, owner, th, size=T.LABEL_SIZE, weight="BOLD")] if cell.text else []
            if cell.sub:
                parts.append(text(cell.sub, owner, th, size=T.SMALL_SIZE, color=th.subtle_text))
            line.append(VGroup(*parts).arrange(DOWN, buff=0.08) if parts else VGroup())
        contents.append(line)
    cw = max([m.width for row in contents for m in row] + [1.0]) + 0.5
    chh = max([m.height for row in contents for m in row] + [0.4]) + 0.4
    col_heads = [text(c, "grid", th, size=T.SMALL_SIZE, color=th.subtle_text) for c in spec.cols]
    row_heads = [text(r, "grid", th, size=T.SMALL_SIZE, color=th.subtle_text) for r in spec.rows]
    cw = max([cw] + [h.width + 0.3 for h in col_heads])

    grid = VGroup()
    cells: dict[str, Mobject] = {}
    for r in range(n_rows):
        for c in range(n_cols):
            raw = spec.cells[r][c]
            cell = raw if isinstance(raw, Cell) else Cell(text=str(raw))
            color = th.color(cell.role) if cell.role else th.line
            box = Rectangle(width=cw, height=chh, stroke_color=th.line, stroke_width=2,
                            fill_color=color, fill_opacity=0.22 if cell.role else 0.06)
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
    whole = VGroup(grid, *cells.values())
    fit(whole, rect, max_scale=1.3)
    return Built({"grid": grid, **cells}, heading=head)
