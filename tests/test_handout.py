"""The printable PDF handouts: page counts, paper sizes, one full-page image per page, the page layout, skipping."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat
from pypdf import PdfReader

from render.exports import Export, handout
from render.exports.gallery import StepView, TileView
from render.exports.handout import A4, LETTER, MARGIN, PAPERS, STEPS_PER_PAGE, build_handouts, step_pages
from spec import Question
from tests.gallery_site import AUTHORED, rendered_site

pytestmark = pytest.mark.render

POINTS = {"a4": (595.3, 841.9), "letter": (612.0, 792.0)}
PIXELS = {"a4": (1240, 1754), "letter": (1275, 1650)}


@dataclass(frozen=True)
class Built:
    export: Export
    out: Path
    paths: list[Path]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    site = rendered_site(tmp_path_factory)
    export = site.light_export()
    out = tmp_path_factory.mktemp("print")
    return Built(export, out, build_handouts(export, out))


def mean_diff(a: Image.Image, b: Image.Image) -> float:
    stat = ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB")))
    return sum(stat.mean) / 3


def test_it_writes_the_four_pdfs(built: Built) -> None:
    names = sorted(p.name for p in built.paths)
    assert names == ["handout-a4.pdf", "handout-letter.pdf", "steps-a4.pdf", "steps-letter.pdf"]
    assert all(p.parent == built.out and p.is_file() for p in built.paths)
    assert not [p for p in built.out.iterdir() if p.name.endswith(".tmp")]


def test_handouts_have_one_page_per_rendered_tile(built: Built) -> None:
    assert [t.id for t in built.export.tiles] == [t for t in AUTHORED if t in {x.id for x in built.export.tiles}]
    assert len(built.export.tiles) == len(AUTHORED)
    for paper in PAPERS:
        assert len(PdfReader(built.out / f"handout-{paper.name}.pdf").pages) == len(built.export.tiles)


def test_steps_pdfs_have_step_pages_per_tile(built: Built) -> None:
    tiles = built.export.tiles
    assert all(t.media is not None and t.media.steps for t in tiles)
    expected = sum(step_pages(len(t.media.steps)) for t in tiles if t.media is not None)
    assert expected > len(tiles)  # some fixture tile has more steps than fit one page
    for paper in PAPERS:
        assert len(PdfReader(built.out / f"steps-{paper.name}.pdf").pages) == expected


@pytest.mark.parametrize("name", ["handout-a4", "handout-letter", "steps-a4", "steps-letter"])
def test_every_page_is_the_named_paper_filled_by_one_image(built: Built, name: str) -> None:
    paper = name.split("-")[1]
    reader = PdfReader(built.out / f"{name}.pdf")
    for n, page in enumerate(reader.pages):
        box = page.mediabox
        assert float(box.left) == 0 and float(box.bottom) == 0
        assert float(box.width) == pytest.approx(POINTS[paper][0], abs=1), n
        assert float(box.height) == pytest.approx(POINTS[paper][1], abs=1), n
        xobjects = page["/Resources"]["/XObject"]
        images = [xobjects[k].get_object() for k in xobjects if xobjects[k].get_object()["/Subtype"] == "/Image"]
        assert len(images) == 1 and len(xobjects) == 1, n
        assert (images[0]["/Width"], images[0]["/Height"]) == PIXELS[paper], n
    assert reader.pages[0].images[0].image.size == PIXELS[paper]  # and it decodes


def test_the_stored_page_is_the_composed_page(built: Built) -> None:
    tiles = built.export.tiles
    tile = tiles[0]
    assert tile.media is not None
    poster = handout.open_rgb(built.export.poster(tile))
    composed = handout.compose_tile_page(tile, poster, A4, 1, len(tiles)).image
    stored = PdfReader(built.out / "handout-a4.pdf").pages[0].images[0].image
    assert mean_diff(composed, stored) < 1.0  # the palette encoding is near lossless


def test_a_second_build_rewrites_nothing_and_a_changed_input_rebuilds(built: Built) -> None:
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in built.paths}
    assert build_handouts(built.export, built.out) == built.paths
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in built.paths} == before
    (built.out / ".stamp").write_text("something else\n", encoding="utf-8")
    build_handouts(built.export, built.out)
    assert all((p.stat().st_ino, p.stat().st_mtime_ns) != before[p] for p in built.paths)
    assert build_handouts(built.export, built.out) == built.paths


# --------------------------------------------------------------------------- the page composer


def pattern(size: tuple[int, int] = (1920, 1080), seed: int = 0) -> Image.Image:
    """A picture with shapes and colours, so a misplaced or mis-scaled paste shows."""
    im = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(im)
    w, h = size
    for i in range(12):
        x, y = (i * 157 + seed * 31) % (w - 200), (i * 89 + seed * 17) % (h - 200)
        draw.rectangle((x, y, x + 180, y + 120), fill=((i * 40) % 256, (i * 90 + seed * 50) % 256, 200 - i * 10))
    draw.line((0, 0, w, h), fill="black", width=9)
    return im


PROSE = [
    "the", "model", "fits", "a", "few", "weights", "to", "the", "training", "data",
    "and", "is", "checked", "on", "held-out", "examples",
]


def tile_view(notes: int = 5, questions: int = 3, words: int = 10) -> TileView:
    text = " ".join((PROSE * words)[:words])
    return TileView(
        id="sample-tile",
        number=7,
        title="A Sample Tile Title",
        tagline="What a tagline says.",
        status="authored",
        layer_id="foundations",
        layer_title="Foundations",
        notes=tuple(f"Note {i}: {text}" for i in range(notes)),
        questions=tuple(Question(q=f"Question {i}: {text}?") for i in range(questions)),
    )


def inside(inner: tuple[int, int, int, int], outer: tuple[int, int, int, int]) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def below(upper: tuple[int, int, int, int], lower: tuple[int, int, int, int]) -> bool:
    return upper[3] <= lower[1]


def ink(page: Image.Image, box: tuple[int, int, int, int]) -> int:
    """How many dark pixels a region of the page holds."""
    hist = page.crop(box).convert("L").histogram()
    return sum(hist[:128])


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.name)
def test_tile_page_places_the_poster_and_text_without_overlap(paper: handout.Paper) -> None:
    poster = pattern()
    page = handout.compose_tile_page(tile_view(), poster, paper, 3, 9)
    assert page.image.size == (paper.width, paper.height) and page.image.mode == "RGB"
    b = page.boxes
    area = (MARGIN, MARGIN, paper.width - MARGIN, paper.height - MARGIN)
    for name in ("title", "tagline", "poster", "text", "footer"):
        assert inside(b[name], area), name
    assert below(b["title"], b["tagline"]) and below(b["tagline"], b["poster"])
    assert below(b["poster"], b["text"]) and below(b["text"], b["footer"])
    left, top, right, bottom = b["poster"]
    assert (right - left) / (bottom - top) == pytest.approx(16 / 9, rel=0.01)
    assert right - left >= 0.8 * (paper.width - 2 * MARGIN)  # the poster is large
    expected = poster.resize((right - left, bottom - top), Image.Resampling.LANCZOS)
    assert mean_diff(page.image.crop(b["poster"]), expected) < 2.0
    assert ink(page.image, b["title"]) > 2000  # the title is drawn
    assert ink(page.image, b["text"]) > 10000  # and the notes and questions
    assert page.body_size >= handout.BODY_FLOOR and not page.truncated


def test_a_title_change_changes_the_title_area() -> None:
    one = handout.compose_tile_page(tile_view(), pattern(), A4, 1, 1)
    other = handout.compose_tile_page(
        TileView(**{**tile_view().__dict__, "title": "Something Else Entirely"}), pattern(), A4, 1, 1
    )
    assert mean_diff(one.image.crop(one.boxes["title"]), other.image.crop(one.boxes["title"])) > 5


def test_long_notes_shrink_to_the_floor_then_are_cut_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    tile = tile_view(notes=12, questions=6, words=30)
    page = handout.compose_tile_page(tile, pattern(), LETTER, 1, 1)
    assert page.truncated and page.body_size == handout.BODY_FLOOR
    assert below(page.boxes["text"], page.boxes["footer"])
    assert ink(page.image, (MARGIN, page.boxes["text"][3], LETTER.width - MARGIN, page.boxes["footer"][1])) == 0

    pattern().save(tmp_path / "poster.png")
    export = SimpleNamespace(
        tiles=[TileView(**{**tile.__dict__, "media": SimpleNamespace(poster="media/sample-tile/poster.png")})],
        poster=lambda tile: tmp_path / "poster.png",
    )
    with caplog.at_level(logging.WARNING, logger="render.exports.handout"):
        assert len(list(handout.handout_pages(export, LETTER))) == 1  # type: ignore[arg-type]
    assert any("sample-tile" in r.getMessage() and "ellipsis" in r.getMessage() for r in caplog.records)


def test_notes_that_fit_at_a_smaller_size_are_not_cut() -> None:
    page = handout.compose_tile_page(tile_view(notes=5, words=16), pattern(), LETTER, 1, 1)
    assert handout.BODY_FLOOR <= page.body_size < handout.BODY_SIZE and not page.truncated


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.name)
def test_steps_page_stacks_legible_pictures_with_captions(paper: handout.Paper) -> None:
    steps = [
        (StepView(i, f"Step title {i}", "A caption that says what this step adds to the picture.", 0, 1, ""),
         pattern(seed=i))
        for i in range(1, STEPS_PER_PAGE + 1)
    ]
    page = handout.compose_steps_page(tile_view(), steps, paper, 2, 5)
    boxes = [page.boxes[f"step-{i}"] for i in range(1, STEPS_PER_PAGE + 1)]
    area = (MARGIN, MARGIN, paper.width - MARGIN, paper.height - MARGIN)
    assert below(page.boxes["title"], boxes[0])
    for n, box in enumerate(boxes):
        assert inside(box, area)
        assert box[2] - box[0] >= 0.6 * (paper.width - 2 * MARGIN)  # legible: at least 60% of the text width
        follows = boxes[n + 1] if n + 1 < len(boxes) else page.boxes["footer"]
        assert box[3] + 60 < follows[1]  # room for the caption under the picture
        expected = steps[n][1].resize((box[2] - box[0], box[3] - box[1]), Image.Resampling.LANCZOS)
        assert mean_diff(page.image.crop(box), expected) < 2.0
        assert ink(page.image, (box[0], box[3] + 8, box[2], box[3] + 60)) > 500  # the caption is drawn
    assert not page.truncated


def test_step_pages_is_a_fixed_number_of_steps_per_page() -> None:
    assert STEPS_PER_PAGE >= 1
    assert step_pages(0) == 1  # a tile without steps still gets a page (its poster)
    for n in range(1, 20):
        assert step_pages(n) == math.ceil(n / STEPS_PER_PAGE)


def test_wrap_keeps_lines_within_the_width() -> None:
    f = handout.font("regular", handout.BODY_SIZE)
    text = "Supervised learning maps x to a known y: classification predicts a class, " * 4 + "x" * 90
    lines = handout.wrap(text, f, 400)
    draw = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    assert len(lines) > 4 and all(draw.textlength(line, font=f) <= 400 for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_symbols_missing_from_the_body_font_are_drawn_with_a_fallback_font() -> None:
    from PIL import Image, ImageDraw

    from render.exports.handout import draw_text, font, has_glyph

    body = font("regular", 25)
    assert not has_glyph(body, "∇")  # Inter has no nabla: drawn directly it would be a missing-glyph box

    def drawn(draw_fn) -> bytes:  # type: ignore[no-untyped-def]
        img = Image.new("L", (120, 50), 0)
        draw_fn(ImageDraw.Draw(img))
        return img.tobytes()

    boxed = drawn(lambda d: d.text((5, 5), "∇", font=body, fill=255))
    fixed = drawn(lambda d: draw_text(d, (5, 5), "∇", body, "#ffffff"))
    assert fixed != boxed and any(fixed)
