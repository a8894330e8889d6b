"""A minimal PDF writer: one image per page (the handouts' pages are pictures), streamed page by page."""

from __future__ import annotations

import io
import struct
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from PIL import Image

from render.files import atomic_path
from scenes.encode import quantize

DPI = 150
JPEG_QUALITY = 85  # for pages a 256-colour palette cannot hold (see encode)
PALETTE_MAX_ERROR = 1.0  # mean difference per channel (0-255) above which a page is stored as JPEG
PNG_LEVEL = 6


def encode(image: Image.Image) -> tuple[bytes, str]:
    """The page as a PDF image stream and its dictionary entries (filter, colour space, bits).

    Pages are flat colours and anti-aliased text, so 256 colours (median cut, no dither) stored
    with Flate are both smaller than JPEG and free of its ringing around letters. A page where
    the palette loses too much (photographs, smooth gradients) is stored as JPEG instead.
    """
    jpeg = io.BytesIO()
    image.save(jpeg, "JPEG", quality=JPEG_QUALITY, subsampling=0, optimize=True)
    quantized, diff = quantize(image)
    if sum(diff) / len(diff) <= PALETTE_MAX_ERROR:
        png = io.BytesIO()
        quantized.save(png, "PNG", compress_level=PNG_LEVEL)
        data, entries = png_stream(png.getvalue())
        if len(data) <= jpeg.tell():
            return data, entries
    return jpeg.getvalue(), "/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode"


def png_stream(data: bytes) -> tuple[bytes, str]:
    """A PNG's image data as a PDF Flate stream (PDF reads PNG row filters as predictors) and its entries."""
    chunks: dict[bytes, bytearray] = {}
    pos = 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunks.setdefault(kind, bytearray()).extend(data[pos + 8 : pos + 8 + length])
        pos += 12 + length
    width, _, bits, colour, _, _, interlace = struct.unpack(">IIBBBBB", bytes(chunks[b"IHDR"]))
    if interlace or colour not in (2, 3) or b"tRNS" in chunks:
        raise ValueError(f"unexpected PNG (colour type {colour}, interlace {interlace})")
    if colour == 3:
        palette = bytes(chunks[b"PLTE"])
        space = f"[/Indexed /DeviceRGB {len(palette) // 3 - 1} <{palette.hex().upper()}>]"
        colors = 1
    else:
        space, colors = "/DeviceRGB", 3
    parms = f"<< /Predictor 15 /Colors {colors} /BitsPerComponent {bits} /Columns {width} >>"
    entries = f"/ColorSpace {space} /BitsPerComponent {bits} /Filter /FlateDecode /DecodeParms {parms}"
    return bytes(chunks[b"IDAT"]), entries


def pdf_text(text: str) -> bytes:
    """A PDF text string (UTF-16BE with a byte order mark)."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


class PdfWriter:
    """Write a PDF page by page: each page is one RGB image filling the page at DPI."""

    def __init__(self, fh: BinaryIO, title: str):
        self.fh = fh
        self.title = title
        self.offsets: dict[int, int] = {}
        self.pages: list[int] = []
        self.next_id = 4  # 1 catalog, 2 page tree, 3 info
        fh.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")

    def _new(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def _obj(self, oid: int, body: bytes, stream: bytes | None = None) -> None:
        self.offsets[oid] = self.fh.tell()
        self.fh.write(b"%d 0 obj\n" % oid)
        if stream is None:
            self.fh.write(body + b"\nendobj\n")
        else:
            self.fh.write(body[:-2] + b" /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream\nendobj\n")

    def add(self, image: Image.Image) -> None:
        data, filt = encode(image.convert("RGB"))
        w, h = image.width * 72 / DPI, image.height * 72 / DPI
        img, content, page = self._new(), self._new(), self._new()
        self._obj(img, (
            f"<< /Type /XObject /Subtype /Image /Width {image.width} /Height {image.height} {filt} >>"
        ).encode(), data)
        self._obj(content, b"<< >>", f"q {w:.2f} 0 0 {h:.2f} 0 0 cm /Im0 Do Q".encode())
        self._obj(page, (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w:.2f} {h:.2f}] "
            f"/Resources << /XObject << /Im0 {img} 0 R >> /ProcSet [/PDF /ImageC] >> /Contents {content} 0 R >>"
        ).encode())
        self.pages.append(page)

    def close(self) -> None:
        kids = " ".join(f"{p} 0 R" for p in self.pages)
        self._obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        self._obj(2, f"<< /Type /Pages /Kids [{kids}] /Count {len(self.pages)} >>".encode())
        self._obj(3, b"<< /Title " + pdf_text(self.title) + b" /Producer (ai-interview-diagrams) >>")
        xref = self.fh.tell()
        self.fh.write(b"xref\n0 %d\n0000000000 65535 f \n" % self.next_id)
        for oid in range(1, self.next_id):
            self.fh.write(b"%010d 00000 n \n" % self.offsets[oid])
        self.fh.write(b"trailer\n<< /Size %d /Root 1 0 R /Info 3 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (self.next_id, xref))


def write_pdf(path: Path, title: str, pages: Iterable[Image.Image]) -> int:
    """Write the pages (consumed one at a time) to path atomically; return the page count."""
    with atomic_path(path) as tmp, tmp.open("wb") as fh:
        writer = PdfWriter(fh, title)
        for image in pages:
            writer.add(image)
        writer.close()
    return len(writer.pages)


# --------------------------------------------------------------------------- the documents
