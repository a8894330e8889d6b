"""compare: a trade-off table, options as columns and criteria as rows; cells hold score dots and short text."""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, UP, Circle, FadeIn, LaggedStart, Line, Mobject, RoundedRectangle, VGroup

from scenes.common import Built, Rect, heading, tag
from scenes.kinds import builder
from scenes.labels import fitted
from spec import ComparePanel, CompareValue
from spec import theme as T
from spec.theme import Theme

DOT_R = 0.1
DOT_GAP = 0.1
CELL_PAD_X = 0.3
CELL_PAD_Y = 0.2
LABEL_GAP = 0.35
MAX_LABEL_W = 3.0
MAX_CELL_W = 3.0


def _dots(score: int, out_of: int, color: str, owner: str, th: Theme) -> VGroup:
    dots = VGroup()
    for i in range(out_of):
        full = i < score
        d = Circle(radius=DOT_R, stroke_color=color if full else th.line, stroke_width=2.5,
                   fill_color=color, fill_opacity=1.0 if full else 0.0)
        d.shift(np.array([i * (2 * DOT_R + DOT_GAP), 0, 0]))
        dots.add(tag(d, "mark", owner))
    return dots


@builder("compare")
def build_compare(spec: ComparePanel, rect: Rect, th: Theme) -> Built:
    head, rect = heading(spec.title, rect, spec.id, th)
    row_labels = {r.id: fitted(r.label, r.id, th, MAX_LABEL_W, size=T.LABEL_SIZE, color=th.subtle_text,
                               centred=False) for r in spec.rows}
    label_w = max(m.width for m in row_labels.values())
    room = (rect.width - label_w - LABEL_GAP) / len(spec.options)
    wrap_w = max(MAX_CELL_W, room - CELL_PAD_X - 0.1)  # wrap only what does not fit an equal share of the width

    # Contents at their natural size (long texts wrap at wrap_w); the columns are sized to them.
    bodies: dict[str, VGroup] = {}
    for o in spec.options:
        parts = [fitted(o.label, o.id, th, wrap_w - 0.4, size=T.LABEL_SIZE, weight="BOLD")]
        if o.sub:
            parts.append(fitted(o.sub, o.id, th, wrap_w - 0.4, size=T.SMALL_SIZE, color=th.subtle_text))
        bodies[o.id] = VGroup(*parts).arrange(DOWN, buff=0.08)
    cells: dict[str, dict[str, VGroup]] = {}
    for r in spec.rows:
        cells[r.id] = {}
        for o, raw in zip(spec.options, r.values, strict=True):
            v = raw if isinstance(raw, CompareValue) else CompareValue(text=raw)
            cid = spec.cell_id(r, o)
            color = th.color(v.role or o.role)
            parts: list[Mobject] = []
            if v.score is not None:
                parts.append(_dots(v.score, spec.max_score, color, cid, th))
            if v.text:
                parts.append(fitted(v.text, cid, th, wrap_w, size=T.LABEL_SIZE,
                                    color=th.color(v.role) if v.role else th.text))
            cells[r.id][o.id] = VGroup(*parts).arrange(DOWN, buff=0.12)
    need = [max([bodies[o.id].width + 0.4] + [cells[r.id][o.id].width for r in spec.rows]) + CELL_PAD_X
            for o in spec.options]
    col_ws = [room] * len(spec.options) if room >= max(need) else need  # equal columns when they fit
    inner_ws = [w - CELL_PAD_X for w in col_ws]

    headers: dict[str, VGroup] = {}
    for o, inner_w in zip(spec.options, inner_ws, strict=True):
        color = th.color(o.role)
        body = bodies[o.id]
        chip = RoundedRectangle(corner_radius=0.1, width=inner_w, height=body.height + 0.3, stroke_color=color,
                                stroke_width=2.5, fill_color=color, fill_opacity=0.16)
        tag(chip, "box", o.id)
        body.move_to(chip)
        headers[o.id] = VGroup(chip, body)
    head_h = max(h.height for h in headers.values())
    for hd in headers.values():  # one height for every header chip
        hd[0].stretch_to_fit_height(head_h)

    content_h = {r.id: max([row_labels[r.id].height] + [c.height for c in cells[r.id].values()]) for r in spec.rows}
    # spread the rows over the panel's height when there is room (up to a generous padding)
    spare = rect.height - head_h - 0.12 - sum(content_h.values())
    pad = float(np.clip(spare / (2 * len(spec.rows)), CELL_PAD_Y, 0.45))
    row_h = {rid: h + 2 * pad for rid, h in content_h.items()}

    # Place everything in table coordinates (top-left at the origin), then fit the whole table to the rect.
    x_col = [label_w + LABEL_GAP + sum(col_ws[:i]) + col_ws[i] / 2 for i in range(len(spec.options))]
    elements: dict[str, Mobject] = {}
    intros = {}
    for o, x in zip(spec.options, x_col, strict=True):
        headers[o.id].move_to([x, -head_h / 2, 0])
        elements[o.id] = headers[o.id]
    y = -head_h - 0.12
    table = VGroup(*headers.values())
    total_w = label_w + LABEL_GAP + sum(col_ws)
    for r in spec.rows:
        h = row_h[r.id]
        rule = Line([0, y, 0], [total_w, y, 0]).set_stroke(th.line, width=1.5)
        tag(rule, "shape", r.id)
        row_labels[r.id].move_to([0, y - h / 2, 0], aligned_edge=LEFT)
        row_cells = []
        for o, x in zip(spec.options, x_col, strict=True):
            c = cells[r.id][o.id]
            c.move_to([x, y - h / 2, 0])
            elements[spec.cell_id(r, o)] = c
            row_cells.append(c)
        group = VGroup(rule, row_labels[r.id], *row_cells)
        elements[r.id] = group
        intros[r.id] = lambda m: LaggedStart(*[FadeIn(x, shift=0.1 * UP) for x in m.submobjects], lag_ratio=0.15)
        table.add(group)
        y -= h
    s = min(rect.width / table.width, rect.height / table.height, 1.0)
    table.scale(s, about_point=np.zeros(3))
    table.move_to(rect.center)
    table.align_to([0, rect.top, 0], UP)
    return Built(elements, intros=intros, heading=head)
