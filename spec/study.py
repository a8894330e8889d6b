"""The study order: phases of tiles, checked against the prerequisites (`requires`) of the tiles.

A spec may declare `phases:` at its top level; when it does, every tile is in exactly one phase, and no tile
comes before one of its prerequisites (in an earlier phase, or earlier in the same phase).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import Field

from spec.base import Model, Slug, Text, suggest


class Phase(Model):
    """One phase of the study order: a name, why it comes here, and its tiles in the order to study them."""

    name: Text = Field(description="A short name: 'Foundations'.")
    reason: Text = Field(description="One line: why this phase comes here in the order.")
    tiles: list[Slug] = Field(min_length=1, description="The tiles of the phase (their ids), in study order.")


Err = Callable[[tuple[Any, ...], str], None]


def check_phases(data: dict[str, Any], requires: dict[str, list[str]], err: Err) -> None:
    """Every tile in exactly one phase, known ids only, and each tile after all its prerequisites.

    data: the whole file as plain data (read even when a model failed, so every error shows at once);
    requires: each valid tile's prerequisites.
    """
    phases = data.get("phases")
    if not isinstance(phases, list):
        return
    ids = [t["id"] for layer in data.get("layers") or [] if isinstance(layer, dict)
           for t in layer.get("tiles") or [] if isinstance(t, dict) and isinstance(t.get("id"), str)]
    known = set(ids)
    # Where each tile is placed: (phase index, position in the flattened order, data path).
    placed: dict[str, tuple[int, int, tuple[Any, ...]]] = {}
    order = 0
    for pi, phase in enumerate(phases):
        tiles = phase.get("tiles") if isinstance(phase, dict) else None
        if not isinstance(tiles, list):
            continue
        for ti, tid in enumerate(tiles):
            if not isinstance(tid, str):
                continue
            path = ("phases", pi, "tiles", ti)
            if tid not in known:
                err(path, f"unknown tile '{tid}'{suggest(tid, ids)}")
            elif tid in placed:
                err(path, f"tile '{tid}' is already in phase {_label(phases, placed[tid][0])}; "
                          "a tile belongs to exactly one phase")
            else:
                placed[tid] = (pi, order, path)
                order += 1
    missing = [tid for tid in ids if tid not in placed]
    if missing:
        err(("phases",), f"{len(missing)} tile(s) in no phase: {', '.join(missing)} (every tile belongs to "
                         "exactly one phase)")
    for tid, (pi, pos, path) in placed.items():
        for req in requires.get(tid, []):
            if req not in placed:
                continue
            rpi, rpos, _ = placed[req]
            if rpi > pi:
                err(path, f"tile '{tid}' is in phase {_label(phases, pi)}, before its prerequisite '{req}' "
                          f"in phase {_label(phases, rpi)}")
            elif rpi == pi and rpos > pos:
                err(path, f"tile '{tid}' is listed before its prerequisite '{req}' in the same phase "
                          f"{_label(phases, pi)}")


def _label(phases: list[Any], pi: int) -> str:
    """'2 (Classical ML)': a phase by its number and name."""
    name = phases[pi].get("name") if isinstance(phases[pi], dict) else None
    return f"{pi + 1} ({name})" if isinstance(name, str) else str(pi + 1)
