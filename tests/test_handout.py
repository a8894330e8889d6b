"""The printable PDF handouts: real, tagged text in reading order, the outline, the contents, the pictures, skipping.

Built from the real light-theme renders of the three fixture tiles (two in "foundations", one in the last layer,
at preview quality); the PDFs are read back with pypdf.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from pypdf import PageObject, PdfReader
from pypdf.generic import ContentStream, Destination

from render.exports import Export
from render.exports.gallery import TileView
from render.exports.handout import DOCUMENTS, IMAGE_DPI, PAPERS, build_handouts, write_document
from spec import Question
from tests.gallery_site import AUTHORED, rendered_site

pytestmark = pytest.mark.render

POINTS = {"a4": (595.3, 841.9), "letter": (612.0, 792.0)}
NAMES = [f"{kind}-{paper.name}" for kind in DOCUMENTS for paper in PAPERS]


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


def flat(text: str) -> str:
    """Text with its line breaks and runs of spaces as single spaces (a line broken after a hyphen joined again)."""
    return re.sub(r"(\w)- (\w)", r"\1-\2", " ".join(text.split()))


def page_text(page: PageObject) -> str:
    return flat(page.extract_text())


def body_text(reader: PdfReader, pages: range) -> str:
    """The text of consecutive pages without their footers ("<tile title> Page n of m"), so a paragraph that runs
    on to the next page reads on."""
    out = []
    for i in pages:
        text = reader.pages[i].extract_text().rstrip()
        last = text.rfind("\n")
        assert re.fullmatch(r".*Page \d+ of \d+", text[last + 1 :]), text[last + 1 :]
        out.append(flat(text[:last]))
    return " ".join(out)


def outline(reader: PdfReader) -> list[tuple[str, int, list[tuple[str, int]]]]:
    """The outline as (title, page index, [(child title, page index)])."""
    out: list[tuple[str, int, list[tuple[str, int]]]] = []
    for item in reader.outline:
        if isinstance(item, list):
            parent = out[-1]
            parent[2].extend((c.title, reader.get_destination_page_number(c)) for c in item
                             if isinstance(c, Destination))
        else:
            out.append((item.title, reader.get_destination_page_number(item), []))
    return out


def tile_pages(reader: PdfReader) -> dict[str, range]:
    """Each tile's pages (by title): from its bookmark up to the next tile's, or the end."""
    starts = [(title, page) for _, _, tiles in outline(reader) for title, page in tiles]
    ends = [page for _, page in starts[1:]] + [len(reader.pages)]
    return {title: range(page, end) for (title, page), end in zip(starts, ends, strict=True)}


def drawn_images(reader: PdfReader, page: PageObject) -> list[Image.Image]:
    """The images a page's content stream draws (its resources may list more: WeasyPrint shares them)."""
    names = [ops[0] for ops, op in ContentStream(page.get_contents(), reader).operations if op == b"Do"]
    return [page.images[name].image.convert("RGB") for name in names]


def drawn_colour_spaces(reader: PdfReader, page: PageObject) -> list[str]:
    """The colour space of each image a page draws (/DeviceRGB, or /Indexed for a palette)."""
    names = [ops[0] for ops, op in ContentStream(page.get_contents(), reader).operations if op == b"Do"]
    xobjects = page["/Resources"]["/XObject"]
    spaces = [xobjects[name].get_object()["/ColorSpace"] for name in names]
    return [str(cs[0]) if isinstance(cs, list) else str(cs) for cs in spaces]


def same_picture(a: Image.Image, b: Image.Image) -> bool:
    return a.size == b.size and ImageChops.difference(a.convert("RGB"), b.convert("RGB")).getbbox() is None


def rgb(path: Path) -> Image.Image:
    with Image.open(path) as im:
        return im.convert("RGB")


def test_it_writes_the_four_pdfs(built: Built) -> None:
    names = sorted(p.name for p in built.paths)
    assert names == ["handout-a4.pdf", "handout-letter.pdf", "steps-a4.pdf", "steps-letter.pdf"]
    assert all(p.parent == built.out and p.is_file() for p in built.paths)
    assert not [p for p in built.out.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("name", NAMES)
def test_pages_are_the_named_paper_in_english_tagged_with_a_title(built: Built, name: str) -> None:
    paper = name.split("-")[1]
    reader = PdfReader(built.out / f"{name}.pdf")
    for n, page in enumerate(reader.pages):
        box = page.mediabox
        assert float(box.left) == 0 and float(box.bottom) == 0
        assert float(box.width) == pytest.approx(POINTS[paper][0], abs=1), n
        assert float(box.height) == pytest.approx(POINTS[paper][1], abs=1), n
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert bool(root["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in root  # tagged PDF
    assert reader.metadata is not None and reader.metadata.title == f"{built.export.gallery.title}: " + (
        "handout" if name.startswith("handout") else "step by step")
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])


@pytest.mark.parametrize("name", NAMES)
def test_the_outline_has_a_bookmark_per_layer_with_its_tiles(built: Built, name: str) -> None:
    reader = PdfReader(built.out / f"{name}.pdf")
    tree = outline(reader)
    assert tree[0][:2] == ("Contents", 0) and not tree[0][2]
    expected = [(f"Layer {layer.index} · {layer.title}", [t.title for t in built.export.rendered_of(layer)])
                for layer in built.export.layers]
    assert [(title, [t for t, _ in tiles]) for title, _, tiles in tree[1:]] == expected
    assert [t for _, _, tiles in tree[1:] for t, _ in tiles] == [t.title for t in built.export.tiles]
    pages = [page for _, _, tiles in tree[1:] for _, page in tiles]
    assert pages == sorted(set(pages)) and pages[0] == 1  # each tile from a new page, after the cover
    for _, layer_page, tiles in tree[1:]:
        assert layer_page == tiles[0][1]  # a layer's bookmark is its first tile's page
    for title, span in tile_pages(reader).items():
        assert title in page_text(reader.pages[span.start])


@pytest.mark.parametrize("name", NAMES)
def test_the_contents_page_lists_every_tile_with_its_page_number(built: Built, name: str) -> None:
    reader = PdfReader(built.out / f"{name}.pdf")
    contents = page_text(reader.pages[0])
    assert "Contents" in contents and not drawn_images(reader, reader.pages[0])
    for t in built.export.tiles:
        page = tile_pages(reader)[t.title].start + 1
        assert re.search(rf"{t.number:02d} {re.escape(t.title)}[ .]*\b{page}\b", contents), t.id
    for n, page in enumerate(reader.pages, start=1):
        assert f"Page {n} of {len(reader.pages)}" in page_text(page)


@pytest.mark.parametrize("paper", [p.name for p in PAPERS])
def test_a_tiles_pages_carry_its_text_in_reading_order(built: Built, paper: str) -> None:
    reader = PdfReader(built.out / f"handout-{paper}.pdf")
    spans = tile_pages(reader)
    assert [t.title for t in built.export.tiles] == list(spans)
    for t in built.export.tiles:
        text = body_text(reader, spans[t.title])
        parts = [t.title, flat(t.tagline)]
        parts += [flat(kp["point"]) for kp in t.key_points]
        parts += [flat(note) for note in t.notes]
        for q in t.questions:
            parts.append(flat(q.q))
            if q.answer:
                parts += [flat(q.answer), flat(f"Source: {q.source}")]
        at = 0
        for part in parts:
            found = text.find(part, at)
            assert found >= 0, (t.id, part, text)
            at = found + len(part)
    landscape = body_text(reader, spans["The Machine Learning Landscape"])
    assert "</script><script>alert(1)</script>" in landscape  # markup in the spec is text, not markup
    assert "1. Supervised learning learns from labels. p(y | x)" in landscape  # a number precedes its item
    assert "Answer: Labels: a target y" in landscape


@pytest.mark.parametrize("paper", [p.name for p in PAPERS])
def test_a_tiles_only_picture_is_its_poster_at_full_resolution(built: Built, paper: str) -> None:
    reader = PdfReader(built.out / f"handout-{paper}.pdf")
    spans = tile_pages(reader)
    for t in built.export.tiles:
        first, *rest = spans[t.title]
        images = drawn_images(reader, reader.pages[first])
        assert len(images) == 1 and same_picture(images[0], rgb(built.export.poster(t))), t.id
        # the poster is a 256-colour PNG: stored as indexed colour, exact and about as small as the file
        assert drawn_colour_spaces(reader, reader.pages[first]) == ["/Indexed"], t.id
        assert all(not drawn_images(reader, reader.pages[i]) for i in rest), t.id


@pytest.mark.parametrize("paper", [p.name for p in PAPERS])
def test_the_steps_pdf_shows_every_step_picture_in_order_with_its_caption(built: Built, paper: str) -> None:
    reader = PdfReader(built.out / f"steps-{paper}.pdf")
    spans = tile_pages(reader)
    tiles = built.export.tiles
    assert sum(len(s) for s in spans.values()) == len(reader.pages) - 1
    assert any(len(spans[t.title]) > 1 for t in tiles)  # a tile with more steps than fit a page runs on
    for t in tiles:
        assert t.media is not None and t.media.steps
        pictures = [im for i in spans[t.title] for im in drawn_images(reader, reader.pages[i])]
        steps = t.media.steps
        assert len(pictures) == len(steps), t.id
        for step, picture in zip(steps, pictures, strict=True):
            assert same_picture(picture, rgb(built.export.step_picture(t, step))), (t.id, step.index)
        text = body_text(reader, spans[t.title])
        at = 0
        for step in steps:
            part = f"Step {step.index} of {len(steps)} {step.title} {flat(step.say)}"
            found = text.find(part, at)
            assert found >= 0, (t.id, part, text)
            at = found + len(part)
        for i in spans[t.title]:
            assert len(drawn_images(reader, reader.pages[i])) <= 2  # two pictures to a page at most


def test_a_tile_with_much_text_runs_on_to_a_second_page_uncut(built: Built, tmp_path: Path) -> None:
    long = " ".join(["the model fits a few weights to the training data and is checked on held-out examples"] * 3)
    notes = tuple(f"Note {i}: {long}." for i in range(10))
    questions = tuple(Question(q=f"Question {i}: why does this hold?", answer=f"Answer {i}: {long}.",
                               source=f"Source book {i}") for i in range(6))
    export = built.export
    gallery = export.gallery

    def grow(t: TileView) -> TileView:
        return dataclasses.replace(t, notes=notes, questions=questions) if t.id == "ml-project-lifecycle" else t

    layers = tuple(dataclasses.replace(layer, tiles=tuple(grow(t) for t in layer.tiles)) for layer in gallery.layers)
    grown = dataclasses.replace(export, gallery=dataclasses.replace(gallery, layers=layers))
    path = write_document(grown, tmp_path, "handout", "letter")
    reader = PdfReader(path)
    span = tile_pages(reader)["The ML Project Lifecycle"]
    assert len(span) >= 2
    text = body_text(reader, span)
    assert flat(notes[-1]) in text and flat(questions[-1].answer or "") in text and "Source: Source book 5" in text
    assert "…" not in text
    assert all(not drawn_images(reader, reader.pages[i]) for i in span[1:])
    assert "The ML Project Lifecycle" in page_text(reader.pages[span[1]])  # the running footer names the tile


def test_pictures_are_embedded_at_their_own_resolution_up_to_print_density(built: Built) -> None:
    # The preview posters (854 px) print at about 120 dpi across the page: embedded as they are.
    assert IMAGE_DPI >= 300
    reader = PdfReader(built.out / "handout-a4.pdf")
    widths = {im.width for page in reader.pages for im in drawn_images(reader, page)}
    assert widths == {rgb(built.export.poster(t)).width for t in built.export.tiles}


def test_a_second_build_rewrites_nothing_and_a_changed_input_rebuilds(built: Built) -> None:
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in built.paths}
    assert build_handouts(built.export, built.out) == built.paths
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in built.paths} == before
    (built.out / ".stamp").write_text("something else\n", encoding="utf-8")
    build_handouts(built.export, built.out)
    assert all((p.stat().st_ino, p.stat().st_mtime_ns) != before[p] for p in built.paths)
    assert build_handouts(built.export, built.out) == built.paths


def test_the_fixture_has_the_authored_tiles(built: Built) -> None:
    assert [t.id for t in built.export.tiles] == AUTHORED
