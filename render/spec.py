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

from render import functions
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
            if self.fn not in functions.FUNCTIONS:
                raise ValueError(f"unknown function '{self.fn}'{_suggest(self.fn, list(functions.FUNCTIONS))}")
            allowed = functions.parameters(self.fn)
            for p in self.params:
                if p not in allowed:
                    raise ValueError(f"function '{self.fn}' has no parameter '{p}'{_suggest(p, allowed)}")
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


class MatrixPanel(PanelBase):
    """A grid of labelled cells (confusion matrix, heatmap, table)."""

    kind: Literal["matrix"] = "matrix"
    rows: list[Text] = Field(default_factory=list, description="Row headers.")
    cols: list[Text] = Field(default_factory=list, description="Column headers.")
    row_title: Text | None = None
    col_title: Text | None = None
    cells: list[list[Cell | str]] = Field(min_length=1)

    def cell_id(self, r: int, c: int) -> str:
        cell = self.cells[r][c]
        if isinstance(cell, Cell) and cell.id:
            return cell.id
        return f"r{r + 1}c{c + 1}"

    def element_ids(self) -> list[str]:
        ids = ["grid"]
        for r, row in enumerate(self.cells):
            ids += [self.cell_id(r, c) for c in range(len(row))]
        return ids

    def nested_ids(self) -> set[tuple[str, str]]:
        return {("grid", i) for i in self.element_ids() if i != "grid"}

    @model_validator(mode="after")
    def _shape(self) -> MatrixPanel:
        widths = {len(r) for r in self.cells}
        if len(widths) != 1:
            raise ValueError("every row of cells must have the same length")
        if self.rows and len(self.rows) != len(self.cells):
            raise ValueError(f"{len(self.rows)} row headers for {len(self.cells)} rows of cells")
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


class NetworkPanel(PanelBase):
    """A fully connected feed-forward network drawn layer by layer.

    Neuron ids are `<layer>-<k>` (k from 1); the edges between two layers are `<a>-to-<b>`.
    """

    kind: Literal["network"] = "network"
    layers: list[NetLayer] = Field(min_length=2)

    def element_ids(self) -> list[str]:
        ids = []
        for layer in self.layers:
            ids.append(layer.id)
            ids += [f"{layer.id}-{k + 1}" for k in range(layer.size)]
        ids += [f"{a.id}-to-{b.id}" for a, b in zip(self.layers, self.layers[1:], strict=False)]
        return ids

    def nested_ids(self) -> set[tuple[str, str]]:
        return {(layer.id, f"{layer.id}-{k + 1}") for layer in self.layers for k in range(layer.size)}


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


class Wait(ActionBase):
    """Pause for a number of seconds."""

    wait: float = Field(gt=0, le=10)
    key: ClassVar[str] = "wait"

    def targets(self) -> list[str]:
        return []


ACTION_SPECS: dict[str, type[ActionBase]] = {
    cls.key: cls for cls in (Show, Hide, Highlight, Recolor, Dim, Flow, Walk, Transform, Wait)
}


def _action_tag(v: Any) -> str | None:
    if isinstance(v, dict):
        keys = [k for k in v if k in ACTION_SPECS]
        if keys:
            return keys[0]
        unknown = [k for k in v if k not in ("run_time", "role", "into")]
        return str(unknown[0]) if unknown else None
    return getattr(v, "key", None)


Action = Annotated[
    Union[tuple(Annotated[cls, Tag(key)] for key, cls in ACTION_SPECS.items())],  # type: ignore[misc]  # noqa: UP007
    Discriminator(_action_tag),
]


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
    questions: list[Text] = Field(default_factory=list, description="Interview questions on this topic.")

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


def _compose(text: str, file: str) -> tuple[Any, Lines]:
    """Compose YAML safely and build plain data plus a map from data path to line number."""
    loader = yaml.SafeLoader(text)
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
        for ri, ref in enumerate(tile.transient):
            if ref not in refs:
                err(base + ("transient", ri), _unknown_ref(ref, tile))
    return errors


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
            )
            if not ok:
                err(path, f"flow needs graph edges ('a->b') or a plot path, and '{target}' is neither")


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema of the spec file, for editors."""
    schema = Spec.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "diagrams.yaml"
    return schema

