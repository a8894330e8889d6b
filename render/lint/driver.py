"""Rules on the whole tile, and the driver that plays each tile once and checks every step."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from render.lint.base import (
    LINT_QUALITY,
    MAX_SECONDS,
    MAX_STEPS,
    MIN_FINAL_HOLD,
    MIN_SECONDS,
    MIN_STEPS,
    MIN_TEXT_PX,
    RULES,
    Finding,
)
from render.lint.debug import write_debug_png
from render.lint.geometry import _painted
from render.lint.picture import Picture, snapshot
from render.lint.rules import PICTURE_RULES
from render.lint.sizes import text_line_px
from spec import Layer, Spec, Tile
from spec.theme import THEMES

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- rules on the whole tile


def check_timing(tile: Tile, duration: float, settled_at: float) -> list[Finding]:
    """Step count, duration and the hold of the final picture."""
    out = []
    n = len(tile.steps)
    if not MIN_STEPS <= n <= MAX_STEPS:
        out.append(
            Finding(
                tile.id, None, "step-count", f"{n} step{'s' if n != 1 else ''}; a tile has {MIN_STEPS} to {MAX_STEPS}"
            )
        )
    if not MIN_SECONDS <= duration <= MAX_SECONDS:
        out.append(
            Finding(
                tile.id, None, "duration", f"lasts {duration:.1f} s; a tile lasts {MIN_SECONDS:g} to {MAX_SECONDS:g} s"
            )
        )
    hold = duration - settled_at
    if hold < MIN_FINAL_HOLD - 1e-6:
        out.append(
            Finding(tile.id, n, "final-hold", f"the final picture is held {hold:.1f} s (minimum {MIN_FINAL_HOLD:g} s)")
        )
    return out


def check_final_picture(scene: Any, tile: Tile) -> list[Finding]:
    """Every declared element is on screen at the end unless the tile calls it transient."""
    on_screen = {id(m) for top in scene.mobjects for m in top.get_family()}
    transient = set(tile.transient)
    missing = []
    for panel in tile.panels:
        for eid in panel.element_ids():
            ref = f"{panel.id}.{eid}"
            if ref in transient or panel.id in transient:
                continue
            if eid not in scene.panels[panel.id].elements:  # the builder drew nothing for it
                missing.append(ref)
                continue
            members = scene.mob(ref).family_members_with_points()
            shown = bool(members) and all(id(m) in on_screen for m in members) and any(_painted(m) for m in members)
            if not shown:
                missing.append(ref)
    return [
        Finding(
            tile.id,
            len(tile.steps),
            "final-picture",
            f"{ref} is not on screen in the final picture (show it, or list it in the tile's `transient`)",
            (ref,),
        )
        for ref in missing
    ]


def picture_signature(scene: Any) -> str:
    """A digest of what is on screen: every painted mobject's outline, stroke and fill, in drawing order."""
    import hashlib

    import numpy as np

    h = hashlib.sha1()
    for top in scene.mobjects:
        for m in top.get_family():
            if not len(m.points) or not _painted(m):
                continue
            h.update(np.round(np.asarray(m.points, dtype=float), 3).tobytes())
            for attr in ("stroke_rgbas", "fill_rgbas"):
                h.update(np.round(np.asarray(getattr(m, attr, ()), dtype=float), 3).tobytes())
            h.update(str(round(float(getattr(m, "stroke_width", 0) or 0), 3)).encode())
    return h.hexdigest()


def check_key_points(pic: Picture, tile: Tile) -> list[Finding]:
    """Each key point's elements are in the final picture, not dimmed, and their texts at least MIN_TEXT_PX."""
    out = []
    for k, kp in enumerate(tile.key_points or [], 1):
        for ref in kp.shown_by:
            items = [i for i in pic.items if i.ref == ref or ("." not in ref and i.ref.startswith(ref + "."))]
            problem = ""
            if not items:
                problem = "is not on screen at the end"
            elif all(i.dimmed for i in items):
                problem = "is dimmed at the end"
            else:
                for i in items:
                    px = text_line_px(i.mob) if i.part == "text" else None
                    if px is not None and px < MIN_TEXT_PX - 0.05:
                        problem = f"has text {i.describe()} only {px:.1f} px tall (minimum {MIN_TEXT_PX} px)"
                        break
            if problem:
                out.append(Finding(tile.id, len(tile.steps), "key-points",
                                   f"key point {k} ('{kp.point[:48]}{'…' if len(kp.point) > 48 else ''}'): "
                                   f"{ref} {problem}", (ref,), tuple(i.bbox for i in items)))
    return out


# ---------------------------------------------------------------- driver


@dataclass
class TileReport:
    """The findings for one tile, and how long the lint took."""

    tile: str
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    pngs: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


def lint_tile(
    tile: Tile,
    layer: Layer,
    number: int,
    work: Path,
    themes: tuple[str, ...] = ("dark", "light"),
    png_dir: Path | None = None,
    png_all: bool = False,
) -> TileReport:
    """Build a tile's scene without encoding and check the picture after every step."""
    import time

    from scenes.worker import render_frames

    t0 = time.perf_counter()
    report = TileReport(tile.id)
    check_themes = tuple(THEMES[t] for t in themes)
    first_seen: dict[tuple[str, str, tuple[str, ...]], Finding] = {}
    signatures: list[str] = []
    later: dict[tuple[str, str, tuple[str, ...]], list[int]] = {}

    def on_step_end(scene: Any, index: int) -> None:
        scene.update_mobjects(0)  # run updaters, as a drawn frame would (skipped waits do not)
        pic = snapshot(scene, tile, check_themes)
        new: list[Finding] = []
        for check in PICTURE_RULES.values():
            for p in check(pic):
                f = Finding(tile.id, index + 1, p.rule, p.message, p.refs, p.boxes)
                if f.key() in first_seen:
                    steps = later.setdefault(f.key(), [])
                    if index + 1 not in steps and first_seen[f.key()].step != index + 1:
                        steps.append(index + 1)
                else:
                    first_seen[f.key()] = f
                    new.append(f)
        signatures.append(picture_signature(scene))
        if index > 0 and signatures[-1] == signatures[-2]:
            f = Finding(tile.id, index + 1, "step-unchanged",
                        f"step {index + 1} ends on the same picture as step {index}: leave a lasting change (show, "
                        "recolor, dim, a highlight) or fold it into the step before")
            first_seen[f.key()] = f
            new.append(f)
        if index == len(tile.steps) - 1:
            final = check_final_picture(scene, tile) + check_key_points(pic, tile)
            for f in final:
                first_seen[f.key()] = f
            new += final
        if png_dir is not None and (new or png_all):
            report.pngs.append(write_debug_png(scene, new, png_dir / f"{tile.id}-step{index + 1:02d}.png"))

    scene = render_frames(tile, layer, number, LINT_QUALITY, themes[0], work, None, on_step_end)
    findings = [
        Finding(f.tile, f.step, f.rule, f.message, f.refs, f.boxes, tuple(sorted(later.get(f.key(), []))))
        for f in first_seen.values()
    ]
    findings.sort(key=lambda f: (f.step or 0, list(RULES).index(f.rule), f.refs, f.message))
    findings += check_timing(tile, float(scene.renderer.time), float(getattr(scene, "settled_at", 0.0)))
    report.findings = findings
    report.seconds = time.perf_counter() - t0
    return report


def work_dir(cache: Path) -> Path:
    """A worker slot under the build cache: Manim's TeX and text caches, shared with the render workers."""
    from scenes.worker import _acquire_slot

    return _acquire_slot(cache)


def lint_tiles(
    spec: Spec,
    ids: list[str] | None,
    work: Path,
    themes: tuple[str, ...] = ("dark", "light"),
    png_dir: Path | None = None,
    done: Callable[[TileReport], None] | None = None,
    png_all: bool = False,
) -> list[TileReport]:
    """Lint the authored tiles of a spec (or those named), one after another."""
    reports = []
    for layer, tile in spec.tiles():
        if (ids and tile.id not in ids) or tile.status != "authored":
            continue
        try:
            rep = lint_tile(tile, layer, spec.number_of(tile.id), work, themes, png_dir, png_all)
        except Exception as e:  # a tile that cannot be built is a finding, not a crash of the whole lint
            log.debug("lint of %s failed", tile.id, exc_info=True)
            rep = TileReport(
                tile.id, [Finding(tile.id, None, "build", f"the scene could not be built: {type(e).__name__}: {e}")]
            )
        reports.append(rep)
        if done:
            done(rep)
    return reports


