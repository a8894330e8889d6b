"""The study views in a real browser: the map (open, zoom, pan, path, studied marks), the study order and the
night-before list, over render.serve and file://, in both colour schemes, at 360 px, with the keyboard alone;
axe-core and the Nu HTML checker on every view.

The site is the session's gallery (tests/gallery_site.py): the real 68 tiles, their prerequisites and phases, with
three tiles rendered. Every page fails the test if it logs a console error or throws.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from render.serve import served
from tests.conftest import TILE_COUNT
from tests.gallery_site import AXE, VNU, RenderedSite, need, rendered_site

pytestmark = [pytest.mark.browser, pytest.mark.render]

TIMEOUT = 10_000  # ms
STUDIED_KEY = "study-diagrams:studied"
VIEWS = ("map.html", "study-order.html", "night-before.html")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> RenderedSite:
    return rendered_site(tmp_path_factory)


@pytest.fixture(scope="module")
def base_url(built: RenderedSite) -> Iterator[str]:
    with served(built.site) as url:
        yield url


@pytest.fixture
def open_page(chromium: Any, base_url: str) -> Iterator[Any]:
    """Fresh contexts (studied tiles given, or none); at the end, no page may have logged an error."""
    made: list[Any] = []
    problems: list[str] = []

    def make(studied: list[str] | None = None, **context: Any) -> Any:
        ctx = chromium().new_context(base_url=base_url, **{"viewport": {"width": 1280, "height": 900}, **context})
        ctx.set_default_timeout(TIMEOUT)
        if studied is not None:
            key, value = json.dumps(STUDIED_KEY), json.dumps(json.dumps(studied))
            ctx.add_init_script(f"if (localStorage.getItem({key}) === null) localStorage.setItem({key}, {value})")
        made.append(ctx)
        page = ctx.new_page()
        page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
        return page

    yield make
    for ctx in made:
        ctx.close()
    assert problems == []


def prerequisites(built: RenderedSite, tid: str) -> set[str]:
    """Everything tid requires, transitively, from the spec (computed here, not by the page)."""
    reqs = {t.id: t.requires for _, t in built.spec.tiles()}
    out: set[str] = set()
    todo = list(reqs[tid])
    while todo:
        r = todo.pop()
        if r not in out:
            out.add(r)
            todo += reqs[r]
    return out


def transform(page: Any) -> list[float]:
    """The pan-zoom viewport's matrix (a, b, c, d, e, f), once svg-pan-zoom has drawn (it updates on animation
    frames)."""
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    t = page.get_attribute("#map-svg .svg-pan-zoom_viewport", "transform")
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", t)]


def on_path(page: Any) -> list[str]:
    return sorted(page.evaluate(
        "[...document.querySelectorAll('#map-svg g.tile-node.on-path')].map(g => g.id.replace(/^node-/, ''))"))


def run_axe(page: Any) -> list[str]:
    need(AXE, "axe-core (npm ci)")
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map("
        "v => v.id + ': ' + v.help + ' at ' + JSON.stringify(v.nodes.slice(0, 3).map(n => n.target))))")


# ---------------------------------------------------------------- the map


def test_clicking_a_node_opens_that_tiles_player(open_page: Any) -> None:
    page = open_page()
    page.goto("map.html")
    page.click("#map-svg a[data-tile='ml-landscape']")
    page.wait_for_selector("#player[open]")
    assert urlsplit(page.url).path.endswith("/index.html") and urlsplit(page.url).fragment == "/ml-landscape"
    assert page.text_content("#p-title") == "The Machine Learning Landscape"


def test_keyboard_alone_reaches_a_node_and_opens_it(open_page: Any) -> None:
    page = open_page()
    page.goto("map.html")
    page.focus("#map-view")
    for _ in range(TILE_COUNT):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.tile") == "prompt-injection-defense":
            break
    else:
        pytest.fail("Tab never reached the prompt-injection-defense node")
    box = page.locator("#map-svg a[data-tile='prompt-injection-defense']").bounding_box()
    view = page.locator("#map-view").bounding_box()
    assert view["x"] <= box["x"] and box["x"] + box["width"] <= view["x"] + view["width"]  # panned into view
    page.keyboard.press("Enter")
    page.wait_for_selector("#player[open]")
    assert page.text_content("#p-title") == "Prompt Injection Defense"


def test_the_keyboard_can_skip_past_the_map(open_page: Any) -> None:
    page = open_page()
    page.goto("map.html")
    page.focus("#path-to")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-map"
    assert page.locator(".skip-map").is_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "study/map-poster.pdf"


def test_zoom_and_pan_change_the_transform(open_page: Any) -> None:
    page = open_page()
    page.goto("map.html")
    page.focus("#map-view")
    a0, *_, e0, f0 = transform(page)
    page.keyboard.press("+")
    a1 = transform(page)[0]
    assert a1 == pytest.approx(a0 * 1.3, rel=0.01)
    page.keyboard.press("-")
    assert transform(page)[0] == pytest.approx(a0, rel=0.01)
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowUp")
    _, _, _, _, e1, f1 = transform(page)
    assert (e1 - e0, f1 - f0) == (pytest.approx(80), pytest.approx(80))
    view = page.locator("#map-view").bounding_box()
    page.mouse.move(view["x"] + view["width"] / 2, view["y"] + view["height"] / 2)
    page.mouse.wheel(0, -300)
    page.wait_for_function(f"() => document.querySelector('#map-svg .svg-pan-zoom_viewport')"
                           f".transform.baseVal.consolidate().matrix.a > {a0 * 1.05}")
    page.click("button[data-zoom='reset']")
    assert transform(page)[0] == pytest.approx(a0, rel=0.01)


PINCH = """([x, y, from, to]) => {
  const target = document.querySelector('#map-svg');
  const touches = d => [new Touch({identifier: 1, target, clientX: x - d / 2, clientY: y}),
                        new Touch({identifier: 2, target, clientX: x + d / 2, clientY: y})];
  const fire = (type, list, changed) => target.dispatchEvent(new TouchEvent(type, {touches: list,
    targetTouches: list, changedTouches: changed, bubbles: true, cancelable: true}));
  fire('touchstart', touches(from), touches(from));
  for (let i = 1; i <= 5; i++) fire('touchmove', touches(from + (to - from) * i / 5), touches(from + (to - from) * i / 5));
  fire('touchend', [], touches(to));
}"""


def test_a_two_finger_pinch_zooms_about_the_fingers(open_page: Any) -> None:
    page = open_page(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
    page.goto("map.html")
    page.click("button[data-zoom='reset']")
    a0, _, _, _, e0, _ = transform(page)
    view = page.locator("#map-svg").bounding_box()
    x, y = view["x"] + view["width"] / 2, view["y"] + view["height"] / 2
    page.evaluate(PINCH, [x, y, 60, 180])
    a1, _, _, _, e1, _ = transform(page)
    assert a1 == pytest.approx(a0 * 3, rel=0.02)
    # The point under the fingers stays put: the map's point at the centre is the same before and after.
    centre = view["width"] / 2
    assert (centre - e1) / a1 == pytest.approx((centre - e0) / a0, rel=0.01)
    page.evaluate(PINCH, [x, y, 180, 60])
    assert transform(page)[0] == pytest.approx(a0, rel=0.02)


def test_dragging_pans_without_opening_a_tile(open_page: Any) -> None:
    page = open_page()
    page.goto("map.html")
    before = transform(page)
    box = page.locator("#map-svg a[data-tile='gradient-descent']").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 200, box["y"] + 60, steps=8)
    page.mouse.up()
    after = transform(page)
    assert after[4] - before[4] == pytest.approx(200 - box["width"] / 2, abs=2)
    assert urlsplit(page.url).path.endswith("/map.html")


@pytest.mark.parametrize("tile", ["prompt-injection-defense", "attention-mechanism", "ml-landscape"])
def test_choosing_a_node_highlights_exactly_its_transitive_prerequisites(open_page: Any, built: RenderedSite,
                                                                         tile: str) -> None:
    page = open_page()
    page.goto("map.html")
    want = sorted(prerequisites(built, tile))
    page.focus(f"#map-svg a[data-tile='{tile}']")  # choosing by focus (Tab)
    assert on_path(page) == want
    assert page.evaluate("[...document.querySelectorAll('#map-svg g.chosen')].map(g => g.id)") == [f"node-{tile}"]
    lit = page.evaluate("[...document.querySelectorAll('#map-svg g.edge.on-path')].map(g => g.id)")
    assert all(e.split("--")[1] in [*want, tile] and e.removeprefix("edge-").split("--")[0] in want for e in lit)
    assert (len(lit) > 0) == (len(want) > 0)
    page.focus("#path-to")
    assert on_path(page) == []  # leaving the node clears it
    page.select_option("#path-to", tile)  # choosing in the list keeps it
    assert on_path(page) == want
    title = built.spec.tile(tile)[1].title
    n = len(want)
    assert page.text_content("#path-status").startswith(
        f"{title}: {n} diagrams to study first" if n else f"{title}: nothing to study first")


def test_studied_tiles_are_marked_on_the_map(open_page: Any) -> None:
    page = open_page(studied=["ml-landscape", "gradient-descent"])
    page.goto("map.html")
    marked = page.evaluate("[...document.querySelectorAll('#map-svg g.tile-node.studied')].map(g => g.id)")
    assert sorted(marked) == ["node-gradient-descent", "node-ml-landscape"]
    assert page.text_content("#node-ml-landscape .tick") == "✓"
    assert page.get_attribute("#map-svg a[data-tile='ml-landscape']", "aria-label").endswith(", studied")
    page.select_option("#path-to", "loss-functions")  # requires gradient-descent, which requires ml-landscape
    assert page.text_content("#path-status") == "Loss Functions: 2 diagrams to study first, 0 not studied yet."


def test_planned_tiles_are_on_the_map(open_page: Any, built: RenderedSite) -> None:
    page = open_page()
    page.goto("map.html")
    planned = sorted(t.id for _, t in built.spec.tiles() if t.status == "planned")
    shown = page.evaluate("[...document.querySelectorAll('#map-svg g.tile-node.planned')]"
                          ".map(g => g.id.replace(/^node-/, ''))")
    assert sorted(shown) == planned and len(planned) == TILE_COUNT - 3


def test_the_map_works_from_file_url_and_at_360_px(open_page: Any, built: RenderedSite) -> None:
    page = open_page(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
    page.goto((built.site / "map.html").as_uri())
    assert page.evaluate("typeof window.svgPanZoom") == "function"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # The start view fills the view's height with the map's left end (the foundations) on a narrow screen.
    a0 = transform(page)[0]
    box = page.locator("#map-svg a[data-tile='ml-landscape']").bounding_box()
    view = page.locator("#map-view").bounding_box()
    assert view["x"] <= box["x"] < view["x"] + view["width"] and box["height"] >= 12
    page.click("button[data-zoom='in']")
    assert transform(page)[0] == pytest.approx(a0 * 1.3, rel=0.01)
    page.click("button[data-zoom='reset']")  # the whole map: a thin strip across the view
    assert transform(page)[0] < a0 / 2
    for view_page in VIEWS[1:]:  # nothing wider than the phone
        page.goto((built.site / view_page).as_uri())
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, view_page


# ---------------------------------------------------------------- the study order and the night-before list


def test_the_study_order_lists_every_tile_once_with_studied_ones_checked(open_page: Any, built: RenderedSite) -> None:
    page = open_page(studied=["ml-landscape"])
    page.goto("study-order.html")
    listed = page.evaluate("[...document.querySelectorAll('li.phase-tile')].map(li => li.dataset.id)")
    assert len(listed) == TILE_COUNT and sorted(listed) == sorted(t.id for _, t in built.spec.tiles())
    assert listed == [t for p in built.spec.phases for t in p.tiles]
    phases = page.evaluate("[...document.querySelectorAll('li.phase')].map(p => [p.querySelector('h2').textContent"
                           ".trim(), p.querySelector('.reason').textContent])")
    assert phases == [[f"{i} {p.name}", p.reason] for i, p in enumerate(built.spec.phases, start=1)]
    checked = page.evaluate("[...document.querySelectorAll('input.studied-check:checked')].map(i => i.dataset.tile)")
    assert checked == ["ml-landscape"]
    assert page.text_content("#order-done") == "1"
    # Ticking with the keyboard marks it studied for the gallery too.
    page.focus("#st-ml-project-lifecycle")
    page.keyboard.press("Space")
    assert json.loads(page.evaluate(f"localStorage.getItem({json.dumps(STUDIED_KEY)})")) == [
        "ml-landscape", "ml-project-lifecycle"]
    page.click("li.phase-tile[data-id='ml-project-lifecycle'] a")
    page.wait_for_selector("#player[open]")
    assert page.get_attribute("#player [data-action='studied']", "aria-pressed") == "true"


def test_the_night_before_list_links_every_point_to_its_tile(open_page: Any, built: RenderedSite) -> None:
    page = open_page()
    page.goto("night-before.html")
    points = page.evaluate("[...document.querySelectorAll('.nb-points li')].map(li => "
                           "[li.querySelector('.nb-point').textContent, li.querySelector('a').getAttribute('href')])")
    want = [(kp.point, f"index.html#/{t.id}") for key in ("must", "should", "design")
            for tid in [x for p in built.spec.phases for x in p.tiles]
            for t in [built.spec.tile(tid)[1]] for kp in t.key_points or [] if kp.priority == key]
    assert [tuple(p) for p in points] == want and want
    assert page.get_attribute("a[href='study/night-before.pdf']", "download") is not None


# ---------------------------------------------------------------- accessibility and validity


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_axe_finds_no_violations_on_the_study_views(open_page: Any, scheme: str) -> None:
    page = open_page(studied=["ml-landscape"], color_scheme=scheme)
    for view in VIEWS:
        page.goto(view)
        assert run_axe(page) == [], view
    page.goto("map.html")
    page.select_option("#path-to", "prompt-injection-defense")
    assert run_axe(page) == []


def test_the_nu_checker_finds_no_error_in_the_study_views(built: RenderedSite) -> None:
    need(VNU, "the Nu HTML checker (npm ci)")
    files = [str(built.site / v) for v in VIEWS] + [str(built.site / "static" / "study.css")]
    res = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--also-check-css", "--format", "json", *files],
                         capture_output=True, text=True, timeout=300)
    report = json.loads(res.stderr or res.stdout or '{"messages": []}')
    errors = [f"{Path(urlsplit(m.get('url', '')).path).name}:{m.get('lastLine')}: {m['message']}"
              for m in report["messages"]]
    assert errors == []
    assert res.returncode == 0
