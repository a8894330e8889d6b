"""embedding: vectors as points in a 2-D space, a query, its nearest neighbours and their similarity.

Scores are computed here from the declared coordinates, so the ranking and the numbers
shown always agree with the picture.
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    Arc,
    Arrow,
    Circle,
    Dot,
    FadeIn,
    GrowArrow,
    LaggedStart,
    Mobject,
    RoundedRectangle,
    VGroup,
)

from scenes.common import Built, Rect, draw_intro, heading, tag, tex, text
from scenes.kinds import builder
from spec import EmbeddingPanel, EmbPoint
from spec import theme as T
from spec.theme import Theme
from spec.vetted import generators

LIST_GAP = 0.4


def scores(spec: EmbeddingPanel) -> list[tuple[EmbPoint, float]]:
    """Every labelled point with its score against the query, best first."""
    assert spec.query is not None
    q = np.asarray(spec.query.at, dtype=float)
    out = []
    for p in spec.points:
        v = np.asarray(p.at, dtype=float)
        if spec.metric == "cosine":
            s = float(q @ v / max(np.linalg.norm(q) * np.linalg.norm(v), 1e-12))
        elif spec.metric == "dot":
            s = float(q @ v)
        else:
            s = float(np.linalg.norm(q - v))
        out.append((p, s))
    out.sort(key=lambda ps: ps[1] if spec.metric == "euclidean" else -ps[1])
    return out


def _fmt(metric: str, s: float) -> str:
    return f"{s:.2f}".replace("-", "\u2212") if metric != "euclidean" else f"d = {s:.2f}"


@builder("embedding")
def build_embedding(spec: EmbeddingPanel, rect: Rect, th: Theme) -> Built:
    head, rect = heading(spec.title, rect, spec.id, th)
    ranked = scores(spec) if spec.query is not None else []
    top = ranked[: spec.k]

    # The ranked list (built first: its width decides the size of the space).
    listing = VGroup()
    if spec.query is not None:
        name = {"cosine": "cosine", "dot": "dot product", "euclidean": "L2 distance"}[spec.metric]
        title = text(f"top-{spec.k} by {name}", "neighbors", th, size=T.SMALL_SIZE, color=th.subtle_text,
                     weight="BOLD")
        lines = [title]
        for rank, (p, s) in enumerate(top, start=1):
            row = VGroup(
                text(f"{rank}.", "neighbors", th, size=T.LABEL_SIZE, color=th.subtle_text, mono=True),
                text(p.label or p.id, "neighbors", th, size=T.LABEL_SIZE, color=th.color(p.role)),
                text(_fmt(spec.metric, s), "neighbors", th, size=T.LABEL_SIZE, color=th.color("accent"), mono=True),
            ).arrange(RIGHT, buff=0.22)
            lines.append(row)
        listing = VGroup(*lines).arrange(DOWN, buff=0.22, aligned_edge=LEFT)
    list_w = listing.width + LIST_GAP if spec.query is not None else 0.0

    side = min(rect.height, rect.width - list_w)
    whole_w = side + list_w
    left = rect.center[0] - whole_w / 2
    origin = np.array([left + side / 2, rect.center[1], 0.0])
    unit = side / 2 / spec.extent * 0.8  # leave room for labels at the rim

    def at(p: tuple[float, float]) -> np.ndarray:
        return origin + np.array([p[0] * unit, p[1] * unit, 0.0])

    # The space: a frame around it and, when vectors are drawn, the origin they start from.
    half = side / 2
    frame = RoundedRectangle(corner_radius=0.12, width=side, height=side, stroke_color=th.line, stroke_width=2)
    frame.move_to(origin)
    space = VGroup(tag(frame, "shape", "space"))
    if spec.vectors:
        space.add(tag(Dot(origin, radius=0.06, color=th.line), "mark", "space"))

    elements: dict[str, Mobject] = {"space": space}
    intros = {"space": draw_intro}

    def outward(p: tuple[float, float]) -> np.ndarray:
        v = np.array([p[0], p[1], 0.0])
        n = np.linalg.norm(v)
        return v / n if n > 1e-9 else np.array([1.0, 0, 0])

    # Obstacles for label placement: placed label boxes, point positions and arrow shafts.
    placed: list[tuple[float, float, float, float]] = []
    spots: list[np.ndarray] = []
    shafts: list[np.ndarray] = []
    everything = list(spec.points) + ([spec.query] if spec.query else [])
    for p in everything:
        spots.append(at(p.at))
        if spec.vectors:
            shafts.append(np.linspace(origin, at(p.at), 40))
    bounds = (origin[0] - half, origin[1] - half, origin[0] + half, origin[1] + half)

    def place(lab: Mobject, anchor: np.ndarray, first: np.ndarray, buff: float = 0.14) -> None:
        """Put a label next to anchor, trying directions around `first` until it hits nothing."""
        best, best_cost = None, np.inf
        base = float(np.arctan2(first[1], first[0]))
        for turn in (0, 40, -40, 80, -80, 120, -120, 180):
            a = base + np.radians(turn)
            lab.next_to(anchor, np.array([np.cos(a), np.sin(a), 0.0]), buff=buff)
            x0, y0, x1, y1 = lab.get_left()[0], lab.get_bottom()[1], lab.get_right()[0], lab.get_top()[1]
            cost = 0.0
            for b in placed:
                ox = min(x1, b[2]) - max(x0, b[0])
                oy = min(y1, b[3]) - max(y0, b[1])
                if ox > -0.04 and oy > -0.04:
                    cost += 100
            pts = np.vstack(shafts + [np.array(spots)]) if shafts or spots else np.zeros((0, 3))
            inside = (pts[:, 0] > x0 - 0.05) & (pts[:, 0] < x1 + 0.05) & (pts[:, 1] > y0 - 0.05) & (pts[:, 1] < y1 + 0.05)
            cost += 5 * float(inside.sum())
            cost += 500 * float(x0 < bounds[0] + 0.05 or x1 > bounds[2] - 0.05 or y0 < bounds[1] + 0.05
                                or y1 > bounds[3] - 0.05)
            cost += abs(turn) / 1000
            if cost < best_cost:
                best, best_cost = lab.get_center().copy(), cost
        lab.move_to(best)
        placed.append((lab.get_left()[0], lab.get_bottom()[1], lab.get_right()[0], lab.get_top()[1]))

    def point_mob(p: EmbPoint, color: str, radius: float) -> VGroup:
        parts: list[Mobject] = []
        if spec.vectors:
            arrow = Arrow(origin, at(p.at), buff=0, stroke_width=3, max_tip_length_to_length_ratio=0.12,
                          tip_length=0.18, color=color)
            tag(arrow, "edge", p.id)
            parts.append(arrow)
        else:
            parts.append(tag(Dot(at(p.at), radius=radius, color=color), "mark", p.id))
        if p.label:
            lab = text(p.label, p.id, th, size=T.LABEL_SIZE, color=color)
            place(lab, at(p.at), outward(p.at), buff=0.25)  # clear of a neighbour's ring
            parts.append(lab)
        return VGroup(*parts)

    for c in spec.clouds:  # clouds first: their dots are obstacles for the point labels
        color = th.color(c.role)
        pts = generators.generate_points(c.fn, dict(c.params))
        dots = VGroup(*[tag(Dot(at((x, y)), radius=0.05, color=color), "mark", c.id) for x, y in pts])
        group = VGroup(dots)
        for x, y in pts:
            spots.append(at((x, y)))
        if c.label:
            centre = pts.mean(axis=0)
            lab = text(c.label, c.id, th, size=T.SMALL_SIZE, color=color)
            d = outward((centre[0], centre[1]))
            edge = max(pts, key=lambda v: float(np.dot(v - centre, d[:2])))
            place(lab, at((edge[0], edge[1])), d, buff=0.12)
            group.add(lab)
        elements[c.id] = group
        intros[c.id] = lambda m: LaggedStart(*[FadeIn(x, scale=0.5) for x in m.submobjects[0]],
                                             *[FadeIn(x) for x in m.submobjects[1:]], lag_ratio=0.05)

    for p in spec.points:
        elements[p.id] = point_mob(p, th.color(p.role), 0.08)
        if spec.vectors:
            intros[p.id] = lambda m: LaggedStart(GrowArrow(m[0]), *[FadeIn(x) for x in m[1:]], lag_ratio=0.5)

    if spec.query is not None:
        q = spec.query
        qm = point_mob(q, th.color(q.role or "accent"), 0.11)
        elements[q.id] = qm
        if spec.vectors:
            intros[q.id] = lambda m: LaggedStart(GrowArrow(m[0]), *[FadeIn(x) for x in m[1:]], lag_ratio=0.5)
        rings = VGroup(*[tag(Circle(radius=0.2, stroke_color=th.color("accent"), stroke_width=3).move_to(at(p.at)),
                             "mark", "neighbors") for p, _ in top])
        listing.move_to([left + side + LIST_GAP, origin[1], 0], aligned_edge=LEFT)
        elements["neighbors"] = VGroup(rings, listing)
        intros["neighbors"] = lambda m: LaggedStart(*[FadeIn(r, scale=1.6) for r in m[0]],
                                                    *[FadeIn(x, shift=0.1 * RIGHT) for x in m[1]], lag_ratio=0.15)
        if spec.vectors:
            best = top[0][0]
            a0 = float(np.arctan2(q.at[1], q.at[0]))
            a1 = float(np.arctan2(best.at[1], best.at[0]))
            delta = (a1 - a0 + np.pi) % (2 * np.pi) - np.pi
            # the arc's label goes at the smallest radius where it clears both arrows and the neighbour rings
            mid = a0 + delta / 2
            direction = np.array([np.cos(mid), np.sin(mid), 0.0])
            theta = tex(r"\theta", "angle", th, size=T.TEX_SIZE, color=th.color("accent"))
            ring_pts = np.vstack([np.array([np.cos(t), np.sin(t), 0.0]) * 0.2 + at(p.at)
                                  for p, _ in top for t in np.linspace(0, 2 * np.pi, 24)])
            obstacles = np.vstack([np.linspace(origin, at(q.at), 60), np.linspace(origin, at(best.at), 60), ring_pts])
            hw, hh = theta.width / 2 + 0.04, theta.height / 2 + 0.04
            reach = min(np.linalg.norm(q.at), np.linalg.norm(best.at)) * unit - 0.25
            r_label, fewest = reach, np.inf
            for cand in np.linspace(min(unit * 0.3, reach), reach, 24):
                c = origin + cand * direction
                hits = int(((np.abs(obstacles[:, 0] - c[0]) < hw) & (np.abs(obstacles[:, 1] - c[1]) < hh)).sum())
                if hits < fewest:
                    r_label, fewest = float(cand), hits
                if hits == 0:
                    break
            theta.move_to(origin + r_label * direction)
            r = max(r_label - max(hw, hh) - 0.06, unit * 0.2)
            arc = Arc(radius=r, start_angle=a0, angle=delta, arc_center=origin, stroke_color=th.color("accent"),
                      stroke_width=3)
            tag(arc, "curve", "angle")
            elements["angle"] = VGroup(arc, theta)
            intros["angle"] = draw_intro
    return Built(elements, intros=intros, heading=head)
