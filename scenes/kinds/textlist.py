"""text: a column of short text items as bullets, cards or plain lines."""

from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, Dot, RoundedRectangle, VGroup

from scenes.common import Built, Rect, fit, heading, tag, wrapped
from scenes.kinds import builder
from spec import TextPanel
from spec import theme as T
from spec.theme import Theme


@builder("text")
def build_text(spec: TextPanel, rect: Rect, th: Theme) -> Built:
    head, rect = heading(spec.title, rect, spec.id, th)
    rows = []
    for item in spec.items:
        color = th.color(item.role) if item.role else th.text
        if spec.style == "cards":
            body = wrapped(item.text, item.id, th, rect.width - 0.6, size=T.LABEL_SIZE, align_center=False)
            card = RoundedRectangle(
                corner_radius=0.1, width=rect.width, height=body.height + 0.36,
                stroke_color=color, stroke_width=2.5, fill_color=color, fill_opacity=0.12,
            )
            tag(card, "box", item.id)
            body.move_to(card).align_to(card, LEFT).shift(0.3 * RIGHT)
            rows.append(VGroup(card, body))
        elif spec.style == "bullets":
            body = wrapped(item.text, item.id, th, rect.width - 0.45, size=T.LABEL_SIZE, color=None, align_center=False)
            dot = tag(Dot(radius=0.07, color=color), "mark", item.id)
            first_line = body[0] if len(body.submobjects) and not hasattr(body, "text") else body
            dot.next_to(first_line, LEFT, buff=0.2)
            rows.append(VGroup(dot, body))
        else:
            rows.append(VGroup(wrapped(item.text, item.id, th, rect.width, color=color, align_center=False)))
    group = VGroup(*rows).arrange(DOWN, buff=0.28, aligned_edge=LEFT)
    fit(group, rect)
    group.align_to([rect.left, rect.top, 0], LEFT + UP)
    elements = {item.id: row for item, row in zip(spec.items, rows, strict=True)}
    return Built(elements, heading=head)
