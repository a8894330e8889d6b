"""Decide which tiles need rendering: content hash against the cache manifest.

The hash covers the tile's spec, its layer's title, its number, the theme, the
quality preset, the source of render/ and scenes/, and the versions of the tools
that shape the output (Manim, ffmpeg, Graphviz, LaTeX).
"""

from __future__ import annotations

import functools
import hashlib
import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from render.files import atomic_write_text
from spec import Layer, Spec, Tile

ROOT = Path(__file__).resolve().parent.parent
# The packages whose code shapes a tile's pictures: the spec's models and vetted functions, the drawing,
# the layout, the worker and the encoder. Every Python file under them is hashed; code elsewhere
# (plan, CLI, lint, gallery, exports, bench) only decides or reports, and editing it re-renders nothing.
SOURCE_DIRS = ("spec", "scenes")


@dataclass(frozen=True)
class PlannedTile:
    layer: Layer
    tile: Tile
    number: int
    content_hash: str
    stale: bool


@functools.cache
def source_digest() -> str:
    """Hash of every Python file under the packages that shape the pictures (SOURCE_DIRS)."""
    h = hashlib.sha256()
    for d in SOURCE_DIRS:
        for path in sorted((ROOT / d).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            h.update(rel.encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def _first_line(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return "missing"
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0] if text else "unknown"


@functools.cache
def tool_versions() -> dict[str, str]:
    """Versions of the tools whose output ends up in the files."""
    from importlib.metadata import version

    commands = {"ffmpeg": ["ffmpeg", "-version"], "dot": ["dot", "-V"], "latex": ["latex", "--version"]}
    with ThreadPoolExecutor(len(commands)) as pool:  # the three start-ups overlap
        lines = dict(zip(commands, pool.map(_first_line, commands.values()), strict=True))
    return {"manim": version("manim"), **lines}


def content_hash(layer: Layer, tile: Tile, number: int, theme: str, quality: str) -> str:
    payload = {
        "tile": tile.model_dump(mode="json", by_alias=True),
        "layer": {"id": layer.id, "title": layer.title},
        "number": number,
        "theme": theme,
        "quality": quality,
        "source": source_digest(),
        "tools": tool_versions(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class Manifest:
    """build/cache/manifest-<theme>.json: tile id -> content hash of the outputs on disk."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.entries: dict[str, str] = json.loads(path.read_text())
        except (OSError, ValueError):
            self.entries = {}

    def get(self, tile_id: str) -> str | None:
        return self.entries.get(tile_id)

    def set(self, tile_id: str, digest: str) -> None:
        self.entries[tile_id] = digest
        self.save()

    def drop(self, tile_id: str) -> None:
        if self.entries.pop(tile_id, None) is not None:
            self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.path, json.dumps(self.entries, indent=1, sort_keys=True))


def outputs_present(media_dir: Path) -> bool:
    """True when the tile folder has its meta.json and every file it lists."""
    meta = media_dir / "meta.json"
    try:
        data = json.loads(meta.read_text())
    except (OSError, ValueError):
        return False
    files = [v for k, v in data.get("outputs", {}).items() if k != "steps"] + data.get("outputs", {}).get("steps", [])
    return all((media_dir / f).is_file() for f in files)


def plan(spec: Spec, ids: list[str] | None, media_root: Path, manifest: Manifest, theme: str, quality: str,
         force: bool) -> list[PlannedTile]:
    """Return the authored tiles asked for, each marked stale or fresh."""
    out = []
    for number, (layer, tile) in enumerate(spec.tiles(), 1):
        if ids and tile.id not in ids:
            continue
        if tile.status != "authored":
            continue
        digest = content_hash(layer, tile, number, theme, quality)
        fresh = not force and manifest.get(tile.id) == digest and outputs_present(media_root / tile.id)
        out.append(PlannedTile(layer, tile, number, digest, stale=not fresh))
    return out
