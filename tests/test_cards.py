"""Flashcards in a real browser: the player's ratings, the Review page, FSRS scheduling, export and import.

The clock is the test's: Playwright's page.clock fixes what `new Date()` returns in the page (timers keep running,
so videos still play), and every context runs in UTC so "today" and "tomorrow" are the test's days.
"""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from render.serve import served
from tests.gallery_site import VNU, RenderedSite, need, rendered_site
from tests.test_browser import Watched, run_axe

pytestmark = [pytest.mark.browser, pytest.mark.render]

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
CARDS_KEY = "study-diagrams:cards"
STUDIED_KEY = "study-diagrams:studied"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> RenderedSite:
    return rendered_site(tmp_path_factory)


@pytest.fixture(scope="module")
def base_url(built: RenderedSite) -> Iterator[str]:
    with served(built.site) as url:
        yield url


@pytest.fixture
def open_page(chromium: Any, base_url: str) -> Iterator[Any]:
    """Make watched pages (fresh contexts, UTC, the clock fixed at NOW); none may log an error."""
    made: list[Watched] = []

    def make(**context: Any) -> Any:
        w = Watched(chromium(), base_url, **{"timezone_id": "UTC", "accept_downloads": True, **context})
        made.append(w)
        w.page.clock.set_fixed_time(NOW)
        return w.page

    yield make
    problems = [p for w in made for p in w.problems]
    for w in made:
        w.context.close()
    assert problems == []


# ---------------------------------------------------------------- helpers


def card_id(tile: str, question: str) -> str:
    """The documented card id: tile id, '#', FNV-1a (32 bits, hex) of the question's UTF-8 text, spaces collapsed."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", question)).strip()
    h = 0x811C9DC5
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return f"{tile}#{h:08x}"


def answered(built: RenderedSite) -> list[tuple[str, Any]]:
    """(tile id, question) of every answered question, in seed order: the deck."""
    return [(t.id, q) for _, t in built.spec.tiles() for q in t.questions if q.answer]


def stored(page: Any, key: str = CARDS_KEY) -> Any:
    raw = page.evaluate("k => localStorage.getItem(k)", key)
    return None if raw is None else json.loads(raw)


def focused(page: Any) -> str:
    return page.evaluate("document.activeElement.id")


def fsrs_next(page: Any, card: dict | None, at: datetime, grade: int) -> dict:
    """The library called directly in the page: the card after a rating (None: a new card)."""
    return page.evaluate(
        """([card, at, grade]) => {
            const f = FSRS.fsrs();
            const now = new Date(at);
            const c = card ? {...card, due: new Date(card.due), last_review: card.last_review && new Date(card.last_review)}
                           : FSRS.createEmptyCard(now);
            const n = f.next(c, now, grade).card;
            return {due: n.due.toISOString(), stability: n.stability, difficulty: n.difficulty, state: n.state,
                    reps: n.reps, lapses: n.lapses, scheduled_days: n.scheduled_days};
        }""",
        [card, at.isoformat(), grade],
    )


def same_schedule(record: dict, expected: dict) -> None:
    for k, v in expected.items():
        assert record[k] == v, f"{k}: stored {record[k]!r}, FSRS says {v!r}"


def review_card(rec_due: datetime, first: datetime, state: int = 2) -> dict:
    return {"due": rec_due.isoformat().replace("+00:00", "Z"), "first": first.isoformat().replace("+00:00", "Z"),
            "last_review": first.isoformat().replace("+00:00", "Z"), "state": state, "stability": 3.2,
            "difficulty": 5.1, "elapsed_days": 0, "scheduled_days": 3, "learning_steps": 0, "reps": 1, "lapses": 0}


def put_progress(page: Any, cards: dict, new_per_day: int = 20) -> None:
    page.evaluate(
        "([k, v]) => localStorage.setItem(k, v)",
        [CARDS_KEY, json.dumps({"format": "study-diagrams-progress", "version": 1,
                                "settings": {"newPerDay": new_per_day}, "cards": cards})],
    )


def summary(page: Any) -> str:
    return page.text_content("#r-summary")


def start_and_skip(page: Any) -> None:
    page.click("#r-start")
    page.wait_for_selector("#r-session:not([hidden])")
    if page.is_visible("#r-skip"):
        page.click("#r-skip")
    page.wait_for_selector("#r-card:not([hidden])")


def reveal_and_rate(page: Any, key: str) -> None:
    page.wait_for_function("() => document.activeElement.id === 'r-show'")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.id === 'r-answer'")
    page.keyboard.press(key)


# ---------------------------------------------------------------- card ids


def test_every_answered_question_is_a_card_with_a_stable_id(open_page: Any, built: RenderedSite) -> None:
    page = open_page()
    page.goto("review.html")
    deck = page.evaluate("Cards.deck(JSON.parse(document.getElementById('gallery-data').textContent)).map(c => c.id)")
    expected = [card_id(tile, q.q) for tile, q in answered(built)]
    assert deck == expected and len(set(deck)) == len(deck) > 20
    # Editing one question's text changes its id only: the others keep their progress.
    ids = page.evaluate("""() => {
        const data = JSON.parse(document.getElementById('gallery-data').textContent);
        const t = data.tiles.find(t => t.questions.filter(q => q.answer).length >= 3);
        const before = Cards.tileCards(t).map(c => c.id);
        t.questions.find(q => q.answer).q += ' (edited)';
        return [before, Cards.tileCards(t).map(c => c.id)];
    }""")
    assert ids[0][0] != ids[1][0] and ids[0][1:] == ids[1][1:]


# ---------------------------------------------------------------- scheduling


def test_a_rating_moves_the_due_date_as_fsrs_says(open_page: Any, built: RenderedSite) -> None:
    """With the keyboard alone: start, skip the video, reveal, rate 3 (good), then 4 (easy) once the card is due."""
    page = open_page()
    page.goto("review.html")
    for _ in range(8):
        page.keyboard.press("Tab")
        if focused(page) == "r-start":
            break
    assert focused(page) == "r-start"
    page.keyboard.press("Enter")
    assert focused(page) == "r-skip"  # the video plays from the start, and can be skipped at once
    page.wait_for_function("() => { const v = document.querySelector('#r-video video'); return v && !v.paused; }")
    assert page.evaluate("document.querySelector('#r-video video').currentTime") < 2
    page.keyboard.press("Enter")
    tile, q = answered(built)[0]
    cid = card_id(tile, q.q)
    assert page.text_content("#r-q") == q.q
    assert page.is_hidden("#r-answer") and page.get_attribute("#r-show", "aria-expanded") == "false"
    reveal_and_rate(page, "3")
    first = stored(page)["cards"][cid]
    expected = fsrs_next(page, None, NOW, 3)
    same_schedule(first, expected)
    assert expected["due"] == (NOW + timedelta(minutes=10)).isoformat().replace("+00:00", ".000Z")  # a learning step
    # Due again within minutes: it comes back before the diagram ends.
    assert page.text_content("#r-q") == q.q and "Card 2 of 2" in page.text_content("#r-card-count")
    later = NOW + timedelta(minutes=11)
    page.clock.set_fixed_time(later)
    reveal_and_rate(page, "4")
    second = stored(page)["cards"][cid]
    same_schedule(second, fsrs_next(page, first, later, 4))
    assert second["first"] == first["first"] == "2026-12-07T09:00:00.000Z"
    assert datetime.fromisoformat(second["due"]) > later + timedelta(days=1)


def test_the_due_queue_lists_past_due_cards_and_not_future_ones(open_page: Any, built: RenderedSite) -> None:
    page = open_page()
    page.goto("review.html")
    (t1, q1), (t2, q2) = answered(built)[1], answered(built)[4]
    past, future = card_id(t1, q1.q), card_id(t2, q2.q)
    put_progress(page, {past: review_card(NOW - timedelta(hours=1), NOW - timedelta(days=3)),
                        future: review_card(NOW + timedelta(days=1), NOW - timedelta(days=3))}, new_per_day=0)
    page.reload()
    assert summary(page).startswith("1 card due now: 1 review and 0 new cards")
    assert page.eval_on_selector_all("#r-tiles li", "els => els.map(e => e.dataset.tile)") == [t1]
    assert page.text_content("#r-tomorrow") == "Tomorrow: 1 review and 0 new cards."
    queue = page.evaluate("Cards.queue(Cards.deck(JSON.parse(document.getElementById('gallery-data').textContent)))"
                          ".cards.map(c => c.id)")
    assert queue == [past]
    start_and_skip(page)  # a planned tile: no video, straight to its card
    assert page.text_content("#r-q") == q1.q
    reveal_and_rate(page, "3")
    page.wait_for_selector("#r-done:not([hidden])")
    assert "Nothing else is due now." in page.text_content("#r-done-text")
    # A day later the other card's date has passed.
    page.clock.set_fixed_time(NOW + timedelta(days=1, hours=1))
    page.reload()
    queue = page.evaluate("Cards.queue(Cards.deck(JSON.parse(document.getElementById('gallery-data').textContent)))"
                          ".cards.map(c => c.id)")
    assert future in queue


def test_new_cards_are_introduced_a_limited_number_a_day(open_page: Any, built: RenderedSite) -> None:
    page = open_page()
    page.goto("review.html")
    assert len(answered(built)) > 20
    assert summary(page).startswith("20 cards due now: 0 reviews and 20 new cards (at most 20 new a day")
    page.fill("#r-new", "2")
    page.press("#r-new", "Enter")
    page.locator("#r-new").blur()
    page.wait_for_function("() => document.getElementById('r-summary').textContent.startsWith('2 cards due now')")
    start_and_skip(page)
    reveal_and_rate(page, "4")  # easy: not due again today
    reveal_and_rate(page, "4")
    page.wait_for_selector("#r-done:not([hidden])")
    assert page.text_content("#r-done-text") == (
        "You rated 2 cards. Nothing else is due now. Tomorrow: 0 reviews and 2 new cards.")
    page.reload()  # the same day: the two introduced today count against the limit
    assert summary(page).startswith("Nothing is due now")
    assert page.is_disabled("#r-start")
    page.fill("#r-new", "3")
    page.locator("#r-new").blur()
    page.wait_for_function("() => document.getElementById('r-summary').textContent.startsWith('1 card due now')")
    page.clock.set_fixed_time(NOW + timedelta(days=1))
    page.reload()
    assert summary(page).startswith("3 cards due now: 0 reviews and 3 new cards")
    expected_new = [card_id(t, q.q) for t, q in answered(built)[2:5]]
    assert page.evaluate("Cards.queue(Cards.deck(JSON.parse(document.getElementById('gallery-data').textContent)))"
                         ".cards.map(c => c.id)") == expected_new
    page.fill("#r-new", "-1")
    page.locator("#r-new").blur()
    assert "must be a whole number from 0 to 999" in page.text_content("#r-io-status")
    assert stored(page)["settings"]["newPerDay"] == 3


# ---------------------------------------------------------------- the player and the studied mark


def test_rating_in_the_player_schedules_the_card_and_marks_the_tile_studied(open_page: Any, built: RenderedSite) -> None:
    page = open_page()
    page.goto("./")
    assert page.text_content("#count-studied") == "0"
    page.click("a.tile-link[data-tile='ml-landscape']")
    page.wait_for_selector("#player[open]")
    item = page.locator("#p-questions li[data-card]")
    assert item.count() == 1  # one answered question: one card
    assert item.locator(".rate").is_hidden()
    item.locator("summary").click()
    item.locator("button[data-grade='2']").focus()
    page.keyboard.press("Enter")  # hard
    tile, q = answered(built)[0]
    rec = stored(page)["cards"][card_id(tile, q.q)]
    same_schedule(rec, fsrs_next(page, None, NOW, 2))
    assert item.locator(".card-status").text_content() == "Rated hard. Next review in 6 min."
    assert page.evaluate("document.activeElement.dataset.grade") == "2"  # the focus stays on the button
    # Each of its cards reviewed once: the tile counts as studied; the manual mark stays off (it is an override).
    assert page.text_content("#count-studied") == "1"
    assert page.get_attribute("[data-action=studied]", "aria-pressed") == "false"
    page.keyboard.press("Escape")
    assert page.locator("#tile-ml-landscape .studied-badge").is_visible()
    assert page.text_content("#count-due") == "(19 due now)"  # 19 new left today; this one is due in 6 minutes
    page.clock.set_fixed_time(NOW + timedelta(minutes=7))
    page.reload()
    assert page.text_content("#count-due") == "(20 due now)"
    assert page.text_content("#count-studied") == "1"


# ---------------------------------------------------------------- export and import


def test_export_then_import_on_a_fresh_profile_restores_the_progress(open_page: Any, built: RenderedSite,
                                                                      tmp_path: Path) -> None:
    page = open_page()
    page.goto("review.html")
    start_and_skip(page)
    reveal_and_rate(page, "4")
    reveal_and_rate(page, "1")
    page.click("#r-stop")
    page.evaluate("([k, v]) => localStorage.setItem(k, v)", [STUDIED_KEY, '["ml-project-lifecycle"]'])
    page.reload()
    before = (stored(page), stored(page, STUDIED_KEY), summary(page), page.text_content("#r-tomorrow"))
    assert len(before[0]["cards"]) == 2
    with page.expect_download() as dl:
        page.click("#r-export")
    assert dl.value.suggested_filename == "study-diagrams-progress-2026-12-07.json"
    path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(path)
    data = json.loads(path.read_text())
    assert data["format"] == "study-diagrams-progress" and data["studied"] == ["ml-project-lifecycle"]
    # A fresh profile, and the gallery opened from the file system: its storage is separate from the server's.
    fresh = open_page()
    fresh.goto((built.site / "review.html").as_uri())
    assert stored(fresh) is None
    fresh.set_input_files("#r-import", str(path))
    fresh.wait_for_function("() => document.getElementById('r-io-status').textContent.startsWith('Imported')")
    assert fresh.text_content("#r-io-status") == (
        "Imported 2 cards and 1 studied mark from study-diagrams-progress-2026-12-07.json.")
    assert (stored(fresh), stored(fresh, STUDIED_KEY), summary(fresh), fresh.text_content("#r-tomorrow")) == before
    fresh.goto((built.site / "index.html").as_uri())
    assert fresh.text_content("#count-studied") == "2"  # ml-landscape by its card, ml-project-lifecycle by hand


BAD_FILES = [
    ("notes.txt", b"just some notes", "notes.txt: not a progress file: it is not JSON"),
    ("list.json", b"[1, 2, 3]", "list.json: it is not a progress file (no JSON object)"),
    ("anki.json", b'{"format": "anki-deck", "version": 1, "cards": {}}',
     'anki.json: it is not a progress file of these diagrams (format is "anki-deck"'),
    ("newer.json", b'{"format": "study-diagrams-progress", "version": 2, "cards": {}}',
     "newer.json: version 2 is not one this page reads (1)"),
]


def test_a_corrupt_or_foreign_import_is_refused_and_changes_nothing(open_page: Any, built: RenderedSite) -> None:
    page = open_page()
    page.goto("review.html")
    (t1, q1), (t2, q2) = answered(built)[1], answered(built)[2]
    good = card_id(t1, q1.q)
    put_progress(page, {good: review_card(NOW - timedelta(hours=1), NOW - timedelta(days=3))}, new_per_day=5)
    page.evaluate("([k, v]) => localStorage.setItem(k, v)", [STUDIED_KEY, '["ml-landscape"]'])
    page.reload()
    before = (stored(page), stored(page, STUDIED_KEY), summary(page))
    # One sound card and one with a broken date: all or nothing.
    half = {"format": "study-diagrams-progress", "version": 1, "settings": {"newPerDay": 20},
            "cards": {card_id(t2, q2.q): review_card(NOW, NOW), good: {**review_card(NOW, NOW), "due": "soon"}}}
    cases = [*BAD_FILES, ("half.json", json.dumps(half).encode(), f"half.json: cards[{good}].due: not a date")]
    for name, payload, message in cases:
        page.set_input_files("#r-import", files=[{"name": name, "mimeType": "application/json", "buffer": payload}])
        page.wait_for_function("(n) => document.getElementById('r-io-status').textContent.includes(n)", arg=name)
        status = page.text_content("#r-io-status")
        assert status.startswith("Not imported, nothing changed: " + message), status
        assert (stored(page), stored(page, STUDIED_KEY), summary(page)) == before


# ---------------------------------------------------------------- accessibility and small screens


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_axe_finds_no_violations_in_the_review_view_and_on_a_revealed_card(open_page: Any, scheme: str) -> None:
    page = open_page(color_scheme=scheme)
    page.goto("review.html")
    assert run_axe(page) == []
    page.click("#r-start")
    assert run_axe(page) == []  # the video playing, with its skip button
    page.click("#r-skip")
    page.keyboard.press("Enter")
    # Revealed: the answer region has focus, so a screen reader reads its name and text.
    assert focused(page) == "r-answer"
    assert page.get_attribute("#r-answer", "role") == "region"
    assert page.text_content("#r-answer-h") == "Answer"
    assert page.get_attribute("#r-show", "aria-expanded") == "true"
    assert page.locator("#r-rate-box .rate button").count() == 4
    assert run_axe(page) == []
    # the player's card, revealed, with its rating buttons
    page.goto("./")
    page.click("a.tile-link[data-tile='ml-landscape']")
    page.wait_for_selector("#player[open]")
    page.locator("#p-questions li[data-card] summary").click()
    page.keyboard.press("3")
    assert run_axe(page) == []


@pytest.mark.parametrize("width", [360, 1920])
def test_the_review_view_fits_phones_and_wide_screens(open_page: Any, width: int) -> None:
    page = open_page(viewport={"width": width, "height": 800})
    page.goto("review.html")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    start_and_skip(page)
    page.keyboard.press("Enter")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for i in range(4):
        box = page.locator("#r-rate-box .rate button").nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def test_the_review_page_is_valid_html(built: RenderedSite) -> None:
    """The Nu HTML checker finds no error in the Review page or its stylesheet."""
    need(VNU, "the Nu HTML checker (npm ci)")
    res = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--also-check-css", "--format", "json",
         str(built.site / "review.html"), str(built.site / "static" / "cards.css")],
        capture_output=True, text=True, timeout=300,
    )
    report = json.loads(res.stderr or res.stdout or '{"messages": []}')
    assert [f"{m.get('lastLine')}: {m['message']}" for m in report["messages"]] == []
    assert res.returncode == 0


def test_the_standalone_tile_page_rates_its_cards_too(open_page: Any, built: RenderedSite) -> None:
    page = open_page()
    tile, q = next((t, q) for t, q in answered(built) if t != "ml-landscape")  # a planned tile: its text only
    page.goto(f"t/{tile}.html")
    items = page.locator(".questions li[data-card]")
    assert items.count() == sum(1 for t, _ in answered(built) if t == tile)
    assert items.first.get_attribute("data-card") == card_id(tile, q.q)
    items.first.locator("summary").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("1")  # again
    same_schedule(stored(page)["cards"][card_id(tile, q.q)], fsrs_next(page, None, NOW, 1))
    assert items.first.locator(".card-status").text_content() == "Rated again. Next review in 1 min."
    assert run_axe(page) == []


def test_progress_this_page_cannot_read_is_kept_aside_not_lost(open_page: Any, built: RenderedSite) -> None:
    page = open_page()
    page.goto("review.html")
    newer = json.dumps({"format": "study-diagrams-progress", "version": 9, "cards": {"x": 1}})
    page.evaluate("([k, v]) => localStorage.setItem(k, v)", [CARDS_KEY, newer])
    page.reload()
    assert summary(page).startswith("20 cards due now")  # read as no progress
    start_and_skip(page)
    reveal_and_rate(page, "4")
    assert page.evaluate("k => localStorage.getItem(k)", CARDS_KEY + ":unreadable") == newer
    assert list(stored(page)["cards"]) == [card_id(*[(t, q.q) for t, q in answered(built)][0])]
