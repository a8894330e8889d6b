"""A tile (its panels, steps, questions), its layer, and the whole spec."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import Discriminator, Field, PrivateAttr, StringConstraints, Tag, field_validator, model_validator

import spec.panels  # noqa: F401  (registers every panel kind)
from spec.actions import action_union
from spec.base import (
    PANEL_SPECS,
    Model,
    PanelBase,
    Ref,
    Slug,
    Text,
    on_register,
)
from spec.study import Phase
from spec.sweep import Param


def scene_class_name(tile_id: str) -> str:
    """The Manim scene class of a tile: gradient-descent -> GradientDescentScene."""
    return "".join(part.capitalize() for part in tile_id.split("-")) + "Scene"


def _panel_tag(v: Any) -> str | None:
    if isinstance(v, dict):
        return v.get("kind")
    return getattr(v, "kind", None)


def _panel_union() -> Any:
    """The tagged union of every registered panel kind."""
    return Annotated[
        Union[tuple(Annotated[cls, Tag(kind)] for kind, cls in PANEL_SPECS.items())],  # type: ignore[misc]  # noqa: UP007
        Discriminator(_panel_tag),
    ]


# Built here, after every panel module (and any action one declares) has registered; rebuilt on a later registration.
Panel = _panel_union()
Action = action_union()


PRIORITIES = {
    "must": "must know cold",
    "should": "should know well",
    "design": "system design essential",
}


class KeyPoint(Model):
    """One thing an interviewer expects a candidate to know, bound to the drawn elements that carry it at the end."""

    point: Text = Field(description="One sentence: what the candidate must be able to say.")
    shown_by: list[Ref] = Field(min_length=1, description="The elements of the final picture that carry it: a curve, "
                                "a formula, a region, a box (not a whole panel; not only a text restating it).")
    priority: Literal["must", "should", "design"] | None = Field(
        None, description="must: must know cold; should: should know well; design: system design essential.")
    formula: Text | None = Field(None, description="A short formula for the study views, in plain Unicode text.")


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
    params: list[Param] = Field(default_factory=list, description="Numbers that `sweep` steps move and that "
                                "elements follow with {param: id}: a threshold, lambda, a degree, k.")
    requires: list[Slug] = Field(default_factory=list, description="Tiles to study first (their ids): gradient "
                                 "descent before backpropagation. No cycles.")
    key_points: list[KeyPoint] | None = Field(
        None, min_length=5, max_length=8,
        description="The 5-8 things an interviewer expects, each bound to the elements of the final picture that "
                    "carry it (the lint checks they are on screen and legible at the end).")
    notes: list[Text] = Field(default_factory=list, description="Depth beside the video: details, caveats, numbers.")
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

    def param_values(self) -> dict[str, float]:
        """Every parameter at its start value."""
        return {p.id: p.start for p in self.params}

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
    phases: list[Phase] = Field(default_factory=list, description="The study order: phases of tiles, each tile in "
                                "exactly one, every tile after its prerequisites.")
    _warnings: list[Any] = PrivateAttr(default_factory=list)  # SpecErrors that do not stop a render

    def warnings(self) -> list[Any]:
        """What validation flagged without failing (a whole panel given as a key point's element)."""
        return self._warnings

    def tiles(self) -> list[tuple[Layer, Tile]]:
        return [(layer, t) for layer in self.layers for t in layer.tiles]

    def tile(self, tid: str) -> tuple[Layer, Tile]:
        for layer, t in self.tiles():
            if t.id == tid:
                return layer, t
        raise KeyError(tid)

    def number_of(self, tid: str) -> int:
        return [t.id for _, t in self.tiles()].index(tid) + 1




@on_register
def rebuild() -> None:
    """Rebuild the models that embed a tagged union after a panel kind or an action is registered."""
    global Panel, Action
    Panel = _panel_union()
    Action = action_union()
    Step.__pydantic_fields__["do"].annotation = list[Action]
    Tile.__pydantic_fields__["panels"].annotation = list[Panel]
    namespace = {"Panel": Panel, "Action": Action, "Step": Step, "Tile": Tile, "Layer": Layer}
    for model in (Step, Tile, Layer, Spec):
        model.model_rebuild(force=True, _types_namespace=namespace)
