"""stack: layers stacked top to bottom (a platform stack, a hardware hierarchy, a pyramid).

Each layer is a bar with its label (and sub-label); chips sit inside the bar at its right;
a note stands in a column at the right of the widest bar, joined to a narrower bar by a
dotted leader. With `links`, short arrows join neighbouring layers and a `flow` token
travels through the bars from one layer's centre to the next.
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    ArrowTriangleFilledTip,
    DashedLine,
    FadeIn,
    LaggedStart,
    Line,
    Mobject,
    RoundedRectangle,
    VGroup,
    VMobject,
)

from scenes.common import Built, Rect, draw_intro, heading, tag, text
from scenes.kinds import builder
from spec import StackPanel
from spec import theme as T
from spec.theme import Theme

MAX_LAYER_H = 0.95
GAP = 0.2
LINK_GAP = 0.34  # room for the arrow between two layers
PAD_X = 0.25
CHIP_PAD_X = 0.13
CHIP_GAP = 0.12
NOTE_GAP = 0.35
LABEL_CHIP_GAP = 0.35


def _chip(txt: str, owner: str, role: str | None, th: Theme) -> VGroup:
    color = th.color(role)
    lab = text(txt, owner, th, size=T.SMALL_SIZE)
    box = RoundedRectangle(corner_radius=0.1, width=lab.width + 2 * CHIP_PAD_X, height=lab.height + 0.2,
                           stroke_color=color, stroke_width=2.5, fill_color=color, fill_opacity=0.28)
    tag(box, "box", owner)
    lab.move_to(box)
    return VGroup(box, lab)


@builder("stack")
def build_stack(spec: StackPanel, rect: Rect, th: Theme) -> Built:
    head, rect = heading(spec.title, rect, spec.id, th)
    n = len(spec.layers)
    gap = LINK_GAP if spec.links != "none" else GAP

    # Measure everything at full size first.
    blocks: list[VGroup] = []
    chips: list[list[VGroup]] = []
    notes: list[Mobject | None] = []
    for layer in spec.layers:
        parts = [text(layer.label, layer.id, th, size=T.LABEL_SIZE, weight="BOLD")]
        if layer.sub:
            parts.append(text(layer.sub, layer.id, th, size=T.SMALL_SIZE, color=th.subtle_text))
        aligned = LEFT if spec.align == "left" else np.array([0.0, 0, 0])
        blocks.append(VGroup(*parts).arrange(DOWN, buff=0.08, aligned_edge=aligned))
        chips.append([_chip(c.text, c.id, c.role or layer.role, th) for c in layer.chips])
        notes.append(text(layer.note, f"{layer.id}-note", th, size=T.SMALL_SIZE,
                          color=th.color(layer.role) if layer.role else th.subtle_text) if layer.note else None)

    note_w = max([m.width for m in notes if m is not None] + [0.0])
    note_col = note_w + NOTE_GAP if note_w else 0.0
    layer_h = min(MAX_LAYER_H, (rect.height - gap * (n - 1)) / n)

    def content_w(i: int) -> float:
        row = chips[i]
        chips_w = sum(c.width for c in row) + CHIP_GAP * max(len(row) - 1, 0)
        return blocks[i].width + (LABEL_CHIP_GAP + chips_w if row else 0.0) + 2 * PAD_X

    def content_h(i: int) -> float:
        return max([blocks[i].height] + [c.height for c in chips[i]]) + 0.16

    # One scale for all text, so that the widest content fits its bar and the tallest its layer height.
    bar_w = rect.width - note_col
    scale = 1.0
    for i, layer in enumerate(spec.layers):
        scale = min(scale, layer_h / content_h(i))
        # the bar shrinks with the note column, and the column with the scale: solve for the scale
        need = content_w(i)
        scale = min(scale, layer.width * rect.width / (need + layer.width * note_col))
    for m in [*blocks, *[c for row in chips for c in row], *[x for x in notes if x is not None]]:
        m.scale(scale)
    note_col *= scale
    bar_w = rect.width - note_col
    total_h = n * layer_h + (n - 1) * gap
    top = rect.center[1] + total_h / 2
    centre_x = rect.left + bar_w / 2

    elements: dict[str, Mobject] = {}
    intros = {}
    paths: dict[str, VMobject] = {}
    bars: list[RoundedRectangle] = []
    for i, layer in enumerate(spec.layers):
        y = top - i * (layer_h + gap) - layer_h / 2
        w = bar_w * layer.width
        x_left = rect.left if spec.align == "left" else centre_x - w / 2
        color = th.color(layer.role)
        bar = RoundedRectangle(corner_radius=min(0.12, layer_h / 4), width=w, height=layer_h, stroke_color=color,
                               stroke_width=3, fill_color=color, fill_opacity=0.16)
        bar.move_to([x_left + w / 2, y, 0])
        tag(bar, "box", layer.id)
        bars.append(bar)
        block = blocks[i]
        row = VGroup(*chips[i]).arrange(RIGHT, buff=CHIP_GAP * scale) if chips[i] else None
        if spec.align == "left":
            block.move_to([x_left + PAD_X * scale, y, 0], aligned_edge=LEFT)
            if row is not None:
                row.move_to([x_left + w - PAD_X * scale, y, 0], aligned_edge=RIGHT)
        else:
            content = VGroup(block, *([row] if row is not None else []))
            if row is not None:
                row.next_to(block, RIGHT, buff=LABEL_CHIP_GAP * scale)
            content.move_to([x_left + w / 2, y, 0])
        elements[layer.id] = VGroup(bar, block)
        for c, chip in zip(layer.chips, chips[i], strict=True):
            elements[c.id] = chip
            intros[c.id] = lambda m: FadeIn(m, scale=0.8)
        note = notes[i]
        if note is not None:
            nx = rect.left + bar_w + NOTE_GAP * scale
            note.move_to([nx, y, 0], aligned_edge=LEFT)
            group = VGroup(note)
            if nx - (x_left + w) > 0.5:
                leader = DashedLine([x_left + w + 0.1, y, 0], [nx - 0.12, y, 0], dash_length=0.08,
                                    stroke_width=2, color=th.line)
                tag(leader, "edge", f"{layer.id}-note")
                group.add(leader)
            elements[f"{layer.id}-note"] = group
            intros[f"{layer.id}-note"] = lambda m: LaggedStart(*[FadeIn(x, shift=0.1 * LEFT) for x in m], lag_ratio=0.3)

    if spec.links != "none":
        pairs = list(zip(spec.layers, spec.layers[1:], bars, bars[1:], strict=False))
        for a, b, bar_a, bar_b in pairs:
            upper, lower = bar_a, bar_b
            src, dst = (a, b) if spec.links == "down" else (b, a)
            narrow = bar_a if bar_a.width <= bar_b.width else bar_b
            x = narrow.get_left()[0] + spec.link_x * narrow.width
            y_hi, y_lo = upper.get_bottom()[1], lower.get_top()[1]
            start, end = (np.array([x, y_hi, 0]), np.array([x, y_lo, 0]))
            if spec.links == "up":
                start, end = end, start
            d = end - start
            line = Line(start, end - 0.16 * d / np.linalg.norm(d), stroke_width=3, color=th.line)
            tip = ArrowTriangleFilledTip(length=0.16, width=0.16, color=th.line, fill_opacity=1)
            tip.rotate(float(np.arctan2(d[1], d[0])) - tip.tip_angle)
            tip.shift(end - tip.tip_point)
            eid = f"{src.id}->{dst.id}"
            tag(line, "edge", eid)
            tag(tip, "edge", eid)
            elements[eid] = VGroup(line, tip)
            intros[eid] = draw_intro
            s_bar, d_bar = (bar_a, bar_b) if spec.links == "down" else (bar_b, bar_a)
            route = Line(np.array([x, s_bar.get_center()[1], 0]), np.array([x, d_bar.get_center()[1], 0]))
            paths[eid] = route
    return Built(elements, intros=intros, heading=head, paths=paths)

