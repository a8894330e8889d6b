"""The director scene: builds a tile's panels from its spec and plays its steps.

One Scene class renders every tile. It receives an already validated tile (no YAML,
Graphviz call or file I/O happens here beyond the layout helper the builders use),
records when each step starts, and calls `on_step_end` after each step so that the
pipeline can grab the frame and the lint can inspect the picture.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from manim import LEFT, UP, Animation, FadeIn, Mobject, Scene, VGroup, VMobject

from scenes.actions import ACTIONS
from scenes.common import SAFE_X, SAFE_Y, Built, tag, text
from scenes.sweep import build_panel
from spec import Layer, Tile
from spec import theme as T
from spec.theme import Theme

READING_WORDS_PER_SECOND = 3.2
MIN_HOLD = 1.0
FINAL_HOLD = 3.0

StepHook = Callable[["TileScene", int], None]


def step_hold(step_say: str, anim_time: float, hold: float | None, last: bool) -> float:
    """Seconds to hold after a step's animations so its caption can be read."""
    if hold is not None:
        base = hold
    else:
        reading = len(step_say.split()) / READING_WORDS_PER_SECOND
        base = max(MIN_HOLD, reading - anim_time)
    return max(base, FINAL_HOLD) if last else base


class TileScene(Scene):
    """Render one tile: header, panels, then the steps in order."""

    tile: Tile
    layer: Layer
    number: int = 0
    theme: Theme = T.DARK
    on_step_end: StepHook | None = None

    def configure(self, tile: Tile, layer: Layer, number: int, theme: Theme,
                  on_step_end: StepHook | None = None) -> TileScene:
        """Give the scene its tile; call before render()."""
        self.tile, self.layer, self.number, self.theme = tile, layer, number, theme
        self.on_step_end = on_step_end
        return self

    # ---------------------------------------------------------------- construct

    def construct(self) -> None:
        self.camera.background_color = self.theme.background
        self.step_times: list[float] = []
        self.panels: dict[str, Built] = {}
        self.visible: set[str] = set()
        self.dimmed: set[str] = set()
        self.emphasis: list[Mobject] = []  # the frames of the last highlight: they stay until the next one
        self.traces: dict[str, list[Mobject]] = {}  # per element ref, the trails and outlines its sweeps left
        self.headings_shown: set[str] = set()
        self.settled_at = 0.0  # when the picture last changed (the end of the last non-wait action)
        self.values: dict[str, float] = self.tile.param_values()  # the tile's parameters, as sweeps move them
        self.add(self.header())
        for panel in self.tile.panels:
            self.panels[panel.id] = build_panel(self.tile, panel, self.values, self.theme)
        for i, step in enumerate(self.tile.steps):
            start = self.renderer.time
            self.step_times.append(start)
            for act in step.do:
                ACTIONS[act.key](self, act)
                if act.key != "wait":
                    self.settled_at = self.renderer.time
            spent = self.renderer.time - start
            self.wait(step_hold(step.say, spent, step.hold, last=i == len(self.tile.steps) - 1))
            if self.on_step_end:
                self.on_step_end(self, i)
        self.duration_total = self.renderer.time

    def header(self) -> Mobject:
        th = self.theme
        number = text(f"{self.number:02d}", "header", th, size=T.TITLE_SIZE, color=th.color("accent"), weight="BOLD")
        title = text(self.tile.title, "header", th, size=T.TITLE_SIZE, weight="BOLD")
        # digits and capitals share the cap height: align tops, since descenders move the bottom
        row = VGroup(number, title).arrange(np.array([1.0, 0, 0]), buff=0.3, aligned_edge=UP)
        tagline = text(self.tile.tagline, "header", th, size=T.TAGLINE_SIZE, color=th.subtle_text)
        layer = text(self.layer.title.upper(), "header", th, size=T.SMALL_SIZE, color=th.color("muted"))
        head = VGroup(row, tagline).arrange(np.array([0, -1.0, 0]), buff=0.16, aligned_edge=LEFT)
        head.move_to([-SAFE_X, SAFE_Y, 0], aligned_edge=LEFT + UP)
        layer.move_to([SAFE_X, SAFE_Y, 0], aligned_edge=np.array([1.0, 1.0, 0]))
        if row.get_right()[0] > layer.get_left()[0] - 0.3:  # a long title: the layer name drops to the tagline's line
            layer.align_to(tagline, np.array([0, -1.0, 0]))
            if tagline.get_right()[0] > layer.get_left()[0] - 0.3:
                layer.next_to(row, np.array([0, -1.0, 0]), buff=0.16).align_to([SAFE_X, 0, 0], np.array([1.0, 0, 0]))
        group = VGroup(head, layer)
        tag(group, "header", "header")
        return group

    # ---------------------------------------------------------------- element access for actions

    def split(self, ref: str) -> tuple[str, str | None]:
        pid, _, eid = ref.partition(".")
        return pid, eid or None

    def expand(self, refs: list[str]) -> list[str]:
        """Expand panel ids to all their elements, in declaration order."""
        out: list[str] = []
        for ref in refs:
            pid, eid = self.split(ref)
            if eid is None:
                out += [f"{pid}.{e}" for e in self.panels[pid].elements]
            else:
                out.append(ref)
        return out

    def mob(self, ref: str) -> Mobject:
        pid, eid = self.split(ref)
        built = self.panels[pid]
        if eid is None:
            return VGroup(*built.elements.values())
        return built.elements[eid]

    def route(self, ref: str) -> VMobject:
        pid, eid = self.split(ref)
        return self.panels[pid].paths[eid or ""]

    def waypoints(self, ref: str) -> list[np.ndarray]:
        pid, eid = self.split(ref)
        return self.panels[pid].waypoints[eid or ""]

    def intro(self, ref: str) -> Animation:
        pid, eid = self.split(ref)
        return self.panels[pid].intro(eid or "")

    def is_visible(self, ref: str) -> bool:
        return ref in self.visible

    def mark_visible(self, ref: str, add: bool = True) -> None:
        self.visible.add(ref)
        if add:
            self.add(self.mob(ref))

    def mark_hidden(self, ref: str, remove: bool = True) -> None:
        self.visible.discard(ref)
        if remove:
            self.remove(self.mob(ref))

    def take_traces(self, ref: str) -> list[Mobject]:
        """The traces left by an element's sweeps (or by every element of a panel), which leave with it."""
        pid, eid = self.split(ref)
        keys = [k for k in self.traces if k == ref or (eid is None and k.startswith(pid + "."))]
        return [m for k in keys for m in self.traces.pop(k)]

    def mark_dimmed(self, ref: str) -> None:
        self.dimmed.add(ref)

    def with_headings(self, refs: list[str]) -> list[Animation]:
        """Entrances for the headings of panels that are about to show their first element."""
        anims: list[Animation] = []
        for ref in refs:
            pid, _ = self.split(ref)
            head = self.panels[pid].heading
            if head is not None and pid not in self.headings_shown:
                self.headings_shown.add(pid)
                anims.append(FadeIn(head))
        return anims
