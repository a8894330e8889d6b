"""timing: lanes of spans on a time axis (latency budgets, overlapping pipelines), with vertical markers."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    DashedLine,
    FadeIn,
    GrowFromEdge,
    LaggedStart,
    Line,
    Mobject,
    RoundedRectangle,
    VGroup,
)

from scenes.common import Built, Rect, draw_intro, heading, tag, text
from scenes.kinds import builder
from spec import TimingPanel
from spec import theme as T
from spec.theme import Theme

LANE_H = 0.6
LANE_GAP = 0.3
MIN_GAP = 0.14
LABEL_GAP = 0.3


def _fmt(v: float) -> str:
    return (str(int(v)) if float(v).is_integer() else f"{v:g}").replace("-", "\u2212")


def tracks(spans: list[tuple[float, float]]) -> list[int]:
    """Assign each span (start, end) to the first sub-row where it overlaps nothing: overlap shows as a staircase."""
    ends: list[float] = []
    out = []
    for a, b in spans:
        for k, e in enumerate(ends):
            if a >= e - 1e-9:
                ends[k] = b
                out.append(k)
                break
        else:
            ends.append(b)
            out.append(len(ends) - 1)
    return out


@builder("timing")
def build_timing(spec: TimingPanel, rect: Rect, th: Theme) -> Built:
    head, rect = heading(spec.title, rect, spec.id, th)
    lo, hi = spec.range
    lane_labels = {ln.id: text(ln.label, ln.id, th, size=T.LABEL_SIZE, color=th.subtle_text) for ln in spec.lanes}
    label_w = max(m.width for m in lane_labels.values())
    ticks = [round(float(v), 9) for v in np.arange(np.ceil(lo / spec.step - 1e-9) * spec.step, hi + spec.step * 1e-6,
                                                    spec.step)] if spec.step else []
    nums = [text(_fmt(v) + (f" {spec.unit}" if k == len(ticks) - 1 and spec.unit else ""), "axis", th,
                 size=T.SMALL_SIZE, color=th.subtle_text) for k, v in enumerate(ticks)]
    num_h = text("0", "axis", th, size=T.SMALL_SIZE).height
    marker_labels = {m.id: text(m.label, m.id, th, size=T.SMALL_SIZE, color=th.color(m.role or "risk"),
                                weight="BOLD") for m in spec.markers}
    top_room = (max(m.height for m in marker_labels.values()) + 0.15) if marker_labels else 0.0
    bottom_room = num_h + 0.25
    # the last number is centred on its tick and the unit follows it
    last_w = nums[-1][: len(_fmt(ticks[-1]))].width if nums else 0.0
    right_room = max(nums[-1].width - last_w / 2 + 0.05 if nums and ticks[-1] >= hi - 1e-9 else 0.15, 0.15)
    x0 = rect.left + label_w + LABEL_GAP
    x1 = rect.right - right_room
    lane_tracks = {ln.id: tracks([(s.start, s.end) for s in ln.spans]) for ln in spec.lanes}
    units = sum(max(t) + 1 for t in lane_tracks.values())  # track rows over all lanes
    n = len(spec.lanes)
    avail = rect.height - top_room - bottom_room
    track_h = min(LANE_H, (avail - MIN_GAP * (n - 1)) / units)  # lanes first, gaps take what is left
    gap = min(LANE_GAP, max(MIN_GAP, (avail - units * track_h) / max(n - 1, 1)))
    block_h = units * track_h + (n - 1) * gap
    y_top = rect.top - top_room - max(0.0, (avail - block_h) / 2)
    y_axis = y_top - block_h - 0.12

    def px(t: float) -> float:
        return x0 + (t - lo) / (hi - lo) * (x1 - x0)

    # The axis: a baseline with ticks and numbers, the unit after the last number.
    axis = VGroup(tag(Line([x0, y_axis, 0], [x1, y_axis, 0]).set_stroke(th.line, width=2.5), "shape", "axis"))
    for v, num in zip(ticks, nums, strict=True):
        p = np.array([px(v), y_axis, 0])
        axis.add(tag(Line(p, p + 0.08 * DOWN).set_stroke(th.line, width=2), "shape", "axis"))
        num.next_to(p, DOWN, buff=0.14)
        if num is nums[-1] and spec.unit:  # keep the number itself centred on its tick
            num.shift((px(v) - (num.get_left()[0] + nums[-1][: len(_fmt(v))].width / 2)) * RIGHT)
        axis.add(num)

    elements: dict[str, Mobject] = {"axis": axis}
    intros = {"axis": draw_intro}
    text_boxes: list[tuple[float, float, float, float]] = []
    y_lane = y_top
    for ln in spec.lanes:
        n_tracks = max(lane_tracks[ln.id]) + 1
        lab = lane_labels[ln.id]
        lab.move_to([x0 - LABEL_GAP, y_lane - n_tracks * track_h / 2, 0], aligned_edge=RIGHT)
        spans = []
        for k, (s, tr) in enumerate(zip(ln.spans, lane_tracks[ln.id], strict=True)):
            sid = spec.span_id(ln, k)
            y = y_lane - tr * track_h - track_h / 2
            h = track_h - (0.08 if n_tracks > 1 else 0.0)
            color = th.color(s.role)
            w = px(s.end) - px(s.start)
            box = RoundedRectangle(corner_radius=min(0.08, w / 3, h / 3), width=w, height=h,
                                   stroke_color=color, stroke_width=2.5, fill_color=color, fill_opacity=0.3)
            box.move_to([px(s.start) + w / 2, y, 0])
            tag(box, "box", sid)
            parts: list[Mobject] = [box]
            if s.text:
                t = text(s.text, sid, th, size=T.SMALL_SIZE)
                if t.width <= w - 0.16:
                    t.move_to(box)
                else:  # too long for the span: write it just after the span's end
                    t.next_to(box, RIGHT, buff=0.12)
                parts.append(t)
                text_boxes.append((t.get_left()[0], t.get_bottom()[1], t.get_right()[0], t.get_top()[1]))
            span = VGroup(*parts)
            elements[sid] = span
            intros[sid] = lambda m: LaggedStart(GrowFromEdge(m[0], LEFT), *[FadeIn(x) for x in m[1:]],
                                                lag_ratio=0.7)
            spans.append(span)
        elements[ln.id] = VGroup(lab, *spans)
        elements[f"{ln.id}-label"] = lab
        intros[ln.id] = lambda m: LaggedStart(
            FadeIn(m[0]), *[LaggedStart(GrowFromEdge(sp[0], LEFT), *[FadeIn(x) for x in sp[1:]], lag_ratio=0.7)
                            for sp in m[1:]], lag_ratio=0.4)
        y_lane -= n_tracks * track_h + gap
    for mk in spec.markers:
        x = px(mk.at)
        color = th.color(mk.role or "risk")
        # the dashed line breaks where a span's text lies under it
        cuts = sorted((b[1] - 0.05, b[3] + 0.05) for b in text_boxes if b[0] - 0.05 < x < b[2] + 0.05)
        line = VGroup()
        cur = y_top + 0.05
        for c0, c1 in sorted(cuts, key=lambda c: -c[1]):
            if c1 < cur and cur - c1 > 0.1:
                line.add(DashedLine([x, cur, 0], [x, c1, 0], dash_length=0.12))
            cur = min(cur, c0)
        if cur - y_axis > 0.1:
            line.add(DashedLine([x, cur, 0], [x, y_axis, 0], dash_length=0.12))
        line.set_stroke(color, width=3)
        for piece in line:
            tag(piece, "shape", mk.id)
        lab = marker_labels[mk.id]
        lab.next_to([x, y_top + 0.05, 0], UP, buff=0.08)
        if lab.get_right()[0] > rect.right:
            lab.align_to([rect.right, 0, 0], RIGHT)
        elements[mk.id] = VGroup(line, lab)
        intros[mk.id] = lambda m: LaggedStart(Create(m[0]), FadeIn(m[1]), lag_ratio=0.5)
    return Built(elements, intros=intros, heading=head)
