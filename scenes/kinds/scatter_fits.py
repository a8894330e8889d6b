"""The drawing of each scatter fit method, one function per method of FIT_METHODS, registered with @draws."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from manim import (
    DL,
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UR,
    Animation,
    AnimationGroup,
    Arrow,
    Circle,
    Create,
    DashedVMobject,
    Dot,
    FadeIn,
    Line,
    Mobject,
    Polygon,
    Succession,
    Transform,
    VGroup,
    VMobject,
)

from scenes.common import tag, tex, text
from scenes.kinds.plot import _clamp
from scenes.kinds.scatter import (
    LABEL_TEX,
    MARK,
    MARK_Z,
    Context,
    Frame,
    _create_lagged,
    _lagged,
    _num,
    _segment,
    _set_color,
    _short,
    _signed,
    draws,
)
from spec import Fit
from spec import theme as T
from spec.theme import Theme
from spec.vetted import fits


@draws("line")
def fit_line(ctx: Context, f: Fit) -> None:
    pts = ctx.points(f)
    a, b = fits.least_squares(pts)
    color = ctx.color(f)
    line = tag(_segment(ctx.fr, np.array([b, -1.0]), a).set_stroke(color, width=5), "curve", f.id)
    group = VGroup(line)
    lab = ctx.label(f, rf"\hat y = {_num(a)} {_signed(b)}\,x", line.get_end(), UL)
    if lab is not None:
        group.add(lab)
    ctx.put(f.id, group)
    res = VGroup()
    for x, y in pts:
        seg = DashedVMobject(Line(ctx.fr.p(x, y), ctx.fr.p(x, a + b * x)), num_dashes=6)
        seg.set_stroke(ctx.th.color("risk"), width=3)
        res.add(tag(seg, "curve", f"{f.id}-residuals"))
    ctx.put(f"{f.id}-residuals", res, _create_lagged)


@draws("logistic")
def fit_logistic(ctx: Context, f: Fit) -> None:
    x, y = ctx.classes(f)
    w, b = fits.logistic(x, y)
    color = ctx.color(f)
    line = tag(_segment(ctx.fr, w, b).set_stroke(color, width=5), "curve", f.id)
    group = VGroup(line)
    lab = ctx.label(f, rf"{_num(w[0])}\,x_1 {_signed(w[1])}\,x_2 {_signed(b)} = 0", line.get_end(), LEFT)
    if lab is not None:
        group.add(lab)
    ctx.put(f.id, group)


@draws("logistic-curve")
def fit_logistic_curve(ctx: Context, f: Fit) -> None:
    pts, y = ctx.classes(f)
    w, b = fits.logistic(pts[:, :1], y)
    w0 = float(w[0])
    color = ctx.color(f)
    xs = np.linspace(ctx.fr.x0, ctx.fr.x1, 120)
    ps = 1 / (1 + np.exp(-(w0 * xs + b)))
    curve = VMobject().set_points_smoothly([ctx.fr.p(x, p) for x, p in zip(xs, ps, strict=True)])
    curve = tag(curve.set_stroke(color, width=5), "curve", f.id)
    group = VGroup(curve)
    lab = ctx.label(f, rf"\sigma({_num(w0)}\,x {_signed(b)})", curve.get_end(), DOWN)
    if lab is not None:
        group.add(lab)
    ctx.put(f.id, group)
    x_star = -b / w0
    thr_color = ctx.th.color("accent")
    lo, hi = ctx.fr.y0, ctx.fr.y1
    vline = DashedVMobject(Line(ctx.fr.p(x_star, lo), ctx.fr.p(x_star, hi)), num_dashes=24)
    vline.set_stroke(thr_color, width=3)
    dot = Dot(ctx.fr.p(x_star, 0.5), radius=0.09, color=thr_color).set_z_index(MARK_Z + 1)
    thr = VGroup(tag(vline, "curve", f"{f.id}-threshold"), tag(dot, "mark", f"{f.id}-threshold"))
    name = tex(rf"x^* = {_num(x_star)}", f"{f.id}-threshold", ctx.th, color=thr_color, size=LABEL_TEX)
    # above the curve's middle, left of the threshold (where p = 0.5): a quadrant a rising S-curve leaves empty
    name.next_to(ctx.fr.p(x_star, lo + 0.75 * (hi - lo)), LEFT if w0 > 0 else RIGHT, buff=0.2)
    thr.add(_clamp(name, ctx.rect))
    ctx.put(f"{f.id}-threshold", thr)


@draws("svm")
def fit_svm(ctx: Context, f: Fit) -> None:
    x, y = ctx.classes(f, neg=-1.0)
    m = fits.svm(x, y, f.c)
    color = ctx.color(f)
    fr = ctx.fr
    boundary = tag(_segment(fr, m.w, m.b).set_stroke(color, width=5), "curve", f.id)
    group = VGroup(boundary)
    if f.label and not f.equation:
        lab = ctx.label(f, None, boundary.get_end(), LEFT)
        if lab is not None:
            group.add(lab)
    ctx.put(f.id, group)
    # the margin: the band between w.x + b = -1 and +1, and its two edges
    band_pts = fr.clip_halfplanes([(m.w, m.b + 1), (-m.w, 1 - m.b)])
    band = Polygon(*[fr.p(*q) for q in band_pts]) if len(band_pts) >= 3 else VMobject()
    band.set_stroke(width=0).set_fill(color, opacity=0.14)
    tag(band, "shape", f"{f.id}-margin")
    edges = VGroup()
    ends = []
    for side in (1.0, -1.0):
        seg = _segment(fr, m.w, m.b - side)
        ends.append(seg.get_end())
        edge = DashedVMobject(seg, num_dashes=30).set_stroke(color, width=3)
        edges.add(tag(edge, "curve", f"{f.id}-margin"))
    margin = VGroup(band, edges)
    shift = fr.p(*(m.w / float(m.w @ m.w))) - fr.p(0, 0)  # boundary to the +1 edge, on screen
    lab = ctx.label(f, rf"2/\lVert \mathbf w \rVert = {_num(m.margin)}", ends[0],
                    LEFT, owner=f"{f.id}-margin") if f.equation else None
    if lab is not None:
        margin.add(lab)
    ctx.put(f"{f.id}-margin", margin, lambda mob: _widen(mob, shift))
    ring_color = ctx.th.color("accent")
    rings = VGroup(*[tag(Circle(radius=MARK * 2.1, stroke_color=ring_color, stroke_width=3.5).move_to(fr.p(*x[i])),
                         "mark", f"{f.id}-support") for i in m.support])
    rings.set_z_index(MARK_Z + 1)
    ctx.put(f"{f.id}-support", rings, _create_lagged)


def _widen(mob: Mobject, shift: np.ndarray) -> Animation:
    """Enter by opening the margin from the boundary out to the support vectors."""
    final = mob.copy()
    band, edges = mob[0], mob[1]
    band.set_fill(opacity=0)
    edges[0].shift(-shift)
    edges[1].shift(shift)
    for extra in mob[2:]:
        extra.set_opacity(0)
    return Transform(mob, final, run_time=1.6)


@draws("pca")
def fit_pca(ctx: Context, f: Fit) -> None:
    x = ctx.points(f)
    p = fits.pca(x)
    fr, th = ctx.fr, ctx.th
    mu = p.mean
    v1, v2 = p.vectors[:, 0], p.vectors[:, 1]
    axis_line = DashedVMobject(_segment(fr, np.array([-v1[1], v1[0]]), float(v1[1] * mu[0] - v1[0] * mu[1])),
                               num_dashes=40).set_stroke(th.line, width=3)
    centre = Dot(fr.p(*mu), radius=0.1, color=th.text).set_z_index(MARK_Z + 1)
    group = VGroup(tag(centre, "mark", f.id))
    lab = ctx.label(f, None, centre.get_center(), DOWN + RIGHT, color=th.text)
    if lab is not None:
        group.add(lab)
    ctx.put(f.id, group, _lagged)
    for j, (vec, role) in enumerate(((v1, f.role or "model"), (v2, "metric"))):
        eid = f"{f.id}-pc{j + 1}"
        col = th.color(role)
        tip = mu + 2 * np.sqrt(p.values[j]) * vec
        arrow = Arrow(fr.p(*mu), fr.p(*tip), buff=0, stroke_width=6, max_tip_length_to_length_ratio=0.25,
                      tip_length=0.22, color=col)
        arrow.set_z_index(MARK_Z + 1)
        for part in arrow.get_family():
            tag(part, "edge", eid)
        name = f"PC{j + 1}"
        if f.equation:
            name += f"  {100 * p.ratio[j]:.0f}%"
        lab = text(name, eid, th, size=T.LABEL_SIZE, color=col, weight="BOLD")
        along = fr.p(*tip) - fr.p(*mu)
        along = along / max(np.linalg.norm(along), 1e-9)
        if j == 0:  # beside the tip, off the PC1 line (which runs on through it): the perpendicular side facing up
            side = np.array([-along[1], along[0], 0.0])
            side = side if side[1] >= 0 else -side
            lab.next_to(fr.p(*tip) - 0.25 * along, side, buff=0.15)
        else:  # PC2 is short and crosses no line: beyond its tip
            lab.next_to(fr.p(*tip), along, buff=0.12)
        ctx.put(eid, VGroup(arrow, _clamp(lab, ctx.rect)))
    proj = VGroup(tag(axis_line, "curve", f"{f.id}-proj"))
    col = th.color(f.role or "model")
    for q in x:
        foot = mu + float((q - mu) @ v1) * v1
        seg = Line(fr.p(*q), fr.p(*foot)).set_stroke(th.color("muted"), width=2)
        dot = Dot(fr.p(*foot), radius=MARK * 0.75, color=col).set_z_index(MARK_Z)
        proj.add(tag(seg, "curve", f"{f.id}-proj"), tag(dot, "mark", f"{f.id}-proj"))
    ctx.put(f"{f.id}-proj", proj, _create_lagged)


@draws("kmeans")
def fit_kmeans(ctx: Context, f: Fit) -> None:
    x = ctx.points(f)
    marks = [m for g in f.of for m in ctx.marks[g]]
    init = np.asarray(f.init, dtype=float)
    rounds = fits.kmeans(x, init, f.rounds)
    roles = f.roles or ["data", "model", "metric", "risk", "infra", "accent"][: len(init)]
    colors = [ctx.th.color(r) for r in roles]
    fr = ctx.fr
    cents = [_centroid(fr.p(*c), colors[j], ctx.th, f.id) for j, c in enumerate(init)]
    group = VGroup(*cents)
    lab = ctx.label(f, None, cents[0].get_center(), UR)
    if lab is not None:
        group.add(lab)
    ctx.put(f.id, group, _lagged)
    stages: list[Callable[[], Animation]] = []
    previous = init
    for labels, new in rounds:
        stages.append(_kmeans_stage(marks, labels, colors, cents, group, previous, new, fr, f.id))
        previous = new
    ctx.built.stages[f.id] = stages


def _centroid(at: np.ndarray, color: str, th: Theme, owner: str) -> VGroup:
    d = 0.17
    halo = VGroup(Line([-d, -d, 0], [d, d, 0]), Line([-d, d, 0], [d, -d, 0])).set_stroke(th.background, width=14)
    cross = VGroup(Line([-d, -d, 0], [d, d, 0]), Line([-d, d, 0], [d, -d, 0])).set_stroke(color, width=8)
    c = VGroup(halo, cross).move_to(at)
    c.set_z_index(MARK_Z + 2)
    for part in c.get_family():
        tag(part, "mark", owner)
    return c


def _kmeans_stage(marks: list[VMobject], labels: np.ndarray, colors: list[str], cents: list[VGroup],
                  group: VGroup, old: np.ndarray, new: np.ndarray, fr: Frame, owner: str) -> Callable[[], Animation]:
    def play() -> Animation:
        assign = [_recolor(m, colors[int(k)]) for m, k in zip(marks, labels, strict=True)]
        moves: list[Animation] = []
        for j, c in enumerate(cents):
            a, b = fr.p(*old[j]), fr.p(*new[j])
            if np.linalg.norm(b - a) > 1e-6:
                trail = DashedVMobject(Line(a, b), num_dashes=max(2, int(np.linalg.norm(b - a) / 0.12)))
                trail.set_stroke(colors[j], width=3, opacity=0.9)
                trail.set_z_index(MARK_Z)
                tag(trail, "curve", owner)
                group.add(trail)
                moves.append(Create(trail))
            moves.append(c.animate.move_to(b))
        return Succession(AnimationGroup(*assign, run_time=0.8), AnimationGroup(*moves, run_time=1.0))

    return play


def _recolor(m: Mobject, color: str) -> Animation:
    target = _set_color(m.copy(), color)
    return Transform(m, target)


@draws("boost")
def fit_boost(ctx: Context, f: Fit) -> None:
    pts = ctx.points(f)
    model = fits.boost(pts, f.rounds, f.lr, f.depth)
    fr, th = ctx.fr, ctx.th
    color = ctx.color(f)
    xs = pts[:, 0]

    def curve(m: int) -> VMobject:
        cuts = sorted({c for tree in model.trees[:m] for c in tree.cuts if fr.x0 < c < fr.x1})
        edges = [fr.x0, *cuts, fr.x1]
        corners = []
        for lo, hi in zip(edges, edges[1:], strict=False):
            v = float(model.predict(np.array([(lo + hi) / 2]), m)[0])
            corners += [fr.p(lo, v), fr.p(hi, v)]
        line = VMobject().set_points_as_corners(corners).set_stroke(color, width=5)
        return tag(line, "curve", f.id)

    def residuals(m: int) -> VGroup:
        pred = model.predict(xs, m)
        res = VGroup()
        for (x, y), p in zip(pts, pred, strict=True):
            seg = Line(fr.p(x, y), fr.p(x, p)).set_stroke(th.color("risk"), width=3)
            res.add(tag(seg, "curve", f"{f.id}-residuals"))
        return res

    def name(m: int) -> Mobject | None:
        s = r"F_0(x) = \bar y" if m == 0 else rf"F_{m}(x) = F_{m - 1}(x) + \eta\, h_{m}(x)"
        return ctx.label(f, s, line.get_end(), UL)

    line = curve(0)
    group = VGroup(line)
    lab = name(0)
    if lab is not None:
        group.add(lab)
    ctx.put(f.id, group)
    res = residuals(0)
    ctx.put(f"{f.id}-residuals", res, _create_lagged)

    def stage(m: int) -> Callable[[], Animation]:
        def play() -> Animation:
            anims: list[Animation] = [Transform(line, curve(m)), Transform(res, residuals(m))]
            new_lab = name(m)
            if lab is not None and new_lab is not None:
                anims.append(Transform(lab, new_lab))
            return AnimationGroup(*anims, run_time=1.4)

        return play

    ctx.built.stages[f.id] = [stage(m) for m in range(1, f.rounds + 1)]


@draws("knn")
def fit_knn(ctx: Context, f: Fit) -> None:
    x = ctx.points(f)
    assert f.query is not None and f.k is not None
    q = np.asarray(f.query, dtype=float)
    idx = fits.nearest(x, q, f.k)
    fr, th = ctx.fr, ctx.th
    color = th.color(f.role or "accent")
    star = VGroup(Circle(radius=MARK * 1.9, stroke_color=color, stroke_width=4),
                  Dot(radius=MARK * 0.9, color=color)).move_to(fr.p(*q))
    star.set_z_index(MARK_Z + 2)
    for part in star.get_family():
        tag(part, "mark", f.id)
    group = VGroup(star)
    lab = ctx.label(f, None, star.get_center(), UR, color=color)
    if lab is not None:
        group.add(lab)
    ctx.put(f.id, group, _lagged)
    radius = float(np.linalg.norm(x[idx[-1]] - q))
    ts = np.linspace(0, 2 * np.pi, 97)[:-1]
    circle = Polygon(*[fr.p(q[0] + radius * np.cos(t), q[1] + radius * np.sin(t)) for t in ts])
    circle = DashedVMobject(circle, num_dashes=40).set_stroke(color, width=3)
    hood = VGroup(tag(circle, "curve", f"{f.id}-neighbors"))
    for i in idx:
        spoke = Line(fr.p(*q), fr.p(*x[i])).set_stroke(color, width=2.5, opacity=0.9)
        hood.add(tag(spoke, "curve", f"{f.id}-neighbors"))
    ctx.put(f"{f.id}-neighbors", hood, _create_lagged)


@draws("perceptron")
def fit_perceptron(ctx: Context, f: Fit) -> None:
    x, y = ctx.classes(f, neg=-1.0)
    marks = [m for g in f.of for m in ctx.marks[g]]
    init = tuple(float(v) for v in f.init or (0.0, 0.0, 0.0))  # type: ignore[arg-type]
    updates = fits.perceptron(x, y, init, f.lr, f.rounds)  # type: ignore[arg-type]
    fr, th = ctx.fr, ctx.th
    color = ctx.color(f)

    def boundary(w: np.ndarray, b: float) -> VGroup:
        seg = _segment(fr, w, b).set_stroke(color, width=5)
        mid = seg.get_center()
        # the normal w points to the +1 side; draw it in screen space from the middle of the line
        step = fr.p(*(w / max(float(np.linalg.norm(w)), 1e-9))) - fr.p(0, 0)
        step = step / max(float(np.linalg.norm(step)), 1e-9) * 0.7
        normal = Arrow(mid, mid + step, buff=0, stroke_width=5, tip_length=0.18, color=color)
        out = VGroup(seg, normal)
        for part in out.get_family():
            tag(part, "curve" if part is seg else "edge", f.id)
        return out

    def name(w: np.ndarray, b: float) -> Mobject | None:
        s = rf"\mathbf w = ({_short(w[0])},\ {_short(w[1])}),\ b = {_short(b)}"
        return ctx.label(f, s, fr.p(fr.x1, fr.y1), DOWN + LEFT)

    w0 = np.array(init[:2])
    line = boundary(w0, init[2])
    group = VGroup(line)
    lab = name(w0, init[2])
    if lab is not None:
        group.add(lab)
    ctx.put(f.id, group)

    def stage(w: np.ndarray, b: float, i: int) -> Callable[[], Animation]:
        def play() -> Animation:
            ring = Circle(radius=MARK * 2.4, stroke_color=th.color("accent"), stroke_width=4).move_to(marks[i])
            anims: list[Animation] = [Transform(line, boundary(w, b))]
            new_lab = name(w, b)
            if lab is not None and new_lab is not None:
                anims.append(Transform(lab, new_lab))
            from manim import FadeOut

            return Succession(Create(ring, run_time=0.5), AnimationGroup(*anims, run_time=1.2),
                              FadeOut(ring, run_time=0.3))

        return play

    ctx.built.stages[f.id] = [stage(w, b, i) for w, b, i in updates]




POLY_SAMPLES = 200


def _poly_curve(ctx: Context, coef: np.ndarray, span: tuple[float, float], owner: str, color: str,
                width: float, opacity: float = 1.0) -> VGroup:
    """A fitted polynomial across the plot, broken where it leaves the y range (a wild fit is not clamped)."""
    fr = ctx.fr
    xs = np.linspace(fr.x0, fr.x1, POLY_SAMPLES)
    ys = fits.poly_eval(coef, xs, span)
    inside = (ys >= fr.y0) & (ys <= fr.y1)
    group = VGroup()
    run: list[np.ndarray] = []
    for x, y, ok in zip(xs, ys, inside, strict=True):
        if ok:
            run.append(fr.p(x, y))
        elif run:
            if len(run) > 1:
                group.add(VMobject().set_points_as_corners(run))
            run = []
    if len(run) > 1:
        group.add(VMobject().set_points_as_corners(run))
    for m in group:
        m.set_stroke(color, width=width, opacity=opacity)
        tag(m, "curve", owner)
    return group


@draws("poly")
def fit_poly(ctx: Context, f: Fit) -> None:
    pts = ctx.points(f)
    degree = int(f.degree or 1)  # type: ignore[arg-type]
    lam = float(f.lam or 0.0)  # type: ignore[arg-type]
    span = (float(pts[:, 0].min()), float(pts[:, 0].max()))
    color = ctx.color(f)
    curve = _poly_curve(ctx, fits.poly(pts, degree, lam, span), span, f.id, color, 5)
    group = VGroup(curve)
    end = curve[-1].get_end() if len(curve) else ctx.fr.p(ctx.fr.x1, ctx.fr.y1)
    lab = ctx.label(f, None, end, UL)
    if lab is not None:
        group.add(lab)
    ctx.put(f.id, group)
    spread = VGroup()
    for sample in fits.bootstrap(pts, f.resamples):
        spread.add(*_poly_curve(ctx, fits.poly(sample, degree, lam, span), span, f"{f.id}-resamples", color, 2, 0.8))
    ctx.put(f"{f.id}-resamples", spread, _create_lagged)


REGION_COLS, REGION_ROWS = 48, 30
REGION_OPACITY = 0.16


@draws("knn-regions")
def fit_knn_regions(ctx: Context, f: Fit) -> None:
    fr = ctx.fr
    x = ctx.points(f)
    y = np.concatenate([np.full(len(ctx.data[g]), i) for i, g in enumerate(f.of)])
    colors = [ctx.th.color(ctx.spec.group(g).role or "neutral") for g in f.of]
    dx, dy = (fr.x1 - fr.x0) / REGION_COLS, (fr.y1 - fr.y0) / REGION_ROWS
    cx = fr.x0 + dx * (np.arange(REGION_COLS) + 0.5)
    cy = fr.y0 + dy * (np.arange(REGION_ROWS) + 0.5)
    grid = np.array([(a, b) for b in cy for a in cx])
    cls = fits.knn_predict(x, y, grid, int(f.k or 1)).reshape(REGION_ROWS, REGION_COLS)  # type: ignore[arg-type]
    cells = VGroup()
    for r in range(REGION_ROWS):  # one rectangle per run of one class along a row
        c0 = 0
        for c in range(1, REGION_COLS + 1):
            if c == REGION_COLS or cls[r, c] != cls[r, c0]:
                y0, y1 = fr.y0 + r * dy, fr.y0 + (r + 1) * dy
                rect = Polygon(fr.p(fr.x0 + c0 * dx, y0), fr.p(fr.x0 + c * dx, y0), fr.p(fr.x0 + c * dx, y1),
                               fr.p(fr.x0 + c0 * dx, y1))
                rect.set_stroke(width=0).set_fill(colors[int(cls[r, c0])], opacity=REGION_OPACITY)
                cells.add(tag(rect, "shape", f.id))
                c0 = c
    cells.set_z_index(-1)  # under the points
    group = VGroup(cells)
    lab = ctx.label(f, None, fr.p(fr.x1, fr.y1), DL)
    if lab is not None:
        group.add(lab)
    ctx.put(f.id, group, lambda m: FadeIn(m))
