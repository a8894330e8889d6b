"""What makes the gallery fast (render/exports/webassets.py): thumbnails, minified assets, inline styles, deferred scripts.

The server's gzip is in test_serve.py; Lighthouse itself in test_lighthouse.py.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from render.exports import webassets
from render.exports.gallery import STATIC, build_site
from tests.conftest import ROOT, spec_text
from tests.gallery_site import AUTHORED, RenderedSite, copy_site, rendered_site

pytestmark = pytest.mark.render

MIME = {"image/avif": "AVIF", "image/webp": "WEBP", "image/png": "PNG"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> RenderedSite:
    return rendered_site(tmp_path_factory)


class Pictures(HTMLParser):
    """Each <picture>'s sources and img, scripts and stylesheets of a page."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.pictures: list[dict[str, list[dict[str, str]]]] = []
        self.scripts: list[dict[str, str]] = []
        self.links: list[dict[str, str]] = []
        self.styles = 0
        self._in_picture = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "picture":
            self._in_picture = True
            self.pictures.append({"sources": [], "img": []})
        elif tag == "source" and self._in_picture:
            self.pictures[-1]["sources"].append(a)
        elif tag == "img" and self._in_picture:
            self.pictures[-1]["img"].append(a)
        elif tag == "script":
            self.scripts.append(a)
        elif tag == "link":
            self.links.append(a)
        elif tag == "style":
            self.styles += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "picture":
            self._in_picture = False


def srcset(value: str) -> list[tuple[str, int]]:
    out = []
    for part in value.split(","):
        url, w = part.split()
        assert w.endswith("w")
        out.append((url, int(w[:-1])))
    return out


def test_thumbnails_exist_in_the_formats_and_sizes_the_markup_claims(built: RenderedSite) -> None:
    site = built.site
    p = Pictures((site / "index.html").read_text(encoding="utf-8"))
    assert len(p.pictures) == len(AUTHORED)
    types = ["image/avif", "image/webp"] if webassets.avif_supported() else ["image/webp"]
    for pic, tile in zip(p.pictures, AUTHORED, strict=True):
        poster = built.media / tile / "poster.png"
        with Image.open(poster) as im:
            pw, ph = im.size
        assert (pw, ph) == (854, 480)  # the preview render's full resolution
        limit = poster.stat().st_size
        assert [s["type"] for s in pic["sources"]] == types
        for source in pic["sources"]:
            assert source["sizes"] == webassets.THUMB_SIZES
            entries = srcset(source["srcset"])
            assert [w for _, w in entries] == [360, 540, 720, 854]  # never wider than the poster
            for url, w in entries:
                assert url.startswith(f"thumbs/{tile}/")
                f = site / url
                with Image.open(f) as im:
                    assert im.format == MIME[source["type"]], url
                    assert im.size == (w, round(w * ph / pw)), url
                assert f.stat().st_size < limit, f"{url}: {f.stat().st_size} bytes, the poster {limit}"
        (img,) = pic["img"]
        f = site / img["src"]
        with Image.open(f) as im:
            assert im.format == "PNG" and im.size == (int(img["width"]), int(img["height"])) == (480, 270)
        assert f.stat().st_size < limit
        assert img["alt"] == "" and img["decoding"] == "async"


def test_the_player_and_downloads_keep_the_full_resolution_files(built: RenderedSite) -> None:
    for tile in AUTHORED:
        for name in ("poster.png", "steps/01.png"):
            assert os.path.samefile(built.media / tile / name, built.site / "media" / tile / name)
    text = (built.site / "t" / "ml-landscape.html").read_text(encoding="utf-8")
    assert 'poster="../media/ml-landscape/poster.png"' in text


def test_every_script_is_deferred_and_every_stylesheet_inline(built: RenderedSite) -> None:
    pages = [built.site / n for n in ("index.html", "review.html", "map.html", "study-order.html", "night-before.html")]
    pages += sorted((built.site / "t").glob("*.html"))
    for page in pages:
        p = Pictures(page.read_text(encoding="utf-8"))
        external = [s for s in p.scripts if "src" in s]
        assert external, page.name
        for s in external:
            assert "defer" in s and s.get("type", "") in ("", "text/javascript"), (page.name, s)  # classic, not modules
        assert not [link for link in p.links if link.get("rel") == "stylesheet"], page.name
        assert p.styles == 1, page.name
    index = (built.site / "index.html").read_text(encoding="utf-8")
    head = index[: index.index("</head>")]
    assert "<style>" in head and ".tiles{" in head  # the gallery's stylesheet, minified, in the head


def test_css_and_js_are_minified_and_smaller(built: RenderedSite) -> None:
    static = built.site / "static"
    sources = [f for f in sorted(STATIC.iterdir()) if f.suffix in (".css", ".js")]
    assert {f.name for f in sources} >= {"gallery.css", "gallery.js", "player.js", "cards.js", "cards.css"}
    for src in sources:
        out = static / src.name
        assert out.stat().st_ino != src.stat().st_ino  # written, not a link to the source
        text = out.read_text(encoding="utf-8")
        assert len(text) < 0.9 * src.stat().st_size, src.name
        assert not re.search(r"^\s*/\*", text), src.name  # no comments
        lines = src.read_text(encoding="utf-8").count("\n")
        assert text.count("\n") < lines / 20, src.name  # one line, but for newlines inside strings


def test_a_rebuild_remakes_no_thumbnail_and_a_new_poster_remakes_its_own(built: RenderedSite, tmp_path: Path) -> None:
    copy = copy_site(built, tmp_path)
    thumbs = copy.site / webassets.THUMBS
    before = {f: f.stat().st_mtime_ns for f in thumbs.rglob("*") if f.is_file()}
    (copy.site / ".inputs").unlink()  # the whole site stage runs again
    build_site(copy.spec, copy.media, copy.site)
    assert {f: f.stat().st_mtime_ns for f in thumbs.rglob("*") if f.is_file()} == before
    # a new poster (a re-render writes a new file): only that tile's thumbnails are made again
    poster = copy.media / "ml-landscape" / "poster.png"
    with Image.open(poster) as im:
        im.convert("RGB").transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(poster.with_suffix(".new.png"))
    poster.with_suffix(".new.png").replace(poster)
    (copy.media / "ml-landscape" / "meta.json").touch()
    build_site(copy.spec, copy.media, copy.site)
    after = {f: f.stat().st_mtime_ns for f in thumbs.rglob("*") if f.is_file()}
    changed = {f.relative_to(thumbs).parts[0] for f in after if after[f] != before.get(f)}
    assert changed == {"ml-landscape"}


def test_without_esbuild_the_site_stage_says_what_to_run(built: RenderedSite, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    copy = copy_site(built, tmp_path)
    (copy.site / ".inputs").unlink()
    monkeypatch.setattr(webassets, "ESBUILD", tmp_path / "nowhere" / "esbuild")
    webassets._minified.clear()
    with pytest.raises(webassets.AssetError, match=r"esbuild is not installed .* run `make node-deps`"):
        build_site(copy.spec, copy.media, copy.site)


def test_the_cli_says_node_is_needed_in_one_line(tmp_path: Path) -> None:
    """Node runs esbuild: without it `python -m render site` stops with one line saying what to install."""
    spec = tmp_path / "diagrams.yaml"
    spec.write_text(spec_text("""\
        - id: a-tile
          title: A tile
          tagline: One line.
          status: planned
        """), encoding="utf-8")
    (tmp_path / "bin").mkdir()  # a PATH with no node on it
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PATH": str(tmp_path / "bin")}
    res = subprocess.run([sys.executable, "-m", "render", "--spec", str(spec), "--build", str(tmp_path / "build"),
                          "site"], cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert res.returncode == 2, res.stderr
    assert "Node.js is not installed" in res.stderr and "make node-deps" in res.stderr
    assert "Traceback" not in res.stderr
