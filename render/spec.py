"""Parse diagrams.yaml safely and validate it into typed models.

Every error of the whole file is collected and reported at once, each with its
file:line, tile id and field, and a did-you-mean where one fits. YAML is composed
with the safe loader; nothing from it is ever evaluated as code.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Union

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from render import datasets, fits, functions, generators
from render.theme import Role

SLUG_RE = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_RE, max_length=64)]
# An element id inside a panel: a slug, or an edge id "from->to".
ElementId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*(->[a-z0-9]+(-[a-z0-9]+)*)?$")]
# A reference from a step: "panel" or "panel.element".
Ref = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*(->[a-z0-9]+(-[a-z0-9]+)*)?)?$"),
]
Text = Annotated[str, StringConstraints(min_length=1, max_length=400)]
Point = tuple[float, float]


class Model(BaseModel):
    """Base of every spec model: unknown fields are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(Model):
    """A label: plain text, or LaTeX math with `tex`."""

    text: Text | None = None
    tex: Text | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Label:
        if (self.text is None) == (self.tex is None):
            raise ValueError("give exactly one of 'text' or 'tex'")
        return self


# ---------------------------------------------------------------- panels


class PanelBase(Model):
    """Fields every panel kind has."""

    kind: str
    id: Slug
    box: tuple[float, float, float, float] = Field(
        (0.0, 0.0, 1.0, 1.0),
        description="Region of the content area as fractions [x, y, width, height], origin top-left.",
    )
    title: Text | None = Field(None, description="Optional heading drawn above the panel.")

    @field_validator("box")
    @classmethod
    def _box_inside(cls, v: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        x, y, w, h = v
        if not (0 <= x < 1 and 0 <= y < 1 and 0 < w <= 1 and 0 < h <= 1):
            raise ValueError("box values must be fractions: 0 <= x, y < 1 and 0 < width, height <= 1")
        if x + w > 1.0001 or y + h > 1.0001:
            raise ValueError(f"box reaches outside the content area (x + width = {x + w:g}, y + height = {y + h:g})")
        return v

    def element_ids(self) -> list[str]:
        """Return the ids a step may address inside this panel."""
        raise NotImplementedError

    def nested_ids(self) -> set[tuple[str, str]]:
        """Return (outer, inner) element pairs that the spec nests (allowed to overlap)."""
        return set()


class FormulaLine(Model):
    id: Slug
    tex: Text = Field(description="LaTeX math (amsmath/amssymb), without surrounding $.")
    label: Text | None = Field(None, description="Plain-text name shown before the formula.")
    role: Role | None = None


class FormulaPanel(PanelBase):
    """Stacked LaTeX formulas, each optionally named."""

    kind: Literal["formula"] = "formula"
    lines: list[FormulaLine] = Field(min_length=1)

    def element_ids(self) -> list[str]:
        return [line.id for line in self.lines]


class TextItem(Model):
    id: Slug
    text: Text
    role: Role | None = None


class TextPanel(PanelBase):
    """A column of short text items: bullets, or cards with a coloured edge."""

    kind: Literal["text"] = "text"
    style: Literal["bullets", "cards", "plain"] = "bullets"
    items: list[TextItem] = Field(min_length=1)

    def element_ids(self) -> list[str]:
        return [i.id for i in self.items]


class Node(Model):
    id: Slug
    label: Text
    sub: Text | None = Field(None, description="Smaller second line under the label.")
    role: Role | None = None
    shape: Literal["box", "round", "circle", "cylinder"] = "round"


class Edge(Model):
    from_: Slug = Field(alias="from")
    to: Slug
    label: Text | None = None
    style: Literal["solid", "dashed"] = "solid"
    back: bool = Field(False, description="A feedback edge (a loop back): drawn, but it does not rank its ends.")
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @property
    def id(self) -> str:
        return f"{self.from_}->{self.to}"


class Cluster(Model):
    id: Slug
    label: Text
    nodes: list[Slug] = Field(min_length=1)
    role: Role | None = None


class GraphPanel(PanelBase):
    """Nodes and edges laid out by Graphviz (dot or circo)."""

    direction: Literal["LR", "TB", "RL", "BT"] | None = None
    nodes: list[Node] = Field(min_length=1)
    edges: list[Edge] = Field(default_factory=list)
    clusters: list[Cluster] = Field(default_factory=list)
    ranks: list[list[Slug]] = Field(default_factory=list, description="Groups of nodes kept side by side on one "
                                    "rank (a row when top to bottom, a column when left to right).")

    default_direction: ClassVar[str] = "LR"

    def element_ids(self) -> list[str]:
        return [n.id for n in self.nodes] + [e.id for e in self.all_edges()] + [c.id for c in self.clusters]

    def all_edges(self) -> list[Edge]:
        return list(self.edges)

    def nested_ids(self) -> set[tuple[str, str]]:
        return {(c.id, n) for c in self.clusters for n in c.nodes}

    @model_validator(mode="after")
    def _edges_known(self) -> GraphPanel:
        ids = [n.id for n in self.nodes]
        for e in self.edges:
            for end in (e.from_, e.to):
                if end not in ids:
                    raise ValueError(f"edge {e.id}: unknown node '{end}'{_suggest(end, ids)}")
        for c in self.clusters:
            for n in c.nodes:
                if n not in ids:
                    raise ValueError(f"cluster {c.id}: unknown node '{n}'{_suggest(n, ids)}")
        for group in self.ranks:
            for n in group:
                if n not in ids:
                    raise ValueError(f"ranks: unknown node '{n}'{_suggest(n, ids)}")
        return self


class FlowPanel(GraphPanel):
    """A directed flow (pipeline, architecture), left to right by default."""

    kind: Literal["flow"] = "flow"


class TreePanel(GraphPanel):
    """A hierarchy, top to bottom by default."""

    kind: Literal["tree"] = "tree"
    default_direction: ClassVar[str] = "TB"


class CyclePanel(GraphPanel):
    """A loop: nodes placed on a circle; with no edges, each node links to the next and the last to the first."""

    kind: Literal["cycle"] = "cycle"

    def all_edges(self) -> list[Edge]:
        if self.edges:
            return list(self.edges)
        ids = [n.id for n in self.nodes]
        return [Edge(**{"from": a, "to": b}) for a, b in zip(ids, ids[1:] + ids[:1], strict=True)]


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
    params: dict[str, float | list[float]] = Field(default_factory=dict)
    points: list[Point] | None = Field(None, description="Declared points, joined smoothly.")
    sum_of: list[Slug] | None = Field(None, description="Sum of other curves of this panel, plus `offset`.")
    offset: float = 0.0
    domain: tuple[float, float] | None = None
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
            _check_named("function", self.fn, self.params, functions.FUNCTIONS, functions.parameters)
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

    @model_validator(mode="after")
    def _source(self) -> PlotPath:
        if (self.points is None) == (self.descent is None):
            raise ValueError("give exactly one of 'points' or 'descent'")
        if self.points is not None and len(self.points) < 2:
            raise ValueError("a path needs at least 2 points")
        return self


class PlotPoint(Model):
    id: Slug
    at: Point
    role: Role | None = None
    label: Label | None = None
    direction: Literal["up", "down", "left", "right", "ur", "ul", "dr", "dl"] = "ur"


class Area(Model):
    id: Slug
    curve: Slug
    domain: tuple[float, float] | None = None
    role: Role | None = None
    label: Label | None = None


class Shape(Model):
    id: Slug
    polygon: list[Point] | None = None
    circle: tuple[float, float, float] | None = Field(None, description="[cx, cy, r] in data units.")
    ellipse: tuple[float, float, float, float, float] | None = Field(
        None, description="[cx, cy, rx, ry, angle in degrees] in data units."
    )
    segment: tuple[Point, Point] | None = None
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
    role: Role | None = None

    @model_validator(mode="after")
    def _one_of(self) -> PlotLabel:
        if (self.text is None) == (self.tex is None):
            raise ValueError("give exactly one of 'text' or 'tex'")
        return self


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
                    raise ValueError(f"curve {c.id}: sum_of names unknown curve '{s}'{_suggest(s, curves)}")
        for p in self.paths:
            if p.descent and p.descent.curve not in curves:
                raise ValueError(f"path {p.id}: unknown curve '{p.descent.curve}'{_suggest(p.descent.curve, curves)}")
            if p.descent:
                target = next(c for c in self.curves if c.id == p.descent.curve)
                if target.fn is None:
                    raise ValueError(f"path {p.id}: descent needs a curve defined by 'fn'")
        for a in self.areas:
            if a.curve not in curves:
                raise ValueError(f"area {a.id}: unknown curve '{a.curve}'{_suggest(a.curve, curves)}")
        return self


class Cell(Model):
    id: Slug | None = None
    text: str = ""
    sub: str | None = None
    role: Role | None = None


class MatrixFrame(Model):
    """A frame around a block of cells (a convolution window, a pooling region, an attention row)."""

    id: Slug
    rows: tuple[int, int] = Field(description="First and last row, from 1.")
    cols: tuple[int, int] = Field(description="First and last column, from 1.")
    role: Role | None = None

    @model_validator(mode="after")
    def _ordered(self) -> MatrixFrame:
        if not (1 <= self.rows[0] <= self.rows[1] and 1 <= self.cols[0] <= self.cols[1]):
            raise ValueError("rows and cols are [first, last] with 1 <= first <= last")
        return self


class MatrixPanel(PanelBase):
    """A grid of labelled cells (confusion matrix, table), or of numbers shaded by size (heatmap).

    Elements: `grid` (outline and headers), `cells` (every cell at once), each cell, and the frames.
    """

    kind: Literal["matrix"] = "matrix"
    rows: list[Text] = Field(default_factory=list, description="Row headers.")
    cols: list[Text] = Field(default_factory=list, description="Column headers.")
    row_title: Text | None = None
    col_title: Text | None = None
    cells: list[list[Cell | str]] = Field(default_factory=list)
    values: list[list[float]] | None = Field(None, description="Numbers instead of cells: a heatmap.")
    digits: int = Field(2, ge=0, le=4, description="Decimals shown for values.")
    shade: Role | None = Field(None, description="Shade each value's cell in this colour, by its size.")
    range: tuple[float, float] | None = Field(None, description="Values mapped to no and full shade (default: min, max).")
    frames: list[MatrixFrame] = Field(default_factory=list)

    def grid_rows(self) -> list[list[Any]]:
        return [list(r) for r in self.values] if self.values is not None else [list(r) for r in self.cells]

    def cell_id(self, r: int, c: int) -> str:
        cell = self.cells[r][c] if self.values is None else None
        if isinstance(cell, Cell) and cell.id:
            return cell.id
        return f"r{r + 1}c{c + 1}"

    def element_ids(self) -> list[str]:
        ids = ["grid", "cells"]
        for r, row in enumerate(self.grid_rows()):
            ids += [self.cell_id(r, c) for c in range(len(row))]
        return ids + [f.id for f in self.frames]

    def nested_ids(self) -> set[tuple[str, str]]:
        frames = {f.id for f in self.frames}
        pairs = {("grid", i) for i in self.element_ids() if i != "grid"}
        pairs |= {("cells", i) for i in self.element_ids() if i not in ("grid", "cells") and i not in frames}
        for f in self.frames:
            pairs |= {(f.id, self.cell_id(r - 1, c - 1)) for r in range(f.rows[0], f.rows[1] + 1)
                      for c in range(f.cols[0], f.cols[1] + 1)}
        return pairs | {(a, b) for a in frames for b in frames if a != b}

    @model_validator(mode="after")
    def _shape(self) -> MatrixPanel:
        if (self.values is None) == (not self.cells):
            raise ValueError("give exactly one of 'cells' or 'values'")
        if self.shade is not None and self.values is None:
            raise ValueError("'shade' needs 'values'")
        grid = self.grid_rows()
        if not grid or not grid[0]:
            raise ValueError("a matrix needs at least one cell")
        for f in self.frames:
            if f.rows[1] > len(grid) or f.cols[1] > len(grid[0]):
                raise ValueError(f"frame {f.id} reaches outside the {len(grid)} x {len(grid[0])} grid")
        widths = {len(r) for r in grid}
        if len(widths) != 1:
            raise ValueError("every row of cells must have the same length")
        if self.rows and len(self.rows) != len(grid):
            raise ValueError(f"{len(self.rows)} row headers for {len(grid)} rows of cells")
        if self.cols and len(self.cols) != widths.pop():
            raise ValueError("column headers and cells differ in number")
        return self


class Segment(Model):
    id: Slug | None = None
    text: Text
    weight: float = Field(1.0, gt=0)
    role: Role | None = None


class BlockRow(Model):
    id: Slug
    label: Text | None = None
    segments: list[Segment] = Field(min_length=1)


class BlocksPanel(PanelBase):
    """Rows of proportional segments: data splits, folds, memory budgets."""

    kind: Literal["blocks"] = "blocks"
    rows: list[BlockRow] = Field(min_length=1)

    def segment_id(self, row: BlockRow, i: int) -> str:
        return row.segments[i].id or f"{row.id}-{i + 1}"

    def element_ids(self) -> list[str]:
        ids = []
        for row in self.rows:
            ids.append(row.id)
            ids += [self.segment_id(row, i) for i in range(len(row.segments))]
        return ids

    def nested_ids(self) -> set[tuple[str, str]]:
        return {(row.id, self.segment_id(row, i)) for row in self.rows for i in range(len(row.segments))}


class NetLayer(Model):
    id: Slug
    size: int = Field(ge=1, le=8)
    label: Text | None = None
    role: Role | None = None
    neurons: list[Text] | None = Field(None, description="LaTeX label inside each neuron (x_1, h_1, \\hat y).")

    @model_validator(mode="after")
    def _one_label_each(self) -> NetLayer:
        if self.neurons is not None and len(self.neurons) != self.size:
            raise ValueError(f"{len(self.neurons)} neuron labels for a layer of size {self.size}")
        return self


class NetNote(Model):
    """A label beside a neuron, a layer or an edge bundle: a value going forward, a gradient coming back."""

    id: Slug
    at: Slug = Field(description="A neuron `<layer>-<k>`, a layer, or an edge bundle `<a>-to-<b>`.")
    text: Text | None = None
    tex: Text | None = None
    side: Literal["up", "down", "left", "right"] = "up"
    role: Role | None = None

    @model_validator(mode="after")
    def _one_of(self) -> NetNote:
        if (self.text is None) == (self.tex is None):
            raise ValueError("give exactly one of 'text' or 'tex'")
        return self


class NetworkPanel(PanelBase):
    """A fully connected feed-forward network drawn layer by layer.

    Neuron ids are `<layer>-<k>` (k from 1); the edges between two layers are `<a>-to-<b>`; notes are
    labels placed beside a neuron, layer or bundle. Dimming or hiding a neuron fades its edges with it
    (dropout).
    """

    kind: Literal["network"] = "network"
    layers: list[NetLayer] = Field(min_length=2)
    notes: list[NetNote] = Field(default_factory=list)

    def structure_ids(self) -> list[str]:
        ids = []
        for layer in self.layers:
            ids.append(layer.id)
            ids += [f"{layer.id}-{k + 1}" for k in range(layer.size)]
        ids += [f"{a.id}-to-{b.id}" for a, b in zip(self.layers, self.layers[1:], strict=False)]
        return ids

    def element_ids(self) -> list[str]:
        return self.structure_ids() + [n.id for n in self.notes]

    @model_validator(mode="after")
    def _notes_placed(self) -> NetworkPanel:
        ids = self.structure_ids()
        for n in self.notes:
            if n.at not in ids:
                raise ValueError(f"note {n.id}: unknown neuron, layer or bundle '{n.at}'{_suggest(n.at, ids)}")
        return self

    def nested_ids(self) -> set[tuple[str, str]]:
        return {(layer.id, f"{layer.id}-{k + 1}") for layer in self.layers for k in range(layer.size)}


# ---------------------------------------------------------------- kinds for sequences, spaces, trade-offs, timings

TokenText = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class Token(Model):
    id: Slug | None = None
    text: TokenText = Field(description="The token's text; spaces are shown as a visible middle dot.")
    tid: int | None = Field(None, ge=0, description="Token id shown under the chip.")
    role: Role | None = None


class TokenRow(Model):
    id: Slug
    label: Text | None = Field(None, description="Name at the left of the row.")
    note: Text | None = Field(None, description="Short remark at the right of the row (a merge, a count).")
    tokens: list[Token | TokenText] = Field(min_length=1, max_length=24)


class TokensPanel(PanelBase):
    """Rows of token chips: text split into tokens with ids, BPE merges, tokens generated one at a time.

    A row's id shows the whole row; chips are `<row>-<k>` (k from 1) unless named; a labelled row's
    label alone is `<row>-label` (to show it before chips that appear one by one).
    """

    kind: Literal["tokens"] = "tokens"
    rows: list[TokenRow] = Field(min_length=1, max_length=10)
    uniform: bool = Field(False, description="Give every chip the same width so columns line up across rows.")

    def token_id(self, row: TokenRow, k: int) -> str:
        tok = row.tokens[k]
        return tok.id if isinstance(tok, Token) and tok.id else f"{row.id}-{k + 1}"

    def element_ids(self) -> list[str]:
        ids = []
        for row in self.rows:
            ids.append(row.id)
            ids += [self.token_id(row, k) for k in range(len(row.tokens))]
            ids += [f"{row.id}-label"] if row.label else []
        return ids

    def nested_ids(self) -> set[tuple[str, str]]:
        out = {(row.id, self.token_id(row, k)) for row in self.rows for k in range(len(row.tokens))}
        return out | {(row.id, f"{row.id}-label") for row in self.rows if row.label}


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
        _check_named("generator", self.fn, self.params, generators.POINT_SETS,
                     lambda n: generators.parameters(generators.POINT_SETS, n))
        return self


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


class CompareOption(Model):
    id: Slug
    label: Text
    sub: Text | None = None
    role: Role | None = None


class CompareValue(Model):
    text: Text | None = None
    score: int | None = Field(None, ge=0, le=5, description="Filled dots out of the panel's max_score.")
    role: Role | None = None


class CompareRow(Model):
    id: Slug
    label: Text
    values: list[CompareValue | Text] = Field(min_length=1)


class ComparePanel(PanelBase):
    """A trade-off table: options as columns, criteria as rows, each cell a score (dots) and/or a short text.

    Option ids are the column headers; a criterion's id shows its whole row; cells are `<row>-<option>`.
    """

    kind: Literal["compare"] = "compare"
    options: list[CompareOption] = Field(min_length=2, max_length=5)
    rows: list[CompareRow] = Field(min_length=1, max_length=8)
    max_score: int = Field(3, ge=1, le=5)

    def cell_id(self, row: CompareRow, option: CompareOption) -> str:
        return f"{row.id}-{option.id}"

    def element_ids(self) -> list[str]:
        ids = [o.id for o in self.options]
        for row in self.rows:
            ids.append(row.id)
            ids += [self.cell_id(row, o) for o in self.options]
        return ids

    def nested_ids(self) -> set[tuple[str, str]]:
        return {(row.id, self.cell_id(row, o)) for row in self.rows for o in self.options}

    @model_validator(mode="after")
    def _widths(self) -> ComparePanel:
        for row in self.rows:
            if len(row.values) != len(self.options):
                raise ValueError(f"row {row.id} has {len(row.values)} values for {len(self.options)} options")
            for v in row.values:
                if isinstance(v, CompareValue):
                    if v.text is None and v.score is None:
                        raise ValueError(f"row {row.id}: a value needs 'text' or 'score'")
                    if v.score is not None and v.score > self.max_score:
                        raise ValueError(f"row {row.id}: score {v.score} is above max_score {self.max_score}")
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
    value: float = Field(ge=0)
    text: Text | None = Field(None, description="Value label above the bar (default: the value).")
    role: Role | None = None


class BarsPanel(PanelBase):
    """A bar chart: probabilities, router gates, scores; bars grow from the baseline."""

    kind: Literal["bars"] = "bars"
    bars: list[Bar] = Field(min_length=1, max_length=16)
    max: float | None = Field(None, gt=0, description="Value of a full-height bar (default: the largest value).")
    label: Text | None = Field(None, description="Name of the value axis, under the baseline.")

    def element_ids(self) -> list[str]:
        return ["axis"] + [b.id for b in self.bars]


class Participant(Model):
    id: Slug
    label: Text
    sub: Text | None = None
    role: Role | None = None


class Message(Model):
    id: Slug | None = None
    from_: Slug = Field(alias="from")
    to: Slug
    label: Text
    style: Literal["solid", "dashed"] = Field("solid", description="dashed for replies and results.")
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SequencePanel(PanelBase):
    """A sequence diagram: participants with lifelines and the messages between them, top to bottom.

    Participant ids show the head and lifeline; messages are `m1`, `m2`, ... unless named, and a
    `flow` action can send a token along them.
    """

    kind: Literal["sequence"] = "sequence"
    participants: list[Participant] = Field(min_length=2, max_length=6)
    messages: list[Message] = Field(min_length=1, max_length=14)

    def message_id(self, i: int) -> str:
        return self.messages[i].id or f"m{i + 1}"

    def element_ids(self) -> list[str]:
        return [p.id for p in self.participants] + [self.message_id(i) for i in range(len(self.messages))]

    @model_validator(mode="after")
    def _ends_known(self) -> SequencePanel:
        ids = [p.id for p in self.participants]
        for i, m in enumerate(self.messages):
            for end in (m.from_, m.to):
                if end not in ids:
                    raise ValueError(f"message {self.message_id(i)}: unknown participant '{end}'{_suggest(end, ids)}")
        return self


def _check_named(what: str, name: str, params: Any, registry: dict[str, Any], allowed: Any) -> None:
    """Raise unless `name` is in a vetted registry and every parameter is one it accepts."""
    if name not in registry:
        raise ValueError(f"unknown {what} '{name}'{_suggest(name, list(registry))}")
    known = allowed(name)
    for p in params:
        if p not in known:
            raise ValueError(f"{what} '{name}' has no parameter '{p}'{_suggest(p, known)}")


class PictureSource(Model):
    fn: str = Field(description="Name of a vetted picture generator (landscape, shapes).")
    params: dict[str, float | list[float]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known(self) -> PictureSource:
        _check_named("picture", self.fn, self.params, generators.IMAGES,
                     lambda n: generators.parameters(generators.IMAGES, n))
        return self


class Frame(Model):
    id: Slug
    t: int = Field(ge=0, description="Diffusion timestep of this frame (0 is the clean picture).")
    label: Label | None = Field(None, description="Caption under the frame (default: t = ...).")


class FramesPanel(PanelBase):
    """A row of pictures along a diffusion process: a procedural picture noised by q(x_t | x_0), or denoised.

    `forward` shows x_t = sqrt(ab_t) x_0 + sqrt(1 - ab_t) eps for each frame's t (one noise draw);
    `reverse` runs DDPM ancestral sampling from pure noise with a perfect noise predictor. Frames are
    elements; the arrow between two neighbours is `<a>-to-<b>`.
    """

    kind: Literal["frames"] = "frames"
    picture: PictureSource
    process: Literal["forward", "reverse"] = "forward"
    schedule: Literal["linear", "cosine"] = "linear"
    steps: int = Field(1000, ge=10, le=4000, description="T, the number of diffusion steps.")
    seed: int = Field(0, ge=0, description="Seed of the Gaussian noise.")
    frames: list[Frame] = Field(min_length=2, max_length=8)

    def arrow_ids(self) -> list[str]:
        return [f"{a.id}-to-{b.id}" for a, b in zip(self.frames, self.frames[1:], strict=False)]

    def element_ids(self) -> list[str]:
        return [f.id for f in self.frames] + self.arrow_ids()

    @model_validator(mode="after")
    def _timesteps(self) -> FramesPanel:
        for f in self.frames:
            if f.t > self.steps:
                raise ValueError(f"frame {f.id}: t = {f.t} is beyond steps = {self.steps}")
        return self


# ---------------------------------------------------------------- scatter: points by class, fitted models


class Sample(Model):
    """Points from a named, seeded generator (render/datasets.py registers blobs, gaussian, line, wave, strip, uniform)."""

    fn: str = Field(description="Name of a vetted point-set generator.")
    params: dict[str, float | list[float] | list[list[float]]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known(self) -> Sample:
        _check_named("generator", self.fn, self.params, generators.POINT_SETS,
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


# Element ids each fit method adds besides its own id, and whether `iterate` can step it.
FIT_PARTS: dict[str, tuple[str, ...]] = {
    "line": ("residuals",),
    "logistic": (),
    "logistic-curve": ("threshold",),
    "svm": ("margin", "support"),
    "pca": ("pc1", "pc2", "proj"),
    "kmeans": (),
    "boost": ("residuals",),
    "knn": ("neighbors",),
    "perceptron": (),
}
STAGED_FITS = ("kmeans", "boost", "perceptron")


class Fit(Model):
    """A model fitted to point groups and drawn exactly as computed (render/fits.py).

    line: least-squares line of one group (`<id>`, `<id>-residuals`); logistic: the p = 0.5 boundary
    between two groups (first is class 0); logistic-curve: the fitted sigmoid p(x) of 1-D classes at
    y = 0 and y = 1 (`<id>-threshold` marks p = 0.5); svm: the maximum-margin boundary between two groups
    (`<id>-margin`, `<id>-support`); pca: the mean, `<id>-pc1`/`-pc2` arrows of two standard deviations
    (with the explained-variance share when `equation` is on), `<id>-proj` the PC1 line and each point's projection; kmeans: centroids from `init`, stepped by
    `iterate` (each round recolours the points and moves the centroids); boost: gradient-boosted trees of
    `depth` on one group, F0 then one tree per `iterate`; knn: the `k` points nearest to `query`;
    perceptron: the boundary w.x + b = 0 from `init` [w1, w2, b], one update per `iterate`.
    """

    id: Slug
    method: Literal["line", "logistic", "logistic-curve", "svm", "pca", "kmeans", "boost", "knn", "perceptron"]
    of: list[Slug] = Field(min_length=1, description="The point groups it is fitted to.")
    role: Role | None = None
    label: Label | None = None
    label_at: Point | None = Field(None, description="Where the label goes, in data units.")
    equation: bool = Field(False, description="Label the fit with its computed numbers (line, svm, pca, boost).")
    k: int | None = Field(None, ge=1, le=12, description="kmeans: clusters (default: len(init)); knn: neighbours.")
    init: list[float] | list[Point] | None = Field(None, description="kmeans: first centroids; perceptron: [w1, w2, b].")
    rounds: int = Field(3, ge=1, le=30, description="kmeans/boost/perceptron: how many iterate steps exist.")
    lr: float = Field(1.0, gt=0, le=10, description="boost: shrinkage; perceptron: learning rate.")
    depth: int = Field(1, ge=1, le=4, description="boost: depth of each tree.")
    c: float | None = Field(None, gt=0, description="svm: soft-margin penalty C (default: hard margin).")
    query: Point | None = Field(None, description="knn: the point to classify.")
    roles: list[Role] | None = Field(None, description="kmeans: one colour per cluster.")

    def part_ids(self) -> list[str]:
        return [self.id] + [f"{self.id}-{p}" for p in FIT_PARTS[self.method]]

    @model_validator(mode="after")
    def _params(self) -> Fit:
        two = ("logistic", "logistic-curve", "svm", "perceptron")
        if self.method in two and len(self.of) != 2:
            raise ValueError(f"a {self.method} fit needs exactly two groups (class 0 or -1 first)")
        if self.method in ("line", "boost") and len(self.of) != 1:
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
        return self


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
        """How many `iterate` steps an element has (0 when it has none)."""
        fit = next((f for f in self.fits if f.id == eid), None)
        if fit is None or fit.method not in STAGED_FITS:
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
                    raise ValueError(f"fit {f.id}: unknown group '{g}'{_suggest(g, gids)}")
        return self


# ---------------------------------------------------------------- stack: layers, hierarchies, pyramids


class StackChip(Model):
    id: Slug
    text: Text
    role: Role | None = Field(None, description="Colour (default: the layer's).")


class StackLayer(Model):
    id: Slug
    label: Text
    sub: Text | None = Field(None, description="Smaller second line under the label.")
    role: Role | None = None
    width: float = Field(1.0, gt=0, le=1, description="Bar width as a fraction of the full width (pyramids).")
    note: Text | None = Field(None, description="Remark in a column at the right (element `<layer>-note`).")
    chips: list[StackChip] = Field(default_factory=list, description="Tags inside the bar, at its right.")


class StackPanel(PanelBase):
    """Layers stacked top to bottom: a platform stack, a hardware hierarchy, a pyramid.

    Elements: each layer (bar and labels), each chip, `<layer>-note` for a note and, with `links`,
    the arrows `<a>-><b>` between neighbouring layers, along which `flow` sends a token.
    """

    kind: Literal["stack"] = "stack"
    layers: list[StackLayer] = Field(min_length=2, max_length=8, description="From top to bottom.")
    align: Literal["left", "center"] = Field("left", description="center: bars centred on each other (a pyramid).")
    links: Literal["none", "down", "up"] = Field("none", description="Arrows between neighbouring layers.")
    link_x: float = Field(0.5, ge=0.05, le=0.95, description="Where the links sit across the narrower bar (0-1).")

    def link_ids(self) -> list[str]:
        if self.links == "none":
            return []
        pairs = zip(self.layers, self.layers[1:], strict=False)
        return [f"{a.id}->{b.id}" if self.links == "down" else f"{b.id}->{a.id}" for a, b in pairs]

    def element_ids(self) -> list[str]:
        ids = []
        for layer in self.layers:
            ids.append(layer.id)
            ids += [c.id for c in layer.chips]
            if layer.note:
                ids.append(f"{layer.id}-note")
        return ids + self.link_ids()

    def nested_ids(self) -> set[tuple[str, str]]:
        return {(layer.id, c.id) for layer in self.layers for c in layer.chips}


PANEL_SPECS: dict[str, type[PanelBase]] = {
    "formula": FormulaPanel,
    "text": TextPanel,
    "flow": FlowPanel,
    "tree": TreePanel,
    "cycle": CyclePanel,
    "plot": PlotPanel,
    "matrix": MatrixPanel,
    "blocks": BlocksPanel,
    "network": NetworkPanel,
    "scatter": ScatterPanel,
    "tokens": TokensPanel,
    "embedding": EmbeddingPanel,
    "compare": ComparePanel,
    "timing": TimingPanel,
    "bars": BarsPanel,
    "sequence": SequencePanel,
    "frames": FramesPanel,
    "stack": StackPanel,
}


def _panel_tag(v: Any) -> str | None:
    if isinstance(v, dict):
        return v.get("kind")
    return getattr(v, "kind", None)


Panel = Annotated[
    Union[tuple(Annotated[cls, Tag(kind)] for kind, cls in PANEL_SPECS.items())],  # type: ignore[misc]  # noqa: UP007
    Discriminator(_panel_tag),
]

# ---------------------------------------------------------------- step actions

Targets = Union[Ref, list[Ref]]  # noqa: UP007


def _as_list(v: str | list[str]) -> list[str]:
    return [v] if isinstance(v, str) else list(v)


class ActionBase(Model):
    """Fields every action has; `key` names the field that holds the targets."""

    run_time: float | None = Field(None, gt=0, le=10, description="Seconds; each action has a sensible default.")
    key: ClassVar[str] = ""

    def targets(self) -> list[str]:
        return _as_list(getattr(self, self.key))


class Show(ActionBase):
    """Bring elements in, each with the entrance that suits it (draw, write, fade)."""

    show: Targets
    key: ClassVar[str] = "show"


class Hide(ActionBase):
    """Fade elements out (mark them `transient` in the tile if they stay hidden)."""

    hide: Targets
    key: ClassVar[str] = "hide"


class Highlight(ActionBase):
    """Flash a frame around elements to draw the eye; the picture is unchanged after."""

    highlight: Targets
    key: ClassVar[str] = "highlight"


class Recolor(ActionBase):
    """Change elements to another role colour, for good."""

    recolor: Targets
    role: Role
    key: ClassVar[str] = "recolor"


class Dim(ActionBase):
    """Fade elements to low opacity, for good (dropped neurons, discarded options)."""

    dim: Targets
    key: ClassVar[str] = "dim"


class Flow(ActionBase):
    """Send a token along graph edges in order (`a->b` ids), or along a plot path."""

    flow: Targets
    role: Role | None = None
    key: ClassVar[str] = "flow"


class Walk(ActionBase):
    """Move a marker along a plot path point by point, drawing the path as it goes."""

    walk: Ref
    key: ClassVar[str] = "walk"


class Transform(ActionBase):
    """Morph one element into another (the first disappears, the second stays)."""

    transform: Ref
    into: Ref
    key: ClassVar[str] = "transform"

    def targets(self) -> list[str]:
        return [self.transform, self.into]


class Derive(ActionBase):
    """Grow elements, one after another, out of a copy of a source element that stays (produce, generate, merge)."""

    derive: Targets
    from_: Ref = Field(alias="from", description="The element the new ones come out of.")
    key: ClassVar[str] = "derive"
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def targets(self) -> list[str]:
        return _as_list(self.derive) + [self.from_]


class Iterate(ActionBase):
    """Advance an element that has stages by `times` of them: a k-means round, a boosting round, a perceptron update."""

    iterate: Ref
    times: int = Field(1, ge=1, le=10)
    key: ClassVar[str] = "iterate"


class Propagate(ActionBase):
    """Pulse along every connection of network edge bundles (or graph edges), one after another.

    `reverse: true` runs each backward, from its end to its start, as gradients flow in backpropagation.
    """

    propagate: Targets
    reverse: bool = False
    role: Role | None = None
    key: ClassVar[str] = "propagate"


class Wait(ActionBase):
    """Pause for a number of seconds."""

    wait: float = Field(gt=0, le=10)
    key: ClassVar[str] = "wait"

    def targets(self) -> list[str]:
        return []


ACTION_SPECS: dict[str, type[ActionBase]] = {
    cls.key: cls for cls in (Show, Hide, Highlight, Recolor, Dim, Flow, Walk, Transform, Derive, Iterate, Propagate, Wait)
}


def _action_tag(v: Any) -> str | None:
    if isinstance(v, dict):
        keys = [k for k in v if k in ACTION_SPECS]
        if keys:
            return keys[0]
        unknown = [k for k in v if k not in ("run_time", "role", "into", "from")]
        return str(unknown[0]) if unknown else None
    return getattr(v, "key", None)


Action = Annotated[
    Union[tuple(Annotated[cls, Tag(key)] for key, cls in ACTION_SPECS.items())],  # type: ignore[misc]  # noqa: UP007
    Discriminator(_action_tag),
]


class Question(Model):
    """An interview question, with a model answer and the source that backs it."""

    q: Text = Field(description="The question, as an interviewer would ask it.")
    answer: Annotated[str, StringConstraints(min_length=1, max_length=1500)] | None = Field(
        None, description="A model answer: 2-6 sentences with the formula or number an interviewer expects."
    )
    source: Text | None = Field(
        None, description="Where to check the answer: a paper, a textbook section or official documentation."
    )

    @model_validator(mode="after")
    def _answer_has_source(self) -> Question:
        if self.answer is not None and self.source is None:
            raise ValueError("an answer needs a 'source' (a paper, a textbook section or official documentation)")
        if self.source is not None and self.answer is None:
            raise ValueError("a 'source' without an 'answer'")
        return self


class Step(Model):
    """One beat of the build-up: a caption and the actions that illustrate it."""

    say: Text = Field(description="One-sentence caption; also the chapter text.")
    title: Annotated[str, StringConstraints(min_length=1, max_length=48)] | None = Field(
        None, description="Short chapter title (default: the caption's first words)."
    )
    do: list[Action] = Field(default_factory=list)
    hold: float | None = Field(None, ge=0, le=10, description="Seconds to hold after the actions.")

    def chapter(self) -> str:
        if self.title:
            return self.title
        words = self.say.rstrip(".").split()
        return " ".join(words[:6]) + ("…" if len(words) > 6 else "")


class Tile(Model):
    """One diagram of the study path."""

    id: Slug
    title: Text
    tagline: Text
    status: Literal["authored", "planned"] = "authored"
    panels: list[Panel] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list)
    transient: list[Ref] = Field(default_factory=list, description="Elements allowed to be off screen at the end.")
    notes: list[Text] = Field(default_factory=list, description="Key points an interviewer expects.")
    questions: list[Question] = Field(
        default_factory=list,
        description="Interview questions on this topic: a string, or {q, answer, source} with a model answer.",
    )

    @field_validator("questions", mode="before")
    @classmethod
    def _plain_questions(cls, v: Any) -> Any:
        """A plain string is a question without an answer yet."""
        if isinstance(v, list):
            return [{"q": x} if isinstance(x, str) else x for x in v]
        return v

    @model_validator(mode="after")
    def _authored_has_content(self) -> Tile:
        if self.status == "authored":
            if not self.panels:
                raise ValueError("an authored tile needs at least one panel (or say status: planned)")
            if not self.steps:
                raise ValueError("an authored tile needs at least one step (or say status: planned)")
        return self

    def panel(self, pid: str) -> PanelBase:
        return next(p for p in self.panels if p.id == pid)

    def refs(self) -> list[str]:
        """Return every addressable reference of this tile: panels and panel.element."""
        out = []
        for p in self.panels:
            out.append(p.id)
            out += [f"{p.id}.{e}" for e in p.element_ids()]
        return out


class Layer(Model):
    id: Slug
    title: Text
    blurb: Text
    tiles: list[Tile] = Field(min_length=1)


class Spec(Model):
    """The whole file: every layer and tile of the study path."""

    version: Literal[1] = 1
    title: Text = "AI Interview Prep"
    description: Text = ""
    layers: list[Layer] = Field(min_length=1)

    def tiles(self) -> list[tuple[Layer, Tile]]:
        return [(layer, t) for layer in self.layers for t in layer.tiles]

    def tile(self, tid: str) -> tuple[Layer, Tile]:
        for layer, t in self.tiles():
            if t.id == tid:
                return layer, t
        raise KeyError(tid)

    def number_of(self, tid: str) -> int:
        return [t.id for _, t in self.tiles()].index(tid) + 1


# ---------------------------------------------------------------- loading


@dataclass(frozen=True)
class SpecError:
    """One problem in the spec, located in the file."""

    file: str
    line: int
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.where}: {self.message}"


class SpecInvalid(Exception):
    """Raised with every error of the file when the spec does not validate."""

    def __init__(self, errors: list[SpecError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


Lines = dict[tuple[Any, ...], int]
SAFE_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq")}
# libyaml's parser when PyYAML has it (about 10x faster on the 68-tile spec), the pure-Python one otherwise.
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose(text: str, file: str) -> tuple[Any, Lines]:
    """Compose YAML safely and build plain data plus a map from data path to line number."""
    loader = Loader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    lines: Lines = {}

    def build(n: yaml.Node, path: tuple[Any, ...]) -> Any:
        lines[path] = n.start_mark.line + 1
        if n.tag not in SAFE_TAGS:
            where = _where(path, None)
            raise SpecInvalid([SpecError(file, n.start_mark.line + 1, "(yaml)",
                                         f"{where}: YAML tag '{n.tag}' is not allowed (plain data only)")])
        if isinstance(n, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for k, v in n.value:
                key = loader.construct_object(k, deep=True)
                if not isinstance(key, str | int | float | bool) or key is None:
                    key = str(key)
                if key in out:
                    raise SpecInvalid(
                        [SpecError(file, k.start_mark.line + 1, _where(path + (key,), out), f"duplicate key '{key}'")]
                    )
                lines[path + (key,)] = k.start_mark.line + 1
                out[key] = build(v, path + (key,))
            return out
        if isinstance(n, yaml.SequenceNode):
            return [build(v, path + (i,)) for i, v in enumerate(n.value)]
        return loader.construct_object(n, deep=True)

    if node is None:
        return None, lines
    return build(node, ()), lines


def _where(path: tuple[Any, ...], data: Any) -> str:
    """Render a data path as 'tiles[gradient-descent].steps[3].do[0]'."""
    parts: list[str] = []
    cur = data
    tile_seen = False
    for seg in path:
        if isinstance(cur, list) and isinstance(seg, int) and seg < len(cur):
            item = cur[seg]
            ident = item.get("id") if isinstance(item, dict) else None
            if parts and parts[-1] == "tiles" and ident:
                parts = [f"tiles[{ident}]"]
                tile_seen = True
            elif parts and parts[-1] in ("layers", "panels") and ident:
                parts[-1] += f"[{ident}]"
            else:
                parts[-1] = parts[-1] + f"[{seg}]" if parts else f"[{seg}]"
            cur = item
        elif isinstance(cur, dict) and seg in cur:
            parts.append(str(seg))
            cur = cur[seg]
        else:
            parts.append(str(seg))
            cur = None
    text = ".".join(parts)
    if tile_seen:
        text = text[text.index("tiles[") :]
    return text or "(top)"


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    """Drop pydantic's union tags from an error location, keeping the path into the data."""
    path: list[Any] = []
    cur = data
    for seg in loc:
        if isinstance(cur, dict) and seg in cur or isinstance(cur, list) and isinstance(seg, int) and seg < len(cur):
            path.append(seg)
            cur = cur[seg]
        elif isinstance(cur, dict) and seg == "from_" and "from" in cur:
            path.append("from")
            cur = cur["from"]
        else:
            continue
    return tuple(path)


def _message(err: dict[str, Any], value: Any) -> tuple[str, str | None]:
    """Turn one pydantic error into a sentence; return (message, extra key for the location)."""
    typ = err["type"]
    ctx = err.get("ctx") or {}
    if typ == "union_tag_invalid":
        tag = ctx.get("tag")
        expected = [t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(",")]
        if isinstance(value, dict) and "kind" in value:
            return f"unknown panel kind '{tag}'{_suggest(tag, expected)}", "kind"
        return f"unknown action '{tag}'{_suggest(tag, expected)}", str(tag)
    if typ == "union_tag_not_found":
        if isinstance(value, dict) and "id" in value:
            return "a panel needs a 'kind'", None
        return "a step action needs one of: " + ", ".join(sorted(ACTION_SPECS)), None
    if typ == "extra_forbidden":
        return "unknown field", None
    if typ == "missing":
        return "missing field", None
    if typ == "string_pattern_mismatch":
        return f"'{value}' is not a valid id (use lowercase letters, digits and single hyphens)", None
    msg = err["msg"]
    msg = msg.removeprefix("Value error, ")
    return msg, None


def _pydantic_errors(
    exc: ValidationError, data: Any, lines: Lines, file: str, base: tuple[Any, ...], root: Any
) -> list[SpecError]:
    out = []
    for err in exc.errors():
        rel = _data_path(err["loc"], data)
        path = base + rel
        value: Any = data
        for seg in rel:
            value = value[seg]
        msg, extra = _message(err, value)
        if err["type"] == "extra_forbidden":
            bad = err["loc"][-1]
            parent_rel = rel[:-1] if rel and rel[-1] == bad else rel
            known = _known_fields(data, parent_rel)
            msg = f"unknown field '{bad}'{_suggest(str(bad), known)}"
            path = base + parent_rel + (bad,)
        elif err["type"] == "missing":
            msg = f"missing field '{err['loc'][-1]}'"
        elif extra and (path + (extra,)) in lines:
            path = path + (extra,)
        line = lines.get(path) or _nearest_line(path, lines)
        out.append(SpecError(file, line, _where(path, root), msg))
    return out


def _known_fields(data: Any, rel: tuple[Any, ...]) -> list[str]:
    """Best-effort list of valid field names at the location of an extra-field error."""
    parent: Any = data
    for seg in rel:
        parent = parent[seg]
    candidates: list[type[BaseModel]] = [Tile, Layer, Spec, Step, *PANEL_SPECS.values(), *ACTION_SPECS.values()]
    candidates += [FormulaLine, TextItem, Node, Edge, Cluster, Axis, Curve, PlotPath, PlotPoint, Area, Shape]
    candidates += [PlotLabel, Cell, Segment, BlockRow, NetLayer, Descent, Label]
    candidates += [Token, TokenRow, EmbPoint, EmbCloud, CompareOption, CompareValue, CompareRow, Span, Lane, Marker]
    candidates += [Bar, Participant, Message, PictureSource, Frame]
    candidates += [Sample, PointGroup, Fit, MatrixFrame, NetNote]
    candidates += [StackLayer, StackChip]
    if isinstance(parent, dict):
        best: list[str] = []
        best_score = -1
        for cls in candidates:
            names = [f.alias or n for n, f in cls.model_fields.items()]
            score = sum(1 for k in parent if k in names)
            if isinstance(parent.get("kind"), str) and cls in PANEL_SPECS.values():
                kind_field = cls.model_fields["kind"].default
                score += 10 if kind_field == parent["kind"] else 0
            if score > best_score:
                best, best_score = names, score
        return best
    return []


def _nearest_line(path: tuple[Any, ...], lines: Lines) -> int:
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path, 1)


def load_spec(path: str | Path) -> Spec:
    """Read, validate and cross-check a spec file; raise SpecInvalid with every error found."""
    path = Path(path)
    file = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise SpecInvalid([SpecError(str(path), 0, "(file)", f"cannot read: {e.strerror}")]) from None
    return parse_spec(text, file)


def parse_spec(text: str, file: str = "diagrams.yaml") -> Spec:
    """Validate spec text; raise SpecInvalid with every error found."""
    try:
        data, lines = _compose(text, file)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 1
        raise SpecInvalid([SpecError(file, line, "(yaml)", f"{e.problem or e.context}")]) from None
    if not isinstance(data, dict):
        raise SpecInvalid([SpecError(file, 1, "(top)", "the file must be a mapping with 'version' and 'layers'")])

    errors: list[SpecError] = []
    # Validate each tile on its own so that one broken tile does not hide the others.
    tiles_ok: dict[tuple[int, int], Tile] = {}
    layers = data.get("layers")
    if isinstance(layers, list):
        for li, layer in enumerate(layers):
            tiles = layer.get("tiles") if isinstance(layer, dict) else None
            if not isinstance(tiles, list):
                continue
            for ti, tile in enumerate(tiles):
                base = ("layers", li, "tiles", ti)
                try:
                    tiles_ok[(li, ti)] = Tile.model_validate(tile)
                except ValidationError as e:
                    errors += _pydantic_errors(e, tile, lines, file, base, data)
    # The frame of the file (layers, their fields), with tiles stubbed by valid ones.
    try:
        spec = Spec.model_validate(_stub_tiles(data, tiles_ok))
    except ValidationError as e:
        frame_errors = [
            err for err in _pydantic_errors(e, data, lines, file, (), data) if ".tiles[" not in err.where
        ]
        errors += [err for err in frame_errors if "tiles[" not in err.where.split(".")[0]]
        spec = None
    errors += _cross_check(spec, tiles_ok, data, lines, file)
    if errors:
        errors.sort(key=lambda e: e.line)
        raise SpecInvalid(errors)
    assert spec is not None
    return spec


def _stub_tiles(data: dict[str, Any], ok: dict[tuple[int, int], Tile]) -> dict[str, Any]:
    """Copy the data with tiles replaced by validated models, or by a minimal valid stand-in."""
    out = dict(data)
    layers = data.get("layers")
    if isinstance(layers, list):
        new_layers = []
        for li, layer in enumerate(layers):
            if isinstance(layer, dict) and isinstance(layer.get("tiles"), list):
                layer = dict(layer)
                layer["tiles"] = [
                    ok.get((li, ti)) or Tile(id=f"invalid-{li}-{ti}", title="x", tagline="x", status="planned")
                    for ti in range(len(layer["tiles"]))
                ]
            new_layers.append(layer)
        out["layers"] = new_layers
    return out


def _cross_check(
    spec: Spec | None, tiles: dict[tuple[int, int], Tile], data: dict[str, Any], lines: Lines, file: str
) -> list[SpecError]:
    """Check what single models cannot: unique ids and references from steps to elements."""
    errors: list[SpecError] = []

    def err(path: tuple[Any, ...], msg: str) -> None:
        errors.append(SpecError(file, lines.get(path) or _nearest_line(path, lines), _where(path, data), msg))

    if spec is not None:
        seen_layers: set[str] = set()
        for li, layer in enumerate(spec.layers):
            if layer.id in seen_layers:
                err(("layers", li, "id"), f"duplicate layer id '{layer.id}'")
            seen_layers.add(layer.id)
    seen_tiles: dict[str, int] = {}
    for (li, ti), tile in sorted(tiles.items()):
        base = ("layers", li, "tiles", ti)
        if tile.id in seen_tiles:
            err(base + ("id",), f"duplicate tile id '{tile.id}' (first at line {seen_tiles[tile.id]})")
        seen_tiles.setdefault(tile.id, lines.get(base + ("id",), 0))
        panel_ids: set[str] = set()
        for pi, panel in enumerate(tile.panels):
            if panel.id in panel_ids:
                err(base + ("panels", pi, "id"), f"duplicate panel id '{panel.id}'")
            panel_ids.add(panel.id)
            eids = panel.element_ids()
            dupes = sorted({e for e in eids if eids.count(e) > 1})
            if dupes:
                err(base + ("panels", pi), f"duplicate element id(s) {', '.join(dupes)}")
        refs = tile.refs()
        for si, step in enumerate(tile.steps):
            for ai, action in enumerate(step.do):
                for target in action.targets():
                    if target not in refs:
                        err(base + ("steps", si, "do", ai), _unknown_ref(target, tile))
                if isinstance(action, Flow | Walk):
                    _check_motion(action, tile, err, base + ("steps", si, "do", ai))
                if isinstance(action, Propagate):
                    _check_propagate(action, tile, err, base + ("steps", si, "do", ai))
        _check_iterations(tile, refs, err, base)
        for ri, ref in enumerate(tile.transient):
            if ref not in refs:
                err(base + ("transient", ri), _unknown_ref(ref, tile))
    return errors


def _check_propagate(action: Propagate, tile: Tile, err: Any, path: tuple[Any, ...]) -> None:
    for target in action.targets():
        pid, _, eid = target.partition(".")
        if pid not in [p.id for p in tile.panels]:
            continue
        panel = tile.panel(pid)
        bundles = [i for i in panel.element_ids() if "-to-" in i] if isinstance(panel, NetworkPanel) else []
        if not ((isinstance(panel, GraphPanel) and "->" in eid) or eid in bundles):
            err(path, f"propagate needs network edge bundles ('a-to-b') or graph edges ('a->b'), and '{target}' "
                      "is neither")


def _check_iterations(tile: Tile, refs: list[str], err: Any, base: tuple[Any, ...]) -> None:
    """Each `iterate` needs an element with stages left (k-means rounds, boosting rounds, perceptron updates)."""
    used: dict[str, int] = {}
    for si, step in enumerate(tile.steps):
        for ai, action in enumerate(step.do):
            if not isinstance(action, Iterate) or action.iterate not in refs:
                continue
            pid, _, eid = action.iterate.partition(".")
            panel = tile.panel(pid)
            have = panel.stage_count(eid) if isinstance(panel, ScatterPanel) and eid else 0
            used[action.iterate] = used.get(action.iterate, 0) + action.times
            if have == 0:
                err(base + ("steps", si, "do", ai), f"iterate needs an element with stages (a kmeans, boost or "
                    f"perceptron fit), and '{action.iterate}' has none")
            elif used[action.iterate] > have:
                err(base + ("steps", si, "do", ai), f"'{action.iterate}' has {have} stage(s) and this iterate "
                    f"would play stage {used[action.iterate]}")


def _unknown_ref(target: str, tile: Tile) -> str:
    panel_ids = [p.id for p in tile.panels]
    pid, _, eid = target.partition(".")
    if pid not in panel_ids:
        return f"unknown panel '{pid}'{_suggest(pid, panel_ids)}"
    return f"unknown element '{eid}' in panel '{pid}'{_suggest(eid, tile.panel(pid).element_ids())}"


def _check_motion(action: ActionBase, tile: Tile, err: Any, path: tuple[Any, ...]) -> None:
    for target in action.targets():
        pid, _, eid = target.partition(".")
        if pid not in [p.id for p in tile.panels]:
            continue
        panel = tile.panel(pid)
        if isinstance(action, Walk) and not (isinstance(panel, PlotPanel) and eid in [p.id for p in panel.paths]):
            err(path, f"walk needs a plot path, and '{target}' is not one")
        if isinstance(action, Flow):
            ok = (isinstance(panel, GraphPanel) and "->" in eid) or (
                isinstance(panel, PlotPanel) and eid in [p.id for p in panel.paths]
            ) or (isinstance(panel, SequencePanel) and eid in panel.element_ids()[len(panel.participants):]) or (
                isinstance(panel, StackPanel) and eid in panel.link_ids()
            )
            if not ok:
                err(path, f"flow needs graph edges ('a->b') or a plot path, and '{target}' is neither")


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema of the spec file, for editors."""
    schema = Spec.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "diagrams.yaml"
    return schema

