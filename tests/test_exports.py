"""The exports from the command line, as an author runs them, and how the gallery links them.

The builders themselves are tested in test_deck.py, test_powerpoint.py and test_handout.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from render.exports.gallery import read_gallery_data
from tests.conftest import run_cli
from tests.gallery_site import AUTHORED, RenderedSite, copy_site, rendered_site
from tests.test_gallery import Page

pytestmark = pytest.mark.render

WHOLE = ["slides/index.html", "slides/pptx/all.pptx", "print/handout-a4.pdf", "print/handout-letter.pdf",
         "print/steps-a4.pdf", "print/steps-letter.pdf"]
LAYERS = ["foundations", "ai-security"]  # the layers of the fixture tiles


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[RenderedSite, str]:
    """A copy of the fixture build with `slides` and `print` run on it; returns it and their output."""
    site = copy_site(rendered_site(tmp_path_factory), tmp_path_factory.mktemp("exports"))
    out = ""
    for command in ("slides", "print"):
        res = run_cli("--spec", str(site.spec_path), "--build", str(site.build), command)
        assert res.returncode == 0, res.stdout + res.stderr
        out += res.stdout + res.stderr
    return site, out


def cli(site: RenderedSite, *args: str):  # type: ignore[no-untyped-def]
    return run_cli("--spec", str(site.spec_path), "--build", str(site.build), *args)


def test_slides_and_print_write_every_file_and_say_where(exported: tuple[RenderedSite, str]) -> None:
    site, out = exported
    for rel in WHOLE:
        assert (site.build / rel).is_file(), rel
    for layer in LAYERS:
        assert (site.build / "slides" / f"{layer}.html").is_file()
        assert (site.build / "slides" / "pptx" / f"{layer}.pptx").is_file()
    assert "slides: 3 tile(s)" in out and "print: 3 tile(s)" in out
    assert "gallery:" in out


def test_the_gallery_links_every_export_and_each_link_resolves(exported: tuple[RenderedSite, str]) -> None:
    site, _ = exported
    page = Page((site.site / "index.html").read_text(encoding="utf-8"))
    hrefs = [a["href"] for a in page.find("a")]
    for rel in WHOLE:
        assert rel in hrefs, rel
    for layer in LAYERS:
        assert f"slides/{layer}.html" in hrefs and f"slides/pptx/{layer}.pptx" in hrefs
    for href in hrefs:
        path = href.split("#", 1)[0]
        if path.startswith(("slides/", "print/")):
            assert (site.site / path).is_file(), href
    # Exports are hard links into the site, not copies.
    assert os.path.samefile(site.build / "slides/pptx/all.pptx", site.site / "slides/pptx/all.pptx")


def test_the_player_data_and_tile_pages_point_at_the_tiles_slide_and_light_files(
    exported: tuple[RenderedSite, str],
) -> None:
    site, _ = exported
    data = {t["id"]: t for t in read_gallery_data(site.site)["tiles"]}
    tile = data["ml-landscape"]
    assert tile["exports"] == {"deck": "slides/foundations.html#/ml-landscape",
                               "pptx": "slides/pptx/foundations.pptx"}
    assert data["prompt-injection-defense"]["exports"]["deck"] == "slides/ai-security.html#/prompt-injection-defense"
    for key in ("mp4", "gif", "poster", "captions"):
        assert tile["light"][key].startswith("media-light/ml-landscape/")
        assert os.path.samefile(site.site / tile["light"][key], site.media_light / tile["light"][key].split("/", 1)[1])
    tile_page = Page((site.site / "t" / "ml-landscape.html").read_text(encoding="utf-8"))
    links = [a["href"] for a in tile_page.find("a")]
    assert "../slides/foundations.html#/ml-landscape" in links
    assert "../media-light/ml-landscape/video.mp4" in links
    deck = (site.site / "slides" / "foundations.html").read_text(encoding="utf-8")
    assert 'id="ml-landscape"' in deck


def test_a_second_run_with_nothing_changed_rewrites_nothing(exported: tuple[RenderedSite, str]) -> None:
    site, _ = exported
    files = [site.build / rel for rel in WHOLE]
    before = [f.stat().st_mtime_ns for f in files]
    for command in ("slides", "print"):
        res = cli(site, command, "--no-site")
        assert res.returncode == 0, res.stderr
    assert [f.stat().st_mtime_ns for f in files] == before


def test_exports_without_a_light_render_name_the_command_to_run(
    exported: tuple[RenderedSite, str], tmp_path: Path
) -> None:
    site, _ = exported
    for command in ("slides", "print"):
        res = run_cli("--spec", str(site.spec_path), "--build", str(tmp_path / "empty"), command)
        assert res.returncode == 2
        assert "no tile is rendered in the light theme" in res.stderr
        assert "python -m render render --theme light" in res.stderr
    assert not (tmp_path / "empty" / "slides").exists()


def test_tiles_missing_from_the_light_render_are_named(exported: tuple[RenderedSite, str], tmp_path: Path) -> None:
    site, _ = exported
    (site.media_light / AUTHORED[0] / "meta.json").rename(tmp_path / "meta.json")
    try:
        res = cli(site, "slides", "--no-site")
    finally:
        (tmp_path / "meta.json").rename(site.media_light / AUTHORED[0] / "meta.json")
    assert res.returncode == 0, res.stderr
    assert f"1 authored tile(s) not rendered in the light theme are left out ({AUTHORED[0]})" in res.stderr
    deck = (site.build / "slides" / "index.html").read_text(encoding="utf-8")
    assert f'id="{AUTHORED[0]}"' not in deck and f'id="{AUTHORED[1]}"' in deck
