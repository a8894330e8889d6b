"""network: a fully connected feed-forward net, layer by layer."""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Circle, Line, Mobject, Polygon, VGroup

from scenes.common import Built, Rect, draw_intro, heading, tag, tex, text
from scenes.kinds import builder
from spec import NetLayer, NetNote, NetworkPanel
from spec import theme as T
from spec.theme import Theme

EDGE_OPACITY = 0.7


TIP_LENGTH, TIP_HALF_WIDTH = 0.15, 0.065  # an arrowhead where an edge reaches its neuron (`arrows`)


def _follow_ends(line: Line, a: Mobject, b: Mobject, tip: Mobject | None = None) -> None:
    """Keep an edge (and its arrowhead) no more opaque than its fainter neuron, so a dimmed (dropped) neuron takes
    its edges along."""

    def update(m: Mobject) -> None:
        opacity = EDGE_OPACITY * min(a.get_stroke_opacity(), b.get_stroke_opacity())
        m.set_stroke(opacity=opacity)
        if tip is not None:
            tip.set_fill(opacity=opacity).set_stroke(opacity=opacity)

    line.add_updater(update)


def _tip(end: np.ndarray, d: np.ndarray, color: str) -> Polygon:
    """A filled arrowhead whose point is at `end`, pointing along the unit vector d."""
    n = np.array([-d[1], d[0], 0.0])
    base = end - d * TIP_LENGTH
    tip = Polygon(end, base + n * TIP_HALF_WIDTH, base - n * TIP_HALF_WIDTH)
    return tip.set_fill(color, opacity=EDGE_OPACITY).set_stroke(color, width=1, opacity=EDGE_OPACITY)


@builder("network")
def build_network(spec: NetworkPanel, rect: Rect, th: Theme) -> Built:
    head, rect = heading(spec.title, rect, spec.id, th)
    label_h = 0.45 if any(layer.label for layer in spec.layers) else 0.0
    area = rect.shrink(bottom=label_h)
    n = len(spec.layers)
    notes = {note.id: _note_label(note, th) for note in spec.notes}
    first, last = spec.layers[0], spec.layers[-1]
    # notes beside the first or last layer get room at the panel's edge
    left = max([notes[nt.id].width + 0.2 for nt in spec.notes if nt.side == "left" and _in_layer(nt.at, first)] + [0.0])
    right = max([notes[nt.id].width + 0.2 for nt in spec.notes if nt.side == "right" and _in_layer(nt.at, last)]
                + [0.0])
    xs = np.linspace(area.left + 0.4 + left, area.right - 0.4 - right, n)
    top = max([notes[nt.id].height + 0.2 for nt in spec.notes if nt.side == "up"] + [0.0])
    area = area.shrink(top=top)
    biggest = max(layer.size for layer in spec.layers)
    gap = min(1.0, area.height / max(biggest, 1))
    radius = min(0.26, gap * 0.32)
    inner = {layer.id: [tex(s, f"{layer.id}-{k + 1}", th, size=T.TEX_SIZE * 0.8) for k, s in enumerate(layer.neurons)]
             for layer in spec.layers if layer.neurons}
    if inner:  # neurons with labels grow to hold them (up to what the spacing allows)
        need = max(max(m.width, m.height) for labels in inner.values() for m in labels) / 2 + 0.1
        radius = min(max(radius, need), gap * 0.46)
    elements: dict[str, Mobject] = {}
    centers: dict[str, list[np.ndarray]] = {}
    circles: dict[str, list[Circle]] = {}
    for x, layer in zip(xs, spec.layers, strict=True):
        color = th.color(layer.role or "data")
        ys = (np.arange(layer.size) - (layer.size - 1) / 2) * -gap + area.center[1]
        neurons = []
        for k, y in enumerate(ys):
            nid = f"{layer.id}-{k + 1}"
            c = Circle(radius=radius, stroke_color=color, stroke_width=3, fill_color=color, fill_opacity=0.25)
            c.move_to([x, y, 0])
            tag(c, "box", nid)
            circles.setdefault(layer.id, []).append(c)
            if layer.id in inner:
                lab = inner[layer.id][k]
                if lab.width > 1.6 * radius:
                    lab.scale_to_fit_width(1.6 * radius)
                elements[nid] = VGroup(c, lab.move_to(c))
            else:
                elements[nid] = c
            neurons.append(elements[nid])
        centers[layer.id] = [m.get_center() for m in neurons]
        group = VGroup(*neurons)
        if layer.label:
            lab = text(layer.label, layer.id, th, size=T.SMALL_SIZE, color=th.subtle_text)
            lowest = area.center[1] - (biggest - 1) / 2 * gap - radius
            lab.move_to([x, lowest - 0.2 - lab.height / 2, 0])
            group.add(lab)
        elements[layer.id] = group
    intros = {}
    arrowed = spec.arrow_bundles()
    for a, b in zip(spec.layers, spec.layers[1:], strict=False):
        bundle = f"{a.id}-to-{b.id}"
        lines = VGroup()
        tips = VGroup()
        for i, p in enumerate(centers[a.id]):
            for j, q in enumerate(centers[b.id]):
                d = (q - p) / np.linalg.norm(q - p)
                line = Line(p + d * radius, q - d * radius, stroke_color=th.line, stroke_width=1.6,
                            stroke_opacity=EDGE_OPACITY)
                tag(line, "edge", bundle)
                # a mark, not an edge: `propagate` pulses along the bundle's edges only
                tip = tag(_tip(q - d * radius, d, th.line), "mark", bundle) if bundle in arrowed else None
                _follow_ends(line, circles[a.id][i], circles[b.id][j], tip)
                lines.add(line)
                if tip is not None:
                    tips.add(tip)
        if len(tips):
            lines.add(*tips)  # drawn after the lines, so each head lies on its line's end
        elements[bundle] = lines
        intros[bundle] = draw_intro
    for note in spec.notes:
        elements[note.id] = _place_note(note, notes[note.id], elements, spec, rect)
    return Built(elements, intros=intros, heading=head)


SIDES = {"up": UP, "down": DOWN, "left": LEFT, "right": RIGHT}


def _in_layer(at: str, layer: NetLayer) -> bool:
    return at == layer.id or at.startswith(f"{layer.id}-") and at[len(layer.id) + 1:].isdigit()


def _note_label(note: NetNote, th: Theme) -> Mobject:
    color = th.color(note.role) if note.role else th.text
    return tex(note.tex, note.id, th, color=color, size=T.TEX_SIZE * 0.8) if note.tex else \
        text(note.text or "", note.id, th, size=T.LABEL_SIZE, color=color)


def _place_note(note: NetNote, lab: Mobject, elements: dict[str, Mobject], spec: NetworkPanel, rect: Rect) -> Mobject:
    """Put a note beside a neuron, a layer (its neurons) or an edge bundle (outside its lines)."""
    target = elements[note.at]
    layer = next((ly for ly in spec.layers if ly.id == note.at), None)
    if layer is not None:  # the neurons only, not the layer's name under them
        target = VGroup(*[elements[f"{layer.id}-{k + 1}"] for k in range(layer.size)])
    lab.next_to(target, SIDES[note.side], buff=0.15)
    dx = max(0.0, rect.left - lab.get_left()[0]) - max(0.0, lab.get_right()[0] - rect.right)
    dy = max(0.0, rect.bottom - lab.get_bottom()[1]) - max(0.0, lab.get_top()[1] - rect.top)
    return lab.shift(np.array([dx, dy, 0.0]))
