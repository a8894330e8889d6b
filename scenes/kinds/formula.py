"""formula: stacked LaTeX formulas, each optionally named."""

from __future__ import annotations

from manim import DOWN, LEFT, VGroup

from scenes.common import Built, Rect, fit, heading, tex, text, write_intro
from scenes.kinds import builder
from spec import FormulaPanel
from spec import theme as T
from spec.theme import Theme


@builder("formula")
def build_formula(spec: FormulaPanel, rect: Rect, th: Theme) -> Built:
    head, rect = heading(spec.title, rect, spec.id, th)
    rows = []
    for line in spec.lines:
        color = th.color(line.role) if line.role else th.text
        formula = tex(line.tex, line.id, th, color=color)
        if line.label:
            name = text(line.label, line.id, th, size=T.SMALL_SIZE, color=th.subtle_text)
            rows.append(VGroup(name, formula).arrange(DOWN, buff=0.12, aligned_edge=LEFT))
        else:
            rows.append(VGroup(formula))
    group = VGroup(*rows).arrange(DOWN, buff=0.35, aligned_edge=LEFT)
    elements = {line.id: row for line, row in zip(spec.lines, rows, strict=True)}
    by_width, by_height = rect.width / group.width, rect.height / group.height
    widest = max(elements, key=lambda eid: elements[eid].width)
    fit(group, rect)
    group.align_to([rect.left, 0, 0], LEFT)
    shrunk = (by_width, widest) if by_width < min(1.0, by_height) else None
    return Built(elements, intros=dict.fromkeys(elements, write_intro), heading=head, shrunk=shrunk)
