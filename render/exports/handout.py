"""Printable PDF handouts of the rendered tiles: WeasyPrint from Jinja templates, as tagged PDF with real text.

Two documents, each in A4 and US Letter:

- handout-<paper>.pdf (site/templates/handout-tiles.html.j2): a cover with the contents (each layer and tile with
  its page number), then per tile, from a new page: number and layer, title, tagline, the poster, the key points
  (with formula and priority), the notes, and the interview questions with their model answers and sources; a tile
  with much text runs on to a second page;
- steps-<paper>.pdf (site/templates/handout-steps.html.j2): every step picture in order with its number, title
  and caption, each tile from a new page (two pictures to a page).

Both are tagged PDF (WeasyPrint's PDF/UA-1 variant) with the language set (lang="en"): the text can be selected,
searched, copied and read aloud in reading order. The outline holds "Contents", then a bookmark per layer with a
bookmark per tile under it; every page but the cover carries the tile's title and "Page n of m". The only raster
images are the tiles' posters and step pictures, embedded losslessly at their own resolution (at most IMAGE_DPI
at their printed size); those of 256 colours or fewer (every poster) as indexed colour (see indexed_pictures).
"""

from __future__ import annotations

import io
import logging
import multiprocessing as mp
import os
import zlib
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from render.exports import Export, stamp, up_to_date
from render.exports.gallery import TEMPLATES, LayerView, StepView, TileView, get_env
from render.files import atomic_path, font_path

log = logging.getLogger(__name__)

IMAGE_DPI = 300  # pictures printed denser than this are downsampled (a full-quality poster prints at about 270 dpi)
STEP_HEIGHT_MM = 88  # each step picture's printed height: two pictures and their captions to an A4 or Letter page
# Tagged PDF (a structure tree in reading order, alternative text for the pictures, the document's language and
# title) with PDF/UA-1 identification; WeasyPrint sets pdf_tags and PDF 1.7 for this variant.
PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/ua-1", "pdf_tags": True, "dpi": IMAGE_DPI}
FONTS = ("Inter", "Inter:weight=600", "Inter:weight=700", "JetBrains Mono", "DejaVu Sans")  # what the pages use


@dataclass(frozen=True)
class Paper:
    name: str
    css: str  # the @page size
    width_mm: float
    height_mm: float


A4 = Paper("a4", "A4", 210, 297)
LETTER = Paper("letter", "letter", 215.9, 279.4)
PAPERS = (A4, LETTER)


@dataclass(frozen=True)
class Document:
    template: str
    subtitle: str
    description: str


DOCUMENTS = {
    "handout": Document(
        "handout-tiles.html.j2", "handout",
        "One tile from each new page: its final picture, key points, notes, and interview questions with model "
        "answers and their sources.",
    ),
    "steps": Document(
        "handout-steps.html.j2", "step by step",
        "Every step picture of every tile in order, with its title and narration.",
    ),
}


def layers_of(export: Export) -> list[tuple[LayerView, list[TileView]]]:
    """The layers with rendered tiles, each with its rendered tiles in seed order."""
    return [(layer, export.rendered_of(layer)) for layer in export.layers]


def steps_of(export: Export, tile: TileView) -> list[tuple[StepView, str]]:
    """A tile's step pictures (file URIs) in order; a tile without steps shows its poster."""
    assert tile.media is not None
    steps = list(tile.media.steps) or [StepView(1, "", tile.tagline, 0.0, 0.0, tile.media.poster)]
    return [
        (s, (export.step_picture(tile, s) if tile.media.steps else export.poster(tile)).resolve().as_uri())
        for s in steps
    ]


def document_html(export: Export, kind: str, paper: Paper) -> str:
    """The HTML that WeasyPrint lays out for one document on one paper size (pictures as file URIs)."""
    doc = DOCUMENTS[kind]
    return get_env().get_template(doc.template).render(
        g=export.gallery,
        doc_title=f"{export.gallery.title}: {doc.subtitle}",
        description=doc.description,
        paper=paper,
        layers=layers_of(export),
        poster_src=lambda t: export.poster(t).resolve().as_uri(),
        steps_of=lambda t: steps_of(export, t),
        step_height_mm=STEP_HEIGHT_MM,
    )


def write_document(export: Export, out: Path, kind: str, paper_name: str) -> Path:
    """Write one PDF (kind: handout or steps) on one paper size; return its path."""
    import weasyprint  # here: it loads Pango, which a no-op run never needs

    paper = next(p for p in PAPERS if p.name == paper_name)
    path = out / f"{kind}-{paper.name}.pdf"
    html = weasyprint.HTML(string=document_html(export, kind, paper), base_url=str(out))
    with atomic_path(path) as tmp, indexed_pictures():
        html.write_pdf(tmp, **PDF_OPTIONS)
    return path


@contextmanager
def indexed_pictures() -> Iterator[None]:
    """While WeasyPrint writes, store every picture of 256 colours or fewer as exact indexed colour.

    WeasyPrint 70 stores every picture as 24-bit RGB, so a poster (a 256-colour PNG) takes about 2.5 times its
    file's bytes. The same pixels as 8-bit indices into a palette of the picture's own colours are exact and
    about as small as the PNG. The picture's PDF object is made by RasterImage.get_x_object (once per picture and
    document); this wraps it, in this process only, and leaves pictures with more colours as they are.
    """
    from weasyprint.images import RasterImage

    original = RasterImage.get_x_object

    def get_x_object(self: Any, interpolate: bool, dpi_ratio: float) -> Any:
        stream = original(self, interpolate, dpi_ratio)
        return indexed_stream(self, stream) or stream

    RasterImage.get_x_object = get_x_object
    try:
        yield
    finally:
        RasterImage.get_x_object = original


def indexed_stream(image: Any, stream: Any) -> Any:
    """The indexed-colour PDF image of a WeasyPrint picture, or None when it is not RGB of at most 256 colours."""
    import numpy as np
    import pydyf
    from PIL import Image

    if image.mode != "RGB" or image.format != "PNG":
        return None
    with Image.open(io.BytesIO(image.image_data.data)) as im:
        picture = im.convert("RGB")
    if picture.getcolors(256) is None or picture.size != (stream.extra["Width"], stream.extra["Height"]):
        return None
    pixels = np.asarray(picture, dtype=np.uint32)
    codes = (pixels[..., 0] << 16) | (pixels[..., 1] << 8) | pixels[..., 2]
    colours, indices = np.unique(codes, return_inverse=True)  # exact: each pixel's index into its own colours
    table = np.stack([colours >> 16, (colours >> 8) & 255, colours & 255], axis=1).astype(np.uint8).tobytes()
    extra = pydyf.Dictionary({k: v for k, v in stream.extra.items() if k != "DecodeParms"})
    extra["ColorSpace"] = pydyf.Array(["/Indexed", "/DeviceRGB", len(colours) - 1, b"<" + table.hex().encode() + b">"])
    extra["Filter"] = "/FlateDecode"
    return pydyf.Stream([zlib.compress(indices.astype(np.uint8).tobytes(), 9)], extra)


def outputs(out: Path) -> list[Path]:
    return [out / f"{kind}-{paper.name}.pdf" for kind in DOCUMENTS for paper in PAPERS]


def build_handouts(export: Export, out: Path) -> list[Path]:
    """Write the handout and steps PDFs (A4 and Letter) into out; skipped when nothing they read changed."""
    import weasyprint

    paths = outputs(out)
    templates = [TEMPLATES / "handout-base.html.j2", *(TEMPLATES / d.template for d in DOCUMENTS.values())]
    extra = [f"weasyprint={weasyprint.__version__}", *(f"{f}={font_path(f)}" for f in FONTS)]
    digest = export.digest(Path(__file__), *templates, extra=extra)
    if up_to_date(out, digest, paths):
        log.info("handouts are up to date in %s", out)
        return paths
    out.mkdir(parents=True, exist_ok=True)
    # The four documents are independent: one process each, as many at a time as there are cores.
    jobs = [(kind, paper.name) for paper in PAPERS for kind in DOCUMENTS]
    workers = max(1, min(len(jobs), os.cpu_count() or 1))
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as pool:
        for fut in [pool.submit(write_document, export, out, kind, paper) for kind, paper in jobs]:
            fut.result()
    stamp(out, digest)
    log.info("handouts: %d tiles, %d documents in %s", len(export.tiles), len(paths), out)
    return paths
