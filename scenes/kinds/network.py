"""network: a fully connected feed-forward net, layer by layer."""

from __future__ import annotations

import numpy as np
from manim import DOWN, Circle, Line, Mobject, VGroup

from render import theme as T
from render.spec import NetworkPanel
from render.theme import Theme
from scenes.common import Built, Rect, draw_intro, heading, tag, text
from scenes.kinds import builder


@builder("network")
def build_network(spec: NetworkPanel, rect: Rect, th: Theme) -> Built:
    head, rect = heading(spec.title, rect, spec.id, th)
    label_h = 0.45 if any(layer.label for layer in spec.layers) else 0.0
    area = rect.shrink(bottom=label_h)
    n = len(spec.layers)
    xs = np.linspace(area.left + 0.4, area.right - 0.4, n)
    biggest = max(layer.size for layer in spec.layers)
    gap = min(1.0, area.height / max(biggest, 1))
    radius = min(0.26, gap * 0.32)
    elements: dict[str, Mobject] = {}
    centers: dict[str, list[np.ndarray]] = {}
    for x, layer in zip(xs, spec.layers, strict=True):
        color = th.color(layer.role or "data")
        ys = (np.arange(layer.size) - (layer.size - 1) / 2) * -gap + area.center[1]
        neurons = []
        for k, y in enumerate(ys):
            nid = f"{layer.id}-{k + 1}"
            c = Circle(radius=radius, stroke_color=color, stroke_width=3, fill_color=color, fill_opacity=0.25)
            c.move_to([x, y, 0])
            tag(c, "box", nid)
            elements[nid] = c
            neurons.append(c)
        centers[layer.id] = [m.get_center() for m in neurons]
        group = VGroup(*neurons)
        if layer.label:
            lab = text(layer.label, layer.id, th, size=T.SMALL_SIZE, color=th.subtle_text)
            lowest = area.center[1] - (biggest - 1) / 2 * gap - radius
            lab.move_to([x, lowest - 0.2 - lab.height / 2, 0])
            group.add(lab)
        elements[layer.id] = group
    intros = {}
    for a, b in zip(spec.layers, spec.layers[1:], strict=False):
        lines = VGroup()
        for p in centers[a.id]:
            for q in centers[b.id]:
                d = (q - p) / np.linalg.norm(q - p)
                line = Line(p + d * radius, q - d * radius, stroke_color=th.line, stroke_width=1.6, stroke_opacity=0.7)
                tag(line, "edge", f"{a.id}-to-{b.id}")
                lines.add(line)
        elements[f"{a.id}-to-{b.id}"] = lines
        intros[f"{a.id}-to-{b.id}"] = draw_intro
    _ = (DOWN, T)
    return Built(elements, intros=intros, heading=head)
