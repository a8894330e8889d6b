"""Step actions: what a step does to the elements it names."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Union

from pydantic import BeforeValidator, ConfigDict, Discriminator, Field, StringConstraints, Tag, WithJsonSchema

from spec.base import (
    REF_RE,
    SLUG_RE,
    Model,
    Ref,
    registered,
)
from spec.theme import Role

# ---------------------------------------------------------------- step actions

def _one_or_many(v: Any) -> Any:
    return [v] if isinstance(v, str) else v


# One reference or a list of them, always a list once read: one type, so an error is reported once, at the item
# that is wrong (a union of str and list reported every branch). Editors still see "a ref or a list of refs".
_REF_SCHEMA = {"type": "string", "pattern": REF_RE}
Targets = Annotated[
    list[Ref],
    BeforeValidator(_one_or_many),
    WithJsonSchema({"anyOf": [_REF_SCHEMA, {"type": "array", "items": _REF_SCHEMA}]}),
]


def as_list(v: str | list[str]) -> list[str]:
    return [v] if isinstance(v, str) else list(v)


ACTION_SPECS: dict[str, type[ActionBase]] = {}


def action(cls: type[ActionBase]) -> type[ActionBase]:
    """Register a step action under its key (the field that names its targets)."""
    ACTION_SPECS[cls.key] = cls
    registered()
    return cls


class ActionBase(Model):
    """Fields every action has; `key` names the field that holds the targets."""

    run_time: float | None = Field(None, gt=0, le=10, description="Seconds; each action has a sensible default.")
    key: ClassVar[str] = ""

    def targets(self) -> list[str]:
        return as_list(getattr(self, self.key))


@action
class Show(ActionBase):
    """Bring elements in, each with the entrance that suits it (draw, write, fade)."""

    show: Targets
    key: ClassVar[str] = "show"


@action
class Hide(ActionBase):
    """Fade elements out (mark them `transient` in the tile if they stay hidden)."""

    hide: Targets
    key: ClassVar[str] = "hide"


@action
class Highlight(ActionBase):
    """Flash a frame around elements to draw the eye; the frame stays until the next highlight replaces it."""

    highlight: Targets
    key: ClassVar[str] = "highlight"


@action
class Recolor(ActionBase):
    """Change elements to another role colour, for good."""

    recolor: Targets
    role: Role
    key: ClassVar[str] = "recolor"


@action
class Dim(ActionBase):
    """Fade elements to low opacity, for good (dropped neurons, discarded options)."""

    dim: Targets
    key: ClassVar[str] = "dim"


@action
class Flow(ActionBase):
    """Send a token along graph edges in order (`a->b` ids), or along a plot path; with `together`, one token
    along each at the same time (a fan-out or a fan-in)."""

    flow: Targets
    role: Role | None = None
    together: bool = Field(False, description="One token per edge, all moving at once (parallel calls, a fan-out or fan-in).")
    key: ClassVar[str] = "flow"


@action
class Walk(ActionBase):
    """Move a marker along a plot path point by point, drawing the path as it goes."""

    walk: Ref
    key: ClassVar[str] = "walk"


@action
class Transform(ActionBase):
    """Morph one element into another (the first disappears, the second stays)."""

    transform: Ref
    into: Ref
    key: ClassVar[str] = "transform"

    def targets(self) -> list[str]:
        return [self.transform, self.into]


@action
class Derive(ActionBase):
    """Grow elements, one after another, out of a copy of a source element that stays (produce, generate, merge)."""

    derive: Targets
    from_: Ref = Field(alias="from", description="The element the new ones come out of.")
    key: ClassVar[str] = "derive"
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def targets(self) -> list[str]:
        return as_list(self.derive) + [self.from_]


@action
class Iterate(ActionBase):
    """Advance an element that has stages by `times` of them: a k-means round, a boosting round, a perceptron update."""

    iterate: Ref
    times: int = Field(1, ge=1, le=10)
    key: ClassVar[str] = "iterate"


@action
class Propagate(ActionBase):
    """Pulse along every connection of network edge bundles (or graph edges), one after another.

    `reverse: true` runs each backward, from its end to its start, as gradients flow in backpropagation.
    """

    propagate: Targets
    reverse: bool = False
    role: Role | None = None
    key: ClassVar[str] = "propagate"


@action
class Sweep(ActionBase):
    """Move a tile parameter to a new value; every element bound to it follows, frame by frame.

    Integer parameters step through their values, each held long enough to read; `log` parameters
    move on a log scale. The still keeps a trace: bound points leave their path, bound lines and
    curves a faint copy of where they started.
    """

    sweep: Annotated[str, StringConstraints(pattern=SLUG_RE)] = Field(description="The tile parameter to move.")
    to: float = Field(description="The value it ends at.")
    trace: bool = Field(True, description="Leave a trace of the sweep in the still.")
    key: ClassVar[str] = "sweep"

    def targets(self) -> list[str]:
        return []


@action
class Wait(ActionBase):
    """Pause for a number of seconds."""

    wait: float = Field(gt=0, le=10)
    key: ClassVar[str] = "wait"

    def targets(self) -> list[str]:
        return []


def action_union() -> Any:
    """The tagged union of every registered action."""
    return Annotated[
        Union[tuple(Annotated[cls, Tag(key)] for key, cls in ACTION_SPECS.items())],  # type: ignore[misc]  # noqa: UP007
        Discriminator(_action_tag),
    ]


def _action_tag(v: Any) -> str | None:
    """The action a step item is: its one registered key; else the first field that is no action's field."""
    if isinstance(v, dict):
        keys = [k for k in v if k in ACTION_SPECS]
        if keys:
            return keys[0]
        fields = {f.alias or n for cls in ACTION_SPECS.values() for n, f in cls.model_fields.items()}
        unknown = [k for k in v if k not in fields]
        return str(unknown[0]) if unknown else None
    return getattr(v, "key", None)

