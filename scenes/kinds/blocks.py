"""blocks: rows of proportional segments (data splits, folds, budgets)."""

from __future__ import annotations

from manim import LEFT, RIGHT, Mobject, Rectangle, VGroup

from scenes.common import Built, Rect, heading, ink_on, readable_opacity, tag, text
from scenes.kinds import builder
from spec import BlocksPanel
from spec import theme as T
from spec.theme import Theme

ROW_H = 0.62
ROW_GAP = 0.28


@builder("blocks")
def build_blocks(spec: BlocksPanel, rect: Rect, th: Theme) -> Built:
    head, rect = heading(spec.title, rect, spec.id, th)
    labels = {row.id: text(row.label, row.id, th, size=T.SMALL_SIZE, color=th.subtle_text)
              for row in spec.rows if row.label}
    label_w = max([m.width for m in labels.values()] + [0.0])
    label_w = label_w + 0.25 if labels else 0.0
    bar_w = rect.width - label_w
    row_h = min(ROW_H, (rect.height - ROW_GAP * (len(spec.rows) - 1)) / len(spec.rows))
    total_h = len(spec.rows) * row_h + (len(spec.rows) - 1) * ROW_GAP
    top = rect.center[1] + total_h / 2
    elements: dict[str, Mobject] = {}
    for i, row in enumerate(spec.rows):
        y = top - i * (row_h + ROW_GAP) - row_h / 2
        total = sum(s.weight for s in row.segments)
        x = rect.left + label_w
        parts = VGroup()
        if row.id in labels:
            lab = labels[row.id]
            lab.move_to([rect.left + label_w - 0.2, y, 0], aligned_edge=RIGHT)
            parts.add(lab)
        segs = []
        for k, seg in enumerate(row.segments):
            w = bar_w * seg.weight / total
            color = th.color(seg.role)
            sid = spec.segment_id(row, k)
            opacity = readable_opacity(seg.role, 0.55) if seg.role else 0.2
            box = Rectangle(width=w, height=row_h, stroke_color=th.background, stroke_width=3,
                            fill_color=color, fill_opacity=opacity)
            box.move_to([x + w / 2, y, 0])
            tag(box, "box", sid)
            lab = text(seg.text, sid, th, size=T.SMALL_SIZE, color=ink_on(seg.role, opacity, th))
            if lab.width > w - 0.1:
                lab.scale((w - 0.1) / lab.width)
            lab.move_to(box)
            seg_group = VGroup(box, lab)
            elements[sid] = seg_group
            segs.append(seg_group)
            x += w
        parts.add(*segs)
        elements[row.id] = parts
    _ = LEFT
    return Built(elements, heading=head)
