"""The gallery generator: the site's pages, links, escaping and rebuilds, from real rendered tiles.

The browser side (playing, keys, deep links, accessibility) is in test_browser.py.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from render.exports.gallery import build_site, clock, context, parse_vtt, read_gallery_data
from tests.conftest import TILE_COUNT
from tests.gallery_site import AUTHORED, VNU, RenderedSite, copy_site, need, rendered_site

pytestmark = pytest.mark.render


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> RenderedSite:
    return rendered_site(tmp_path_factory)


class Page(HTMLParser):
    """The parts of a page the tests look at: elements with their attributes, and local URLs."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.urls: list[str] = []
        self.scripts: dict[str, str] = {}
        self._script: str | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.elements.append((tag, a))
        for key in ("href", "src", "poster"):
            if key in a:
                self.urls.append(a[key])
        if "srcset" in a:
            self.urls += [part.strip().split()[0] for part in a["srcset"].split(",")]
        if tag == "script" and a.get("type") == "application/json":
            self._script = a["id"]
            self.scripts[self._script] = ""

    def handle_data(self, data: str) -> None:
        if self._script:
            self.scripts[self._script] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [
            a
            for t, a in self.elements
            if t == tag
            and all(v in a.get(k.rstrip("_"), "").split() if k == "class_" else a.get(k) == v for k, v in attrs.items())
        ]


def page(built: RenderedSite, name: str = "index.html") -> tuple[str, Page]:
    text = (built.site / name).read_text(encoding="utf-8")
    return text, Page(text)


def pages(built: RenderedSite) -> list[Path]:
    return [built.site / "index.html", *sorted((built.site / "t").glob("*.html"))]


def test_index_lists_8_layers_and_68_tiles_in_seed_order(built: RenderedSite) -> None:
    _, p = page(built)
    layers = [a["data-layer"] for a in p.find("section", class_="layer")]
    assert layers == [layer.id for layer in built.spec.layers]
    assert len(layers) == 8
    tiles = [a["data-id"] for a in p.find("li", class_="tile")]
    assert tiles == [t.id for _, t in built.spec.tiles()]
    assert len(tiles) == TILE_COUNT
    nav = [a["href"] for a in p.find("a") if a.get("href", "").startswith("#layer-")]
    assert nav == [f"#layer-{layer.id}" for layer in built.spec.layers]


def test_rendered_tiles_link_to_their_page_and_planned_ones_are_placeholders(built: RenderedSite) -> None:
    text, p = page(built)
    links = [a["data-tile"] for a in p.find("a", class_="tile-link")]
    assert links == AUTHORED
    assert [a["href"] for a in p.find("a", class_="tile-link")] == [f"t/{i}.html" for i in AUTHORED]
    planned = p.find("li", class_="planned")
    assert len(planned) == TILE_COUNT - len(AUTHORED)
    assert text.count(">Planned</span>") == len(planned)


def test_thumbnails_are_sized_the_first_row_eager_and_the_rest_lazy(built: RenderedSite) -> None:
    """The formats and sizes themselves are checked in test_site_speed.py."""
    _, p = page(built)
    imgs = p.find("img")
    assert len(imgs) == len(AUTHORED)
    first_row = {"ml-landscape", "ml-project-lifecycle"}  # the foundations' first tiles; the third is in layer 8
    for img, tile in zip(imgs, AUTHORED, strict=True):
        if tile in first_row:
            assert img.get("fetchpriority") == "high" and "loading" not in img
        else:
            assert img["loading"] == "lazy" and "fetchpriority" not in img
        assert img["src"] == f"thumbs/{tile}/480.png"  # the PNG fallback, made from the poster
        assert (int(img["width"]), int(img["height"])) == (480, 270)


def test_counts_and_layer_progress_are_in_the_header(built: RenderedSite) -> None:
    text, p = page(built)
    assert f'<span id="count-tiles">{TILE_COUNT}</span>' in text
    assert f'<span id="count-rendered">{len(AUTHORED)}</span>' in text
    bars = p.find("progress", class_="layer-progress")
    assert [b["max"] for b in bars] == ["2", "1"]  # foundations has two fixture tiles, ai-security one


def test_every_tile_has_a_standalone_page(built: RenderedSite) -> None:
    names = sorted(p.stem for p in (built.site / "t").glob("*.html"))
    assert names == sorted(t.id for _, t in built.spec.tiles())
    text, p = page(built, "t/ml-landscape.html")
    assert p.find("video")[0]["poster"] == "../media/ml-landscape/poster.png"
    assert p.find("source")[0]["src"] == "../media/ml-landscape/video.mp4"
    track = p.find("track")[0]
    assert (track["kind"], track["src"], "default" in track) == ("captions", "../media/ml-landscape/captions.vtt", True)
    meta = json.loads((built.media / "ml-landscape" / "meta.json").read_text())
    starts = [float(b["data-start"]) for b in p.find("button", class_="step")]
    assert starts == [s["start"] for s in meta["steps"]]
    assert 'href="../index.html#tile-ml-landscape"' in text
    # the key points, each with its priority, and the answers under their questions
    section = text[text.index('class="kp-list"'):]
    section = section[: section.index("</ol>")]
    points = [re.sub(r"<[^>]+>", "", li) for li in re.findall(r"<li>(.*?)</li>", section, re.S)]
    assert len(points) == len(meta["key_points"]) == 5
    assert all(html.unescape(x).startswith(kp["point"]) for x, kp in zip(points, meta["key_points"], strict=True))
    assert "must know cold" in points[0] and "p(y | x)" in html.unescape(points[0])
    assert '<details class="answer"><summary>Answer</summary>' in text and '<p class="source">Source: ' in text
    planned = (built.site / "t" / "ab-testing.html").read_text()
    assert "This diagram is planned" in planned and "<video" not in planned


def test_every_local_link_resolves_to_a_file(built: RenderedSite) -> None:
    for path in pages(built):
        for url in Page(path.read_text(encoding="utf-8")).urls:
            parts = urlsplit(url)
            assert not parts.scheme and not parts.netloc, f"{path.name}: external URL {url}"
            if not parts.path:
                continue  # a fragment (#layer-..., #/tile)
            target = (path.parent / unquote(parts.path)).resolve()
            assert target.is_file(), f"{path.name}: {url} does not exist"


def test_pages_and_assets_load_nothing_from_outside(built: RenderedSite) -> None:
    files = [*pages(built), *sorted((built.site / "static").rglob("*.*"))]
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), f
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", text), f
        assert "@import" not in text and "fetch(" not in text, f


def test_yaml_text_is_escaped_in_html_and_in_the_embedded_json(built: RenderedSite) -> None:
    text, p = page(built)
    assert "Supervised, unsupervised, RL — &lt;b&gt;and&lt;/b&gt; which to use." in text
    assert "<b>and</b>" not in text
    # The notes hold "</script><script>alert(1)</script>": it must not close the JSON's script element.
    assert "alert(1)</script>" not in text
    assert "alert(1)</script>" not in (built.site / "gallery-data.js").read_text()  # safe even if inlined
    data = read_gallery_data(built.site)
    tile = next(t for t in data["tiles"] if t["id"] == "ml-landscape")
    assert tile["notes"] == ['Labels decide: "supervised" needs them </script><script>alert(1)</script>.']
    assert tile["tagline"] == "Supervised, unsupervised, RL — <b>and</b> which to use."
    tile_page = (built.site / "t" / "ml-landscape.html").read_text()
    assert "alert(1)</script>" not in tile_page and "&lt;/script&gt;&lt;script&gt;alert(1)" in tile_page


def test_embedded_data_matches_meta_and_captions(built: RenderedSite) -> None:
    data = read_gallery_data(built.site)
    assert [layer["id"] for layer in data["layers"]] == [layer.id for layer in built.spec.layers]
    assert [t["id"] for t in data["tiles"]] == [t.id for _, t in built.spec.tiles()]
    for tile in data["tiles"]:
        if tile["id"] not in AUTHORED:
            assert tile["state"] == "planned" and "media" not in tile
            continue
        meta = json.loads((built.media / tile["id"] / "meta.json").read_text())
        assert tile["state"] == "rendered"
        assert tile["steps"] == [{**s, "png": f"media/{tile['id']}/{s['png']}"} for s in meta["steps"]]
        assert tile["media"]["duration"] == meta["duration"]
        assert [c[2] for c in tile["cues"]] == [s["say"] for s in meta["steps"]]


def test_media_is_hard_linked_not_copied(built: RenderedSite) -> None:
    for tile in AUTHORED:
        for name in ("video.mp4", "loop.gif", "poster.png", "captions.vtt", "steps/01.png"):
            assert os.path.samefile(built.media / tile / name, built.site / "media" / tile / name)


def test_a_second_build_rewrites_nothing(built: RenderedSite, tmp_path: Path) -> None:
    copy = copy_site(built, tmp_path)
    build_site(copy.spec, copy.media, copy.site)
    before = {p: p.stat().st_mtime_ns for p in copy.site.rglob("*") if p.is_file()}
    build_site(copy.spec, copy.media, copy.site)
    after = {p: p.stat().st_mtime_ns for p in copy.site.rglob("*") if p.is_file()}
    assert after == before


def test_stale_pages_and_media_are_removed(built: RenderedSite, tmp_path: Path) -> None:
    copy = copy_site(built, tmp_path)
    (copy.site / "t" / "gone.html").write_text("old")
    (copy.site / "media" / "gone").mkdir()
    (copy.site / "media" / "gone" / "video.mp4").write_bytes(b"old")
    build_site(copy.spec, copy.media, copy.site)
    assert not (copy.site / "t" / "gone.html").exists()
    assert not (copy.site / "media" / "gone").exists()


def test_a_tile_with_missing_outputs_is_shown_as_not_rendered(built: RenderedSite, tmp_path: Path) -> None:
    copy = copy_site(built, tmp_path)
    (copy.media / "ml-landscape" / "loop.gif").unlink()
    gallery = context(copy.spec, copy.media)
    states = {t.id: t.state for t in gallery.tiles}
    assert states["ml-landscape"] == "unrendered"
    assert states["ml-project-lifecycle"] == "rendered"
    build_site(copy.spec, copy.media, copy.site)
    text = (copy.site / "index.html").read_text()
    assert "Not rendered yet" in text
    assert not (copy.site / "media" / "ml-landscape").exists()


def test_an_empty_media_folder_gives_a_gallery_of_placeholders(built: RenderedSite, tmp_path: Path) -> None:
    gallery = context(built.spec, tmp_path / "no-media")
    assert gallery.count == TILE_COUNT and gallery.rendered == 0
    assert {t.state for t in gallery.tiles} == {"planned", "unrendered"}


def test_parse_vtt_reads_timings_and_text() -> None:
    cues = parse_vtt(
        "WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.500\nFirst line\n\n2\n01:02.250 --> 01:03.000 align:start\nTwo\nlines\n"
    )
    assert [(c.start, c.end, c.text) for c in cues] == [(0.0, 1.5, "First line"), (62.25, 63.0, "Two\nlines")]


@pytest.mark.parametrize(("seconds", "text"), [(0, "0:00"), (5.9, "0:05"), (61, "1:01"), (600, "10:00")])
def test_clock(seconds: float, text: str) -> None:
    assert clock(seconds) == text


def test_every_page_and_the_stylesheet_are_valid(built: RenderedSite) -> None:
    """The Nu HTML checker (vnu-jar from package.json, run with the system Java) finds no error."""
    need(VNU, "the Nu HTML checker (npm ci)")
    files = [str(p) for p in pages(built)]
    assert len(files) == 69
    res = subprocess.run(
        [
            "java",
            "-jar",
            str(VNU),
            "--errors-only",
            "--also-check-css",
            "--format",
            "json",
            *files,
            str(built.site / "static" / "gallery.css"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(res.stderr or res.stdout or '{"messages": []}')
    errors = [
        f"{Path(urlsplit(m.get('url', '')).path).name}:{m.get('lastLine')}: {m['message']}" for m in report["messages"]
    ]
    assert errors == []
    assert res.returncode == 0
