"""The gallery in a real browser: Debian's Chromium driven by Playwright, over render.serve and file://.

Every test gets a fresh browser context (empty localStorage) and fails if the page logs a
console error, throws, or opens a JavaScript dialog (the fixture's notes try `alert`).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest

from render.serve import served
from tests.conftest import TILE_COUNT
from tests.gallery_site import AUTHORED, AXE, RenderedSite, need, rendered_site

pytestmark = [pytest.mark.browser, pytest.mark.render]

TIMEOUT = 10_000  # ms: generous for a busy 2-core machine


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> RenderedSite:
    return rendered_site(tmp_path_factory)


@pytest.fixture(scope="module")
def base_url(built: RenderedSite) -> Iterator[str]:
    with served(built.site) as url:
        yield url


@pytest.fixture(scope="module")
def browser(chromium: Any) -> Any:
    return chromium()


class Watched:
    """A page whose console errors, uncaught exceptions and JS dialogs are collected."""

    def __init__(self, browser: Any, base_url: str, **context: Any):
        self.context = browser.new_context(base_url=base_url, **{"viewport": {"width": 1280, "height": 900}, **context})
        self.context.set_default_timeout(TIMEOUT)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        self.page.on("dialog", lambda d: (self.problems.append(f"dialog: {d.message}"), d.dismiss()))


@pytest.fixture
def open_page(browser: Any, base_url: str) -> Iterator[Any]:
    """Make watched pages (fresh contexts); at the end, none may have logged an error."""
    made: list[Watched] = []

    def make(**context: Any) -> Any:
        w = Watched(browser, base_url, **context)
        made.append(w)
        return w.page

    yield make
    problems = [p for w in made for p in w.problems]
    for w in made:
        w.context.close()
    assert problems == []


@pytest.fixture
def page(open_page: Any) -> Any:
    p = open_page()
    p.goto("./")
    return p


# ---------------------------------------------------------------- helpers


def video(page: Any, expr: str) -> Any:
    return page.evaluate(f"(() => {{ const v = document.querySelector('#player video'); return {expr}; }})()")


def wait_playing(page: Any) -> None:
    """Wait until the player's video has data and its time moves on."""
    page.wait_for_function(
        "() => { const v = document.querySelector('#player video'); "
        "return v && v.readyState >= 2 && !v.paused && v.currentTime > 0; }"
    )
    t0 = video(page, "v.currentTime")
    page.wait_for_function(f"() => document.querySelector('#player video').currentTime > {t0}")


def open_tile(page: Any, tile: str) -> None:
    page.click(f"a.tile-link[data-tile='{tile}']")
    page.wait_for_selector("#player[open]")
    wait_playing(page)


def current_step(page: Any) -> int:
    return page.evaluate(
        "[...document.querySelectorAll('#p-steps button')].findIndex(b => b.getAttribute('aria-current') === 'step')"
    )


def title(built: RenderedSite, tile: str) -> str:
    return built.spec.tile(tile)[1].title


def meta(built: RenderedSite, tile: str) -> dict:
    return json.loads((built.media / tile / "meta.json").read_text())


def run_axe(page: Any) -> list[str]:
    need(AXE, "axe-core (npm ci)")
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map("
        "v => v.id + ': ' + v.help + ' at ' + JSON.stringify(v.nodes.slice(0, 3).map(n => n.target))))"
    )


def visible_tiles(page: Any) -> list[str]:
    return page.evaluate(
        "[...document.querySelectorAll('li.tile')].filter(li => li.offsetParent).map(li => li.dataset.id)"
    )


# ---------------------------------------------------------------- the gallery


def test_gallery_shows_8_layers_and_68_tiles_in_seed_order(page: Any, built: RenderedSite) -> None:
    assert page.title() == built.spec.title
    layers = page.eval_on_selector_all("section.layer", "els => els.map(e => e.dataset.layer)")
    assert layers == [layer.id for layer in built.spec.layers] and len(layers) == 8
    blurbs = page.eval_on_selector_all("section.layer .blurb", "els => els.map(e => e.textContent)")
    assert blurbs == [layer.blurb for layer in built.spec.layers]
    assert visible_tiles(page) == [t.id for _, t in built.spec.tiles()]
    assert len(visible_tiles(page)) == TILE_COUNT
    assert page.locator("nav.layer-nav a").count() == 8
    assert page.text_content("#count-tiles") == str(TILE_COUNT)
    assert page.text_content("#count-rendered") == str(len(AUTHORED))
    assert page.text_content("#count-studied") == "0"
    # Text from the YAML is shown as text, not markup.
    assert page.locator("#tile-ml-landscape .tagline").text_content() == built.spec.tile("ml-landscape")[1].tagline


def test_planned_tiles_are_marked_placeholders(page: Any) -> None:
    planned = page.locator("li.tile.planned")
    assert planned.count() == TILE_COUNT - len(AUTHORED)
    assert planned.locator("a").count() == 0
    assert planned.first.locator(".badge").text_content() == "Planned"


def test_every_rendered_tile_poster_loads(page: Any) -> None:
    links = page.locator("a.tile-link")
    assert links.count() == len(AUTHORED)
    for i in range(links.count()):
        img = links.nth(i).locator("img")
        img.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
    # The full-size posters (the player's and the srcset's large candidate) decode too.
    for tile in AUTHORED:
        size = page.evaluate(
            "src => new Promise((ok, bad) => { const i = new Image(); i.onload = () => ok([i.naturalWidth, "
            "i.naturalHeight]); i.onerror = bad; i.src = src; })",
            f"media/{tile}/poster.png",
        )
        assert size == [854, 480]


def test_the_layer_navigation_sticks_to_the_top(page: Any) -> None:
    page.click("nav.layer-nav a[data-layer='ai-security']")
    page.wait_for_function("() => location.hash === '#layer-ai-security'")
    box = page.locator(".bar").bounding_box()
    assert box is not None and box["y"] == 0
    heading = page.locator("#h-ai-security").bounding_box()
    assert heading is not None and heading["y"] >= box["height"] - 1  # not hidden under the bar


def test_hover_plays_a_muted_preview(page: Any) -> None:
    link = page.locator("a.tile-link[data-tile='ml-project-lifecycle']")
    link.hover()
    page.wait_for_function(
        "() => { const v = document.querySelector('a[data-tile=ml-project-lifecycle] video.preview');"
        " return v && v.muted && v.readyState >= 2 && v.currentTime > 0; }"
    )
    page.mouse.move(5, 5)
    page.wait_for_function("() => !document.querySelector('video.preview')")


def test_keyboard_focus_plays_a_preview_too(page: Any) -> None:
    page.focus("a.tile-link[data-tile='ml-landscape']")
    page.wait_for_selector("a[data-tile=ml-landscape] video.preview.on")


def test_reduced_motion_shows_no_preview(open_page: Any) -> None:
    page = open_page(reduced_motion="reduce")
    page.goto("./")
    page.hover("a.tile-link[data-tile='ml-landscape']")
    page.focus("a.tile-link[data-tile='ml-landscape']")
    page.wait_for_timeout(400)
    assert page.locator("video.preview").count() == 0


def matching(built: RenderedSite, query: str) -> list[str]:
    """The tiles a search should show: every word in the title, tagline or notes (case and accents ignored)."""

    def fold(text: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()

    words = fold(query).split()
    return [
        t.id for _, t in built.spec.tiles() if all(w in fold("\n".join([t.title, t.tagline, *t.notes])) for w in words)
    ]


@pytest.mark.parametrize(
    ("query", "tile", "field"),
    [
        ("lifecycle", "ml-project-lifecycle", "title"),
        ("stepping downhill", "gradient-descent", "tagline"),
        ("goes into data", "ml-project-lifecycle", "notes"),
    ],
)
def test_search_filters_by_title_tagline_and_notes(
    page: Any, built: RenderedSite, query: str, tile: str, field: str
) -> None:
    _, spec_tile = built.spec.tile(tile)
    assert query in str(getattr(spec_tile, field)).lower()  # the fixture still holds the words
    expected = matching(built, query)
    page.locator("#q").fill(query)
    assert visible_tiles(page) == expected
    assert f"{len(expected)} of {TILE_COUNT}" in page.text_content("#search-status")
    layers = {layer.id for layer in built.spec.layers if any(t.id in expected for t in layer.tiles)}
    assert page.locator("section.layer:visible").count() == len(layers)


def test_search_with_no_match_says_so_and_clearing_shows_all(page: Any) -> None:
    search = page.locator("#q")
    search.fill("no such diagram anywhere")
    assert visible_tiles(page) == []
    assert page.locator("#no-results").is_visible()
    search.fill("")
    assert len(visible_tiles(page)) == TILE_COUNT
    assert not page.locator("#no-results").is_visible()


def test_search_types_as_you_go(page: Any, built: RenderedSite) -> None:
    page.press("body", "/")  # the slash key focuses the search box
    page.keyboard.type("ML Proj", delay=20)
    assert "ml-project-lifecycle" in visible_tiles(page)
    assert visible_tiles(page) == matching(built, "ML Proj")


# ---------------------------------------------------------------- the player


def test_opening_a_tile_plays_its_video_with_captions(page: Any, built: RenderedSite) -> None:
    open_tile(page, "ml-landscape")
    assert page.text_content("#p-title") == title(built, "ml-landscape")
    assert page.evaluate("location.hash") == "#/ml-landscape"
    assert video(page, "v.poster").endswith("media/ml-landscape/poster.png")
    assert video(page, "v.controls") is True
    m = meta(built, "ml-landscape")
    page.wait_for_function(
        "() => { const t = document.querySelector('#player video').textTracks[0];"
        f" return t && t.mode === 'showing' && t.cues && t.cues.length === {len(m['steps'])}; }}"
    )
    assert video(page, "v.textTracks[0].kind") == "captions"
    assert page.get_attribute("[data-action=captions]", "aria-pressed") == "true"
    page.click("[data-action=captions]")
    assert video(page, "v.textTracks[0].mode") == "hidden"
    assert page.get_attribute("[data-action=captions]", "aria-pressed") == "false"
    page.click("[data-action=captions]")
    assert video(page, "v.textTracks[0].mode") == "showing"


def test_the_player_lists_steps_notes_questions_downloads_and_embeds(page: Any, built: RenderedSite) -> None:
    open_tile(page, "ml-landscape")
    m = meta(built, "ml-landscape")
    titles = page.eval_on_selector_all("#p-steps .step-title", "els => els.map(e => e.textContent)")
    assert titles == [s["title"] for s in m["steps"]]
    assert page.eval_on_selector_all("#p-notes li", "els => els.map(e => e.textContent)") == m["notes"]
    assert page.eval_on_selector_all("#p-questions li .q", "els => els.map(e => e.textContent)") == m["questions"]
    # A model answer sits under its question, hidden until the learner opens it.
    answered = [i for i, a in enumerate(m["answers"]) if a]
    assert answered, "the fixture tile has an answered question"
    answer = page.locator("#p-questions li").nth(answered[0]).locator("details.answer")
    assert answer.locator("p").first.is_hidden()
    answer.locator("summary").focus()
    page.keyboard.press("Enter")
    assert answer.locator("p").first.text_content() == m["answers"][answered[0]]["answer"]
    assert answer.locator("p").first.is_visible()
    assert answer.locator(".source").text_content() == "Source: " + m["answers"][answered[0]]["source"]
    hrefs = page.eval_on_selector_all("#p-downloads a", "els => els.map(e => e.getAttribute('href'))")
    base = "media/ml-landscape/"
    light = "media-light/ml-landscape/"
    assert hrefs == [base + "video.mp4", base + "loop.gif", base + "poster.png"] + [
        base + s["png"] for s in m["steps"]
    ] + [light + "video.mp4", light + "loop.gif", light + "poster.png"]
    for href in hrefs:
        assert page.request.get(href).ok
    html = page.input_value("#embed-html")
    assert html.startswith("<video ") and "/media/ml-landscape/video.mp4" in html and "captions.vtt" in html
    assert page.input_value("#embed-md").startswith(f"![{title(built, 'ml-landscape')}](http")
    assert page.input_value("#embed-md").endswith("/media/ml-landscape/loop.gif)")
    iframe = page.input_value("#embed-iframe")
    assert iframe.startswith("<iframe ") and "/t/ml-landscape.html?embed" in iframe
    page.click("[data-copy=embed-md]")
    page.wait_for_function("() => document.getElementById('copy-status').textContent.includes('Copied')")
    # The light theme's snippets, for white slides and pages.
    page.check("input[name=embed-theme][value=light]")
    assert "/media-light/ml-landscape/video.mp4" in page.input_value("#embed-html")
    assert page.input_value("#embed-md").endswith("/media-light/ml-landscape/loop.gif)")
    assert page.is_hidden("#embed-deck-box")  # no slides were built for this site


def test_clicking_a_step_seeks_to_its_start_and_the_highlight_follows(page: Any, built: RenderedSite) -> None:
    open_tile(page, "ml-landscape")
    steps = meta(built, "ml-landscape")["steps"]
    page.click("#p-steps button[data-index='1']")  # while playing
    t = video(page, "v.currentTime")
    assert steps[1]["start"] <= t < steps[1]["start"] + 0.9
    assert current_step(page) == 1
    video(page, "v.pause()")
    page.click("#p-steps button[data-index='2']")  # while paused
    assert video(page, "v.currentTime") == pytest.approx(steps[2]["start"], abs=0.01)
    assert current_step(page) == 2
    page.click("#p-steps button[data-index='0']")
    assert current_step(page) == 0
    # As it plays, the highlight moves on when the next step's time comes.
    video(page, "v.play()")
    page.wait_for_function(
        "() => document.querySelector('#p-steps button[data-index=\"1\"]').getAttribute('aria-current') === 'step'"
    )
    assert video(page, "v.currentTime") >= steps[1]["start"] - 0.1
    page.wait_for_function(
        "() => document.querySelector('#p-steps button[data-index=\"2\"]').getAttribute('aria-current') === 'step'"
    )
    assert video(page, "v.currentTime") >= steps[2]["start"] - 0.1


def test_player_keys(page: Any, built: RenderedSite) -> None:
    open_tile(page, "ml-landscape")
    steps = meta(built, "ml-landscape")["steps"]
    page.keyboard.press(" ")
    assert video(page, "v.paused") is True
    page.keyboard.press(" ")
    assert video(page, "v.paused") is False
    page.keyboard.press(" ")
    page.click("#p-steps button[data-index='0']")
    page.keyboard.press("ArrowRight")
    assert video(page, "v.currentTime") == pytest.approx(steps[1]["start"], abs=0.01)
    assert current_step(page) == 1
    page.keyboard.press("ArrowRight")
    assert current_step(page) == 2
    page.keyboard.press("ArrowLeft")
    assert video(page, "v.currentTime") == pytest.approx(steps[1]["start"], abs=0.01)
    page.keyboard.press("PageDown")
    page.wait_for_function("() => location.hash === '#/ml-project-lifecycle'")
    assert page.text_content("#p-title") == title(built, "ml-project-lifecycle")
    wait_playing(page)
    page.keyboard.press("PageUp")
    page.wait_for_function("() => location.hash === '#/ml-landscape'")
    assert page.text_content("#p-title") == title(built, "ml-landscape")
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.getElementById('player').open")
    assert page.evaluate("document.activeElement.dataset.tile") == "ml-landscape"
    assert page.evaluate("location.hash") == ""


def test_the_step_buttons_and_tile_buttons(page: Any, built: RenderedSite) -> None:
    open_tile(page, "ml-project-lifecycle")
    steps = meta(built, "ml-project-lifecycle")["steps"]
    video(page, "v.pause()")
    page.click("[data-action=next-step]")
    assert video(page, "v.currentTime") == pytest.approx(steps[1]["start"], abs=0.05)
    page.click("[data-action=prev-step]")
    assert video(page, "v.currentTime") < steps[1]["start"]
    page.click("[data-action=next-tile]")
    page.wait_for_function("() => location.hash === '#/prompt-injection-defense'")
    assert page.is_disabled("[data-action=next-tile]")  # the last rendered tile


def test_focus_is_trapped_in_the_dialog_and_returns_to_the_tile(page: Any) -> None:
    open_tile(page, "ml-project-lifecycle")
    page.evaluate(
        "window.focusTrail = []; document.addEventListener('focusin', () => window.focusTrail.push("
        "document.getElementById('player').contains(document.activeElement) ? document.activeElement : null))"
    )
    focusable = page.evaluate(
        "document.querySelectorAll('#player button:not(:disabled), #player a[href], #player textarea, #player video')"
        ".length"
    )
    for _ in range(focusable + 3):  # once round the dialog and on
        page.keyboard.press("Tab")
    for _ in range(4):
        page.keyboard.press("Shift+Tab")
    trail = page.evaluate("window.focusTrail.map(e => e && (e.dataset.action || e.tagName))")
    assert None not in trail
    assert len(set(trail)) >= 10  # it went round every control, not stuck on one
    page.click("[data-action=close]")
    page.wait_for_function("() => !document.getElementById('player').open")
    assert page.evaluate("document.activeElement.dataset.tile") == "ml-project-lifecycle"


def test_enter_on_a_focused_tile_opens_it(page: Any, built: RenderedSite) -> None:
    page.focus("a.tile-link[data-tile='prompt-injection-defense']")
    page.keyboard.press("Enter")
    page.wait_for_selector("#player[open]")
    assert page.text_content("#p-title") == title(built, "prompt-injection-defense")
    wait_playing(page)


def test_a_deep_link_opens_the_tile_and_back_closes_it(page: Any, built: RenderedSite) -> None:
    page.evaluate("location.hash = '#/ml-project-lifecycle'")
    page.wait_for_selector("#player[open]")
    assert page.text_content("#p-title") == title(built, "ml-project-lifecycle")
    wait_playing(page)
    page.go_back()
    page.wait_for_function("() => !document.getElementById('player').open")
    assert page.evaluate("location.hash") == ""
    # Opening by a click and going Back closes it too.
    open_tile(page, "ml-landscape")
    page.go_back()
    page.wait_for_function("() => !document.getElementById('player').open")
    assert page.evaluate("location.hash") == ""


def test_loading_a_deep_link_opens_the_player_straight_away(open_page: Any) -> None:
    page = open_page()
    page.goto("./#/prompt-injection-defense")
    page.wait_for_selector("#player[open]")
    wait_playing(page)  # no user gesture: it falls back to muted autoplay
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.getElementById('player').open")
    assert page.evaluate("location.hash") == ""
    assert page.evaluate("document.activeElement.dataset.tile") == "prompt-injection-defense"


def test_studied_state_survives_a_reload(page: Any) -> None:
    open_tile(page, "ml-landscape")
    page.click("[data-action=studied]")
    assert page.get_attribute("[data-action=studied]", "aria-pressed") == "true"
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.getElementById('player').open")
    for _ in range(2):
        assert page.text_content("#count-studied") == "1"
        assert page.locator("#tile-ml-landscape .studied-badge").is_visible()
        assert not page.locator("#tile-ml-project-lifecycle .studied-badge").is_visible()
        assert page.evaluate("document.querySelector('#layer-foundations progress').value") == 1
        assert page.text_content("#layer-foundations .progress-text") == "1 of 2 studied"
        page.reload()
    open_tile(page, "ml-landscape")
    assert page.get_attribute("[data-action=studied]", "aria-pressed") == "true"
    page.click("[data-action=studied]")
    assert page.text_content("#count-studied") == "0"


def test_review_mode_plays_every_tile_of_a_layer_in_order(page: Any, built: RenderedSite) -> None:
    page.click("#layer-foundations button.review")
    page.wait_for_selector("#player[open]")
    assert page.text_content("#p-title") == title(built, "ml-landscape")
    assert "1 of 2" in page.text_content("#p-review")
    wait_playing(page)
    page.evaluate("(() => { const v = document.querySelector('#player video'); v.currentTime = v.duration - 0.2; })()")
    page.wait_for_function("() => location.hash === '#/ml-project-lifecycle'")
    assert "2 of 2" in page.text_content("#p-review")
    wait_playing(page)
    page.evaluate("(() => { const v = document.querySelector('#player video'); v.currentTime = v.duration - 0.2; })()")
    page.wait_for_function("() => document.getElementById('p-review').textContent.includes('complete')")
    assert page.evaluate("location.hash") == "#/ml-project-lifecycle"


def test_notes_with_markup_are_shown_as_text(page: Any) -> None:
    open_tile(page, "ml-landscape")
    assert (
        page.text_content("#p-notes li") == 'Labels decide: "supervised" needs them </script><script>alert(1)</script>.'
    )
    assert page.locator("#p-notes script").count() == 0


# ---------------------------------------------------------------- the standalone page and file://


def test_the_standalone_tile_page_plays_and_seeks(open_page: Any, built: RenderedSite) -> None:
    page = open_page()
    page.goto("t/ml-project-lifecycle.html")
    assert page.title().startswith(f"02 {title(built, 'ml-project-lifecycle')}")
    page.evaluate("(() => { const v = document.querySelector('video'); v.muted = true; v.play(); })()")
    page.wait_for_function(
        "() => { const v = document.querySelector('video'); return v.readyState >= 2 && v.currentTime > 0; }"
    )
    steps = meta(built, "ml-project-lifecycle")["steps"]
    page.evaluate("document.querySelector('video').pause()")
    page.click(".steps button[data-index='1']")
    assert page.evaluate("document.querySelector('video').currentTime") == pytest.approx(steps[1]["start"], abs=0.05)
    page.wait_for_function(
        "() => { const t = document.querySelector('video').textTracks[0]; return t.cues && t.cues.length === 2; }"
    )
    embed = open_page()
    embed.goto("t/ml-project-lifecycle.html?embed")
    assert not embed.locator("h1").is_visible()
    box = embed.locator("video").bounding_box()
    assert box is not None and box["width"] == 1280


def test_the_gallery_works_from_file_urls(open_page: Any, built: RenderedSite) -> None:
    page = open_page()
    page.goto((built.site / "index.html").as_uri())
    assert len(visible_tiles(page)) == TILE_COUNT
    open_tile(page, "ml-landscape")
    # Chromium will not load a .vtt over file://; the captions come from the page's own data.
    page.wait_for_function(
        "() => { const t = document.querySelector('#player video').textTracks[0];"
        " return t && t.mode === 'showing' && t.cues.length === 3; }"
    )
    page.click("#p-steps button[data-index='2']")
    assert current_step(page) == 2


# ---------------------------------------------------------------- accessibility, colour schemes, small screens


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_axe_finds_no_violations_on_the_gallery_and_the_open_player(open_page: Any, scheme: str) -> None:
    page = open_page(color_scheme=scheme)
    page.goto("./")
    assert run_axe(page) == []
    open_tile(page, "ml-landscape")
    assert run_axe(page) == []


def test_axe_finds_no_violations_on_a_tile_page(open_page: Any) -> None:
    page = open_page()
    page.goto("t/ml-landscape.html")
    assert run_axe(page) == []
    page.goto("t/gradient-descent.html")
    assert run_axe(page) == []


def test_the_page_follows_the_colour_scheme(open_page: Any) -> None:
    colours = {}
    for scheme in ("dark", "light"):
        page = open_page(color_scheme=scheme)
        page.goto("./")
        colours[scheme] = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert colours["dark"] == "rgb(15, 20, 32)"
    assert colours["light"] == "rgb(245, 246, 249)"


@pytest.mark.parametrize("width", [360, 768, 1920])
def test_no_horizontal_scrolling_from_phones_to_wide_screens(open_page: Any, width: int) -> None:
    page = open_page(viewport={"width": width, "height": 800})
    page.goto("./")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    open_tile(page, "ml-landscape")
    assert page.evaluate(
        "document.querySelector('#player .player-inner').scrollWidth <= "
        "document.querySelector('#player .player-inner').clientWidth"
    )
    box = page.locator("#player video").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def test_key_points_outline_their_regions_on_the_final_picture(page: Any, built: RenderedSite) -> None:
    """Hovering or focusing a key point pauses on the last frame and outlines exactly its elements' boxes."""
    open_tile(page, "ml-landscape")
    m = meta(built, "ml-landscape")
    points = page.locator("#p-keypoints .kp")
    assert points.count() == len(m["key_points"]) == 5
    assert page.eval_on_selector_all("#p-keypoints .kp-text", "els => els.map(e => e.textContent)") == [
        kp["point"] for kp in m["key_points"]]
    assert page.locator("#p-video .kp-box").count() == 0

    def outlined() -> list[tuple[str, float, float, float, float]]:
        return page.evaluate("""() => {
            const wrap = document.getElementById('p-video').getBoundingClientRect();
            return [...document.querySelectorAll('#p-video .kp-box')].map(b => {
                const r = b.getBoundingClientRect();
                return [b.dataset.ref, (r.left + r.right) / 2 - wrap.left, (r.top + r.bottom) / 2 - wrap.top,
                        wrap.width, wrap.height];
            });
        }""")

    def expected(kp: dict) -> list[tuple[str, float, float]]:
        return [(b["ref"], (b["box"][0] + b["box"][2]) / 2, (b["box"][1] + b["box"][3]) / 2) for b in kp["boxes"]]

    page.mouse.move(1, 1)  # the pointer out of the way: first the keyboard alone
    points.nth(2).focus()  # a point that rests on two elements
    page.wait_for_function("() => document.querySelector('#p-video video').paused")
    got = outlined()
    assert [g[0] for g in got] == [e[0] for e in expected(m["key_points"][2])] == ["kinds.sup", "kinds.unsup"]
    for (_, cx, cy, w, h), (_, ex, ey) in zip(got, expected(m["key_points"][2]), strict=True):
        assert abs(cx - ex * w) < 2 and abs(cy - ey * h) < 2  # centred on the element's box in the poster
    assert page.evaluate("() => { const v = document.querySelector('#p-video video');"
                         " return v.duration - v.currentTime; }") < 0.1  # on the final picture
    # the same outline on the copy of the poster beside the list, which stays in view while the list is read
    assert page.eval_on_selector_all("#p-kp-poster .kp-box", "els => els.map(e => e.dataset.ref)") == [
        "kinds.sup", "kinds.unsup"]
    assert page.get_attribute("#p-kp-poster img", "src").endswith("media/ml-landscape/poster.png")
    page.keyboard.press("Tab")  # focus moves to the next point: its outline replaces the last one
    assert [g[0] for g in outlined()] == ["kinds.sup"]
    page.locator("#p-keypoints .kp").nth(1).hover()
    page.wait_for_function("() => document.querySelectorAll('#p-video .kp-box').length === 1 && "
                           "document.querySelector('#p-video .kp-box').dataset.ref === 'kinds.unsup'")
