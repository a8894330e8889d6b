"""Build the static gallery under build/site from the tiles' meta.json and site/ templates.

The site is plain HTML/CSS/JS: an index with every layer and tile, a player dialog
filled by JavaScript from data embedded in the page (no fetch, so it works from
file://), and one standalone page per tile under t/ for sharing and iframes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from render.exports import webassets
from render.exports.cards import FSRS_NAME, FSRS_UMD, vendor_scheduler, write_review
from render.files import atomic_copy, atomic_write_text, digest_files
from render.plan import ROOT
from spec import Question, Spec, Tile
from spec.tile import PRIORITIES

if TYPE_CHECKING:
    import jinja2
    from markupsafe import Markup

log = logging.getLogger(__name__)
PAN_ZOOM_NAME = "svg-pan-zoom.min.js"  # copied into static/ by the study views (render/exports/studymap.py)
TEMPLATES = ROOT / "site" / "templates"
STATIC = ROOT / "site" / "static"
TIMING_RE = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)")


@dataclass(frozen=True)
class StepView:
    """One step of a rendered tile, as the player lists it."""

    index: int
    title: str
    say: str
    start: float
    end: float
    png: str  # URL relative to the site root


@dataclass(frozen=True)
class Cue:
    """One caption cue (start and end in seconds)."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class MediaView:
    """Where a rendered tile's files are, relative to the site root, and their sizes."""

    mp4: str
    gif: str
    poster: str
    thumb: str
    captions: str
    chapters: str
    width: int
    height: int
    thumb_width: int
    thumb_height: int
    duration: float
    steps: tuple[StepView, ...]
    cues: tuple[Cue, ...]


@dataclass(frozen=True)
class TileView:
    """One tile of the gallery: its text, and its media when it is rendered."""

    id: str
    number: int
    title: str
    tagline: str
    status: str  # "authored" or "planned" in the spec
    layer_id: str
    layer_title: str
    notes: tuple[str, ...]
    questions: tuple[Question, ...]
    media: MediaView | None = None
    light: MediaView | None = None  # the light-theme render, offered as second downloads
    deck: str | None = None  # this tile's slide in its layer's reveal.js deck
    pptx: str | None = None  # its layer's PowerPoint file
    # {point, priority, formula, boxes: [{ref, box: [left, top, right, bottom] as fractions of the poster]}}
    key_points: tuple[dict[str, Any], ...] = ()

    def priority_label(self, priority: str | None) -> str:
        return PRIORITIES.get(priority or "", "")

    @property
    def rendered(self) -> bool:
        return self.media is not None

    @property
    def state(self) -> str:
        """What a person sees: rendered, or a placeholder that is planned or not rendered yet."""
        if self.media is not None:
            return "rendered"
        return "planned" if self.status == "planned" else "unrendered"

    def downloads(self) -> list[dict[str, str | None]]:
        """The player's download links, declared once for the page scripts and the standalone page.

        Each is {label, href (relative to the site root), download (file name; None for a plain link)}.
        """
        m = self.media
        if m is None:
            return []
        out: list[dict[str, str | None]] = [
            {"label": "Video (MP4)", "href": m.mp4, "download": f"{self.id}.mp4"},
            {"label": "Looping GIF", "href": m.gif, "download": f"{self.id}.gif"},
            {"label": "Poster (PNG)", "href": m.poster, "download": f"{self.id}.png"},
        ]
        out += [{"label": f"Step {s.index} (PNG)", "href": s.png, "download": f"{self.id}-step-{s.index:02d}.png"}
                for s in m.steps]
        if self.light is not None:
            lm = self.light
            out += [{"label": "Light video (MP4)", "href": lm.mp4, "download": f"{self.id}-light.mp4"},
                    {"label": "Light GIF", "href": lm.gif, "download": f"{self.id}-light.gif"},
                    {"label": "Light poster (PNG)", "href": lm.poster, "download": f"{self.id}-light.png"}]
        if self.deck:
            out.append({"label": "Open in the slide deck", "href": self.deck, "download": None})
        if self.pptx:
            out.append({"label": f"{self.layer_title} slides (PowerPoint)", "href": self.pptx, "download": ""})
        return out

    def data(self) -> dict[str, Any]:
        """The JSON-safe record the page scripts read."""
        out: dict[str, Any] = {
            "id": self.id,
            "number": self.number,
            "title": self.title,
            "tagline": self.tagline,
            "state": self.state,
            "layer": self.layer_id,
            "layerTitle": self.layer_title,
            "notes": list(self.notes),
            "keyPoints": [{**kp, "priorityLabel": self.priority_label(kp.get("priority"))} for kp in self.key_points],
            "questions": [q.model_dump(exclude_none=True) for q in self.questions],
        }
        m = self.media
        if m is not None:
            out["media"] = {
                "mp4": m.mp4,
                "gif": m.gif,
                "poster": m.poster,
                "thumb": m.thumb,
                "captions": m.captions,
                "chapters": m.chapters,
                "width": m.width,
                "height": m.height,
                "duration": m.duration,
            }
            out["steps"] = [
                {"index": s.index, "title": s.title, "say": s.say, "start": s.start, "end": s.end, "png": s.png}
                for s in m.steps
            ]
            out["cues"] = [[c.start, c.end, c.text] for c in m.cues]
        if m is not None and self.light is not None:
            lm = self.light
            out["light"] = {"mp4": lm.mp4, "gif": lm.gif, "poster": lm.poster, "captions": lm.captions,
                            "width": lm.width, "height": lm.height}
        out["exports"] = {k: v for k, v in (("deck", self.deck), ("pptx", self.pptx)) if v and m is not None}
        if m is not None:
            out["downloads"] = self.downloads()
        return out


@dataclass(frozen=True)
class LayerView:
    """One layer: its tiles in seed order."""

    id: str
    index: int
    title: str
    blurb: str
    tiles: tuple[TileView, ...]
    deck: str | None = None  # the layer's reveal.js deck, when built
    pptx: str | None = None  # the layer's PowerPoint file, when built

    @property
    def rendered(self) -> int:
        return sum(1 for t in self.tiles if t.rendered)


@dataclass(frozen=True)
class ExportLink:
    """A file made from every tile (a deck, a PowerPoint file, a handout), as the gallery links it."""

    label: str
    url: str
    size: int  # bytes; 0 for an HTML deck

    @property
    def download(self) -> bool:
        return not self.url.endswith(".html")


# Whole-path exports the gallery links when they exist: (label, path under the site).
EXPORT_FILES = (
    ("Slide deck (reveal.js)", "slides/index.html"),
    ("PowerPoint (all layers)", "slides/pptx/all.pptx"),
    ("PDF handout, A4", "print/handout-a4.pdf"),
    ("PDF handout, Letter", "print/handout-letter.pdf"),
    ("Every step, A4 (PDF)", "print/steps-a4.pdf"),
    ("Every step, Letter (PDF)", "print/steps-letter.pdf"),
)


@dataclass(frozen=True)
class Gallery:
    """Everything the page templates see."""

    title: str
    description: str
    layers: tuple[LayerView, ...]
    version: str = ""  # short hash of the static assets, to bust browser caches
    exports: tuple[ExportLink, ...] = ()  # whole-study-path decks, PowerPoint files and handouts that exist

    @property
    def tiles(self) -> list[TileView]:
        return [t for layer in self.layers for t in layer.tiles]

    @property
    def count(self) -> int:
        return len(self.tiles)

    @property
    def rendered(self) -> int:
        return sum(1 for t in self.tiles if t.rendered)

    def neighbours(self, tile_id: str) -> tuple[TileView | None, TileView | None]:
        """The rendered tiles just before and after a tile, in seed order (for the tile pages' pager)."""
        tiles = self.tiles
        i = next(n for n, t in enumerate(tiles) if t.id == tile_id)
        before = [t for t in tiles[:i] if t.rendered]
        after = [t for t in tiles[i + 1 :] if t.rendered]
        return (before[-1] if before else None), (after[0] if after else None)

    def data(self) -> dict[str, Any]:
        """The JSON-safe record embedded in the index page."""
        return {
            "title": self.title,
            "layers": [
                {"id": layer.id, "title": layer.title, "tiles": [t.id for t in layer.tiles]} for layer in self.layers
            ],
            "tiles": [t.data() for t in self.tiles],
        }


def _jinja_cache() -> Path:
    """Compiled templates, kept between runs (Jinja checks each template's modification time)."""
    folder = Path(tempfile.gettempdir()) / f"diagrams-jinja-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def get_env() -> jinja2.Environment:
    """The one Jinja environment: templates from site/templates, autoescaped."""
    import jinja2  # here, not at the top: a no-op run never builds a page
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        bytecode_cache=jinja2.FileSystemBytecodeCache(str(_jinja_cache())),
        autoescape=jinja2.select_autoescape(["html", "j2"], default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["clock"] = clock
    env.globals.update(inline_css=inline_css, thumbs=thumbs, thumb_sizes=webassets.THUMB_SIZES, eager=set())
    env.filters["filesize"] = filesize
    # tojson escapes <, >, & and ' so the result is safe inside <script> and attributes.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False, "separators": (",", ":")}
    return env


def clock(seconds: float) -> str:
    """Format seconds as m:ss."""
    s = int(seconds)
    return f"{s // 60}:{s % 60:02d}"


def filesize(size: int) -> str:
    """Bytes as a short human size: 850 KB, 12.3 MB."""
    if size < 1_000_000:
        return f"{max(1, round(size / 1000))} KB"
    return f"{size / 1_000_000:.1f} MB"


def read_meta(media: Path, tile_id: str) -> dict[str, Any] | None:
    """Return a tile's meta.json, or None when it is missing or unreadable."""
    try:
        meta = json.loads((media / tile_id / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def png_size(path: Path) -> tuple[int, int] | None:
    """Return (width, height) from a PNG's header, or None if it is not a readable PNG."""
    try:
        with path.open("rb") as fh:
            head = fh.read(24)
    except OSError:
        return None
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    w, h = struct.unpack(">II", head[16:24])
    return int(w), int(h)


def parse_vtt(text: str) -> list[Cue]:
    """Parse the cues of a WebVTT file (timings and text; cue settings are ignored)."""
    cues = []
    for block in re.split(r"\r?\n\s*\r?\n", text.strip()):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            m = TIMING_RE.match(line)
            if m:
                body = "\n".join(lines[i + 1 :]).strip()
                cues.append(Cue(vtt_seconds(m.group(1)), vtt_seconds(m.group(2)), body))
                break
    return cues


def vtt_seconds(stamp: str) -> float:
    """Convert a WebVTT timestamp (hh:mm:ss.ttt or mm:ss.ttt) to seconds."""
    total = 0.0
    for part in stamp.split(":"):
        total = total * 60 + float(part)
    return round(total, 3)


def media_view(media: Path, tile_id: str, meta: dict[str, Any], prefix: str = "media") -> MediaView | None:
    """Describe a rendered tile's files (URLs under prefix/); None when meta.json lists files that are missing."""
    folder = media / tile_id
    try:
        outputs = meta["outputs"]
        names = {k: str(outputs[k]) for k in ("mp4", "gif", "poster", "thumb", "captions", "chapters")}
        steps = [
            StepView(
                int(s["index"]),
                str(s["title"]),
                str(s["say"]),
                float(s["start"]),
                float(s["end"]),
                f"{prefix}/{tile_id}/{s['png']}",
            )
            for s in meta["steps"]
        ]
        width, height, duration = int(meta["width"]), int(meta["height"]), float(meta["duration"])
    except (KeyError, TypeError, ValueError) as e:
        log.warning("%s: meta.json is incomplete (%s); shown as not rendered", tile_id, e)
        return None
    missing = [n for n in [*names.values(), *(s.png.split("/", 2)[2] for s in steps)] if not (folder / n).is_file()]
    if missing:
        log.warning("%s: missing %s; shown as not rendered", tile_id, ", ".join(missing))
        return None
    thumb = png_size(folder / names["thumb"]) or (480, round(480 * height / width))
    try:
        cues = parse_vtt((folder / names["captions"]).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        cues = []
    if not cues:
        cues = [Cue(s.start, s.end, s.say) for s in steps]
    base = f"{prefix}/{tile_id}/"
    return MediaView(
        mp4=base + names["mp4"],
        gif=base + names["gif"],
        poster=base + names["poster"],
        thumb=base + names["thumb"],
        captions=base + names["captions"],
        chapters=base + names["chapters"],
        width=width,
        height=height,
        thumb_width=thumb[0],
        thumb_height=thumb[1],
        duration=duration,
        steps=tuple(steps),
        cues=tuple(cues),
    )


def _key_points(tile: Tile, meta: dict[str, Any] | None) -> tuple[dict[str, Any], ...]:
    """A tile's key points: from its render (with the boxes of their elements in the poster), else from the spec."""
    if meta is not None and "key_points" in meta:
        return tuple(meta["key_points"])
    return tuple({"point": kp.point, "priority": kp.priority, "formula": kp.formula, "boxes": []}
                 for kp in tile.key_points or [])


def _light_view(light: Path | None, tile_id: str) -> MediaView | None:
    meta = read_meta(light, tile_id) if light is not None else None
    return media_view(light, tile_id, meta, "media-light") if light is not None and meta is not None else None


def _exported(site: Path | None, url: str) -> str | None:
    """url when the site holds that export (the part before any #fragment), else None."""
    return url if site is not None and (site / url.split("#", 1)[0]).is_file() else None


def context(spec: Spec, media: Path, prefix: str = "media", light: Path | None = None,
            site: Path | None = None) -> Gallery:
    """The data every page template sees: layers with their tiles, rendered or planned.

    light: the light theme's media folder (its renders become second downloads); site: the
    built site, whose slides/ and print/ folders say which exports to link.
    """
    layers = []
    number = 0
    for index, layer in enumerate(spec.layers, start=1):
        tiles = []
        deck = _exported(site, f"slides/{layer.id}.html")
        pptx = _exported(site, f"slides/pptx/{layer.id}.pptx")
        for tile in layer.tiles:
            number += 1
            meta = read_meta(media, tile.id) if tile.status == "authored" else None
            tiles.append(
                TileView(
                    id=tile.id,
                    number=number,
                    title=tile.title,
                    tagline=tile.tagline,
                    status=tile.status,
                    layer_id=layer.id,
                    layer_title=layer.title,
                    notes=tuple(tile.notes),
                    questions=tuple(tile.questions),
                    media=media_view(media, tile.id, meta, prefix) if meta is not None else None,
                    light=_light_view(light, tile.id) if tile.status == "authored" else None,
                    deck=f"{deck}#/{tile.id}" if deck else None,
                    pptx=pptx,
                    key_points=_key_points(tile, meta),
                )
            )
        layers.append(LayerView(layer.id, index, layer.title, layer.blurb, tuple(tiles), deck, pptx))
    links = tuple(
        ExportLink(label, url, 0 if url.endswith(".html") else (site / url).stat().st_size)
        for label, url in EXPORT_FILES
        if site is not None and _exported(site, url)
    )
    return Gallery(spec.title, spec.description, tuple(layers), version=static_version(), exports=links)


DATA_SCRIPT = "gallery-data.js"  # at the site's root: window.GALLERY_DATA, read by static/gallery.js
DATA_PREFIX = "window.GALLERY_DATA = "


def write_gallery_data(gallery: Gallery, site: Path) -> str:
    """Write the index's data script; return its URL (with a hash of its content, to bust caches)."""
    from jinja2.utils import htmlsafe_json_dumps  # escapes <, >, & and ': safe even if inlined in a page

    text = DATA_PREFIX + str(htmlsafe_json_dumps(gallery.data(), sort_keys=True, ensure_ascii=False,
                                                 separators=(",", ":"))) + ";\n"
    write_if_changed(site / DATA_SCRIPT, text)
    return f"{DATA_SCRIPT}?v={hashlib.sha256(text.encode()).hexdigest()[:10]}"


def read_gallery_data(site: Path) -> dict[str, Any]:
    """The data the index's script holds (for tests and tools)."""
    text = (site / DATA_SCRIPT).read_text(encoding="utf-8")
    assert text.startswith(DATA_PREFIX)
    return json.loads(text[len(DATA_PREFIX):].rstrip().rstrip(";"))  # type: ignore[no-any-return]


def inline_css(*names: str) -> Markup:
    """The minified stylesheets of site/static with these names, for a page's <style> element."""
    from markupsafe import Markup

    return Markup(webassets.inline_css(STATIC, *names))


def thumbs(t: TileView) -> webassets.Thumbs:
    """A rendered tile's thumbnails (made by webassets.make_thumbnails from its poster)."""
    m = t.media
    assert m is not None
    return webassets.thumbs_of(t.id, (m.width, m.height))


def static_version() -> str:
    """A short hash of site/static, appended to asset URLs so browsers reload changed files."""
    files = sorted(f for f in STATIC.rglob("*") if f.is_file()) if STATIC.is_dir() else []
    return digest_files(files, root=STATIC)


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
        atomic_copy(f, target, link=True)
    for f in sorted(dst.rglob("*"), reverse=True):
        if f.is_file() and f.relative_to(dst) not in wanted:
            f.unlink()
        elif f.is_dir() and not any(f.iterdir()):
            f.rmdir()


def link_tile(src: Path, dst: Path) -> None:
    """Mirror a rendered tile's folder, unless it is already linked.

    A render replaces every file and writes meta.json last, so when the site's meta.json is the
    same file as the render's, the whole folder is as it was linked (the no-op run stays fast).
    """
    try:
        if os.path.samefile(src / "meta.json", dst / "meta.json"):
            return
    except OSError:
        pass
    link_tree(src, dst)


def write_if_changed(path: Path, text: str) -> bool:
    """Write text atomically unless the file already holds it; return whether it was written."""
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except OSError:
        pass
    atomic_write_text(path, text)
    return True


def prune(folder: Path, keep: set[str]) -> None:
    """Remove the entries of folder whose names are not in keep (stale pages and media)."""
    if not folder.is_dir():
        return
    for entry in sorted(folder.iterdir()):
        if entry.name in keep:
            continue
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink()


SITE_STAMP = ".inputs"


def inputs_stamp(spec: Spec, media: Path, light: Path | None, exports: dict[str, Path]) -> str:
    """A digest of everything the gallery is built from, cheap to compute: the spec's content, and
    the identity (inode, size, mtime) of each tile's meta.json (written last by a render), of the
    exports' stamps and of the templates and static files. Equal digests: nothing to rebuild."""
    h = hashlib.sha256(spec.model_dump_json().encode())
    files = [f for folder in (media, light) if folder is not None for f in sorted(folder.glob("*/meta.json"))]
    files += [folder / ".stamp" for folder in exports.values()]
    files += [f for folder in (TEMPLATES, STATIC) for f in sorted(folder.rglob("*"))]
    files.append(FSRS_UMD)  # the flashcards' scheduler, copied from node_modules
    files.append(webassets.ESBUILD_PACKAGE / "package.json")  # the minifier's version
    files += [Path(__file__), Path(webassets.__file__)]  # how the pages, thumbnails and minified assets are made
    for f in files:
        try:
            st = f.stat()
        except OSError:
            h.update(f"{f}:missing".encode())
            continue
        h.update(f"{f}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()


def build_site(spec: Spec, media: Path, site: Path, light: Path | None = None,
               exports: dict[str, Path] | None = None) -> Path:
    """Write build/site: index.html, one page per tile under t/, static assets and media.

    light: the light theme's media folder, linked as media-light/ for second downloads.
    exports: folders mirrored into the site by name (slides/, print/) when they exist.
    """
    stamp = inputs_stamp(spec, media, light, exports or {})
    index = site / "index.html"
    try:
        if index.is_file() and (site / SITE_STAMP).read_text(encoding="utf-8") == stamp:
            log.info("gallery: up to date in %s", site)
            return index
    except OSError:
        pass
    (site / SITE_STAMP).unlink(missing_ok=True)
    env = get_env()
    site.mkdir(parents=True, exist_ok=True)
    if STATIC.is_dir():  # CSS and JS minified by esbuild (the pages inline the stylesheets), the rest linked
        webassets.publish_static(STATIC, site / "static", keep=(FSRS_NAME, PAN_ZOOM_NAME))
    env.globals["fsrs"] = vendor_scheduler(site)  # flashcards: ts-fsrs from node_modules (render/exports/cards.py)
    for name, folder in (exports or {}).items():
        if folder.is_dir():
            link_tree(folder, site / name)
        elif (site / name).is_dir():
            shutil.rmtree(site / name)
    gallery = context(spec, media, light=light, site=site)
    rendered = [t for t in gallery.tiles if t.rendered]
    for t in rendered:
        link_tile(media / t.id, site / "media" / t.id)
    prune(site / "media", {t.id for t in rendered})
    # responsive thumbnails from the posters (AVIF, WebP, a PNG fallback), made again only when a poster changes
    webassets.make_thumbnails({t.id: media / t.id / Path(t.media.poster).name for t in rendered if t.media}, site)
    first = gallery.layers[0].tiles[: webassets.FIRST_ROW] if gallery.layers else ()
    env.globals["eager"] = {t.id for t in first}
    with_light = [t for t in rendered if t.light is not None]
    for t in with_light:
        link_tile(light / t.id, site / "media-light" / t.id)  # type: ignore[operator]
    prune(site / "media-light", {t.id for t in with_light})
    # The player's data (every tile's steps, captions, key points, questions) goes in a deferred classic
    # script beside the page: a page of 100 KB paints at once instead of after the 800 KB of data.
    data_js = write_gallery_data(gallery, site)
    write_if_changed(index, env.get_template("index.html.j2").render(g=gallery, root="", data_js=data_js))
    write_review(env, gallery, site)
    page = env.get_template("tile.html.j2")
    for t in gallery.tiles:
        write_if_changed(site / "t" / f"{t.id}.html", page.render(g=gallery, t=t, root="../"))
    prune(site / "t", {f"{t.id}.html" for t in gallery.tiles})
    from render.exports.studymap import write_study_views  # the map, study order and night-before list

    write_study_views(spec, gallery, site, env)
    atomic_write_text(site / SITE_STAMP, stamp)
    log.info("gallery: %d tiles, %d rendered, in %s", gallery.count, gallery.rendered, site)
    return index
