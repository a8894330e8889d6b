"""Debug images: a step's frame with the offending boxes outlined and the findings listed."""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

from render.files import atomic_path, font_path
from render.lint.base import MAX_PNG_FINDINGS, Finding
from scenes.common import FRAME_H, FRAME_W, SAFE_X, SAFE_Y  # PX_PER_UNIT: at 1920x1080

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- debug images


@functools.cache
def _font(size: int) -> Any:
    """DejaVu Sans, which has the Greek letters, arrows and maths symbols the spec uses (Pillow's own font lacks
    them and draws boxes); Pillow's default when fontconfig cannot find it."""
    from PIL import ImageFont

    path = font_path("DejaVu Sans")
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size=size)


def write_debug_png(scene: Any, findings: list[Finding], path: Path) -> Path:
    """Render the step's frame at low resolution, outline the offending boxes in red, list the findings below
    (a step without findings is written as it is: `lint --png DIR --all` is a quick preview of every step)."""
    from PIL import Image, ImageDraw

    camera = scene.renderer.camera
    camera.reset()
    camera.capture_mobjects(scene.mobjects)
    frame = Image.fromarray(camera.pixel_array.copy()).convert("RGB")
    w, h = frame.size
    k = w / FRAME_W

    def px(x: float, y: float) -> tuple[float, float]:
        return (x + FRAME_W / 2) * k, (FRAME_H / 2 - y) * k

    draw = ImageDraw.Draw(frame)
    sx0, sy0 = px(-SAFE_X, SAFE_Y)
    sx1, sy1 = px(SAFE_X, -SAFE_Y)
    for x in range(int(sx0), int(sx1), 8):  # the safe area, dotted
        draw.line([(x, sy0), (x + 3, sy0)], fill=(128, 128, 128))
        draw.line([(x, sy1), (x + 3, sy1)], fill=(128, 128, 128))
    for y in range(int(sy0), int(sy1), 8):
        draw.line([(sx0, y), (sx0, y + 3)], fill=(128, 128, 128))
        draw.line([(sx1, y), (sx1, y + 3)], fill=(128, 128, 128))
    for f in findings:
        for b in f.boxes:
            (x0, y1), (x1, y0) = px(b[0], b[1]), px(b[2], b[3])
            draw.rectangle([x0 - 3, y0 - 3, x1 + 3, y1 + 3], outline=(255, 40, 40), width=2)
    font = _font(13)
    lines: list[str] = []
    shown = findings[:MAX_PNG_FINDINGS]
    for f in shown:  # wrap each finding to the width of the frame
        words, line = str(f).split(" "), ""
        for word in words:
            if line and font.getlength(f"{line} {word}") > w - 12:
                lines.append(line)
                line = "    " + word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    if len(findings) > len(shown):
        lines.append(f"… and {len(findings) - len(shown)} more (see the lint's output)")
    line_h = 17
    if not lines:
        with atomic_path(path) as tmp:
            frame.save(tmp, format="PNG")
        return path
    band = Image.new("RGB", (w, line_h * len(lines) + 10), (255, 255, 255))
    bd = ImageDraw.Draw(band)
    for i, line in enumerate(lines):
        bd.text((6, 5 + i * line_h), line, fill=(180, 0, 0), font=font)
    out = Image.new("RGB", (w, h + band.height), (255, 255, 255))
    out.paste(frame, (0, 0))
    out.paste(band, (0, h))
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        out.save(tmp, format="PNG")
    return path
