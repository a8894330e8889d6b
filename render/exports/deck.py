"""The reveal.js slide decks: the whole study path and one deck per layer, in build/slides.

Each layer opens with a title slide, then one slide per rendered tile: its title, tagline and
video, with the tile's steps as reveal.js fragments. site/static/deck.js plays the video to the
end of the current step and pauses, so Right/Space walks through the steps, then the tiles.
The tile's notes and interview questions are the speaker notes (press S).

Everything the decks need is copied next to them (reveal.js from node_modules, pinned in
package.json; the tiles' media as hard links), so they work offline from file://.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from render.exports import Export, ExportError, stamp, up_to_date
from render.exports.gallery import STATIC, TEMPLATES, LayerView, TileView, get_env, link_tree, prune, write_if_changed
from render.files import atomic_copy, digest_files
from render.plan import ROOT

log = logging.getLogger(__name__)

TEMPLATE = "deck.html.j2"
DECK_ASSETS = ("deck.js", "deck.css")  # from site/static, copied next to the decks
REVEAL_FILES = ("reveal.js", "reveal.css", "reset.css", "theme/white.css", "plugin/notes.js")
DEFAULT_FPS = 30.0


def reveal_dist() -> Path:
    """node_modules/reveal.js/dist, or an ExportError naming the command that installs it."""
    dist = ROOT / "node_modules" / "reveal.js" / "dist"
    missing = [name for name in REVEAL_FILES if not (dist / name).is_file()]
    if missing:
        raise ExportError(f"reveal.js is not installed ({dist / missing[0]} is missing): "
                          "run `make node-deps` (npm ci)")
    return dist


@dataclass(frozen=True)
class Deck:
    """One deck file: its layers, in order (one layer for a per-layer deck)."""

    name: str  # file name in out/
    title: str
    layers: list[tuple[LayerView, list[TileView]]]
    whole: bool


def tile_fps(export: Export, tile: TileView) -> float:
    """The frame rate the tile was rendered at (from meta.json), to stop on a step's last frame."""
    try:
        fps = float(json.loads((export.media / tile.id / "meta.json").read_text(encoding="utf-8"))["fps"])
    except (OSError, ValueError, KeyError, TypeError):
        return DEFAULT_FPS
    return fps if fps > 0 else DEFAULT_FPS


def decks_of(export: Export) -> list[Deck]:
    """The whole deck (index.html) and one deck per layer with rendered tiles."""
    layers = [(layer, export.rendered_of(layer)) for layer in export.layers]
    title = export.gallery.title
    decks = [Deck("index.html", title, layers, whole=True)]
    for layer, tiles in layers:
        decks.append(Deck(f"{layer.id}.html", f"{layer.index}. {layer.title} · {title}", [(layer, tiles)], False))
    return decks


def build_deck(export: Export, out: Path) -> list[Path]:
    """Write the reveal.js decks into out (index.html and <layer id>.html); return the deck files.

    Nothing is written when out/.stamp records the same inputs and every output exists.
    """
    dist = reveal_dist()
    decks = decks_of(export)
    files = [out / d.name for d in decks]
    assets = [STATIC / name for name in DECK_ASSETS]
    reveal_sources = [dist / name for name in REVEAL_FILES]
    digest = export.digest(TEMPLATES / TEMPLATE, *assets, *reveal_sources, Path(__file__))
    outputs = [
        *files,
        *(out / name for name in DECK_ASSETS),
        *(out / "reveal" / name for name in REVEAL_FILES),
        *(out / "media" / t.id / "video.mp4" for t in export.tiles),
    ]
    if up_to_date(out, digest, outputs):
        log.info("slides: up to date in %s", out)
        return files

    out.mkdir(parents=True, exist_ok=True)
    reveal = {out / "reveal" / name: dist / name for name in REVEAL_FILES}
    if (dist.parent / "LICENSE").is_file():
        reveal[out / "reveal" / "LICENSE"] = dist.parent / "LICENSE"
    copy_files(reveal, out / "reveal")
    for name in DECK_ASSETS:
        copy_files({out / name: STATIC / name}, None)
    for t in export.tiles:
        link_tree(export.media / t.id, out / "media" / t.id)
    prune(out / "media", {t.id for t in export.tiles})

    version = asset_version([*assets, *reveal_sources])
    fps = {t.id: tile_fps(export, t) for t in export.tiles}
    template = get_env().get_template(TEMPLATE)
    for deck, path in zip(decks, files, strict=True):
        write_if_changed(path, template.render(deck=deck, g=export.gallery, fps=fps, version=version))
    wanted = {p.name for p in files}
    for stale in sorted(out.glob("*.html")):
        if stale.name not in wanted:
            stale.unlink()
    stamp(out, digest)
    log.info("slides: %d decks, %d tiles in %s", len(files), len(export.tiles), out)
    return files


def copy_files(pairs: dict[Path, Path], folder: Path | None) -> None:
    """Copy each source to its target unless the target already holds the same bytes.

    With a folder, files under it that are not targets are removed (stale files of an older reveal.js).
    Copies, not hard links: the files in node_modules must not change when a deck is edited.
    """
    for target, src in pairs.items():
        if target.is_file() and target.read_bytes() == src.read_bytes():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_copy(src, target)
    if folder is None:
        return
    for f in sorted(folder.rglob("*"), reverse=True):
        if f.is_file() and f not in pairs:
            f.unlink()
        elif f.is_dir() and not any(f.iterdir()):
            f.rmdir()


def asset_version(paths: list[Path]) -> str:
    """A short hash of the scripts and styles, appended to their URLs so browsers reload changed files."""
    return digest_files(paths)
