"""Panels of boxes and arrows: flows, trees, cycles (Graphviz), networks, sequence diagrams, stacks."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import ConfigDict, Field, model_validator

from spec.base import (
    Model,
    PanelBase,
    Slug,
    Text,
    panel_kind,
    suggest,
)
from spec.theme import Role


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
    motions: ClassVar[dict[str, str]] = {"flow": "graph edges ('a->b')", "propagate": "graph edges ('a->b')"}

    def motion_ids(self, key: str) -> list[str]:
        return [e.id for e in self.all_edges()] if key in self.motions else []

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
                    raise ValueError(f"edge {e.id}: unknown node '{end}'{suggest(end, ids)}")
        for c in self.clusters:
            for n in c.nodes:
                if n not in ids:
                    raise ValueError(f"cluster {c.id}: unknown node '{n}'{suggest(n, ids)}")
        for group in self.ranks:
            for n in group:
                if n not in ids:
                    raise ValueError(f"ranks: unknown node '{n}'{suggest(n, ids)}")
        return self


@panel_kind
class FlowPanel(GraphPanel):
    """A directed flow (pipeline, architecture), left to right by default."""

    kind: Literal["flow"] = "flow"


@panel_kind
class TreePanel(GraphPanel):
    """A hierarchy, top to bottom by default."""

    kind: Literal["tree"] = "tree"
    default_direction: ClassVar[str] = "TB"


@panel_kind
class CyclePanel(GraphPanel):
    """A loop: nodes placed on a circle; with no edges, each node links to the next and the last to the first."""

    kind: Literal["cycle"] = "cycle"

    def all_edges(self) -> list[Edge]:
        if self.edges:
            return list(self.edges)
        ids = [n.id for n in self.nodes]
        return [Edge(**{"from": a, "to": b}) for a, b in zip(ids, ids[1:] + ids[:1], strict=True)]


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


@panel_kind
class NetworkPanel(PanelBase):
    """A fully connected feed-forward network drawn layer by layer.

    Neuron ids are `<layer>-<k>` (k from 1); the edges between two layers are `<a>-to-<b>`; notes are
    labels placed beside a neuron, layer or bundle. Dimming or hiding a neuron fades its edges with it
    (dropout).
    """

    kind: Literal["network"] = "network"
    layers: list[NetLayer] = Field(min_length=2)
    notes: list[NetNote] = Field(default_factory=list)
    arrows: bool | list[Slug] = Field(
        False, description="Arrowheads where the edges of a bundle reach their neurons, so the direction of flow "
        "shows in the still: true for every bundle, or a list of bundle ids ('in-to-hidden'). Off by default.")

    def structure_ids(self) -> list[str]:
        ids = []
        for layer in self.layers:
            ids.append(layer.id)
            ids += [f"{layer.id}-{k + 1}" for k in range(layer.size)]
        ids += [f"{a.id}-to-{b.id}" for a, b in zip(self.layers, self.layers[1:], strict=False)]
        return ids

    motions: ClassVar[dict[str, str]] = {"propagate": "network edge bundles ('a-to-b')"}

    def motion_ids(self, key: str) -> list[str]:
        return [i for i in self.structure_ids() if "-to-" in i] if key in self.motions else []

    def element_ids(self) -> list[str]:
        return self.structure_ids() + [n.id for n in self.notes]

    def bundle_ids(self) -> list[str]:
        return [f"{a.id}-to-{b.id}" for a, b in zip(self.layers, self.layers[1:], strict=False)]

    def arrow_bundles(self) -> set[str]:
        """The bundles drawn with arrowheads."""
        if self.arrows is True:
            return set(self.bundle_ids())
        return set(self.arrows or [])

    @model_validator(mode="after")
    def _notes_placed(self) -> NetworkPanel:
        ids = self.structure_ids()
        for n in self.notes:
            if n.at not in ids:
                raise ValueError(f"note {n.id}: unknown neuron, layer or bundle '{n.at}'{suggest(n.at, ids)}")
        bundles = self.bundle_ids()
        for b in self.arrows if isinstance(self.arrows, list) else []:
            if b not in bundles:
                raise ValueError(f"arrows: unknown edge bundle '{b}' (the bundles: {', '.join(bundles)})"
                                 f"{suggest(b, bundles)}")
        return self

    def nested_ids(self) -> set[tuple[str, str]]:
        return {(layer.id, f"{layer.id}-{k + 1}") for layer in self.layers for k in range(layer.size)}


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


@panel_kind
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

    motions: ClassVar[dict[str, str]] = {"flow": "sequence messages"}

    def motion_ids(self, key: str) -> list[str]:
        return [self.message_id(i) for i in range(len(self.messages))] if key in self.motions else []

    def element_ids(self) -> list[str]:
        return [p.id for p in self.participants] + [self.message_id(i) for i in range(len(self.messages))]

    @model_validator(mode="after")
    def _ends_known(self) -> SequencePanel:
        ids = [p.id for p in self.participants]
        for i, m in enumerate(self.messages):
            for end in (m.from_, m.to):
                if end not in ids:
                    raise ValueError(f"message {self.message_id(i)}: unknown participant '{end}'{suggest(end, ids)}")
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


@panel_kind
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

    motions: ClassVar[dict[str, str]] = {"flow": "stack links ('a->b')"}

    def motion_ids(self, key: str) -> list[str]:
        return self.link_ids() if key in self.motions else []

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


