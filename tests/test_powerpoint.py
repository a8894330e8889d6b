"""The PowerPoint export: the PPTX files reopen with python-pptx and hold one movie per authored tile.

Built from the real light-theme renders of the three fixture tiles (two in "foundations", one in
the last layer): the embedded movies and posters are the tiles' own files, the videos start by
themselves (PowerPoint's autoplay timing), notes and questions are in the speaker notes, the
step-slides variant adds the step pictures, and a second build with nothing changed does nothing. A real
presentation program opens them: LibreOffice Impress, headless, converts both variants to PDF, a page per slide.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PresentationType
from pptx.shapes.base import BaseShape
from pptx.slide import Slide
from pptx.util import Inches
from pypdf import PdfReader

from render.exports import STAMP, Export
from render.exports.gallery import TileView
from render.exports.powerpoint import ALL, autoplay_timing, build_pptx
from tests.conftest import need
from tests.gallery_site import AUTHORED, RenderedSite, rendered_site

pytestmark = pytest.mark.render

NS = {
    "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "p14": "http://schemas.microsoft.com/office/powerpoint/2010/main",
}


def xp(element: etree._Element, path: str) -> list:
    """XPath with the p, a, r and p14 prefixes (python-pptx's own xpath() does not know p14)."""
    return etree._Element.xpath(element, path, namespaces=NS)


@dataclass(frozen=True)
class Built:
    site: RenderedSite
    export: Export
    out: Path
    files: list[Path]
    steps_out: Path
    steps_files: list[Path]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    site = rendered_site(tmp_path_factory)
    export = site.light_export()
    base = tmp_path_factory.mktemp("pptx")
    out, steps_out = base / "pptx", base / "pptx-steps"
    files = build_pptx(export, out)
    steps_files = build_pptx(export, steps_out, step_slides=True)
    return Built(site, export, out, files, steps_out, steps_files)


def movies(slide: Slide) -> list[BaseShape]:
    return [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.MEDIA]


def pictures(slide: Slide) -> list[BaseShape]:
    return [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]


def deck_movies(prs: PresentationType) -> list[tuple[Slide, BaseShape]]:
    return [(slide, m) for slide in prs.slides for m in movies(slide)]


def movie_bytes(slide: Slide, movie: BaseShape) -> bytes:
    """The embedded media part, found through the movie's p14:media and a:videoFile relationships."""
    embed = xp(movie._element, "./p:nvPicPr/p:nvPr/p:extLst/p:ext/p14:media/@r:embed")
    link = xp(movie._element, "./p:nvPicPr/p:nvPr/a:videoFile/@r:link")
    assert len(embed) == 1 and len(link) == 1
    media, video = slide.part.related_part(embed[0]), slide.part.related_part(link[0])
    assert media is video and media.content_type == "video/mp4"
    return media.blob


def slide_text(slide: Slide) -> str:
    return "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


def rendered_ids(export: Export, layer_id: str | None = None) -> list[str]:
    return [t.id for t in export.tiles if layer_id is None or t.layer_id == layer_id]


def tile_of(export: Export, tid: str) -> TileView:
    return next(t for t in export.tiles if t.id == tid)


def test_one_file_per_layer_and_all(built: Built) -> None:
    layers = built.export.layers
    assert [p.name for p in built.files] == [f"{layer.id}.pptx" for layer in layers] + [ALL]
    assert len(layers) == 2 and layers[0].id == "foundations"  # the fixture tiles' layers
    assert sorted(p.name for p in built.out.iterdir()) == sorted([STAMP, *(p.name for p in built.files)])
    for path in built.files:
        assert path.is_file() and path.stat().st_size > 0
        assert path.stat().st_mode & 0o044 == 0o044  # readable by the web server, not private to the builder


def test_all_holds_one_movie_per_authored_tile(built: Built) -> None:
    prs = Presentation(str(built.out / ALL))
    assert rendered_ids(built.export) == AUTHORED
    found = deck_movies(prs)
    assert len(found) == len(AUTHORED)
    for (slide, movie), tid in zip(found, AUTHORED, strict=True):
        tile = tile_of(built.export, tid)
        assert len(movies(slide)) == 1
        assert movie_bytes(slide, movie) == (built.site.media_light / tid / "video.mp4").read_bytes()
        assert movie.poster_frame.blob == (built.site.media_light / tid / "poster.png").read_bytes()
        assert tile.title in slide_text(slide) and tile.tagline in slide_text(slide)
    # a title slide per layer, then one slide per tile
    assert len(prs.slides) == len(built.export.layers) + len(AUTHORED)
    for layer in built.export.layers:
        assert any(layer.title in slide_text(s) and not movies(s) for s in prs.slides)


def test_each_layer_file_holds_its_tiles(built: Built) -> None:
    for layer, path in zip(built.export.layers, built.files, strict=False):
        prs = Presentation(str(path))
        ids = rendered_ids(built.export, layer.id)
        found = deck_movies(prs)
        assert len(found) == len(ids) >= 1
        for (slide, movie), tid in zip(found, ids, strict=True):
            assert movie_bytes(slide, movie) == (built.site.media_light / tid / "video.mp4").read_bytes()
        first = prs.slides[0]
        assert not movies(first) and layer.title in slide_text(first)
        assert len(prs.slides) == 1 + len(ids)


def test_slides_are_16_9_and_everything_is_inside(built: Built) -> None:
    prs = Presentation(str(built.steps_out / ALL))
    assert (prs.slide_width, prs.slide_height) == (Inches(13.333), Inches(7.5))
    for slide in prs.slides:
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0, shape.name
            assert shape.left + shape.width <= prs.slide_width, shape.name
            assert shape.top + shape.height <= prs.slide_height, shape.name
        for _, movie in [(slide, m) for m in movies(slide)]:
            assert abs(movie.width / movie.height - 16 / 9) < 0.01
            assert movie.width > prs.slide_width * 0.6  # fills most of the slide


def test_notes_hold_notes_and_questions(built: Built) -> None:
    prs = Presentation(str(built.out / ALL))
    for (slide, _), tid in zip(deck_movies(prs), AUTHORED, strict=True):
        _, spec_tile = built.site.spec.tile(tid)
        notes = slide.notes_slide.notes_text_frame.text
        assert spec_tile.notes and spec_tile.questions
        for text in [*spec_tile.notes, *(q.q for q in spec_tile.questions)]:
            assert text in notes


def test_movies_play_automatically(built: Built) -> None:
    prs = Presentation(str(built.out / ALL))
    for slide, movie in deck_movies(prs):
        sld = slide._element
        timing = sld.find(qn("p:timing"))
        assert timing is not None
        # p:timing sits where the schema puts it: after p:cSld and p:clrMapOvr
        assert [etree.QName(c).localname for c in sld][:3] == ["cSld", "clrMapOvr", "timing"]
        spid = str(movie.shape_id)
        main = xp(timing, ".//p:seq/p:cTn[@nodeType='mainSeq']")
        assert len(main) == 1
        # the first step starts with the main sequence (onBegin of its node), not on a click
        start = xp(main[0], "./p:childTnLst/p:par/p:cTn/p:stCondLst/p:cond[@evt='onBegin']/p:tn/@val")
        assert start == [main[0].get("id")]
        effect = xp(main[0], ".//p:cTn[@presetClass='mediacall']")
        assert len(effect) == 1 and effect[0].get("nodeType") == "afterEffect"
        play = xp(effect[0], ".//p:cmd[@type='call'][@cmd='playFrom(0.0)']")
        assert len(play) == 1
        assert xp(play[0], "./p:cBhvr/p:tgtEl/p:spTgt/@spid") == [spid]
        assert xp(timing, ".//p:video/p:cMediaNode/p:tgtEl/p:spTgt/@spid") == [spid]
        ids = xp(timing, ".//p:cTn/@id")
        assert len(ids) == len(set(ids))
        assert not xp(timing, ".//p:cTn[@nodeType='clickEffect'][@presetClass='mediacall']"
                                "//p:cmd[starts-with(@cmd, 'playFrom')]")
    for slide in prs.slides:  # title slides have no timing
        if not movies(slide):
            assert slide._element.find(qn("p:timing")) is None


def test_autoplay_timing_round_trips(built: Built, tmp_path: Path) -> None:
    timing = autoplay_timing(7, 3.25)
    assert xp(timing, ".//p:cmd[@cmd='playFrom(0.0)']/p:cBhvr/p:cTn/@dur") == ["3250"]
    assert set(xp(timing, ".//p:spTgt/@spid")) == {"7"}
    # python-pptx reopens and re-saves a deck with it unchanged
    prs = Presentation(str(built.out / ALL))
    before = [etree.tostring(s._element.find(qn("p:timing"))) for s in prs.slides if movies(s)]
    prs.save(str(tmp_path / "again.pptx"))
    again = Presentation(str(tmp_path / "again.pptx"))
    after = [etree.tostring(s._element.find(qn("p:timing"))) for s in again.slides if movies(s)]
    assert before == after and len(after) == len(AUTHORED)


def test_step_slides_hold_one_picture_per_step(built: Built) -> None:
    prs = Presentation(str(built.steps_out / ALL))
    slides = list(prs.slides)
    assert len(deck_movies(prs)) == len(AUTHORED)
    total_steps = 0
    for tid in AUTHORED:
        tile = tile_of(built.export, tid)
        assert tile.media is not None and tile.media.steps
        at = next(i for i, s in enumerate(slides) if movies(s) and tile.title in slide_text(s))
        for k, step in enumerate(tile.media.steps, start=1):
            slide = slides[at + k]
            pics = pictures(slide)
            assert len(pics) == 1 and not movies(slide)
            assert pics[0].image.blob == built.export.step_picture(tile, step).read_bytes()
            assert step.title in slide_text(slide) and step.say in slide_text(slide)
        total_steps += len(tile.media.steps)
    assert sum(len(pictures(s)) for s in slides) == total_steps
    assert len(slides) == len(built.export.layers) + len(AUTHORED) + total_steps
    # the layer files get the step slides too
    for path in built.steps_files[:-1]:
        assert sum(len(pictures(s)) for s in Presentation(str(path)).slides) > 0
    # and the plain build has none
    assert not any(pictures(s) for s in Presentation(str(built.out / ALL)).slides)


def test_second_build_skips_and_a_changed_flag_rebuilds(built: Built) -> None:
    def state(out: Path) -> dict[str, tuple[int, bytes]]:
        return {p.name: (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(out.iterdir())}

    before = state(built.out)
    assert build_pptx(built.export, built.out) == built.files
    assert state(built.out) == before
    # the step-slides flag is part of what the files are built from
    out = built.out.parent / "flag"
    build_pptx(built.export, out)
    plain = state(out)
    build_pptx(built.export, out, step_slides=True)
    assert state(out)[ALL][1] != plain[ALL][1]
    stepped = state(out)
    build_pptx(built.export, out, step_slides=True)
    assert state(out) == stepped
    assert not [p for p in out.iterdir() if p.name.startswith(".") and p.name != STAMP]  # no temp files left


SOFFICE = Path(shutil.which("soffice") or "/usr/bin/soffice")


def test_libreoffice_impress_opens_both_variants_a_page_per_slide(built: Built, tmp_path: Path) -> None:
    need(SOFFICE, "LibreOffice Impress (Debian package libreoffice-impress-nogui)")
    decks = {"plain.pptx": built.out / ALL, "steps.pptx": built.steps_out / ALL}
    for name, src in decks.items():
        shutil.copy(src, tmp_path / name)
    out = tmp_path / "pdf"
    # A profile of its own: no first-run dialog, no lock shared with another LibreOffice on the machine.
    res = subprocess.run(
        [str(SOFFICE), f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--norestore",
         "--nolockcheck", "--convert-to", "pdf", "--outdir", str(out), *(str(tmp_path / n) for n in decks)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Error" not in res.stdout + res.stderr, res.stdout + res.stderr
    for name, src in decks.items():
        prs = Presentation(str(src))
        reader = PdfReader(out / name.replace(".pptx", ".pdf"))
        assert len(reader.pages) == len(prs.slides) > len(AUTHORED), name
        ratio = prs.slide_width / prs.slide_height
        texts = []
        for page in reader.pages:
            box = page.mediabox
            assert float(box.width) / float(box.height) == pytest.approx(ratio, rel=0.01), name
            texts.append(" ".join(page.extract_text().split()))
        # each tile's movie slide is the page that carries its title, in the deck's order
        movie_pages = [i for i, slide in enumerate(prs.slides) if movies(slide)]
        for i, tid in zip(movie_pages, AUTHORED, strict=True):
            assert tile_of(built.export, tid).title in texts[i], (name, tid, texts[i])
