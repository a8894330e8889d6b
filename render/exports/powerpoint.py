"""PowerPoint files of the rendered tiles: one per layer and one with every tile (python-pptx).

Each deck has a title slide per layer, then one slide per tile: its title and tagline, and its
MP4 embedded with the poster as the still frame, set to start by itself when the slide opens
(the slide timing PowerPoint writes for "Start: Automatically"; clicking the video pauses it).
The speaker notes hold the tile's notes and interview questions. With step_slides, each tile's
movie slide is followed by one slide per step: the step's picture with its title and narration.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from lxml import etree
from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn
from pptx.presentation import Presentation as PresentationType
from pptx.shapes.base import BaseShape
from pptx.slide import Slide
from pptx.text.text import TextFrame
from pptx.util import Emu, Inches, Pt

from render.exports import Export, stamp, up_to_date
from render.exports.gallery import LayerView, StepView, TileView
from render.files import atomic_path

ALL = "all.pptx"
FONT = "Inter"
SLIDE_W = Inches(13.333)
SLIDE_H = Inches(7.5)
MARGIN = Inches(0.5)
BLANK_LAYOUT = 6  # "Blank" in python-pptx's default template

INK = RGBColor(0x1A, 0x1F, 0x2B)  # titles and body text
MUTED = RGBColor(0x55, 0x5E, 0x6E)  # taglines, captions
FAINT = RGBColor(0x8A, 0x93, 0xA3)  # footers
ACCENT = RGBColor(0x25, 0x63, 0xEB)  # the rule under a layer title
WHITE = RGBColor(0xFF, 0xFF, 0xFF)

# The box a movie or step picture is fitted into (keeping its aspect ratio), centred across the slide.
MEDIA_TOP = Inches(1.55)
MEDIA_MAX_H = Inches(5.35)
STEP_MEDIA_MAX_H = Inches(4.6)
MEDIA_MAX_W = SLIDE_W - 2 * MARGIN


def build_pptx(export: Export, out: Path, step_slides: bool = False) -> list[Path]:
    """Write out/<layer id>.pptx for every layer with rendered tiles and out/all.pptx; return the files.

    Nothing is written when out/ was already built from the same tiles, spec, this module and flag.
    """
    layers = export.layers
    files = [out / f"{layer.id}.pptx" for layer in layers] + [out / ALL]
    digest = export.digest(Path(__file__), extra=[f"step_slides={step_slides}"])
    if up_to_date(out, digest, files):
        return files
    out.mkdir(parents=True, exist_ok=True)
    for layer, path in zip(layers, files, strict=False):
        _save(_deck(export, [layer], step_slides), path)
    _save(_deck(export, layers, step_slides), out / ALL)
    keep = {p.name for p in files}
    for old in out.glob("*.pptx"):  # decks of layers that no longer have a rendered tile
        if old.name not in keep:
            old.unlink()
    stamp(out, digest)
    return files


def _deck(export: Export, layers: Sequence[LayerView], step_slides: bool) -> PresentationType:
    prs = Presentation()
    prs.slide_width = SLIDE_W
    prs.slide_height = SLIDE_H
    props = prs.core_properties
    props.title = export.gallery.title if len(layers) != 1 else f"{export.gallery.title}: {layers[0].title}"
    props.subject = export.gallery.description
    total = len(export.gallery.tiles)
    for layer in layers:
        tiles = export.rendered_of(layer)
        _layer_slide(prs, layer, tiles)
        for tile in tiles:
            _tile_slide(prs, export, tile, total)
            if step_slides and tile.media is not None:
                for step in tile.media.steps:
                    _step_slide(prs, export, tile, step, len(tile.media.steps))
    return prs


def _save(prs: PresentationType, path: Path) -> None:
    """Save through a temp file in the same folder and an atomic rename."""
    with atomic_path(path) as tmp:
        prs.save(tmp)


# --- slides -----------------------------------------------------------------------------------------------------


def _new_slide(prs: PresentationType) -> Slide:
    slide = prs.slides.add_slide(prs.slide_layouts[BLANK_LAYOUT])
    fill = slide.background.fill
    fill.solid()
    fill.fore_color.rgb = WHITE
    return slide


def _layer_slide(prs: PresentationType, layer: LayerView, tiles: Sequence[TileView]) -> None:
    slide = _new_slide(prs)
    left, width = Inches(0.9), SLIDE_W - Inches(1.8)
    _text(slide, left, Inches(1.7), width, Inches(0.5), f"Layer {layer.index}", 18, MUTED, bold=True)
    _text(slide, left, Inches(2.2), width, Inches(1.1), layer.title, 44, INK, bold=True, anchor=MSO_ANCHOR.TOP)
    rule = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, left, Inches(3.4), Inches(1.2), Inches(0.06))
    rule.fill.solid()
    rule.fill.fore_color.rgb = ACCENT
    rule.line.fill.background()
    _text(slide, left, Inches(3.7), width, Inches(0.9), layer.blurb, 22, MUTED, anchor=MSO_ANCHOR.TOP)
    listing = "  ·  ".join(f"{t.number}. {t.title}" for t in tiles)
    _text(slide, left, Inches(4.8), width, Inches(2.0), listing, 16, INK, anchor=MSO_ANCHOR.TOP)
    _notes(slide, [layer.title, layer.blurb])


def _tile_slide(prs: PresentationType, export: Export, tile: TileView, total: int) -> None:
    assert tile.media is not None
    slide = _new_slide(prs)
    _heading(slide, tile.title, tile.tagline)
    left, top, width, height = _fit(tile.media.width, tile.media.height, MEDIA_MAX_H)
    movie = slide.shapes.add_movie(
        str(export.video(tile)), left, top, width, height,
        poster_frame_image=str(export.poster(tile)), mime_type="video/mp4",
    )
    movie.name = f"Video: {tile.title}"
    _autoplay(slide, movie, tile.media.duration)
    _footer(slide, f"{tile.layer_title}  ·  {tile.number} / {total}")
    lines = []
    if tile.key_points:
        lines += ["Key points:"]
        for i, kp in enumerate(tile.key_points, start=1):
            extra = f" ({kp['formula']})" if kp.get("formula") else ""
            label = tile.priority_label(kp.get("priority"))
            lines.append(f"{i}. {kp['point']}{extra}" + (f" [{label}]" if label else ""))
        lines.append("")
    lines += ["Notes:", *(f"• {n}" for n in tile.notes)]
    if tile.questions:
        lines += ["", "Interview questions:"]
        for i, q in enumerate(tile.questions, start=1):
            lines.append(f"{i}. {q.q}")
            if q.answer:
                lines.append(f"   Answer: {q.answer} (Source: {q.source})")
    _notes(slide, lines)


def _step_slide(prs: PresentationType, export: Export, tile: TileView, step: StepView, count: int) -> None:
    slide = _new_slide(prs)
    _heading(slide, step.title or f"Step {step.index}", f"{tile.title}  ·  step {step.index} of {count}")
    png = export.step_picture(tile, step)
    with Image.open(png) as im:
        w, h = im.size
    left, top, width, height = _fit(w, h, STEP_MEDIA_MAX_H)
    pic = slide.shapes.add_picture(str(png), left, top, width, height)
    pic.name = f"Step {step.index}: {step.title}"
    _text(slide, MARGIN, top + height + Inches(0.15), SLIDE_W - 2 * MARGIN, Inches(0.85), step.say, 18, INK,
          align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.TOP)
    _notes(slide, [step.say])


def _heading(slide: Slide, title: str, tagline: str) -> None:
    width = SLIDE_W - 2 * MARGIN
    _text(slide, MARGIN, Inches(0.3), width, Inches(0.7), title, 30, INK, bold=True)
    if tagline:
        _text(slide, MARGIN, Inches(0.98), width, Inches(0.45), tagline, 17, MUTED, anchor=MSO_ANCHOR.TOP)


def _footer(slide: Slide, text: str) -> None:
    _text(slide, MARGIN, SLIDE_H - Inches(0.5), SLIDE_W - 2 * MARGIN, Inches(0.35), text, 11, FAINT,
          align=PP_ALIGN.RIGHT)


def _fit(px_w: int, px_h: int, max_h: int) -> tuple[Emu, Emu, Emu, Emu]:
    """The largest box of the picture's aspect ratio within MEDIA_MAX_W x max_h, centred across the slide."""
    ratio = px_w / px_h if px_w and px_h else 16 / 9
    height = min(max_h, int(MEDIA_MAX_W / ratio))
    width = int(height * ratio)
    return Emu((SLIDE_W - width) // 2), Emu(MEDIA_TOP), Emu(width), Emu(height)


def _text(slide: Slide, left: int, top: int, width: int, height: int, text: str, size: int, color: RGBColor,
          bold: bool = False, align: PP_ALIGN = PP_ALIGN.LEFT, anchor: MSO_ANCHOR = MSO_ANCHOR.MIDDLE) -> None:
    box = slide.shapes.add_textbox(left, top, width, height)
    tf = box.text_frame
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    tf.vertical_anchor = anchor
    tf.margin_left = tf.margin_right = tf.margin_top = tf.margin_bottom = 0
    _fill(tf, [text], size, color, bold, align)


def _fill(tf: TextFrame, lines: Iterable[str], size: int | None, color: RGBColor | None, bold: bool = False,
          align: PP_ALIGN | None = None) -> None:
    for i, line in enumerate(lines):
        para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        if align is not None:
            para.alignment = align
        run = para.add_run()
        run.text = line
        font = run.font
        font.name = FONT
        font.bold = bold
        if size is not None:
            font.size = Pt(size)
        if color is not None:
            font.color.rgb = color


def _notes(slide: Slide, lines: Sequence[str]) -> None:
    tf = slide.notes_slide.notes_text_frame
    assert tf is not None
    tf.text = ""
    _fill(tf, lines, None, None)


# --- autoplay ---------------------------------------------------------------------------------------------------

# The timing tree PowerPoint writes for a video whose Start is "Automatically": the main sequence's first
# step starts with the slide (onBegin of the main sequence, node 2) and calls playFrom(0.0) on the video shape
# as an after-previous effect; the media node (with its play controls) follows the sequence, and an
# interactive sequence triggered by a click on the video toggles pause, as PowerPoint adds for every video.
_AUTOPLAY = """\
<p:timing {ns}>
 <p:tnLst><p:par><p:cTn id="1" dur="indefinite" restart="never" nodeType="tmRoot"><p:childTnLst>
  <p:seq concurrent="1" nextAc="seek">
   <p:cTn id="2" dur="indefinite" nodeType="mainSeq"><p:childTnLst>
    <p:par><p:cTn id="3" fill="hold">
     <p:stCondLst><p:cond delay="indefinite"/><p:cond evt="onBegin" delay="0"><p:tn val="2"/></p:cond></p:stCondLst>
     <p:childTnLst><p:par><p:cTn id="4" fill="hold">
      <p:stCondLst><p:cond delay="0"/></p:stCondLst>
      <p:childTnLst><p:par>
       <p:cTn id="5" presetID="1" presetClass="mediacall" presetSubtype="0" fill="hold" nodeType="afterEffect">
        <p:stCondLst><p:cond delay="0"/></p:stCondLst>
        <p:childTnLst><p:cmd type="call" cmd="playFrom(0.0)">
         <p:cBhvr><p:cTn id="6" dur="{dur}" fill="hold"/><p:tgtEl><p:spTgt spid="{spid}"/></p:tgtEl></p:cBhvr>
        </p:cmd></p:childTnLst>
       </p:cTn>
      </p:par></p:childTnLst>
     </p:cTn></p:par></p:childTnLst>
    </p:cTn></p:par>
   </p:childTnLst></p:cTn>
   <p:prevCondLst><p:cond evt="onPrev" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond></p:prevCondLst>
   <p:nextCondLst><p:cond evt="onNext" delay="0"><p:tgtEl><p:sldTgt/></p:tgtEl></p:cond></p:nextCondLst>
  </p:seq>
  <p:video><p:cMediaNode vol="80000">
   <p:cTn id="7" fill="hold" display="0"><p:stCondLst><p:cond delay="indefinite"/></p:stCondLst></p:cTn>
   <p:tgtEl><p:spTgt spid="{spid}"/></p:tgtEl>
  </p:cMediaNode></p:video>
  <p:seq concurrent="1" nextAc="seek">
   <p:cTn id="8" restart="whenNotActive" fill="hold" evtFilter="cancelBubble" nodeType="interactiveSeq">
    <p:stCondLst><p:cond evt="onClick" delay="0"><p:tgtEl><p:spTgt spid="{spid}"/></p:tgtEl></p:cond></p:stCondLst>
    <p:endSync evt="end" delay="0"><p:rtn val="all"/></p:endSync>
    <p:childTnLst><p:par><p:cTn id="9" fill="hold">
     <p:stCondLst><p:cond delay="0"/></p:stCondLst>
     <p:childTnLst><p:par><p:cTn id="10" fill="hold">
      <p:stCondLst><p:cond delay="0"/></p:stCondLst>
      <p:childTnLst><p:par>
       <p:cTn id="11" presetID="2" presetClass="mediacall" presetSubtype="0" fill="hold" nodeType="clickEffect">
        <p:stCondLst><p:cond delay="0"/></p:stCondLst>
        <p:childTnLst><p:cmd type="call" cmd="togglePause">
         <p:cBhvr><p:cTn id="12" dur="1" fill="hold"/><p:tgtEl><p:spTgt spid="{spid}"/></p:tgtEl></p:cBhvr>
        </p:cmd></p:childTnLst>
       </p:cTn>
      </p:par></p:childTnLst>
     </p:cTn></p:par></p:childTnLst>
    </p:cTn></p:par></p:childTnLst>
   </p:cTn>
   <p:nextCondLst><p:cond evt="onClick" delay="0"><p:tgtEl><p:spTgt spid="{spid}"/></p:tgtEl></p:cond></p:nextCondLst>
  </p:seq>
 </p:childTnLst></p:cTn></p:par></p:tnLst>
</p:timing>"""


def autoplay_timing(spid: int, duration: float) -> etree._Element:
    """The <p:timing> element that starts the video shape spid (duration in seconds) when its slide opens."""
    return parse_xml(_AUTOPLAY.format(ns=nsdecls("p"), spid=spid, dur=max(1, round(duration * 1000))))


def _autoplay(slide: Slide, movie: BaseShape, duration: float) -> None:
    """Replace the click-to-play timing python-pptx writes for the movie with PowerPoint's autoplay timing."""
    sld = slide._element
    old = sld.find(qn("p:timing"))
    timing = autoplay_timing(movie.shape_id, duration)
    if old is not None:
        old.addprevious(timing)
        sld.remove(old)
    else:  # p:timing comes after p:cSld, p:clrMapOvr and p:transition, before p:extLst
        ext = sld.find(qn("p:extLst"))
        if ext is not None:
            ext.addprevious(timing)
        else:
            sld.append(timing)
