"""Panels with axes: plots, scatter plots with fitted models, embedding spaces, timing lanes, bars."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from spec.base import (
    Label,
    Model,
    PanelBase,
    Point,
    Slug,
    Text,
    check_named,
    panel_kind,
    suggest,
)
from spec.sweep import Bind, Bound, BoundInt, template_names
from spec.theme import Role
from spec.vetted import datasets, fits, functions, generators


class Axis(Model):
    range: tuple[float, float]
    step: float | None = Field(None, gt=0, description="Tick spacing; no ticks when omitted.")
    label: Text | None = None
    tex: bool = Field(False, description="Render the axis label as LaTeX math.")

    @model_validator(mode="after")
    def _ordered(self) -> Axis:
        if self.range[0] >= self.range[1]:
            raise ValueError("range must be [min, max] with min < max")
        return self


class Curve(Model):
    id: Slug
    fn: str | None = Field(None, description="Name of a vetted function (see render/functions.py).")
    params: dict[str, float | list[float] | Bind] = Field(
        default_factory=dict, description="The function's parameters; a number may follow a tile parameter.")
    points: list[Point] | None = Field(None, description="Declared points, joined smoothly.")
    sum_of: list[Slug] | None = Field(None, description="Sum of other curves of this panel, plus `offset`.")
    offset: float = 0.0
    domain: tuple[Bound, Bound] | None = Field(
        None, description="[from, to] in x; an end may follow a tile parameter (a path traced as it sweeps).")
    role: Role | None = None
    dashed: bool = False
    label: Label | None = None
    label_at: float | None = Field(None, description="x at which the label is placed (default: end of domain).")

    @model_validator(mode="after")
    def _source(self) -> Curve:
        given = [k for k in ("fn", "points", "sum_of") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'fn', 'points' or 'sum_of'")
        if self.fn is not None:
            check_named("function", self.fn, self.params, functions.FUNCTIONS, functions.parameters)
        return self


class Descent(Model):
    curve: Slug
    start: float
    lr: float = Field(gt=0)
    steps: int = Field(ge=1, le=40)


class PlotPath(Model):
    id: Slug
    points: list[Point] | None = None
    descent: Descent | None = Field(None, description="Gradient-descent iterates on a curve of this panel.")
    role: Role | None = None
    label: Label | None = None
    arrows: bool = Field(False, description="An arrowhead on each segment, so the direction shows in the still.")

    @model_validator(mode="after")
    def _source(self) -> PlotPath:
        if (self.points is None) == (self.descent is None):
            raise ValueError("give exactly one of 'points' or 'descent'")
        if self.points is not None and len(self.points) < 2:
            raise ValueError("a path needs at least 2 points")
        return self


class PlotPoint(Model):
    id: Slug
    at: tuple[Bound, Bound] = Field(description="[x, y] in data units; either may follow a tile parameter.")
    curve: Slug | None = Field(None, description="A curve of this panel: the point sits on it at x (y is ignored).")
    role: Role | None = None
    label: Label | None = None
    direction: Literal["up", "down", "left", "right", "ur", "ul", "dr", "dl"] = "ur"


class Area(Model):
    id: Slug
    curve: Slug
    domain: tuple[Bound, Bound] | None = Field(None, description="[from, to] in x; an end may follow a tile "
                                                  "parameter (the area shaded up to a threshold).")
    role: Role | None = None
    label: Label | None = None


class Shape(Model):
    id: Slug
    polygon: list[Point] | None = None
    circle: tuple[Bound, Bound, Bound] | None = Field(None, description="[cx, cy, r] in data units.")
    ellipse: tuple[float, float, float, float, float] | None = Field(
        None, description="[cx, cy, rx, ry, angle in degrees] in data units."
    )
    segment: tuple[tuple[Bound, Bound], tuple[Bound, Bound]] | None = Field(
        None, description="[[x1, y1], [x2, y2]]; a number may follow a tile parameter (a threshold line).")
    role: Role | None = None
    fill: bool = False
    dashed: bool = False
    label: Label | None = None

    @model_validator(mode="after")
    def _one_geometry(self) -> Shape:
        given = [k for k in ("polygon", "circle", "ellipse", "segment") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'polygon', 'circle', 'ellipse' or 'segment'")
        return self


class PlotLabel(Model):
    id: Slug
    at: Point
    text: Text | None = None
    tex: Text | None = None
    value: Bound | None = Field(None, description="A number shown in place of `{value}` (or `{value:.4f}`) in "
                                "`text`; may follow a tile parameter through a vetted function (a live readout).")
    role: Role | None = None

    @model_validator(mode="after")
    def _one_of(self) -> PlotLabel:
        if (self.text is None) == (self.tex is None):
            raise ValueError("give exactly one of 'text' or 'tex'")
        shows = self.text is not None and any(n == "value" for n in template_names(self.text))
        if self.value is not None and not shows:
            raise ValueError("'value' needs a text that shows it: put {value} (or {value:.3f}) where the number goes")
        if self.value is None and shows:
            raise ValueError("the text shows {value}: give the label a 'value' (a number or a binding)")
        return self


@panel_kind
class PlotPanel(PanelBase):
    """Axes with curves, paths, points, shaded areas, shapes and labels, in data units."""

    kind: Literal["plot"] = "plot"
    x: Axis
    y: Axis
    equal_aspect: bool = Field(False, description="Same scale on both axes (circles stay round).")
    curves: list[Curve] = Field(default_factory=list)
    paths: list[PlotPath] = Field(default_factory=list)
    points: list[PlotPoint] = Field(default_factory=list)
    areas: list[Area] = Field(default_factory=list)
    shapes: list[Shape] = Field(default_factory=list)
    labels: list[PlotLabel] = Field(default_factory=list)

    motions: ClassVar[dict[str, str]] = {"flow": "plot paths", "walk": "plot paths"}

    def motion_ids(self, key: str) -> list[str]:
        return [p.id for p in self.paths] if key in self.motions else []

    def element_ids(self) -> list[str]:
        ids = ["axes"]
        for group in (self.curves, self.paths, self.points, self.areas, self.shapes, self.labels):
            ids += [e.id for e in group]
        return ids

    @model_validator(mode="after")
    def _refs(self) -> PlotPanel:
        curves = [c.id for c in self.curves]
        for c in self.curves:
            for s in c.sum_of or []:
                if s not in curves or s == c.id:
                    raise ValueError(f"curve {c.id}: sum_of names unknown curve '{s}'{suggest(s, curves)}")
        for p in self.paths:
            if p.descent and p.descent.curve not in curves:
                raise ValueError(f"path {p.id}: unknown curve '{p.descent.curve}'{suggest(p.descent.curve, curves)}")
            if p.descent:
                target = next(c for c in self.curves if c.id == p.descent.curve)
                if target.fn is None:
                    raise ValueError(f"path {p.id}: descent needs a curve defined by 'fn'")
        for pt in self.points:
            if pt.curve is not None and pt.curve not in curves:
                raise ValueError(f"point {pt.id}: unknown curve '{pt.curve}'{suggest(pt.curve, curves)}")
        for a in self.areas:
            if a.curve not in curves:
                raise ValueError(f"area {a.id}: unknown curve '{a.curve}'{suggest(a.curve, curves)}")
        return self


# ---------------------------------------------------------------- scatter: points by class, fitted models


class Sample(Model):
    """Points from a named, seeded generator (render/datasets.py registers blobs, gaussian, line, wave, strip, uniform)."""

    fn: str = Field(description="Name of a vetted point-set generator.")
    params: dict[str, float | list[float] | list[list[float]]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known(self) -> Sample:
        check_named("generator", self.fn, self.params, generators.POINT_SETS,
                     lambda n: generators.parameters(generators.POINT_SETS, n))
        return self


class PointGroup(Model):
    """One class (or one unlabelled cloud) of points, drawn with one colour and marker."""

    id: Slug
    points: list[Point] | None = Field(None, description="Declared points in data units.")
    sample: Sample | None = Field(None, description="Or points from a seeded generator.")
    role: Role | None = None
    marker: Literal["dot", "square", "triangle", "cross"] = "dot"
    label: Label | None = None
    label_at: Point | None = Field(None, description="Where the label goes, in data units (default: above the group).")

    @model_validator(mode="after")
    def _source(self) -> PointGroup:
        if (self.points is None) == (self.sample is None):
            raise ValueError("give exactly one of 'points' or 'sample'")
        if self.points is not None and not self.points:
            raise ValueError("a group needs at least one point")
        return self

    def data(self) -> Any:
        """The group's points as an (n, 2) array."""
        import numpy as np

        if self.points is not None:
            return np.asarray(self.points, dtype=float).reshape(-1, 2)
        assert self.sample is not None
        return datasets.generate(self.sample.fn, self.sample.params)


class Fit(Model):
    """A model fitted to point groups and drawn exactly as computed (spec/vetted/fits.py).

    Each method, the element ids it adds and the groups it takes are in FIT_METHODS (and the author's guide).
    """

    id: Slug
    method: str = Field(description="A fit method (spec/vetted/fits.py, FIT_METHODS).",
                        json_schema_extra={"enum": list(fits.FIT_METHODS)})
    of: list[Slug] = Field(min_length=1, description="The point groups it is fitted to.")
    role: Role | None = None
    label: Label | None = None
    label_at: Point | None = Field(None, description="Where the label goes, in data units.")
    equation: bool = Field(False, description="Label the fit with its computed numbers (line, svm, pca, boost).")
    k: BoundInt | None = Field(None, description="kmeans: clusters (default: len(init)); knn, knn-regions: "
                               "neighbours (may follow a tile parameter).")
    degree: BoundInt | None = Field(None, description="poly: the polynomial's degree (may follow a tile parameter).")
    lam: Bound | None = Field(None, description="poly: the ridge penalty lambda on the coefficients (default 0).")
    resamples: int = Field(0, ge=0, le=12, description="poly: also fit this many bootstrap resamples of the "
                           "group, drawn thin in `<id>-resamples` (their spread is the variance).")
    init: list[float] | list[Point] | None = Field(None, description="kmeans: first centroids; perceptron: [w1, w2, b].")
    rounds: int = Field(3, ge=1, le=30, description="kmeans/boost/perceptron: how many iterate steps exist.")
    lr: float = Field(1.0, gt=0, le=10, description="boost: shrinkage; perceptron: learning rate.")
    depth: int = Field(1, ge=1, le=4, description="boost: depth of each tree.")
    c: float | None = Field(None, gt=0, description="svm: soft-margin penalty C (default: hard margin).")
    query: Point | None = Field(None, description="knn: the point to classify.")
    roles: list[Role] | None = Field(None, description="kmeans: one colour per cluster.")

    @field_validator("method")
    @classmethod
    def _known_method(cls, v: str) -> str:
        if v not in fits.FIT_METHODS:
            raise ValueError(f"unknown fit method '{v}'{suggest(v, list(fits.FIT_METHODS))}")
        return v

    def part_ids(self) -> list[str]:
        return [self.id] + [f"{self.id}-{p}" for p in fits.FIT_METHODS[self.method].parts]

    @model_validator(mode="after")
    def _params(self) -> Fit:
        groups = fits.FIT_METHODS[self.method].groups
        if groups == 2 and len(self.of) != 2:
            raise ValueError(f"a {self.method} fit needs exactly two groups (class 0 or -1 first)")
        if groups == 1 and len(self.of) != 1:
            raise ValueError(f"a {self.method} fit takes one group")
        if self.method == "kmeans":
            if not self.init or not isinstance(self.init[0], tuple | list):
                raise ValueError("a kmeans fit needs 'init': the first centroids as [[x, y], ...]")
            if self.k is not None and self.k != len(self.init):
                raise ValueError(f"k = {self.k} but {len(self.init)} initial centroids")
            if self.roles is not None and len(self.roles) != len(self.init):
                raise ValueError(f"{len(self.roles)} roles for {len(self.init)} clusters")
        if self.method == "perceptron" and (not self.init or len(self.init) != 3
                                            or isinstance(self.init[0], tuple | list)):
            raise ValueError("a perceptron fit needs 'init': [w1, w2, b]")
        if self.method == "knn" and (self.query is None or self.k is None):
            raise ValueError("a knn fit needs 'query' and 'k'")
        if self.method == "knn-regions" and self.k is None:
            raise ValueError("a knn-regions fit needs 'k'")
        if self.method == "poly" and self.degree is None:
            raise ValueError("a poly fit needs 'degree'")
        for name in ("k", "degree"):
            v = getattr(self, name)
            if isinstance(v, int) and not 1 <= v <= 25:
                raise ValueError(f"{name} must be between 1 and 25")
        if isinstance(self.lam, float) and self.lam < 0:
            raise ValueError("lam must be >= 0")
        return self


@panel_kind
class ScatterPanel(PlotPanel):
    """A plot with point groups (classes, clusters) and models fitted to them, plus everything a plot has.

    Groups are elements; each fit adds `<id>` and the parts of its method (see `Fit`).
    """

    kind: Literal["scatter"] = "scatter"  # type: ignore[assignment]
    groups: list[PointGroup] = Field(min_length=1)
    fits: list[Fit] = Field(default_factory=list)

    def element_ids(self) -> list[str]:
        ids = super().element_ids() + [g.id for g in self.groups]
        for f in self.fits:
            ids += f.part_ids()
        return ids

    def group(self, gid: str) -> PointGroup:
        return next(g for g in self.groups if g.id == gid)

    def stage_count(self, eid: str) -> int:
        fit = next((f for f in self.fits if f.id == eid), None)
        if fit is None or not fits.FIT_METHODS[fit.method].staged:
            return 0
        if fit.method == "perceptron":
            import numpy as np

            a, b = (self.group(g).data() for g in fit.of)
            x = np.vstack([a, b])
            y = np.concatenate([-np.ones(len(a)), np.ones(len(b))])
            init = tuple(float(v) for v in fit.init or (0, 0, 0))  # type: ignore[arg-type]
            return len(fits.perceptron(x, y, init, fit.lr, fit.rounds))  # type: ignore[arg-type]
        return fit.rounds

    @model_validator(mode="after")
    def _groups_known(self) -> ScatterPanel:
        gids = [g.id for g in self.groups]
        for f in self.fits:
            for g in f.of:
                if g not in gids:
                    raise ValueError(f"fit {f.id}: unknown group '{g}'{suggest(g, gids)}")
        return self


class EmbPoint(Model):
    id: Slug
    at: Point = Field(description="Position in the space, origin at the centre.")
    label: Text | None = None
    role: Role | None = None


class EmbCloud(Model):
    """Unlabelled points from a named, seeded generator (render/generators.py)."""

    id: Slug
    fn: str = Field(description="Name of a vetted point-set generator (blob, arc).")
    params: dict[str, float | list[float]] = Field(default_factory=dict)
    role: Role | None = None
    label: Text | None = Field(None, description="Name shown beside the cloud.")

    @model_validator(mode="after")
    def _known(self) -> EmbCloud:
        check_named("generator", self.fn, self.params, generators.POINT_SETS,
                     lambda n: generators.parameters(generators.POINT_SETS, n))
        return self


@panel_kind
class EmbeddingPanel(PanelBase):
    """Vectors as points in a 2-D space, a query, its nearest neighbours and their similarity scores.

    Elements: `space` (axes), each point and cloud, `query`, `neighbors` (the k nearest labelled
    points by `metric`, ringed, with a ranked list of scores computed from the coordinates) and
    `angle` (the angle between the query and its nearest neighbour, when `vectors` is on).
    """

    kind: Literal["embedding"] = "embedding"
    extent: float = Field(1.0, gt=0, description="The space spans [-extent, extent] on both axes.")
    vectors: bool = Field(True, description="Draw labelled points and the query as arrows from the origin.")
    points: list[EmbPoint] = Field(default_factory=list)
    clouds: list[EmbCloud] = Field(default_factory=list)
    query: EmbPoint | None = None
    k: int = Field(3, ge=1, le=6, description="How many neighbours the query retrieves.")
    metric: Literal["cosine", "dot", "euclidean"] = "cosine"

    def element_ids(self) -> list[str]:
        ids = ["space"] + [p.id for p in self.points] + [c.id for c in self.clouds]
        if self.query is not None:
            ids += [self.query.id, "neighbors"] + (["angle"] if self.vectors else [])
        return ids

    @model_validator(mode="after")
    def _inside(self) -> EmbeddingPanel:
        for p in self.points + ([self.query] if self.query else []):
            if max(abs(p.at[0]), abs(p.at[1])) > self.extent:
                raise ValueError(f"point {p.id} lies outside the space (extent {self.extent:g})")
        if self.query is not None and self.k > len(self.points):
            raise ValueError(f"k = {self.k} but only {len(self.points)} labelled points")
        return self


class Span(Model):
    id: Slug | None = None
    start: float
    end: float
    text: Text | None = None
    role: Role | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.end <= self.start:
            raise ValueError("a span needs start < end")
        return self


class Lane(Model):
    id: Slug
    label: Text
    spans: list[Span] = Field(min_length=1)


class Marker(Model):
    id: Slug
    at: float
    label: Text
    role: Role | None = None


@panel_kind
class TimingPanel(PanelBase):
    """A timeline: lanes of spans on a time axis (latency budgets, pipelines, overlap), with markers.

    Elements: `axis`, each lane (its label and spans), spans `<lane>-<k>` unless named, the lane's
    label alone `<lane>-label`, markers. Overlapping spans of one lane stack as a staircase.
    """

    kind: Literal["timing"] = "timing"
    range: tuple[float, float]
    step: float | None = Field(None, gt=0, description="Tick spacing; no ticks when omitted.")
    unit: Annotated[str, StringConstraints(max_length=12)] = "ms"
    lanes: list[Lane] = Field(min_length=1, max_length=8)
    markers: list[Marker] = Field(default_factory=list)

    def span_id(self, lane: Lane, k: int) -> str:
        return lane.spans[k].id or f"{lane.id}-{k + 1}"

    def element_ids(self) -> list[str]:
        ids = ["axis"]
        for lane in self.lanes:
            ids.append(lane.id)
            ids += [self.span_id(lane, k) for k in range(len(lane.spans))] + [f"{lane.id}-label"]
        return ids + [m.id for m in self.markers]

    def nested_ids(self) -> set[tuple[str, str]]:
        out = {(lane.id, self.span_id(lane, k)) for lane in self.lanes for k in range(len(lane.spans))}
        return out | {(lane.id, f"{lane.id}-label") for lane in self.lanes}

    @model_validator(mode="after")
    def _inside(self) -> TimingPanel:
        lo, hi = self.range
        if lo >= hi:
            raise ValueError("range must be [min, max] with min < max")
        for lane in self.lanes:
            for k, s in enumerate(lane.spans):
                if s.start < lo or s.end > hi:
                    raise ValueError(f"span {self.span_id(lane, k)} reaches outside the range")
        for m in self.markers:
            if not lo <= m.at <= hi:
                raise ValueError(f"marker {m.id} lies outside the range")
        return self


class Bar(Model):
    id: Slug
    label: Text
    value: Bound = Field(description="Its height (>= 0); may follow a tile parameter.")
    text: Text | None = Field(None, description="Value label above the bar (default: the value).")
    role: Role | None = None

    @field_validator("value")
    @classmethod
    def _not_negative(cls, v: float | Bind) -> float | Bind:
        if isinstance(v, float | int) and v < 0:
            raise ValueError("a bar's value must be >= 0")
        return v


@panel_kind
class BarsPanel(PanelBase):
    """A bar chart: probabilities, router gates, scores; bars grow from the baseline."""

    kind: Literal["bars"] = "bars"
    bars: list[Bar] = Field(min_length=1, max_length=16)
    max: float | None = Field(None, gt=0, description="Value of a full-height bar (default: the largest value).")
    label: Text | None = Field(None, description="Name of the value axis, under the baseline.")

    def element_ids(self) -> list[str]:
        return ["axis"] + [b.id for b in self.bars]


