"""The picture at the end of a step: every painted mobject as an Item with its element reference."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from render.lint.base import TINT_OPACITY, Box
from render.lint.geometry import _bbox, _painted, _stroked, bezier_samples, convex_hull
from spec import Tile
from spec.theme import Theme

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- the picture at the end of a step


@dataclass(eq=False)
class Item:
    """A tagged mobject on screen, with the element it belongs to."""

    ref: str  # 'panel.element', 'panel' for a panel heading, 'header' for the title block
    part: str
    mob: Any
    order: int
    dimmed: bool

    @cached_property
    def members(self) -> list[Any]:
        """Family members with points that paint something."""
        return [m for m in self.mob.family_members_with_points() if _painted(m)]

    @cached_property
    def outline(self) -> np.ndarray:
        """Points sampled along the outlines that this item draws."""
        if self.part in ("edge", "curve", "shape"):  # strokes and solid fills (arrowheads); tints have no border
            mems = [m for m in self.members if _stroked(m) or m.get_fill_opacity() >= TINT_OPACITY]
        else:
            mems = self.members
        pts = [bezier_samples(m.points) for m in mems]
        return np.vstack(pts) if pts else np.zeros((0, 2))

    @cached_property
    def bbox(self) -> Box:
        pts = [np.asarray(m.points)[:, :2] for m in self.members]
        return _bbox(np.vstack(pts)) if pts else (0.0, 0.0, 0.0, 0.0)

    @cached_property
    def hull(self) -> np.ndarray:
        return convex_hull(self.outline) if len(self.outline) else np.zeros((0, 2))

    @property
    def visible(self) -> bool:
        return bool(self.members)

    def describe(self) -> str:
        if self.part == "text":
            return f"text '{text_of(self.mob)}'"
        return f"{self.part} {self.ref}"


# Parts the layout rules leave out: the lasting frame of a highlight, the faint trace a sweep leaves.
OVERLAYS = ("emphasis", "trace")


def text_of(mob: Any) -> str:
    """The string a text mobject shows, shortened for a message."""
    s = getattr(mob, "original_text", None) or getattr(mob, "tex_string", None) or "?"
    s = " ".join(str(s).split())
    return s if len(s) <= 40 else s[:39] + "…"


@dataclass
class Picture:
    """What is on screen at the end of one step."""

    items: list[Item]
    leaves: list[tuple[str, Any]]  # every painted family member with points, with its ref, in drawing order
    nested: set[tuple[str, str]]
    rendered_theme: Theme
    themes: tuple[Theme, ...]
    tile: Tile
    title_mob: Any = None
    shrunk: dict[str, tuple[float, str]] = field(default_factory=dict)  # panel id -> (scale, its widest element)

    def texts(self) -> list[Item]:
        return [i for i in self.items if i.part == "text"]

    def of(self, *parts: str) -> list[Item]:
        return [i for i in self.items if i.part in parts]

    def nested_pair(self, a: str, b: str) -> bool:
        """Whether the spec nests one of two elements in the other (they may overlap)."""
        return (a, b) in self.nested or (b, a) in self.nested


def _ref_map(scene: Any) -> dict[int, str]:
    """Map every family member of every element (and heading, and header) to its reference."""
    refs: dict[int, str] = {}
    for pid, built in scene.panels.items():
        if built.heading is not None:
            for m in built.heading.get_family():
                refs[id(m)] = pid
        # Containers first, so that the members of a nested element (a segment in its row) end up
        # with the innermost element; a tagged member's owner names its element outright.
        by_size = sorted(built.elements.items(), key=lambda kv: -len(kv[1].get_family()))
        for eid, mob in by_size:
            for m in mob.get_family():
                refs[id(m)] = f"{pid}.{eid}"
        for _, mob in by_size:
            for m in mob.get_family():
                owner = getattr(m, "owner", None)
                if owner in built.elements:
                    refs[id(m)] = f"{pid}.{owner}"
    return refs


def snapshot(scene: Any, tile: Tile, themes: tuple[Theme, ...]) -> Picture:
    """Collect the tagged mobjects on screen, in drawing order, with their references."""
    refs = _ref_map(scene)
    family: list[Any] = []
    seen: set[int] = set()
    for top in scene.mobjects:
        for m in top.get_family():
            if id(m) not in seen:
                seen.add(id(m))
                family.append(m)
    family.sort(key=lambda m: m.z_index)  # stable, like Manim's camera
    dimmed_refs = set(scene.dimmed)
    items: list[Item] = []
    leaves: list[tuple[str, Any]] = []
    title_mob = None
    header_ids: set[int] = set()
    emphasis = {id(x) for m in family if getattr(m, "part", None) in OVERLAYS for x in m.get_family()}
    for order, m in enumerate(family):
        if id(m) in emphasis:  # a highlight's lasting frame, a sweep's faint trace: overlays, not the layout
            continue
        part = getattr(m, "part", None)
        if part == "header":
            header_ids.update(id(x) for x in m.get_family())
        ref = "header" if id(m) in header_ids else refs.get(id(m), "")
        if part is not None and part != "header":
            dimmed = any(ref == d or ref.startswith(d + ".") for d in dimmed_refs)
            item = Item(ref or f"?.{getattr(m, 'owner', '?')}", part, m, order, dimmed)
            if item.visible:
                items.append(item)
                if ref == "header" and getattr(m, "original_text", None) == tile.title:
                    title_mob = m
        if len(m.points) and _painted(m):
            leaves.append((ref, m))
    # A painted mobject of an element that no tag covers (a tick mark, say) still counts as a stroke.
    position = {id(m): k for k, m in enumerate(family)}
    covered = header_ids | {id(x) for item in items for x in item.mob.get_family()}
    for ref, m in leaves:
        if id(m) not in covered and ref:
            dimmed = any(ref == d or ref.startswith(d + ".") for d in dimmed_refs)
            items.append(Item(ref, "shape", m, position[id(m)], dimmed))
    nested = {(f"{p.id}.{a}", f"{p.id}.{b}") for p in tile.panels for a, b in p.nested_ids()}
    shrunk = {pid: b.shrunk for pid, b in scene.panels.items() if getattr(b, "shrunk", None)}
    return Picture(items, leaves, nested, scene.theme, themes, tile, title_mob, shrunk)


