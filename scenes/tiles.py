"""Every authored tile as a plain Manim Scene class, for the Manim CLI.

    manim render -qh scenes/tiles.py GradientDescentScene

reads diagrams.yaml (or the file named by $DIAGRAMS_SPEC) and renders the tile the
way Manim users expect. The pipeline (`python -m render render`) uses the same
director scene but encodes once per tile and caches by content hash.
"""

from __future__ import annotations

import os
from pathlib import Path

from manim import config

from scenes.director import TileScene
from spec import load_spec
from spec.theme import THEMES
from spec.tile import scene_class_name

SPEC = Path(os.environ.get("DIAGRAMS_SPEC", Path(__file__).resolve().parent.parent / "diagrams.yaml"))


class_name = scene_class_name


def _make(tile_id: str) -> type[TileScene]:
    def setup(self: TileScene) -> None:
        from scenes.worker import tex_template

        spec = load_spec(SPEC)
        layer, tile = spec.tile(tile_id)
        config.tex_template = tex_template()
        self.configure(tile, layer, spec.number_of(tile_id), THEMES[os.environ.get("DIAGRAMS_THEME", "dark")])

    return type(class_name(tile_id), (TileScene,), {"setup": setup, "__module__": __name__})


for _layer, _tile in load_spec(SPEC).tiles():
    if _tile.status == "authored":
        globals()[class_name(_tile.id)] = _make(_tile.id)
