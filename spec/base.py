"""Base types of the spec: ids, text, labels, the panel base class, and the registries everything derives from."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from spec.errors import suggest  # noqa: F401  (re-exported: the panels use it from here)

SLUG_RE = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_RE, max_length=64)]
# An element id inside a panel: a slug, or an edge id "from->to".
ElementId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*(->[a-z0-9]+(-[a-z0-9]+)*)?$")]
# A reference from a step: "panel" or "panel.element".
REF_RE = r"^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*(->[a-z0-9]+(-[a-z0-9]+)*)?)?$"
Ref = Annotated[str, StringConstraints(pattern=REF_RE)]
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

    # What each motion action (flow, walk, propagate) moves along in this kind, for its error message.
    motions: ClassVar[dict[str, str]] = {}

    def motion_ids(self, key: str) -> list[str]:
        """The element ids that the motion action `key` can move along in this panel (none by default)."""
        return []

    def stage_count(self, eid: str) -> int:
        """How many `iterate` steps an element has (0 when it has none)."""
        return 0

    def nested_ids(self) -> set[tuple[str, str]]:
        """Return (outer, inner) element pairs that the spec nests (allowed to overlap)."""
        return set()




def check_named(what: str, name: str, params: Any, registry: dict[str, Any], allowed: Any) -> None:
    """Raise unless `name` is in a vetted registry and every parameter is one it accepts."""
    if name not in registry:
        raise ValueError(f"unknown {what} '{name}'{suggest(name, list(registry))}")
    known = allowed(name)
    for p in params:
        if p not in known:
            from spec.vetted import describe

            meanings = describe(registry[name])[1]
            valid = ", ".join(f"{k} ({meanings[k]})" if k in meanings else k for k in known) or "none"
            raise ValueError(f"{what} '{name}' has no parameter '{p}'{suggest(p, known)}; its parameters: {valid}")




# ---------------------------------------------------------------- registries
# Each registry is declared once, here, and filled by decorators where its entries are defined;
# the tagged unions, the JSON Schema, did-you-mean and the author's guide tables derive from it.

PANEL_SPECS: dict[str, type[PanelBase]] = {}
_listeners: list[Callable[[], None]] = []


def on_register(fn: Callable[[], None]) -> Callable[[], None]:
    """Call fn whenever a registry gains an entry (the models that embed a tagged union rebuild it)."""
    _listeners.append(fn)
    return fn


def registered() -> None:
    for fn in _listeners:
        fn()


def panel_kind(cls: type[PanelBase]) -> type[PanelBase]:
    """Register a panel model under its `kind` (the default of its `kind: Literal[...]` field)."""
    kind = cls.model_fields["kind"].default
    if not isinstance(kind, str) or not kind:
        raise TypeError(f"{cls.__name__} needs a field kind: Literal['<name>'] = '<name>'")
    PANEL_SPECS[kind] = cls
    registered()
    return cls
