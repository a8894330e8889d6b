"""The site stage's part of the flashcards: the Review page and ts-fsrs copied from node_modules (no render)."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from render.exports import cards
from render.exports.gallery import build_site
from spec import load_spec
from tests.conftest import ROOT
from tests.gallery_site import write_fixture_spec


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory):
    """The real layers and tiles, nothing rendered (loaded once: a 68-tile spec takes about 2 s)."""
    return load_spec(write_fixture_spec(tmp_path_factory.mktemp("cards-spec") / "diagrams.yaml"))


def scripts(html: str) -> list[str]:
    return re.findall(r'<script src="([^"]+)"', html)


def test_ts_fsrs_is_pinned_exactly_in_package_json_and_the_lock() -> None:
    package = json.loads((ROOT / "package.json").read_text())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    version = package["dependencies"]["ts-fsrs"]
    assert version[0].isdigit(), "pinned exactly: no ^ or ~"
    assert lock["packages"]["node_modules/ts-fsrs"]["version"] == version


def test_the_site_stage_copies_the_scheduler_and_writes_the_review_page(spec, tmp_path: Path) -> None:
    site = tmp_path / "site"
    build_site(spec, tmp_path / "no-media", site)
    copied = site / "static" / cards.FSRS_NAME
    # minified by esbuild (the browser tests schedule cards with it), in a file of its own:
    # the site never changes node_modules
    assert 0 < copied.stat().st_size < cards.FSRS_UMD.stat().st_size / 2
    assert copied.stat().st_ino != cards.FSRS_UMD.stat().st_ino
    version = json.loads((cards.FSRS_PACKAGE / "package.json").read_text())["version"]
    for page in ("index.html", "review.html"):
        srcs = [s.split("?")[0] for s in scripts((site / page).read_text())]
        assert f"static/{cards.FSRS_NAME}" in srcs, page
        # classic scripts in order: the library, then the cards, then the page's own script
        assert srcs.index(f"static/{cards.FSRS_NAME}") < srcs.index("static/cards.js") < len(srcs) - 1, page
    review = (site / "review.html").read_text()
    assert f"static/{cards.FSRS_NAME}?v={version}" in review
    assert 'id="r-missing" class="r-note" hidden' in review
    data = json.loads(review.split('id="gallery-data">', 1)[1].split("</script>", 1)[0])
    assert [t["id"] for t in data["tiles"]] == [t.id for _, t in spec.tiles()]


def test_without_ts_fsrs_the_gallery_still_builds_and_says_what_to_run(
    spec, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(cards, "FSRS_UMD", tmp_path / "nowhere" / "index.umd.js")
    monkeypatch.setattr("render.exports.gallery.FSRS_UMD", tmp_path / "nowhere" / "index.umd.js")
    with caplog.at_level(logging.WARNING):
        build_site(spec, tmp_path / "no-media", tmp_path / "site")
    assert "the flashcards cannot be scheduled; run `make node-deps`" in caplog.text
    assert not (tmp_path / "site" / "static" / cards.FSRS_NAME).exists()
    for page in ("index.html", "review.html"):
        assert cards.FSRS_NAME not in (tmp_path / "site" / page).read_text()
