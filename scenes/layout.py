"""Lay out graph-shaped panels with Graphviz and scale them into a panel's box.

Node sizes are measured by the caller (the label mobjects are built first) and given
to Graphviz as fixed sizes, so labels never overflow their boxes; edges follow the
spline control points that Graphviz returns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import graphviz

POINTS_PER_INCH = 72.0


@dataclass(frozen=True)
class NodeBox:
    """A node to place: its id and measured size in layout units (inches)."""

    id: str
    width: float
    height: float


@dataclass(frozen=True)
class EdgeReq:
    """An edge to route, with the measured size of its label, if any."""

    id: str
    tail: str
    head: str
    label_size: tuple[float, float] | None = None
    constraint: bool = True  # False for a feedback edge: it does not push its head into a later rank


@dataclass(frozen=True)
class ClusterReq:
    id: str
    nodes: tuple[str, ...]
    label_size: tuple[float, float]


@dataclass(frozen=True)
class GraphLayout:
    """Positions in layout units, origin at the centre of the drawing, y up."""

    width: float
    height: float
    nodes: dict[str, tuple[float, float]]
    edges: dict[str, list[tuple[float, float]]]  # cubic Bezier control points, 3n+1
    edge_labels: dict[str, tuple[float, float]]
    clusters: dict[str, tuple[float, float, float, float]]  # x0, y0, x1, y1


ENGINES = {"flow": "dot", "tree": "dot", "cycle": "circo"}


def layout_graph(
    kind: str,
    nodes: list[NodeBox],
    edges: list[EdgeReq],
    direction: str,
    clusters: list[ClusterReq] | None = None,
    nodesep: float = 0.35,
    ranksep: float = 0.55,
    same_rank: list[tuple[str, ...]] | None = None,
) -> GraphLayout:
    """Run Graphviz on measured nodes and return positions centred on the origin."""
    engine = ENGINES[kind]
    g = graphviz.Digraph(engine=engine)
    g.attr(rankdir=direction, nodesep=f"{nodesep:.3f}", ranksep=f"{ranksep:.3f}", splines="spline")
    g.attr(margin="0", pad="0")
    if engine == "circo":
        g.attr(mindist="0.4", oneblock="true")
    g.attr("node", shape="box", fixedsize="true", label="", margin="0")
    g.attr("edge", arrowsize="0.6")
    clustered = {n for c in clusters or [] for n in c.nodes}
    for c in clusters or []:
        with g.subgraph(name=f"cluster_{_safe(c.id)}") as sub:
            w, h = c.label_size
            sub.attr(label=_spacer(w, h), margin="14", labeljust="l")
            for n in nodes:
                if n.id in c.nodes:
                    sub.node(_safe(n.id), width=f"{n.width:.3f}", height=f"{n.height:.3f}")
    for n in nodes:
        if n.id not in clustered:
            g.node(_safe(n.id), width=f"{n.width:.3f}", height=f"{n.height:.3f}")
    for group in same_rank or []:
        with g.subgraph() as row:
            row.attr(rank="same")
            for nid in group:
                row.node(_safe(nid))
    for e in edges:
        attrs = {"id": _safe(e.id)}
        if not e.constraint:
            attrs["constraint"] = "false"
        if e.label_size:
            # A fixed-size invisible label reserves room for the measured Manim label.
            attrs["label"] = _spacer(*e.label_size)
        g.edge(_safe(e.tail), _safe(e.head), **attrs)
    raw = json.loads(g.pipe(format="json0"))
    return _parse(raw, nodes, edges, clusters or [])


def _safe(ident: str) -> str:
    return ident.replace("->", "__to__").replace("-", "_")


def _spacer(w: float, h: float) -> str:
    """An HTML-like label of exactly w x h inches (Graphviz reserves that space)."""
    return f'<<TABLE BORDER="0" CELLPADDING="0" FIXEDSIZE="TRUE" WIDTH="{w * 72:.0f}" HEIGHT="{h * 72:.0f}"><TR><TD></TD></TR></TABLE>>'


def _pt(s: str) -> tuple[float, float]:
    x, y = s.split(",")[:2]
    return float(x) / POINTS_PER_INCH, float(y) / POINTS_PER_INCH


def _parse(raw: dict, nodes: list[NodeBox], edges: list[EdgeReq], clusters: list[ClusterReq]) -> GraphLayout:
    x0, y0, x1, y1 = (float(v) / POINTS_PER_INCH for v in raw["bb"].split(","))
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    by_name = {o["name"]: o for o in raw.get("objects", []) if "name" in o}

    def centred(p: tuple[float, float]) -> tuple[float, float]:
        return p[0] - cx, p[1] - cy

    pos = {n.id: centred(_pt(by_name[_safe(n.id)]["pos"])) for n in nodes}
    edge_pts: dict[str, list[tuple[float, float]]] = {}
    labels: dict[str, tuple[float, float]] = {}
    by_id = {e.get("id"): e for e in raw.get("edges", [])}
    for e in edges:
        obj = by_id[_safe(e.id)]
        pts, end = [], None
        for tok in obj["pos"].split():
            if tok.startswith("e,"):
                end = _pt(tok[2:])
            elif tok.startswith("s,"):
                continue
            else:
                pts.append(_pt(tok))
        if end is not None:
            pts.append(end)  # extend to the arrow tip so the arrowhead touches the node
            # keep 3n+1 points: replace the last segment's end by a straight run to the tip
            pts = pts[:-1]
            last = pts[-1]
            pts += [last, end, end]
            pts = pts if (len(pts) - 1) % 3 == 0 else pts[: len(pts) - ((len(pts) - 1) % 3)]
        edge_pts[e.id] = [centred(p) for p in pts]
        if "lp" in obj:
            labels[e.id] = centred(_pt(obj["lp"]))
    boxes: dict[str, tuple[float, float, float, float]] = {}
    for c in clusters:
        obj = by_name.get(f"cluster_{_safe(c.id)}")
        if obj and "bb" in obj:
            a, b, cc, d = (float(v) / POINTS_PER_INCH for v in obj["bb"].split(","))
            boxes[c.id] = (a - cx, b - cy, cc - cx, d - cy)
    return GraphLayout(x1 - x0, y1 - y0, pos, edge_pts, labels, boxes)
