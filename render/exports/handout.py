"""Printable PDF handouts of the rendered tiles, drawn with Pillow (every page is one 150 dpi image).

Two documents, each in A4 and US Letter:

- handout-<paper>.pdf: one page per rendered tile (number, layer, title, tagline, the poster,
  the notes as bullets and the interview questions numbered);
- steps-<paper>.pdf: every step picture in order with its number, title and caption; each
  tile starts on a new page headed by its title, STEPS_PER_PAGE pictures to a page.

Pages are composed one at a time and written straight into the PDF by a small writer of
our own: Pillow's PDF plugin holds every appended page in memory (its `append` mode rewrites
all earlier pages each time) and can only store colour pages as JPEG. Here a page is stored as
256 colours with Flate (the PNG encoding), which is about half the size of JPEG and keeps text
edges crisp; see encode().
"""

from __future__ import annotations

import functools
import logging
import math
import multiprocessing as mp
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from render.exports import Export, stamp, up_to_date
from render.exports.gallery import StepView, TileView
from render.exports.pdf import DPI, write_pdf
from render.files import font_path
from spec.theme import LIGHT

log = logging.getLogger(__name__)

STEPS_PER_PAGE = 2  # two 16:9 pictures to a portrait page keep the diagrams' smallest labels legible (~7 pt)

Box = tuple[int, int, int, int]  # left, top, right, bottom in page pixels
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class Paper:
    name: str
    width: int  # pixels at DPI
    height: int

    @property
    def points(self) -> tuple[float, float]:
        return self.width * 72 / DPI, self.height * 72 / DPI


A4 = Paper("a4", 1240, 1754)  # 210 x 297 mm
LETTER = Paper("letter", 1275, 1650)  # 8.5 x 11 in
PAPERS = (A4, LETTER)

# Sizes in pixels at 150 dpi (21 px is 10 pt).
MARGIN = 90  # 15 mm
FOOTER = 70  # footer band above the bottom margin: a rule and one line
KICKER_SIZE = 22
TITLE_SIZE, TITLE_FLOOR = 54, 40
STEPS_TITLE_SIZE, STEPS_TITLE_FLOOR = 42, 34  # the steps pages' smaller header leaves the pictures more room
TAGLINE_SIZE = 30
HEADING_SIZE = 27
BODY_SIZE, BODY_FLOOR = 25, 21
FOOTER_SIZE = 19
STEP_TITLE_SIZE = 26
SAY_SIZE, SAY_FLOOR = 23, 21
SAY_LINES = 2  # room kept under every step picture for its caption (longer captions shrink, then are cut)
LEADING = 1.38  # line height as a multiple of the font size

PAPER_WHITE = "#FFFFFF"
INK = LIGHT.text
MUTED = LIGHT.subtle_text
ACCENT = LIGHT.color("accent")
RULE = "#D5DAE1"
FRAME = "#C4CAD3"

FONT_PATTERNS = {
    "regular": "Inter:weight=80",  # fontconfig weights: 80 regular, 180 semibold, 200 bold
    "semibold": "Inter:weight=180",
    "bold": "Inter:weight=200",
    "mono": "JetBrains Mono:weight=80",
    "fallback": "DejaVu Sans",  # glyphs Inter lacks (∇, ≪, ⌊ ⌋, ᵀ)
}
NOTDEF = "\U0010fffd"  # a code point no font has: its mask is the font's "missing glyph" box


# --------------------------------------------------------------------------- fonts and text


@functools.cache
def font_file(role: str) -> str | None:
    """The font file fontconfig picks for a role, or None when fc-match is missing or finds nothing."""
    return font_path(FONT_PATTERNS[role])


@functools.cache
def font(role: str, size: int) -> Font:
    path = font_file(role)
    if path is not None:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            log.warning("cannot load font %s; using Pillow's default font", path)
    return ImageFont.load_default(size)


def _mask(f: Font, ch: str) -> tuple[tuple[int, int], bytes]:
    m = f.getmask(ch)
    return m.size, bytes(m)


@functools.cache
def has_glyph(f: Font, ch: str) -> bool:
    """Whether f draws ch itself (rather than its missing-glyph box)."""
    return ch.isspace() or _mask(f, ch) != _mask(f, NOTDEF)


@functools.cache
def fallback(f: Font) -> Font | None:
    """The fallback font at f's size, or None when there is none."""
    path = font_file("fallback")
    size = getattr(f, "size", None)
    if path is None or size is None:
        return None
    try:
        return ImageFont.truetype(path, size)
    except OSError:
        return None


def runs(text: str, f: Font) -> list[tuple[str, Font]]:
    """Split text into runs drawn with f, or with the fallback font where f lacks a glyph."""
    back = fallback(f)
    out: list[tuple[str, Font]] = []
    for ch in text:
        use = f if back is None or has_glyph(f, ch) or not has_glyph(back, ch) else back
        if out and out[-1][1] is use:
            out[-1] = (out[-1][0] + ch, use)
        else:
            out.append((ch, use))
    return out


def textlength(text: str, f: Font) -> float:
    """The advance width of text, with fallback glyphs."""
    draw = _measure()
    return sum(draw.textlength(part, font=pf) for part, pf in runs(text, f))


def draw_text(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, f: Font, fill: str) -> None:
    """Draw text at xy (top left, like ImageDraw.text), switching to the fallback font where needed."""
    x, y = xy
    for part, pf in runs(text, f):
        draw.text((x, y), part, font=pf, fill=fill)
        x += draw.textlength(part, font=pf)


def line_height(f: Font) -> int:
    return round(getattr(f, "size", 12) * LEADING)


def _measure() -> ImageDraw.ImageDraw:
    return ImageDraw.Draw(Image.new("RGB", (1, 1)))


def wrap(text: str, f: Font, width: float) -> list[str]:
    """Break text into lines no wider than width (a word too long for a line is broken)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if textlength(candidate, f) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while textlength(word, f) > width and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and textlength(word[:cut], f) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


def ellipsize(text: str, f: Font, width: float) -> str:
    """Text with an ellipsis at its end, cut so that it fits width."""
    text = text.rstrip()
    while text and textlength(text + "…", f) > width:
        text = text[:-1].rstrip()
    return text + "…"


@dataclass
class Block:
    """Lines of text laid out for one size: (x offset, text, font, colour, y offset) per run."""

    runs: list[tuple[int, str, Font, str, int]] = field(default_factory=list)
    height: int = 0
    truncated: bool = False


def list_block(sections: list[tuple[str, list[str], bool]], width: int, size: int, limit: int | None = None) -> Block:
    """Lay out headed lists (title, items, numbered) at a body size; stop with an ellipsis at limit px height."""
    body, head = font("regular", size), font("semibold", HEADING_SIZE)
    lh, hh = line_height(body), line_height(head)
    indent = round(textlength("00.", body) + size * 0.6)
    out = Block()
    y = 0
    for s, (title, items, numbered) in enumerate(sections):
        if not items:
            continue
        if s and out.runs:
            y += round(size * 0.9)
        if limit is not None and y + hh + lh > limit:
            out.truncated = True
            break
        out.runs.append((0, title, head, INK, y))
        y += hh + round(size * 0.2)
        for n, item in enumerate(items, start=1):
            lines = wrap(item, body, width - indent)
            marker = f"{n}." if numbered else "•"
            mx = indent - round(size * 0.6) - round(textlength(marker, body))
            for i, text in enumerate(lines):
                if limit is not None and y + lh > limit:
                    out.truncated = True
                    if out.runs and out.runs[-1][2] is body:
                        x, last, f, colour, ly = out.runs[-1]
                        out.runs[-1] = (x, ellipsize(last, body, width - indent), f, colour, ly)
                    out.height = y
                    return out
                if i == 0:
                    out.runs.append((mx, marker, body, ACCENT if numbered else MUTED, y))
                out.runs.append((indent, text, body, INK, y))
                y += lh
            y += round(size * 0.35)
    out.height = y
    return out


def fit_lists(sections: list[tuple[str, list[str], bool]], width: int, height: int) -> tuple[Block, int]:
    """The body size (down to BODY_FLOOR) at which the lists fit height; truncated at the floor if still too long."""
    for size in range(BODY_SIZE, BODY_FLOOR - 1, -1):
        block = list_block(sections, width, size)
        if block.height <= height:
            return block, size
    return list_block(sections, width, BODY_FLOOR, limit=height), BODY_FLOOR


def draw_block(draw: ImageDraw.ImageDraw, block: Block, x: int, y: int) -> None:
    for dx, text, f, colour, dy in block.runs:
        draw_text(draw, (x + dx, y + dy), text, f, colour)


def fit_title(text: str, width: int, size: int = TITLE_SIZE, floor: int = TITLE_FLOOR) -> tuple[Font, list[str]]:
    """The title on one line, shrunk down to floor if needed, else wrapped at the floor."""
    for s in range(size, floor - 1, -2):
        f = font("bold", s)
        if textlength(text, f) <= width:
            return f, [text]
    f = font("bold", floor)
    return f, wrap(text, f, width)


# --------------------------------------------------------------------------- page composition


@dataclass
class Page:
    """A composed page and where its parts went (for tests and for the warning log)."""

    image: Image.Image
    boxes: dict[str, Box]
    body_size: int = 0
    truncated: bool = False


def fit_picture(size: tuple[int, int], width: int, height: int) -> tuple[int, int]:
    """The largest size of the same aspect ratio that fits width x height."""
    w, h = size
    scale = min(width / w, height / h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def paste_picture(page: Image.Image, picture: Image.Image, box: Box) -> None:
    """Resize picture to box and paste it with a thin frame around it."""
    left, top, right, bottom = box
    pic = picture.convert("RGB")
    if pic.size != (right - left, bottom - top):
        pic = pic.resize((right - left, bottom - top), Image.Resampling.LANCZOS)
    page.paste(pic, (left, top))
    ImageDraw.Draw(page).rectangle((left - 1, top - 1, right, bottom), outline=FRAME, width=1)


def header(
    draw: ImageDraw.ImageDraw, paper: Paper, tile: TileView, kicker: str, boxes: dict[str, Box], compact: bool = False
) -> int:
    """Draw the kicker line, the title and (unless compact) the tagline; return the y below them."""
    width = paper.width - 2 * MARGIN
    y = MARGIN
    kf = font("semibold", KICKER_SIZE)
    draw_text(draw, (MARGIN, y), kicker, kf, ACCENT)
    y += line_height(kf) + 6
    tf, lines = fit_title(tile.title, width, *((STEPS_TITLE_SIZE, STEPS_TITLE_FLOOR) if compact else ()))
    top = y
    for line in lines:
        draw_text(draw, (MARGIN, y), line, tf, INK)
        y += round(getattr(tf, "size", TITLE_SIZE) * 1.2)
    boxes["title"] = (MARGIN, top, paper.width - MARGIN, y)
    if tile.tagline and not compact:
        gf = font("regular", TAGLINE_SIZE)
        top = y + 2
        for line in wrap(tile.tagline, gf, width)[:2]:
            y += 2
            draw_text(draw, (MARGIN, y), line, gf, MUTED)
            y += line_height(gf)
        boxes["tagline"] = (MARGIN, top, paper.width - MARGIN, y)
    return y


def footer(draw: ImageDraw.ImageDraw, paper: Paper, left: str, right: str, boxes: dict[str, Box]) -> None:
    top = paper.height - MARGIN - FOOTER + 26
    draw.line((MARGIN, top, paper.width - MARGIN, top), fill=RULE, width=2)
    y = top + 14
    mf, rf = font("mono", FOOTER_SIZE), font("regular", FOOTER_SIZE)
    draw_text(draw, (MARGIN, y), left, mf, MUTED)
    w = textlength(right, rf)
    draw_text(draw, (paper.width - MARGIN - w, y), right, rf, MUTED)
    boxes["footer"] = (MARGIN, top, paper.width - MARGIN, y + line_height(rf))


def content_bottom(paper: Paper) -> int:
    return paper.height - MARGIN - FOOTER


def kicker_of(tile: TileView, extra: str = "") -> str:
    return f"{tile.number:02d} · {tile.layer_title.upper()}" + (f" · {extra}" if extra else "")


def compose_tile_page(tile: TileView, poster: Image.Image, paper: Paper, page_no: int, pages: int) -> Page:
    """The handout page of one tile: header, the poster across the page, the notes and the questions."""
    page = Image.new("RGB", (paper.width, paper.height), PAPER_WHITE)
    draw = ImageDraw.Draw(page)
    boxes: dict[str, Box] = {}
    width = paper.width - 2 * MARGIN
    y = header(draw, paper, tile, kicker_of(tile), boxes) + 28
    pw, ph = fit_picture(poster.size, width, round(paper.height * 0.36))
    left = MARGIN + (width - pw) // 2
    boxes["poster"] = (left, y, left + pw, y + ph)
    paste_picture(page, poster, boxes["poster"])
    y += ph + 34
    sections = [("Notes", list(tile.notes), False), ("Interview questions", [q.q for q in tile.questions], True)]
    if tile.key_points:
        points = [kp["point"] + (f" ({kp['formula']})" if kp.get("formula") else "") for kp in tile.key_points]
        sections.insert(0, ("Key points", points, True))
    answers = [f"{q.answer} (Source: {q.source})" for q in tile.questions if q.answer]
    if answers:
        sections.append(("Answers", answers, True))
    block, size = fit_lists(sections, width, content_bottom(paper) - y)
    draw_block(draw, block, MARGIN, y)
    boxes["text"] = (MARGIN, y, paper.width - MARGIN, y + block.height)
    footer(draw, paper, tile.id, f"{page_no} / {pages}", boxes)
    return Page(page, boxes, size, block.truncated)


def compose_steps_page(
    tile: TileView,
    steps: list[tuple[StepView, Image.Image]],
    paper: Paper,
    page_no: int,
    pages: int,
    first: bool = True,
) -> Page:
    """A page of step pictures of one tile (at most STEPS_PER_PAGE), each with its number, title and caption."""
    page = Image.new("RGB", (paper.width, paper.height), PAPER_WHITE)
    draw = ImageDraw.Draw(page)
    boxes: dict[str, Box] = {}
    width = paper.width - 2 * MARGIN
    total = len(tile.media.steps) if tile.media is not None else len(steps)
    kicker = kicker_of(tile, "STEP BY STEP" if first else "CONTINUED")
    top = header(draw, paper, tile, kicker, boxes, compact=True) + 22
    slot = (content_bottom(paper) - top) // STEPS_PER_PAGE
    tf, sf = font("semibold", STEP_TITLE_SIZE), font("regular", SAY_SIZE)
    caption = 12 + line_height(tf) + 4 + SAY_LINES * line_height(sf) + 34
    truncated = False
    for n, (step, picture) in enumerate(steps):
        y = top + n * slot
        pw, ph = fit_picture(picture.size, width, slot - caption)
        left = MARGIN + (width - pw) // 2
        boxes[f"step-{n + 1}"] = (left, y, left + pw, y + ph)
        paste_picture(page, picture, boxes[f"step-{n + 1}"])
        y += ph + 12
        label = f"Step {step.index} of {total}" if total else "Poster"
        draw_text(draw, (left, y), label, tf, ACCENT)
        lx = left + round(textlength(label + "   ", tf))
        title = step.title
        if textlength(title, tf) > left + pw - lx:
            title = ellipsize(title, tf, left + pw - lx)
        draw_text(draw, (lx, y), title, tf, INK)
        y += line_height(tf) + 4
        say, cut = fit_caption(step.say, pw)
        truncated |= cut
        for line in say[1]:
            draw_text(draw, (left, y), line, say[0], MUTED)
            y += line_height(say[0])
    footer(draw, paper, tile.id, f"{page_no} / {pages}", boxes)
    return Page(page, boxes, SAY_SIZE, truncated)


def fit_caption(text: str, width: int) -> tuple[tuple[Font, list[str]], bool]:
    """A step caption in at most SAY_LINES lines: shrunk down to SAY_FLOOR, then cut with an ellipsis."""
    for size in range(SAY_SIZE, SAY_FLOOR - 1, -1):
        f = font("regular", size)
        lines = wrap(text, f, width)
        if len(lines) <= SAY_LINES:
            return (f, lines), False
    lines = wrap(text, f, width)
    return (f, [*lines[: SAY_LINES - 1], ellipsize(lines[SAY_LINES - 1], f, width)]), True


def step_pages(n_steps: int) -> int:
    """How many pages a tile with n_steps steps takes in the steps PDF (a tile without steps shows its poster)."""
    return max(1, math.ceil(n_steps / STEPS_PER_PAGE))


def open_rgb(path: Path) -> Image.Image:
    with Image.open(path) as im:
        return im.convert("RGB")


def handout_pages(export: Export, paper: Paper) -> Iterator[Image.Image]:
    tiles = export.tiles
    for n, tile in enumerate(tiles, start=1):
        assert tile.media is not None
        page = compose_tile_page(tile, open_rgb(export.poster(tile)), paper, n, len(tiles))
        if page.truncated:
            log.warning("%s: the notes and questions do not fit the %s handout page; cut with an ellipsis",
                        tile.id, paper.name)
        yield page.image


def steps_pages(export: Export, paper: Paper) -> Iterator[Image.Image]:
    tiles = export.tiles
    pages = sum(step_pages(len(t.media.steps)) for t in tiles if t.media is not None)
    n = 0
    for tile in tiles:
        assert tile.media is not None
        steps = list(tile.media.steps)
        if not steps:
            steps = [StepView(1, "", tile.tagline, 0.0, 0.0, tile.media.poster)]
        for p in range(step_pages(len(tile.media.steps))):
            chunk = steps[p * STEPS_PER_PAGE : (p + 1) * STEPS_PER_PAGE]
            n += 1
            page = compose_steps_page(
                tile, [(s, open_rgb(export.step_picture(tile, s))) for s in chunk], paper, n, pages, first=p == 0
            )
            if page.truncated:
                log.warning("%s: a step caption does not fit the %s steps page; cut with an ellipsis",
                            tile.id, paper.name)
            yield page.image


def outputs(out: Path) -> list[Path]:
    return [out / f"{kind}-{paper.name}.pdf" for kind in DOCUMENTS for paper in PAPERS]


def build_handouts(export: Export, out: Path) -> list[Path]:
    """Write the handout and steps PDFs (A4 and Letter) into out; skipped when nothing they read changed."""
    paths = outputs(out)
    fonts = [f"{role}={Path(font_file(role) or 'default').name}" for role in sorted(FONT_PATTERNS)]
    digest = export.digest(Path(__file__), extra=fonts)
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
    return paths


DOCUMENTS = {"handout": (handout_pages, "handout"), "steps": (steps_pages, "step by step")}


def write_document(export: Export, out: Path, kind: str, paper_name: str) -> Path:
    """Write one PDF (kind: handout or steps) on one paper size; return its path."""
    pages, subtitle = DOCUMENTS[kind]
    paper = next(p for p in PAPERS if p.name == paper_name)
    path = out / f"{kind}-{paper.name}.pdf"
    write_pdf(path, f"{export.gallery.title}: {subtitle}", pages(export, paper))
    return path
