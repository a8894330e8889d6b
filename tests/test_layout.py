"""Graphviz layout: measured sizes are honoured, nothing overlaps, edges touch their nodes."""

from __future__ import annotations

import numpy as np
import pytest

from scenes.layout import ClusterReq, EdgeReq, NodeBox, layout_graph

NODES = [NodeBox("ingest", 1.6, 0.6), NodeBox("train", 1.2, 0.6), NodeBox("serve", 1.4, 0.8), NodeBox("monitor", 1.8, 0.6)]
EDGES = [EdgeReq("ingest->train", "ingest", "train", (0.9, 0.3)), EdgeReq("train->serve", "train", "serve"),
         EdgeReq("serve->monitor", "serve", "monitor"), EdgeReq("monitor->ingest", "monitor", "ingest")]


def boxes(layout, nodes=NODES):  # type: ignore[no-untyped-def]
    return {n.id: (layout.nodes[n.id][0] - n.width / 2, layout.nodes[n.id][1] - n.height / 2,
                   layout.nodes[n.id][0] + n.width / 2, layout.nodes[n.id][1] + n.height / 2) for n in nodes}


def overlap(a, b) -> bool:  # type: ignore[no-untyped-def]
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize(("kind", "direction"), [("flow", "LR"), ("tree", "TB"), ("cycle", "LR")])
def test_nodes_fit_the_drawing_and_do_not_overlap(kind: str, direction: str) -> None:
    lay = layout_graph(kind, NODES, EDGES, direction)
    b = boxes(lay)
    for box in b.values():  # Graphviz rounds to whole points (1/72 in)
        assert -lay.width / 2 - 0.02 <= box[0] and box[2] <= lay.width / 2 + 0.02
        assert -lay.height / 2 - 0.02 <= box[1] and box[3] <= lay.height / 2 + 0.02
    ids = list(b)
    for i, a in enumerate(ids):
        for c in ids[i + 1:]:
            assert not overlap(b[a], b[c]), f"{a} overlaps {c}"


def test_flow_runs_left_to_right_and_edges_join_their_nodes() -> None:
    lay = layout_graph("flow", NODES[:3], EDGES[:2], "LR")
    xs = [lay.nodes[n][0] for n in ("ingest", "train", "serve")]
    assert xs == sorted(xs)
    b = boxes(lay, NODES[:3])
    for e in EDGES[:2]:
        pts = np.array(lay.edges[e.id])
        assert (len(pts) - 1) % 3 == 0, "cubic Bezier control points come as 3n+1"
        tail, head = b[e.tail], b[e.head]
        assert abs(pts[0][0] - tail[2]) < 0.08, "edge starts at the tail's right border"
        assert abs(pts[-1][0] - head[0]) < 0.08, "edge ends at the head's left border"


def test_edge_label_gets_reserved_space() -> None:
    lay = layout_graph("flow", NODES[:2], EDGES[:1], "LR")
    assert "ingest->train" in lay.edge_labels
    with_label = lay.width
    plain = layout_graph("flow", NODES[:2], [EdgeReq("ingest->train", "ingest", "train")], "LR").width
    assert with_label >= plain


def test_tree_ranks_top_to_bottom() -> None:
    nodes = [NodeBox("root", 1, 0.5), NodeBox("left", 1, 0.5), NodeBox("right", 1, 0.5)]
    edges = [EdgeReq("root->left", "root", "left"), EdgeReq("root->right", "root", "right")]
    lay = layout_graph("tree", nodes, edges, "TB")
    assert lay.nodes["root"][1] > lay.nodes["left"][1]
    assert lay.nodes["left"][1] == pytest.approx(lay.nodes["right"][1])


def test_cluster_box_contains_its_nodes() -> None:
    lay = layout_graph("flow", NODES[:3], EDGES[:2], "LR", [ClusterReq("core", ("train", "serve"), (1.0, 0.3))])
    x0, y0, x1, y1 = lay.clusters["core"]
    for n in ("train", "serve"):
        box = boxes(lay, NODES[:3])[n]
        assert x0 <= box[0] and box[2] <= x1 and y0 <= box[1] and box[3] <= y1
    assert not (x0 <= lay.nodes["ingest"][0] <= x1)


def test_every_arc_of_a_cycle_is_long_enough_to_read_as_an_arrow() -> None:
    # ai-security-posture's loop puts Prioritize and Remediate side by side: their arc was shorter than its own
    # arrowhead, so only the head showed. Every arc must leave room for a stroke behind the head.
    from manim import tempconfig

    from scenes.common import box_rect
    from scenes.kinds import BUILDERS
    from scenes.kinds.graph import MIN_ARC
    from scenes.worker import tex_template
    from spec import load_spec
    from spec.theme import THEMES
    from tests.conftest import ROOT

    spec = load_spec(ROOT / "diagrams.yaml")
    tile = next(t for _, t in spec.tiles() if t.id == "ai-security-posture")
    panel = next(p for p in tile.panels if p.kind == "cycle")
    with tempconfig({"tex_template": tex_template()}):
        built = BUILDERS["cycle"](panel, box_rect(panel.box), THEMES["dark"])
    for eid, path in built.paths.items():
        assert np.linalg.norm(path.get_end() - path.get_start()) >= MIN_ARC - 1e-6, f"arc {eid} is too short"
