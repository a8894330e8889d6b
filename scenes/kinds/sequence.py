"""sequence: participants with lifelines and the messages between them, in order from top to bottom.

Message labels sit above their arrows; lifelines are drawn with gaps where a label
passes over them, so no line ever runs through a label.
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    ArrowTriangleFilledTip,
    Create,
    DashedLine,
    DashedVMobject,
    FadeIn,
    LaggedStart,
    Line,
    Mobject,
    RoundedRectangle,
    VGroup,
    VMobject,
)

from scenes.common import Built, Rect, heading, tag, text
from scenes.kinds import builder
from scenes.labels import fitted
from spec import SequencePanel
from spec import theme as T
from spec.theme import Theme

END_GAP = 0.07  # arrows stop just short of the lifelines
SELF_W = 0.45
SELF_WEIGHT = 1.6
LABEL_LIFT = 0.1
TIP_CLEAR = 0.07  # units between a message's label and its arrowhead when the label reaches over it


def _tip(end: np.ndarray, direction: np.ndarray, color: str, owner: str) -> Mobject:
    tip = ArrowTriangleFilledTip(length=0.2, width=0.18, color=color, fill_opacity=1)
    tip.rotate(float(np.arctan2(direction[1], direction[0])) - tip.tip_angle)
    tip.shift(end - tip.tip_point)
    return tag(tip, "edge", owner)


@builder("sequence")
def build_sequence(spec: SequencePanel, rect: Rect, th: Theme) -> Built:
    head, rect = heading(spec.title, rect, spec.id, th)
    n = len(spec.participants)
    col_w = rect.width / n
    xs = {p.id: rect.left + (i + 0.5) * col_w for i, p in enumerate(spec.participants)}

    heads: dict[str, VGroup] = {}
    for p in spec.participants:
        color = th.color(p.role)
        parts = [fitted(p.label, p.id, th, col_w - 0.45, size=T.LABEL_SIZE)]
        if p.sub:
            parts.append(fitted(p.sub, p.id, th, col_w - 0.45, size=T.SMALL_SIZE, color=th.subtle_text))
        body = VGroup(*parts).arrange(DOWN, buff=0.08)
        box = RoundedRectangle(corner_radius=0.1, width=min(body.width + 0.4, col_w - 0.15), height=body.height + 0.3,
                               stroke_color=color, stroke_width=2.5, fill_color=color, fill_opacity=0.16)
        tag(box, "box", p.id)
        body.move_to(box)
        heads[p.id] = VGroup(box, body)
    head_h = max(h.height for h in heads.values())
    for p in spec.participants:
        heads[p.id][0].stretch_to_fit_height(head_h)  # one height for every head: lifelines start level
        heads[p.id].move_to([xs[p.id], rect.top - head_h / 2, 0])
    y_first = rect.top - head_h - 0.2
    # a self-message (a loop with its label beside it) needs more room than a straight arrow
    weights = [SELF_WEIGHT if msg.from_ == msg.to else 1.0 for msg in spec.messages]
    unit_h = (y_first - rect.bottom) / sum(weights)
    ys, acc = [], 0.0
    for w in weights:
        ys.append(y_first - acc - 0.72 * w * unit_h)
        acc += w * unit_h

    elements: dict[str, Mobject] = {}
    intros = {}
    paths: dict[str, VMobject] = {}
    label_boxes: list[tuple[float, float, float, float]] = []
    for i, msg in enumerate(spec.messages):
        mid = spec.message_id(i)
        y = ys[i]
        color = th.line if msg.style == "dashed" else th.text
        xa, xb = xs[msg.from_], xs[msg.to]
        lab = text(msg.label, mid, th, size=T.SMALL_SIZE, color=th.text if msg.style == "solid" else th.subtle_text)
        if msg.from_ == msg.to:  # a self-message: a small loop to the right of the lifeline
            path = VMobject()
            a = np.array([xa + END_GAP, y + 0.12, 0])
            pts = [a, a + SELF_W * RIGHT, a + SELF_W * RIGHT + 0.24 * DOWN, a + 0.24 * DOWN]
            path.set_points_as_corners(pts)
            direction = LEFT
            lab.next_to(pts[1] + 0.12 * DOWN, RIGHT, buff=0.12)
        else:
            sign = 1.0 if xb > xa else -1.0
            start = np.array([xa + sign * END_GAP, y, 0])
            end = np.array([xb - sign * END_GAP, y, 0])
            path = Line(start, end)
            direction = RIGHT * sign
            lab.move_to([(xa + xb) / 2, y + LABEL_LIFT + lab.height / 2, 0])
            if lab.width > abs(xb - xa) - 0.2:  # wider than its arrow: start it at the sender's side
                lab.move_to([xa + sign * 0.18, lab.get_y(), 0], aligned_edge=LEFT if sign > 0 else RIGHT)
        route = path.copy()
        line: VMobject = DashedVMobject(path, num_dashes=max(4, int(path.get_arc_length() / 0.16))) \
            if msg.style == "dashed" else path
        line.set_stroke(color, width=3)
        tag(line, "edge", mid)
        tip = _tip(route.get_end(), direction, color, mid)
        if lab.get_left()[0] < tip.get_right()[0] + TIP_CLEAR and lab.get_right()[0] > tip.get_left()[0] - TIP_CLEAR:
            # a label as wide as its arrow reaches over the arrowhead: lift it clear of the head too
            lab.shift(max(0.0, tip.get_top()[1] + TIP_CLEAR - lab.get_bottom()[1]) * UP)
        elements[mid] = VGroup(line, tip, lab)
        intros[mid] = lambda mob: LaggedStart(Create(mob[0]), FadeIn(mob[1]), FadeIn(mob[2]), lag_ratio=0.5)
        paths[mid] = route
        x0, y0, x1, y1 = lab.get_left()[0], lab.get_bottom()[1], lab.get_right()[0], lab.get_top()[1]
        label_boxes.append((x0, y0, x1, y1))

    # Lifelines, broken where a label passes over them.
    for p in spec.participants:
        x = xs[p.id]
        top = heads[p.id][0].get_bottom()[1]
        gaps = sorted((b[1] - 0.06, b[3] + 0.06) for b in label_boxes if b[0] - 0.05 < x < b[2] + 0.05)
        pieces = VGroup()
        cur = top
        for g0, g1 in sorted(gaps, key=lambda g: -g[1]):
            if g1 < cur and g1 - rect.bottom > 0:
                if cur - g1 > 0.1:
                    pieces.add(DashedLine([x, cur, 0], [x, g1, 0], dash_length=0.1))
                cur = min(cur, g0)
        if cur - rect.bottom > 0.1:
            pieces.add(DashedLine([x, cur, 0], [x, rect.bottom, 0], dash_length=0.1))
        pieces.set_stroke(th.line, width=2)
        for piece in pieces:
            tag(piece, "shape", p.id)
        elements[p.id] = VGroup(heads[p.id], pieces)
        intros[p.id] = lambda mob: LaggedStart(FadeIn(mob[0]), Create(mob[1]), lag_ratio=0.5)
    # participants first in the element order (a whole-panel show brings them in before the messages)
    ordered = {p.id: elements[p.id] for p in spec.participants}
    ordered.update({k: v for k, v in elements.items() if k not in ordered})
    return Built(ordered, intros=intros, heading=head, paths=paths)
