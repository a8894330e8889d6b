"""The reveal.js decks (render/deck.py): the files written, then the decks in Chromium from file://.

The decks are built from the light render of the fixture tiles (tests/gallery_site.py): two
tiles in layer "foundations" and one in the last layer. In the browser, each step of a tile
plays to its end and pauses; Right/Space walks the steps, then the tiles.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

import render.exports.deck as deck_module
from render.exports import STAMP, Export, ExportError
from render.exports.deck import REVEAL_FILES, build_deck
from render.exports.gallery import TileView
from render.plan import ROOT
from tests.gallery_site import AUTHORED, rendered_site

pytestmark = [pytest.mark.browser, pytest.mark.render]

AUTOPLAY = ("--autoplay-policy=no-user-gesture-required",)
TIMEOUT = 10_000  # ms: generous for a busy 2-core machine
CLOSE = 0.15  # s: how near the end of a step the video must pause
NETWORK_REF = re.compile(
    r"""(?:\b(?:src|href|poster|data-src)\s*=\s*["'`]?\s*|url\(\s*["']?\s*|@import\s+(?:url\(\s*)?["']?\s*)https?://""",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Built:
    export: Export
    out: Path
    files: list[Path]

    def tile(self, tile_id: str) -> TileView:
        return next(t for t in self.export.tiles if t.id == tile_id)

    def text(self, name: str) -> str:
        return (self.out / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    site = rendered_site(tmp_path_factory)
    export = site.light_export()
    out = tmp_path_factory.mktemp("deck") / "slides"
    return Built(export, out, build_deck(export, out))


def sections(text: str) -> dict[str, str]:
    """The slides of a deck: id -> the section's HTML."""
    found = re.findall(r'<section id="([^"]+)"[^>]*>(.*?)</section>', text, re.DOTALL)
    return dict(found)


def tile_ids(text: str) -> list[str]:
    return re.findall(r'<section id="([^"]+)" class="tile"', text)


def notes_text(section: str) -> str:
    """The speaker notes of a slide as plain text (tags dropped, entities decoded)."""
    aside = re.search(r'<aside class="notes">(.*?)</aside>', section, re.DOTALL)
    assert aside, "the slide has no speaker notes"
    return html.unescape(re.sub(r"<[^>]+>", "", aside.group(1)))


# ---------------------------------------------------------------- the files


def test_one_whole_deck_and_one_deck_per_rendered_layer(built: Built) -> None:
    last_layer = built.export.gallery.layers[-1].id
    assert [layer.id for layer in built.export.layers] == ["foundations", last_layer]
    assert built.files == [built.out / "index.html", built.out / "foundations.html", built.out / f"{last_layer}.html"]
    assert sorted(p.name for p in built.out.glob("*.html")) == sorted(p.name for p in built.files)


def test_one_slide_per_rendered_tile_in_seed_order(built: Built) -> None:
    assert tile_ids(built.text("index.html")) == AUTHORED
    assert tile_ids(built.text("foundations.html")) == ["ml-landscape", "ml-project-lifecycle"]
    last_layer = built.export.layers[-1].id
    assert tile_ids(built.text(f"{last_layer}.html")) == ["prompt-injection-defense"]
    whole = sections(built.text("index.html"))
    assert list(whole)[:2] == ["cover", "layer-foundations"]
    assert f"layer-{last_layer}" in whole


def test_steps_are_fragments_with_their_times(built: Built) -> None:
    slides = sections(built.text("index.html"))
    for tile in built.export.tiles:
        assert tile.media is not None
        captions = re.findall(r'<li class="caption( fragment)?" data-step="(\d+)"\s+data-start="([\d.]+)" '
                              r'data-end="([\d.]+)"', slides[tile.id])
        assert [(bool(f), int(i), float(a), float(b)) for f, i, a, b in captions] == [
            (n > 0, n, s.start, s.end) for n, s in enumerate(tile.media.steps)
        ]
        assert f'data-src="media/{tile.id}/video.mp4"' in slides[tile.id]
        assert f'poster="media/{tile.id}/poster.png"' in slides[tile.id]
        assert (built.out / "media" / tile.id / "video.mp4").samefile(built.export.media / tile.id / "video.mp4")
        assert (built.out / "media" / tile.id / "poster.png").is_file()
    assert sorted(p.name for p in (built.out / "media").iterdir()) == sorted(AUTHORED)


def test_reveal_is_copied_and_nothing_comes_from_the_network(built: Built) -> None:
    dist = ROOT / "node_modules" / "reveal.js" / "dist"
    for name in REVEAL_FILES:
        assert (built.out / "reveal" / name).read_bytes() == (dist / name).read_bytes(), name
    shipped = [p for p in built.out.rglob("*") if p.suffix in {".html", ".css", ".js"}]
    assert {p.name for p in shipped} >= {"index.html", "deck.js", "deck.css", "reveal.js", "white.css", "notes.js"}
    for path in shipped:
        found = NETWORK_REF.findall(path.read_text(encoding="utf-8"))
        assert not found, f"{path.relative_to(built.out)} refers to the network: {found}"
    text = built.text("index.html")
    for ref in re.findall(r'(?:src|href|data-src|poster)="([^"]+)"', text):
        assert not re.match(r"[a-z]+:|/", ref), ref  # relative, so the deck works from file:// anywhere
        assert (built.out / ref.split("?")[0]).is_file(), ref
    assert str(ROOT) not in text and str(built.out) not in text


def test_speaker_notes_hold_the_notes_and_questions_escaped(built: Built) -> None:
    for name in ("index.html", "foundations.html"):
        text = built.text(name)
        assert "<script>alert(1)" not in text
        slides = sections(text)
        for tile_id in ("ml-landscape", "ml-project-lifecycle"):
            tile = built.tile(tile_id)
            notes = notes_text(slides[tile_id])
            for line in (*tile.notes, *(q.q for q in tile.questions)):
                assert line in notes
                assert str(escape(line)) in slides[tile_id]
    landscape = built.tile("ml-landscape")
    assert any("</script><script>alert(1)</script>" in n for n in landscape.notes)
    # the tagline's markup is text, not HTML
    assert "<b>and</b>" not in built.text("index.html")
    assert "&lt;b&gt;and&lt;/b&gt;" in built.text("index.html")


def test_a_second_build_is_skipped(built: Built) -> None:
    before = {p: p.stat().st_mtime_ns for p in built.out.rglob("*") if p.is_file()}
    start = time.monotonic()
    again = build_deck(built.export, built.out)
    assert time.monotonic() - start < 2
    assert again == built.files
    assert {p: p.stat().st_mtime_ns for p in built.out.rglob("*") if p.is_file()} == before


def test_a_missing_output_rebuilds_and_stale_files_go(built: Built, tmp_path: Path) -> None:
    out = tmp_path / "slides"
    files = build_deck(built.export, out)
    (out / "old-layer.html").write_text("stale", encoding="utf-8")
    (out / "media" / "old-tile").mkdir()
    (out / "media" / "old-tile" / "video.mp4").write_bytes(b"")
    (out / "reveal" / "old.js").write_text("", encoding="utf-8")
    stamp = (out / STAMP).read_text(encoding="utf-8")
    (out / "index.html").unlink()
    assert build_deck(built.export, out) == files
    assert (out / "index.html").read_text(encoding="utf-8") == built.text("index.html")
    assert (out / STAMP).read_text(encoding="utf-8") == stamp
    assert not (out / "old-layer.html").exists()
    assert not (out / "media" / "old-tile").exists()
    assert not (out / "reveal" / "old.js").exists()


def test_missing_reveal_names_the_command(built: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deck_module, "ROOT", tmp_path)
    with pytest.raises(ExportError, match=r"make node-deps"):
        build_deck(built.export, tmp_path / "slides")
    assert not (tmp_path / "slides").exists()


# ---------------------------------------------------------------- in Chromium, from file://


@pytest.fixture(scope="module")
def browser(chromium: Any) -> Any:
    return chromium(*AUTOPLAY)


# Record every play/pause of a video (media events do not bubble, so listen while capturing).
RECORD_MEDIA = """
window.__media = [];
for (const type of ["playing", "pause"]) {
  document.addEventListener(type, (e) => {
    const s = e.target.closest("section");
    window.__media.push({type, id: s && s.id, t: e.target.currentTime});
  }, true);
}
"""


class Deck:
    """A deck page in a fresh offline context; console errors, page errors, dialogs and requests are collected."""

    def __init__(self, browser: Any, copy: Path):
        self.copy = copy
        self.context = browser.new_context(viewport={"width": 1280, "height": 720}, offline=True)
        self.context.set_default_timeout(TIMEOUT)
        self.context.add_init_script(RECORD_MEDIA)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        self.page.on("dialog", lambda d: (self.problems.append(f"dialog: {d.message}"), d.dismiss()))
        self.page.on("request", lambda r: self.requests.append(r.url))

    def open(self, name: str, slide: str = "") -> None:
        self.page.goto((self.copy / name).as_uri() + (f"#/{slide}" if slide else ""))
        self.page.wait_for_function("() => window.Reveal && Reveal.isReady()")

    def slide(self) -> str:
        return self.page.evaluate("Reveal.getCurrentSlide().id")

    def video(self) -> dict[str, Any]:
        return self.page.evaluate(
            "(() => { const s = Reveal.getCurrentSlide(); const v = s.querySelector('video');"
            " return {id: s.id, step: Number(s.dataset.step), t: v.currentTime, paused: v.paused}; })()"
        )

    def media_events(self) -> list[dict[str, Any]]:
        return self.page.evaluate("window.__media")

    def wait_paused_at(self, tile_id: str, step: int, end: float) -> dict[str, Any]:
        """Wait until the tile's video is paused in step (1-based) at end; return its state."""
        self.page.wait_for_function(
            f"""() => {{ const s = Reveal.getCurrentSlide(); const v = s.querySelector('video');
              return s.id === {json.dumps(tile_id)} && s.dataset.step === "{step}" && v.paused && !v.seeking
                && v.currentTime > {end - 2 * CLOSE}; }}"""
        )
        state = self.video()
        assert abs(state["t"] - end) <= CLOSE, state
        return state


@pytest.fixture
def deck(browser: Any, built: Built, tmp_path: Path) -> Iterator[Deck]:
    """A deck page over a copy of the built decks in a fresh folder (so the decks work from anywhere)."""
    copy = tmp_path / "copied slides"
    shutil.copytree(built.out, copy)
    d = Deck(browser, copy)
    yield d
    d.context.close()
    assert d.problems == []
    assert [u for u in d.requests if not u.startswith(("file:", "data:", "blob:"))] == []


def test_the_whole_deck_loads_offline(deck: Deck, built: Built) -> None:
    deck.open("index.html")
    assert deck.slide() == "cover"
    assert deck.page.evaluate("Reveal.getTotalSlides()") == 1 + len(built.export.layers) + len(AUTHORED)
    assert deck.page.evaluate("Reveal.hasPlugin('notes')")
    assert deck.page.evaluate("Reveal.getConfig().hash")
    deck.page.keyboard.press("ArrowRight")
    deck.page.wait_for_function("() => Reveal.getCurrentSlide().id === 'layer-foundations'")
    deck.page.keyboard.press("ArrowRight")
    deck.page.wait_for_function("() => Reveal.getCurrentSlide().id === 'ml-landscape'")
    deck.page.wait_for_function("() => location.hash === '#/ml-landscape'")  # reveal.js writes it a moment later


def test_each_step_plays_to_its_end_then_right_moves_on(deck: Deck, built: Built) -> None:
    tile = built.tile("ml-landscape")
    assert tile.media is not None
    steps = tile.media.steps
    deck.open("foundations.html", tile.id)
    assert deck.slide() == tile.id

    deck.wait_paused_at(tile.id, 1, steps[0].end)
    assert any(e["type"] == "playing" and e["id"] == tile.id for e in deck.media_events()), deck.media_events()

    for n in range(1, len(steps)):
        seen = len(deck.media_events())
        deck.page.keyboard.press("ArrowRight" if n % 2 else "Space")
        deck.page.wait_for_function(f"() => Reveal.getCurrentSlide().dataset.step === '{n + 1}'")
        assert deck.slide() == tile.id  # a step, not the next slide
        state = deck.wait_paused_at(tile.id, n + 1, steps[n].end)
        assert state["t"] >= steps[n].start
        played = [e for e in deck.media_events()[seen:] if e["type"] == "playing"]
        assert played and all(e["t"] >= steps[n].start - CLOSE for e in played), deck.media_events()[seen:]
        caption = deck.page.locator(f"#{tile.id} .caption.now")
        assert caption.get_attribute("data-step") == str(n)
        assert caption.is_visible()

    deck.page.keyboard.press("ArrowRight")
    deck.page.wait_for_function("() => Reveal.getCurrentSlide().id === 'ml-project-lifecycle'")
    nxt = built.tile("ml-project-lifecycle")
    assert nxt.media is not None
    deck.wait_paused_at(nxt.id, 1, nxt.media.steps[0].end)
    assert deck.page.evaluate(f"document.querySelector('#{tile.id} video').paused")


def test_left_goes_back_a_step(deck: Deck, built: Built) -> None:
    tile = built.tile("ml-project-lifecycle")
    assert tile.media is not None
    steps = tile.media.steps
    deck.open("index.html", tile.id)
    deck.wait_paused_at(tile.id, 1, steps[0].end)
    deck.page.keyboard.press("ArrowRight")
    deck.wait_paused_at(tile.id, 2, steps[1].end)
    deck.page.keyboard.press("ArrowLeft")
    deck.wait_paused_at(tile.id, 1, steps[0].end)
    assert deck.slide() == tile.id
    deck.page.keyboard.press("ArrowLeft")
    deck.page.wait_for_function("() => Reveal.getCurrentSlide().id === 'ml-landscape'")
    # coming back to a slide shows its last step
    landscape = built.tile("ml-landscape")
    assert landscape.media is not None
    deck.wait_paused_at(landscape.id, len(landscape.media.steps), landscape.media.steps[-1].end)


def test_a_layer_deck_deep_links_to_its_tiles(deck: Deck, built: Built) -> None:
    last_layer = built.export.layers[-1].id
    deck.open(f"{last_layer}.html", "prompt-injection-defense")
    assert deck.slide() == "prompt-injection-defense"
    assert deck.page.evaluate("Reveal.getTotalSlides()") == 2
    tile = built.tile("prompt-injection-defense")
    assert tile.media is not None
    deck.wait_paused_at(tile.id, 1, tile.media.steps[0].end)
    box = deck.page.locator("#prompt-injection-defense video").bounding_box()
    assert box and box["width"] > 800 and box["height"] > 450  # the video is most of the slide
