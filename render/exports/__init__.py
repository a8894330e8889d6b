"""The exports (reveal.js decks, PowerPoint files, PDF handouts, then the gallery) and what they read.

One interface and one registry: an export is a module with a build function
`build(export, out) -> list[Path]` and one line in EXPORTERS.

Every export reads the same thing: the rendered tiles of one theme (light by default,
because slide decks and printouts are white), in seed order, grouped by layer, with
their step times, notes and questions from meta.json and the spec. Builders skip their
work when nothing they read has changed (a stamp file per output folder).
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from render.exports.gallery import Gallery, LayerView, StepView, TileView, context
from render.files import atomic_write_text
from render.plan import ROOT
from scenes.worker import OUTPUTS
from spec import Spec

EXPORT_THEME = "light"


class ExportError(Exception):
    """An export cannot be built (for example nothing is rendered in its theme)."""


@dataclass(frozen=True)
class Export:
    """The rendered tiles of one theme, as every export builder sees them."""

    gallery: Gallery
    media: Path  # the theme's media folder: <media>/<tile id>/video.mp4, ...
    theme: str

    # The catalogue as files on disk (the gallery's views carry URLs for pages; builders of files read paths).
    def folder(self, tile: TileView) -> Path:
        """A rendered tile's folder in this theme's media."""
        return self.media / tile.id

    def video(self, tile: TileView) -> Path:
        return self.folder(tile) / OUTPUTS["mp4"]

    def poster(self, tile: TileView) -> Path:
        return self.folder(tile) / OUTPUTS["poster"]

    def step_picture(self, tile: TileView, step: StepView) -> Path:
        return self.folder(tile) / "steps" / f"{step.index:02d}.png"

    @property
    def tiles(self) -> list[TileView]:
        """Every rendered tile, in seed order."""
        return [t for t in self.gallery.tiles if t.rendered]

    @property
    def layers(self) -> list[LayerView]:
        """The layers with at least one rendered tile (their tiles still include unrendered ones)."""
        return [layer for layer in self.gallery.layers if layer.rendered]

    @staticmethod
    def rendered_of(layer: LayerView) -> list[TileView]:
        return [t for t in layer.tiles if t.rendered]

    @property
    def missing(self) -> list[str]:
        """Authored tiles with no complete render in this theme."""
        return [t.id for t in self.gallery.tiles if t.status == "authored" and not t.rendered]

    def digest(self, *sources: Path, extra: Iterable[str] = ()) -> str:
        """A hash of what an export reads: each rendered tile's meta.json, the spec text and the given sources."""
        h = hashlib.sha256(self.theme.encode())
        h.update(json.dumps(self.gallery.data(), sort_keys=True).encode())
        for t in self.tiles:
            h.update((self.media / t.id / "meta.json").read_bytes())
        for src in sources:
            for f in sorted(src.rglob("*")) if src.is_dir() else [src]:
                if f.is_file():
                    h.update(f.relative_to(ROOT).as_posix().encode() if f.is_relative_to(ROOT) else f.name.encode())
                    h.update(f.read_bytes())
        for item in extra:
            h.update(item.encode())
        return h.hexdigest()


def load(spec: Spec, media: Path, theme: str = EXPORT_THEME) -> Export:
    """The rendered tiles of a theme; an ExportError naming the command to run when none are rendered."""
    export = Export(context(spec, media), media, theme)
    if not export.tiles:
        flag = "" if theme == "dark" else f" --theme {theme}"
        raise ExportError(f"no tile is rendered in the {theme} theme (in {media}); "
                          f"render first: python -m render render{flag}")
    return export


STAMP = ".stamp"


def up_to_date(out: Path, digest: str, outputs: Iterable[Path]) -> bool:
    """True when out/.stamp holds digest and every expected output exists."""
    try:
        same = (out / STAMP).read_text(encoding="utf-8").strip() == digest
    except OSError:
        return False
    return same and all(p.is_file() for p in outputs)


def stamp(out: Path, digest: str) -> None:
    """Record that out/ was built from digest."""
    atomic_write_text(out / STAMP, digest + "\n")


@dataclass(frozen=True)
class Exporter:
    """One output built from the rendered tiles of a theme: where it goes and the function that writes it."""

    name: str
    folder: str  # under the build directory
    target: str  # "module:function", imported when the export runs (each pulls in its own libraries)
    help: str

    def function(self) -> Callable[..., list[Path]]:
        module, _, fn = self.target.partition(":")
        return getattr(importlib.import_module(module), fn)  # type: ignore[no-any-return]

    def build(self, export: Export, build_dir: Path, **options: object) -> list[Path]:
        return self.function()(export, build_dir / self.folder, **options)


# The one registry of exports, in the order they are built (the gallery links whatever they wrote).
EXPORTERS: dict[str, Exporter] = {e.name: e for e in (
    Exporter("deck", "slides", "render.exports.deck:build_deck", "reveal.js decks, whole and per layer"),
    Exporter("pptx", "slides/pptx", "render.exports.powerpoint:build_pptx", "PowerPoint files, per layer and all"),
    Exporter("handouts", "print", "render.exports.handout:build_handouts", "PDF handouts, A4 and Letter"),
)}


def site_folders(build_dir: Path) -> dict[str, Path]:
    """The export folders the gallery mirrors into the site (top-level folders of the registry)."""
    names = dict.fromkeys(e.folder.split("/")[0] for e in EXPORTERS.values())
    return {name: build_dir / name for name in names}
