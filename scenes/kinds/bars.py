"""bars: a bar chart (probabilities, router gates, scores); bars grow up from the baseline."""

from __future__ import annotations

from manim import DOWN, UP, FadeIn, GrowFromEdge, LaggedStart, Line, Mobject, Rectangle, Text, VGroup

from scenes.common import Built, Rect, draw_intro, heading, tag, text, wrapped
from scenes.kinds import builder
from scenes.labels import centre_on_baseline
from spec import BarsPanel
from spec import theme as T
from spec.theme import Theme

BAR_FRACTION = 0.62
MAX_BAR_W = 1.5


def _fmt(v: float) -> str:
    return f"{v:.2f}" if v < 10 else f"{v:.0f}"


def _on_baseline(lab: Mobject, x: float, top: float, ascent: float, descent: float) -> None:
    """Hang a label from `top`: one-line labels share a baseline, whatever their glyphs."""
    if isinstance(lab, Text):
        centre_on_baseline(lab, [x, top - (ascent + descent) / 2, 0], ascent, descent, size=T.SMALL_SIZE)
    else:
        lab.move_to([x, top, 0], aligned_edge=UP)


@builder("bars")
def build_bars(spec: BarsPanel, rect: Rect, th: Theme) -> Built:
    head, rect = heading(spec.title, rect, spec.id, th)
    n = len(spec.bars)
    slot = rect.width / n
    labels = [wrapped(b.label, b.id, th, slot - 0.12, size=T.SMALL_SIZE, color=th.subtle_text) for b in spec.bars]
    values = [text(b.text or _fmt(b.value), b.id, th, size=T.SMALL_SIZE, color=th.color(b.role) if b.role else th.text)
              for b in spec.bars]
    axis_name = text(spec.label, "axis", th, size=T.SMALL_SIZE, color=th.subtle_text) if spec.label else None
    # labels share one baseline (a label without descenders rests on it; 'g', 'p', 'y' hang below)
    ascent = text("H", "axis", th, size=T.SMALL_SIZE).height
    descent = text("Hg", "axis", th, size=T.SMALL_SIZE).height - ascent
    label_h = max(m.height for m in labels)
    value_h = max(m.height for m in values)
    bottom = rect.bottom + label_h + 0.18 + (axis_name.height + 0.16 if axis_name is not None else 0)
    top = rect.top - value_h - 0.12
    top_value = spec.max or max(b.value for b in spec.bars) or 1.0
    height = max(top - bottom, 0.2)

    base = tag(Line([rect.left, bottom, 0], [rect.right, bottom, 0]).set_stroke(th.line, width=2.5), "shape", "axis")
    axis = VGroup(base)
    if axis_name is not None:
        axis_name.move_to([rect.center[0], rect.bottom + axis_name.height / 2, 0])
        axis.add(axis_name)
    elements: dict[str, Mobject] = {"axis": axis}
    intros = {"axis": draw_intro}
    for i, (b, lab, val) in enumerate(zip(spec.bars, labels, values, strict=True)):
        cx = rect.left + (i + 0.5) * slot
        h = max(height * min(b.value / top_value, 1.0), 0.02)
        color = th.color(b.role)
        bar = Rectangle(width=min(slot * BAR_FRACTION, MAX_BAR_W), height=h, stroke_color=color, stroke_width=2.5, fill_color=color,
                        fill_opacity=0.6 if b.role else 0.3)
        bar.move_to([cx, bottom + h / 2, 0])
        tag(bar, "box", b.id)
        _on_baseline(lab, cx, bottom - 0.14, ascent, descent)
        val.next_to(bar, UP, buff=0.08)
        elements[b.id] = VGroup(bar, lab, val)
        intros[b.id] = lambda m: LaggedStart(GrowFromEdge(m[0], DOWN), FadeIn(m[1]), FadeIn(m[2]), lag_ratio=0.4)
    return Built(elements, intros=intros, heading=head)
