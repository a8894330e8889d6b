"""What makes the gallery fast on a phone: responsive thumbnails and minified CSS and JS, made in the site stage.

- Thumbnails: each rendered tile's poster (full resolution, kept for the player and the downloads)
  is scaled by Pillow to a few widths, in AVIF (when this Pillow can write it) and WebP, with one
  palette PNG as the fallback; the gallery offers them through <picture> and srcset, sized to how
  a tile is shown (THUMB_SIZES), so no tile re-renders and a phone loads about what it displays.
  They live in the site's thumbs/<tile id>/ and are made again only when the poster changes.
- CSS and JS: esbuild (pinned in package-lock.json) minifies site/static into the site's static/
  (classic scripts stay classic scripts: nothing is bundled or turned into a module, so the pages
  still work from file://). The pages inline their stylesheets (INLINE_STYLES), so nothing blocks
  the first paint. Node and esbuild are required: without them the site stage stops with the
  command to run.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from render.files import atomic_path, atomic_write_text
from render.plan import ROOT

ESBUILD_PACKAGE = ROOT / "node_modules" / "esbuild"
ESBUILD = ROOT / "node_modules" / ".bin" / "esbuild"
MINIFIED = (".js", ".css")  # what esbuild minifies; everything else in site/static is linked as it is

THUMBS = "thumbs"  # under the site
# Widths made from each poster (never wider than the poster; the poster's own width is added when it is
# narrower than the widest). A tile is at most about 380 CSS px wide on a phone and 340 on a wider
# screen (THUMB_SIZES), so these cover one to three device pixels per CSS pixel.
THUMB_WIDTHS = (360, 540, 720, 960)
FALLBACK_WIDTH = 480  # the one PNG, for browsers with neither AVIF nor WebP
# How wide a tile is shown (site/static/gallery.css: `.tiles` is an auto-fill grid of columns at least
# 250 px wide inside .wrap's padding): one column up to about 540 px, two up to 800, then 340 px or less.
THUMB_SIZES = "(max-width: 540px) calc(100vw - 1.5rem), (max-width: 800px) 50vw, 340px"
FIRST_ROW = 4  # tiles loaded eagerly with a high fetch priority (a row on a laptop); the rest are lazy
WEBP = {"quality": 80, "method": 4}
AVIF = {"quality": 60, "speed": 6}
FORMATS = (("avif", "image/avif", AVIF), ("webp", "image/webp", WEBP))


class AssetError(Exception):
    """The site's assets cannot be built (a tool it needs is missing or failed)."""


# ---------------------------------------------------------------- thumbnails


def avif_supported() -> bool:
    from PIL import features

    return bool(features.check("avif"))


def formats() -> list[tuple[str, str, dict[str, int]]]:
    """(extension, MIME type, encoder options) of the modern formats made, best first."""
    return [f for f in FORMATS if f[0] != "avif" or avif_supported()]


def thumb_widths(poster_width: int) -> list[int]:
    """The widths made from a poster of this width."""
    widths = [w for w in THUMB_WIDTHS if w < poster_width]
    if poster_width < THUMB_WIDTHS[-1]:
        widths.append(poster_width)
    return widths


def thumb_height(width: int, poster: tuple[int, int]) -> int:
    return max(1, round(width * poster[1] / poster[0]))


@dataclass(frozen=True)
class ThumbSource:
    """One <source> of a tile's <picture>: its type and srcset (URLs relative to the site root)."""

    type: str
    srcset: str


@dataclass(frozen=True)
class Thumbs:
    """A tile's thumbnails as the gallery's markup names them."""

    sources: tuple[ThumbSource, ...]
    fallback: str  # the PNG for the <img>
    width: int  # the fallback's size, also the <img>'s width and height (the aspect ratio)
    height: int
    files: tuple[tuple[str, int, int], ...]  # (URL, width, height) of every file, for the tests


def thumbs_of(tile_id: str, poster: tuple[int, int]) -> Thumbs:
    """The thumbnails of a tile whose poster has this size (what make_thumbnails writes)."""
    base = f"{THUMBS}/{tile_id}/"
    widths = thumb_widths(poster[0])
    sources, files = [], []
    for ext, mime, _ in formats():
        sources.append(ThumbSource(mime, ", ".join(f"{base}{w}.{ext} {w}w" for w in widths)))
        files += [(f"{base}{w}.{ext}", w, thumb_height(w, poster)) for w in widths]
    fw = min(FALLBACK_WIDTH, poster[0])
    fh = thumb_height(fw, poster)
    files.append((f"{base}{fw}.png", fw, fh))
    return Thumbs(tuple(sources), f"{base}{fw}.png", fw, fh, tuple(files))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def _encode(image: object, fmt: str, options: dict[str, int]) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **options)  # type: ignore[attr-defined]
    return buf.getvalue()


def _thumbnail_files(poster: Path, tile_id: str) -> dict[str, bytes]:
    """Every thumbnail of one poster, by file name."""
    from PIL import Image

    with Image.open(poster) as im:
        rgb = im.convert("RGB")
    size = rgb.size
    out = {}
    for url, w, h in thumbs_of(tile_id, size).files:
        name = url.rsplit("/", 1)[1]
        scaled = rgb if (w, h) == size else rgb.resize((w, h), Image.Resampling.LANCZOS)
        ext = name.rsplit(".", 1)[1]
        if ext == "png":  # 256 colours, as the poster itself is stored: a third of the bytes of full colour
            small = scaled.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
            out[name] = _encode(small, "PNG", {"optimize": True})
        else:
            out[name] = _encode(scaled, ext.upper(), dict(formats_by_ext()[ext]))
    return out


def formats_by_ext() -> dict[str, dict[str, int]]:
    return {ext: opts for ext, _, opts in formats()}


def _stamp(poster: Path) -> str:
    """What a tile's thumbnails are made from: the poster's bytes and the settings."""
    from PIL import __version__ as pillow

    h = hashlib.sha256(poster.read_bytes())
    h.update(json.dumps([THUMB_WIDTHS, FALLBACK_WIDTH, FORMATS, avif_supported(), pillow]).encode())
    return h.hexdigest()


def make_thumbnails(posters: dict[str, Path], site: Path) -> None:
    """Write thumbs/<tile id>/ for each tile (tile id -> its poster) unless the poster is unchanged; drop the rest."""
    folder = site / THUMBS
    folder.mkdir(parents=True, exist_ok=True)

    def one(item: tuple[str, Path]) -> None:
        tile_id, poster = item
        out = folder / tile_id
        stamp = _stamp(poster)
        try:
            if (out / ".stamp").read_text(encoding="utf-8") == stamp:
                return
        except OSError:
            pass
        files = _thumbnail_files(poster, tile_id)
        if out.is_dir():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        for name, data in files.items():
            atomic_write_bytes(out / name, data)
        atomic_write_text(out / ".stamp", stamp)

    # Pillow's encoders release the GIL: one thread per core.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        list(pool.map(one, sorted(posters.items())))
    for entry in sorted(folder.iterdir()):
        if entry.name not in posters:
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


# ---------------------------------------------------------------- CSS and JS


def esbuild() -> Path:
    """esbuild from node_modules (run by Node), or an AssetError naming the command that installs it."""
    if not ESBUILD.is_file():
        where = ESBUILD.relative_to(ROOT) if ESBUILD.is_relative_to(ROOT) else ESBUILD
        raise AssetError(f"esbuild is not installed ({where} is missing); it minifies the "
                         "gallery's CSS and JS: run `make node-deps` (npm ci --ignore-scripts), then `make site`")
    if shutil.which("node") is None:
        raise AssetError("Node.js is not installed (no `node` on PATH); the site stage runs esbuild with it: "
                         "install Debian's nodejs and npm, then run `make node-deps`")
    return ESBUILD


def minify(files: Iterable[Path], root: Path) -> dict[Path, bytes]:
    """Minify CSS and JS files with esbuild, in one run; return each file's minified bytes by its path under root.

    No bundling and no output format: a classic script stays a classic script (its top-level names
    are kept), so the pages still load it from file://.
    """
    files = sorted(files)
    if not files:
        return {}
    tool = esbuild()
    with tempfile.TemporaryDirectory(prefix="minify-") as tmp:
        cmd = [str(tool), *(str(f) for f in files), "--minify", "--charset=utf8", "--log-level=error",
               f"--outbase={root}", f"--outdir={tmp}"]
        try:
            res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        except OSError as e:
            raise AssetError(f"esbuild could not run: {e}") from e
        if res.returncode != 0:
            raise AssetError(f"esbuild failed (exit {res.returncode}): {res.stderr.strip() or res.stdout.strip()}")
        return {f.relative_to(root): (Path(tmp) / f.relative_to(root)).read_bytes() for f in files}


_minified: dict[tuple[str, ...], dict[Path, bytes]] = {}


def minified(src: Path) -> dict[Path, bytes]:
    """The CSS and JS of a static folder minified (by path under it), once per process while the files are unchanged."""
    files = [f for f in sorted(src.rglob("*")) if f.is_file() and f.suffix in MINIFIED and not f.name.startswith(".")]
    key = tuple(f"{f}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files)
    if key not in _minified:
        _minified.clear()
        _minified[key] = minify(files, src)
    return _minified[key]


def inline_css(src: Path, *names: str) -> str:
    """The minified stylesheets of a static folder with these names, for a page's <style> element."""
    styles = minified(src)
    missing = [n for n in names if Path(n) not in styles]
    if missing:
        raise AssetError(f"{src} has no stylesheet {', '.join(missing)}")
    return "\n".join(styles[Path(n)].decode("utf-8").strip() for n in names)


def publish_static(src: Path, dst: Path, keep: Iterable[str] = ()) -> None:
    """Mirror site/static into the site's static/: CSS and JS minified, the rest hard-linked; drop stale files
    (but not those named in keep: the libraries other steps copy from node_modules)."""
    from render.exports.gallery import write_if_changed
    from render.files import atomic_copy

    files = [f for f in sorted(src.rglob("*")) if f.is_file() and not f.name.startswith(".")]
    small = minified(src)
    dst.mkdir(parents=True, exist_ok=True)
    for f in files:
        rel = f.relative_to(src)
        target = dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel in small:
            # an atomic rename: a hard link left by an older site is replaced, never written through
            write_if_changed(target, small[rel].decode("utf-8"))
        elif not (target.exists() and os.path.samefile(f, target)):
            atomic_copy(f, target, link=True)
    wanted = {f.relative_to(src) for f in files} | {Path(k) for k in keep}
    for f in sorted(dst.rglob("*"), reverse=True):
        if f.is_file() and f.relative_to(dst) not in wanted:
            f.unlink()
        elif f.is_dir() and not any(f.iterdir()):
            f.rmdir()
