"""Build the static gallery under build/site from the tiles' meta.json and site/ templates."""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path
from typing import Any

import jinja2

from render.plan import ROOT, atomic_write_text
from render.spec import Spec

log = logging.getLogger(__name__)
TEMPLATES = ROOT / "site" / "templates"
STATIC = ROOT / "site" / "static"


def get_env() -> jinja2.Environment:
    """The one Jinja environment: templates from site/templates, autoescaped."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"], default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def read_meta(media: Path, tile_id: str) -> dict[str, Any] | None:
    try:
        return json.loads((media / tile_id / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def link_tree(src: Path, dst: Path) -> None:
    """Mirror src into dst with hard links (copies across file systems); drop stale files."""
    dst.mkdir(parents=True, exist_ok=True)
    wanted = set()
    for f in sorted(src.rglob("*")):
        if f.is_dir() or f.name.startswith("."):
            continue
        rel = f.relative_to(src)
        wanted.add(rel)
        target = dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() and os.path.samefile(f, target):
            continue
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.unlink(missing_ok=True)
        try:
            os.link(f, tmp)
        except OSError:
            shutil.copy2(f, tmp)
        os.replace(tmp, target)
    for f in sorted(dst.rglob("*"), reverse=True):
        if f.is_file() and f.relative_to(dst) not in wanted:
            f.unlink()


def context(spec: Spec, media: Path) -> dict[str, Any]:
    """The data every page template sees: layers with their tiles, rendered or planned."""
    layers = []
    number = 0
    for layer in spec.layers:
        tiles = []
        for tile in layer.tiles:
            number += 1
            meta = read_meta(media, tile.id) if tile.status == "authored" else None
            tiles.append({
                "id": tile.id,
                "number": number,
                "title": tile.title,
                "tagline": tile.tagline,
                "status": tile.status,
                "rendered": meta is not None,
                "meta": meta or {},
                "notes": list(tile.notes),
                "questions": list(tile.questions),
            })
        layers.append({"id": layer.id, "title": layer.title, "blurb": layer.blurb, "tiles": tiles,
                       "index": len(layers) + 1})
    count = sum(len(layer["tiles"]) for layer in layers)
    rendered = sum(1 for layer in layers for t in layer["tiles"] if t["rendered"])
    return {"title": spec.title, "description": spec.description, "layers": layers, "count": count,
            "rendered": rendered}


def build_site(spec: Spec, media: Path, site: Path) -> Path:
    """Write build/site: index.html, static assets and the media the pages point at."""
    env = get_env()
    ctx = context(spec, media)
    site.mkdir(parents=True, exist_ok=True)
    if STATIC.is_dir():
        link_tree(STATIC, site / "static")
    for layer in ctx["layers"]:
        for t in layer["tiles"]:
            if t["rendered"]:
                link_tree(media / t["id"], site / "media" / t["id"])
    index = site / "index.html"
    atomic_write_text(index, env.get_template("index.html.j2").render(**ctx))
    return index
