"""scatter: point groups by class and the models fitted to them, on plot axes.

Everything a plot has (axes, curves, shapes, labels) comes from the plot builder; this
module adds the point groups and draws each fit exactly as render/fits.py computes it.
Fits with stages (kmeans, boost, perceptron) give the `iterate` action one animation
per stage: the motion is the algorithm (points recolour, centroids move, the boundary turns).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from manim import (
    RIGHT,
    UP,
    Animation,
    Create,
    Dot,
    FadeIn,
    LaggedStart,
    Line,
    Mobject,
    Square,
    Triangle,
    VGroup,
    VMobject,
)

from scenes.common import Built, Rect, draw_intro, heading, label_mob, tag, tex
from scenes.kinds import builder
from scenes.kinds.plot import PlotAxes, _axes, _clamp, build_plot
from spec import Fit, PointGroup, ScatterPanel
from spec import theme as T
from spec.theme import Theme

MARK = 0.085  # marker radius in frame units
MARK_Z = 2  # points draw above fills and lines
LABEL_TEX = T.TEX_SIZE * 0.72  # computed equations beside fits: about 37 px tall at 1080p


# ---------------------------------------------------------------- geometry in data units


class Frame:
    """The data rectangle of the axes and the map to the frame."""

    def __init__(self, spec: ScatterPanel, ax: PlotAxes):
        self.ax = ax
        self.x0, self.x1 = spec.x.range
        self.y0, self.y1 = spec.y.range

    def p(self, x: float, y: float) -> np.ndarray:
        return self.ax.c2p(float(x), float(y))

    def corners(self) -> list[np.ndarray]:
        return [np.array(c, dtype=float) for c in
                ((self.x0, self.y0), (self.x1, self.y0), (self.x1, self.y1), (self.x0, self.y1))]

    def clip_halfplanes(self, planes: list[tuple[np.ndarray, float]]) -> list[np.ndarray]:
        """The data rectangle cut by half-planes n.x + c >= 0 (Sutherland-Hodgman)."""
        poly = self.corners()
        for n, c in planes:
            out: list[np.ndarray] = []
            for i, cur in enumerate(poly):
                prev = poly[i - 1]
                fc, fp = float(n @ cur + c), float(n @ prev + c)
                if fc >= 0:
                    if fp < 0:
                        out.append(prev + (cur - prev) * fp / (fp - fc))
                    out.append(cur)
                elif fp >= 0:
                    out.append(prev + (cur - prev) * fp / (fp - fc))
            poly = out
            if not poly:
                break
        return poly

    def line(self, w: np.ndarray, b: float) -> tuple[np.ndarray, np.ndarray] | None:
        """Where the line w.x + b = 0 crosses the data rectangle (two points), or None."""
        pts: list[np.ndarray] = []
        w1, w2 = float(w[0]), float(w[1])
        if abs(w2) > 1e-12:
            for x in (self.x0, self.x1):
                y = -(w1 * x + b) / w2
                if self.y0 - 1e-9 <= y <= self.y1 + 1e-9:
                    pts.append(np.array([x, y]))
        if abs(w1) > 1e-12:
            for y in (self.y0, self.y1):
                x = -(w2 * y + b) / w1
                if self.x0 - 1e-9 <= x <= self.x1 + 1e-9:
                    pts.append(np.array([x, y]))
        if len(pts) < 2:
            return None
        a = pts[0]
        far = max(pts[1:], key=lambda q: float(np.linalg.norm(q - a)))
        if np.linalg.norm(far - a) < 1e-9:
            return None
        # left end first, so labels can sit at the right end
        return (a, far) if (a[0], a[1]) <= (far[0], far[1]) else (far, a)


def _segment(fr: Frame, w: np.ndarray, b: float) -> Line:
    ends = fr.line(w, b)
    if ends is None:  # the line misses the plot: a dot-sized stand-in at the centre
        c = fr.p((fr.x0 + fr.x1) / 2, (fr.y0 + fr.y1) / 2)
        return Line(c, c + 1e-3 * RIGHT)
    return Line(fr.p(*ends[0]), fr.p(*ends[1]))


# ---------------------------------------------------------------- markers


def _marker(kind: str, at: np.ndarray, color: str, owner: str, scale: float = 1.0) -> VMobject:
    r = MARK * scale
    if kind == "square":
        m: VMobject = Square(side_length=1.7 * r, stroke_width=0, fill_color=color, fill_opacity=1)
    elif kind == "triangle":
        m = Triangle(stroke_width=0, fill_color=color, fill_opacity=1).scale_to_fit_height(2.0 * r)
    elif kind == "cross":
        d = r * 1.0
        m = VGroup(Line([-d, -d, 0], [d, d, 0]), Line([-d, d, 0], [d, -d, 0])).set_stroke(color, width=4.5)
    else:
        m = Dot(radius=r, color=color, stroke_width=0)
    m.move_to(at)
    m.set_z_index(MARK_Z)
    for part in m.get_family():
        tag(part, "mark", owner)
    return m


def _set_color(m: Mobject, color: str) -> Mobject:
    for part in m.family_members_with_points():
        if part.get_fill_opacity() > 0:
            part.set_fill(color)
        if part.get_stroke_width() > 0:
            part.set_stroke(color)
    return m


def _lagged(mob: Mobject) -> Animation:
    items = list(mob.submobjects)
    return LaggedStart(*[FadeIn(m, scale=0.4) for m in items], lag_ratio=min(0.08, 2.0 / max(len(items), 1)))


def _create_lagged(mob: Mobject) -> Animation:
    items = list(mob.submobjects)
    return LaggedStart(*[Create(m) for m in items], lag_ratio=min(0.1, 2.0 / max(len(items), 1)))


# ---------------------------------------------------------------- the builder


FitBuilder = Callable[["Context", Fit], None]
# One drawing function per fit method of spec.vetted.fits.FIT_METHODS, registered with @draws.
FIT_BUILDERS: dict[str, FitBuilder] = {}


def draws(method: str) -> Callable[[FitBuilder], FitBuilder]:
    """Register the function that draws one fit method."""

    def register(fn: FitBuilder) -> FitBuilder:
        FIT_BUILDERS[method] = fn
        return fn

    return register


@builder("scatter")
def build_scatter(spec: ScatterPanel, rect: Rect, th: Theme) -> Built:
    built = build_plot(spec, rect, th)
    _, inner = heading(spec.title, rect, spec.id, th)
    ax, _, _ = _axes(spec, inner, th)
    fr = Frame(spec, ax)
    ctx = Context(spec, rect, th, fr, built)
    for g in spec.groups:
        ctx.add_group(g)
    for f in spec.fits:
        FIT_BUILDERS[f.method](ctx, f)
    return built


class Context:
    """What a fit builder needs: the spec, the frame, the groups' points and markers, and the Built to fill."""

    def __init__(self, spec: ScatterPanel, rect: Rect, th: Theme, fr: Frame, built: Built):
        self.spec, self.rect, self.th, self.fr, self.built = spec, rect, th, fr, built
        self.data: dict[str, np.ndarray] = {}
        self.marks: dict[str, list[VMobject]] = {}

    def add_group(self, g: PointGroup) -> None:
        pts = g.data()
        color = self.th.color(g.role or "neutral")
        marks = [_marker(g.marker, self.fr.p(x, y), color, g.id) for x, y in pts]
        group = VGroup(*marks)
        if g.label:
            lab = label_mob(g.label, g.id, self.th, color=color)
            if g.label_at is not None:
                lab.move_to(self.fr.p(*g.label_at))
            else:
                top = pts[int(np.argmax(pts[:, 1]))]
                lab.next_to(self.fr.p(*top), UP, buff=0.2)
            _clamp(lab, self.rect)
            group.add(lab)
        self.data[g.id] = pts
        self.marks[g.id] = marks
        self.built.elements[g.id] = group
        self.built.intros[g.id] = _lagged

    def points(self, f: Fit) -> np.ndarray:
        return np.vstack([self.data[g] for g in f.of])

    def classes(self, f: Fit, neg: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
        """Points of the two groups of a fit and their labels (neg for the first group, 1 for the second)."""
        a, b = (self.data[g] for g in f.of)
        return np.vstack([a, b]), np.concatenate([np.full(len(a), neg), np.ones(len(b))])

    def color(self, f: Fit, default: str = "model") -> str:
        return self.th.color(f.role or default)

    def label(self, f: Fit, computed: str | None, anchor: np.ndarray, direction: np.ndarray,
              owner: str | None = None, color: str | None = None) -> Mobject | None:
        """The fit's label (its computed equation when `equation` is on), placed at label_at or by anchor."""
        owner = owner or f.id
        color = color or self.color(f)
        if f.equation and computed:
            lab: Mobject = tex(computed, owner, self.th, color=color, size=LABEL_TEX)
        elif f.label:
            lab = label_mob(f.label, owner, self.th, color=color)
        else:
            return None
        if f.label_at is not None:
            lab.move_to(self.fr.p(*f.label_at))
        else:
            lab.next_to(anchor, direction, buff=0.15)
        return _clamp(lab, self.rect)

    def put(self, eid: str, mob: Mobject, intro: Callable[[Mobject], Animation] | None = draw_intro) -> None:
        self.built.elements[eid] = mob
        if intro is not None:
            self.built.intros[eid] = intro


def _num(v: float, digits: int = 2) -> str:
    s = f"{v:.{digits}f}"
    return "0." + "0" * digits if s in ("-0." + "0" * digits,) else s


def _short(v: float) -> str:
    """Up to two decimals, without trailing zeros: 2.75, -0.5, 2."""
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _signed(v: float, digits: int = 2) -> str:
    return f"- {_num(-v, digits)}" if v < 0 else f"+ {_num(v, digits)}"
