"""flow, tree, cycle: nodes and edges laid out by Graphviz, drawn by Manim.

Labels are built first and measured; Graphviz gets those sizes as fixed node sizes,
so a label never overflows its box. Edges follow Graphviz's spline control points
(cubic Beziers); a cycle's edges are arcs between neighbouring nodes on the circle.
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    ArrowTriangleFilledTip,
    Circle,
    DashedVMobject,
    Ellipse,
    Mobject,
    Rectangle,
    RoundedRectangle,
    Text,
    VGroup,
    VMobject,
)

from scenes.common import Built, Rect, draw_intro, heading, tag, text
from scenes.kinds import builder
from scenes.layout import ClusterReq, EdgeReq, NodeBox, layout_graph
from spec import GraphPanel, Node
from spec import theme as T
from spec.theme import Theme

PAD_X, PAD_Y = 0.34, 0.22
MAX_SCALE = 1.25
# A cylinder's lid is an ellipse at the top of its body; the label sits under it, PAD_Y + LID_ROOM - LID_H below its
# lower arc (a lid of 0.22 and no extra room put the arc on the label's top; the lint's `own-outline` wants 5 px).
LID_H = 0.16
LID_ROOM = 0.04  # extra height above a cylinder's label
LABEL_GAP = 0.06  # units between an edge's label and its own line or arrowhead, as drawn (the lint asks for 0.04)
RESERVE_GAP = 0.04  # the extra room asked of Graphviz for it, across the edge


def _node_label(node: Node, th: Theme) -> VGroup:
    parts = [text(node.label, node.id, th, size=T.LABEL_SIZE, weight="BOLD" if node.sub else "NORMAL")]
    if node.sub:
        parts.append(text(node.sub, node.id, th, size=T.SMALL_SIZE, color=th.subtle_text))
    return VGroup(*parts).arrange(DOWN, buff=0.1)


def _node_shape(node: Node, w: float, h: float, th: Theme) -> VMobject:
    color = th.color(node.role)
    style = {"stroke_color": color, "stroke_width": 3, "fill_color": color, "fill_opacity": 0.16}
    if node.shape == "circle":
        d = max(w, h)
        shape: VMobject = Circle(radius=d / 2, **style)
    elif node.shape == "box":
        shape = Rectangle(width=w, height=h, **style)
    elif node.shape == "cylinder":
        body = RoundedRectangle(corner_radius=0.08, width=w, height=h, **style)
        lid = Ellipse(width=w, height=LID_H, stroke_color=color, stroke_width=2)
        lid.move_to(body.get_top() + LID_H / 2 * DOWN)
        shape = VGroup(body, lid)
    else:
        shape = RoundedRectangle(corner_radius=min(0.16, h / 3), width=w, height=h, **style)
    return shape


def _bezier(points: list[tuple[float, float]], scale: float, offset: np.ndarray) -> VMobject:
    path = VMobject()
    pts = [np.array([x * scale, y * scale, 0.0]) + offset for x, y in points]
    n = (len(pts) - 1) // 3
    anchors1 = [pts[3 * i] for i in range(n)]
    h1 = [pts[3 * i + 1] for i in range(n)]
    h2 = [pts[3 * i + 2] for i in range(n)]
    anchors2 = [pts[3 * i + 3] for i in range(n)]
    path.set_anchors_and_handles(np.array(anchors1), np.array(h1), np.array(h2), np.array(anchors2))
    return path


def _arrow(path: VMobject, color: str, dashed: bool, owner: str) -> VGroup:
    """Stroke the path and put an arrowhead at its end, pointing along the last segment."""
    path.set_stroke(color, width=3)
    end = path.get_end()
    before = path.point_from_proportion(0.97)
    direction = end - before
    angle = float(np.arctan2(direction[1], direction[0]))
    tip = ArrowTriangleFilledTip(length=0.2, width=0.18, color=color, fill_opacity=1)
    tip.rotate(angle - tip.tip_angle)
    tip.shift(end - tip.tip_point)
    line: VMobject = DashedVMobject(path, num_dashes=max(6, int(path.get_arc_length() / 0.18))) if dashed else path
    line.set_stroke(color, width=3)
    group = VGroup(line, tip)
    tag(line, "edge", owner)
    tag(tip, "edge", owner)
    return group


def _samples(mob: Mobject, step: float = 0.02) -> np.ndarray:
    """Points along every outline of a mobject (its cubic Bezier curves sampled about every `step` units)."""
    out = []
    for m in mob.family_members_with_points():
        k = len(m.points) // 4
        if not k:
            continue
        c = np.asarray(m.points[: 4 * k], dtype=float).reshape(k, 4, 3)[:, :, :2]
        n = int(np.clip(np.ceil(np.linalg.norm(np.diff(c, axis=1), axis=2).sum(axis=1).max() / step) + 1, 2, 200))
        t = np.linspace(0.0, 1.0, n)[:, None, None]
        u = 1 - t
        out.append((u**3 * c[:, 0] + 3 * u**2 * t * c[:, 1] + 3 * u * t**2 * c[:, 2] + t**3 * c[:, 3]).reshape(-1, 2))
    return np.vstack(out) if out else np.zeros((0, 2))


def _clearance(lab: Mobject, pts: np.ndarray) -> float:
    """The closest approach of points to a label's box (negative when one lies inside it)."""
    x0, y0 = lab.get_corner(DOWN + LEFT)[:2]
    x1, y1 = lab.get_corner(UP + RIGHT)[:2]
    dx = np.maximum(np.maximum(x0 - pts[:, 0], pts[:, 0] - x1), 0.0)
    dy = np.maximum(np.maximum(y0 - pts[:, 1], pts[:, 1] - y1), 0.0)
    depth = np.minimum(np.minimum(pts[:, 0] - x0, x1 - pts[:, 0]), np.minimum(pts[:, 1] - y0, y1 - pts[:, 1]))
    return float(np.where((dx == 0) & (dy == 0), -depth, np.hypot(dx, dy)).min())


def _beside(lab: Mobject, pts: np.ndarray, gap: float) -> None:
    """Move an edge's label away from its own line until `gap` lies between them (Graphviz sets a label against
    its edge, touching it): straight away from the nearest point of the line, which keeps it in the room Graphviz
    reserved for it (the reserved box is one gap taller, or wider, than the label)."""
    if not len(pts):
        return
    for _ in range(12):
        need = gap - _clearance(lab, pts)
        if need <= 0.002:
            return
        c = lab.get_center()[:2]
        d = c - pts[int(np.argmin(np.hypot(*(pts - c).T)))]
        norm = float(np.hypot(*d))
        if norm < 1e-6:  # the line runs through the centre: step across it
            d, norm = np.array([0.0, 1.0]), 1.0
        lab.shift(np.array([*(d / norm * (need + 0.005)), 0.0]))


def _border_point(center: np.ndarray, w: float, h: float, toward: np.ndarray) -> np.ndarray:
    """Where the ray from a box's centre toward a point leaves the box."""
    d = toward - center
    if np.allclose(d, 0):
        return center
    sx = (w / 2) / abs(d[0]) if abs(d[0]) > 1e-9 else np.inf
    sy = (h / 2) / abs(d[1]) if abs(d[1]) > 1e-9 else np.inf
    return center + d * min(sx, sy)


@builder("flow", "tree", "cycle")
def build_graph(spec: GraphPanel, rect: Rect, th: Theme) -> Built:
    head, rect = heading(spec.title, rect, spec.id, th)
    labels = {n.id: _node_label(n, th) for n in spec.nodes}
    sizes = {}
    for n in spec.nodes:
        lab = labels[n.id]
        w, h = lab.width + 2 * PAD_X, lab.height + 2 * PAD_Y
        if n.shape == "circle":
            w = h = max(w, h)
        elif n.shape == "cylinder":
            h += LID_ROOM
        sizes[n.id] = (w, h)
    edges = spec.all_edges()
    edge_labels = {e.id: text(e.label, e.id, th, size=T.SMALL_SIZE, color=th.subtle_text) for e in edges if e.label}
    cluster_labels = {c.id: text(c.label, c.id, th, size=T.SMALL_SIZE, color=th.color(c.role), weight="BOLD")
                      for c in spec.clusters}
    direction = spec.direction or spec.default_direction
    across = direction in ("LR", "RL")  # edges run across: a label sits above or below its edge, else beside it
    lay = layout_graph(
        spec.kind,
        [NodeBox(n.id, *sizes[n.id]) for n in spec.nodes],
        [EdgeReq(e.id, e.from_, e.to, (edge_labels[e.id].width + 0.1 + (0 if across else RESERVE_GAP),
                                        edge_labels[e.id].height + 0.06 + (RESERVE_GAP if across else 0))
                 if e.id in edge_labels else None, constraint=not e.back) for e in edges],
        direction,
        [ClusterReq(c.id, tuple(c.nodes), (cluster_labels[c.id].width, cluster_labels[c.id].height))
         for c in spec.clusters],
        same_rank=[tuple(group) for group in spec.ranks],
    )
    nodes_pos = dict(lay.nodes)
    width, height = lay.width, lay.height
    if spec.kind == "cycle":
        nodes_pos = _clockwise_from_top(nodes_pos, [n.id for n in spec.nodes])
        # the turn changes the drawing's extent: measure and centre it again before scaling
        x0 = min(nodes_pos[i][0] - sizes[i][0] / 2 for i in nodes_pos)
        x1 = max(nodes_pos[i][0] + sizes[i][0] / 2 for i in nodes_pos)
        y0 = min(nodes_pos[i][1] - sizes[i][1] / 2 for i in nodes_pos)
        y1 = max(nodes_pos[i][1] + sizes[i][1] / 2 for i in nodes_pos)
        width, height = x1 - x0, y1 - y0
        nodes_pos = {i: (x - (x0 + x1) / 2, y - (y0 + y1) / 2) for i, (x, y) in nodes_pos.items()}
    scale = min(rect.width / max(width, 1e-6), rect.height / max(height, 1e-6), MAX_SCALE)
    offset = rect.center

    elements: dict[str, Mobject] = {}
    intros = {}
    paths: dict[str, VMobject] = {}
    centers = {}
    for n in spec.nodes:
        w, h = sizes[n.id]
        shape = tag(_node_shape(n, w, h, th), "box", n.id)
        lab = labels[n.id]
        node = VGroup(shape, lab)
        node.scale(scale)
        x, y = nodes_pos[n.id]
        center = np.array([x * scale, y * scale, 0.0]) + offset
        node.move_to(center)
        lab.move_to(shape.get_center())
        if n.shape == "cylinder":  # below the lid: the extra room is above the label
            lab.shift(LID_ROOM / 2 * scale * DOWN)
        centers[n.id] = (center, w * scale, h * scale)
        elements[n.id] = node
    for e in edges:
        color = th.line
        if spec.kind == "cycle":
            path = _arc_between(centers[e.from_], centers[e.to], rect.center)
        else:
            path = _bezier(lay.edges[e.id], scale, offset)
        route = path.copy()
        arrow = _arrow(path, color, e.style == "dashed", e.id)
        if e.id in edge_labels:
            lab = edge_labels[e.id].scale(scale)
            if e.id in lay.edge_labels and spec.kind != "cycle":
                x, y = lay.edge_labels[e.id]
                lab.move_to(np.array([x * scale, y * scale, 0.0]) + offset)
            else:
                mid = route.point_from_proportion(0.5)
                out = mid - rect.center
                lab.move_to(mid + 0.35 * out / max(np.linalg.norm(out), 1e-6))
            _beside(lab, _samples(arrow), LABEL_GAP)
            arrow.add(lab)
        elements[e.id] = arrow
        intros[e.id] = draw_intro
        paths[e.id] = route
    for c in spec.clusters:
        if c.id not in lay.clusters:
            continue
        x0, y0, x1, y1 = (v * scale for v in lay.clusters[c.id])
        color = th.color(c.role) if c.role else th.line
        frame = RoundedRectangle(corner_radius=0.12, width=x1 - x0, height=y1 - y0, stroke_color=color,
                                 stroke_width=2, stroke_opacity=0.8)
        frame = DashedVMobject(frame, num_dashes=60)
        frame.move_to(offset + np.array([(x0 + x1) / 2, (y0 + y1) / 2, 0]))
        tag(frame, "box", c.id)
        lab = cluster_labels[c.id].scale(scale)
        lab.move_to(frame.get_corner(UP + LEFT) + np.array([0.12, -0.08, 0]), aligned_edge=UP + LEFT)
        elements[c.id] = VGroup(frame, lab)
    return Built(elements, intros=intros, heading=head, paths=paths)


def _clockwise_from_top(pos: dict[str, tuple[float, float]], order: list[str]) -> dict[str, tuple[float, float]]:
    """Rotate (and mirror if needed) circo's circle so the first node is on top and the order runs clockwise."""
    pts = np.array([pos[i] for i in order])
    angles = np.arctan2(pts[:, 1], pts[:, 0])
    # circo keeps the cyclic order; find its orientation from the first two nodes
    if len(order) > 2:
        d = (angles[1] - angles[0]) % (2 * np.pi)
        if d < np.pi:  # counter-clockwise: mirror x
            pts[:, 0] *= -1
            angles = np.arctan2(pts[:, 1], pts[:, 0])
    rot = np.pi / 2 - angles[0]
    c, s = np.cos(rot), np.sin(rot)
    out = {}
    for i, (x, y) in zip(order, pts, strict=True):
        out[i] = (x * c - y * s, x * s + y * c)
    return out


MIN_ARC = 0.6  # frame units between an arc's ends: about three arrowheads long


def _arc_between(a: tuple[np.ndarray, float, float], b: tuple[np.ndarray, float, float], center: np.ndarray) -> VMobject:
    """A gentle arc from box a to box b, bulging away from the centre of the cycle."""
    ca, wa, ha = a
    cb, wb, hb = b
    mid = (ca + cb) / 2
    out = mid - center
    norm = np.linalg.norm(out)
    bulge = out / norm * 0.25 * np.linalg.norm(cb - ca) if norm > 1e-6 else np.zeros(3)
    ctrl = mid + bulge
    start = _border_point(ca, wa + 0.12, ha + 0.12, ctrl)
    end = _border_point(cb, wb + 0.12, hb + 0.12, ctrl)
    # Two boxes close together leave an arc shorter than its arrowhead (only the head would show): swing the arc
    # further out, so it leaves and enters through the outer faces, until it is long enough to read as an arrow.
    for _ in range(8):
        if norm <= 1e-6 or np.linalg.norm(end - start) >= MIN_ARC:
            break
        bulge = bulge * 1.6
        ctrl = mid + bulge
        start = _border_point(ca, wa + 0.12, ha + 0.12, ctrl)
        end = _border_point(cb, wb + 0.12, hb + 0.12, ctrl)
    path = VMobject()
    h1 = start + (ctrl - start) * 2 / 3
    h2 = end + (ctrl - end) * 2 / 3
    path.set_anchors_and_handles(np.array([start]), np.array([h1]), np.array([h2]), np.array([end]))
    return path


_ = (LEFT, Text)
