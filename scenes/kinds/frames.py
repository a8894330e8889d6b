"""frames: a row of pictures along a diffusion process (a procedural picture noised, or denoised).

The picture comes from a named, seeded generator (render/generators.py); the noise of
each frame is computed there from the DDPM formulas, so the frames are exactly what
q(x_t | x_0) (or the reverse chain) gives for the declared timesteps.
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, RIGHT, Animation, Arrow, FadeIn, LaggedStart, Mobject, Rectangle, VGroup, VMobject, rgb_to_hex

from scenes.common import Built, Rect, draw_intro, heading, label_mob, tag
from scenes.kinds import builder
from spec import FramesPanel, Label
from spec import theme as T
from spec.theme import Theme
from spec.vetted import generators

ARROW_GAP = 0.6


LEVELS = 8  # colour levels per channel: pixels of one quantised colour share one path


def raster(pixels: np.ndarray, side: float) -> VGroup:
    """A picture as fill-only vector paths: one path per quantised colour, one rectangle per run of pixels.

    (Manim's ImageMobject cannot be drawn with the pinned Pillow, and vector paths keep the
    picture crisp at any size.) The parts are untagged: the lint sees the picture through its frame.
    """
    h, w = pixels.shape[:2]
    q = np.clip(np.round(pixels.astype(float) / 255 * (LEVELS - 1)), 0, LEVELS - 1).astype(int)
    codes = (q[..., 0] * LEVELS + q[..., 1]) * LEVELS + q[..., 2]
    px = side / max(h, w)
    runs: dict[int, list[tuple[int, int, int]]] = {}
    for r in range(h):
        c = 0
        while c < w:
            code = int(codes[r, c])
            end = c + 1
            while end < w and codes[r, end] == code:
                end += 1
            runs.setdefault(code, []).append((r, c, end))
            c = end
    group = VGroup()
    for code in sorted(runs):
        rgb = np.array([code // (LEVELS * LEVELS), (code // LEVELS) % LEVELS, code % LEVELS]) / (LEVELS - 1)
        path = VMobject(stroke_width=0, fill_color=rgb_to_hex(rgb), fill_opacity=1.0)
        for r, c0, c1 in runs[code]:
            x0, x1 = -side / 2 + c0 * px, -side / 2 + c1 * px
            y1 = side / 2 - r * px
            y0 = y1 - px
            corners = [np.array([x0, y0, 0]), np.array([x1, y0, 0]), np.array([x1, y1, 0]), np.array([x0, y1, 0])]
            path.start_new_path(corners[0])
            for p in corners[1:] + corners[:1]:
                path.add_line_to(p)
        group.add(path)
    return group


class RevealRaster(Animation):
    """Fade a raster in by its fill opacity alone: no point interpolation over hundreds of paths, so it is cheap."""

    def __init__(self, raster_group: VGroup, **kwargs: object) -> None:
        super().__init__(raster_group, **kwargs)  # type: ignore[arg-type]

    def interpolate_mobject(self, alpha: float) -> None:
        a = self.rate_func(alpha)
        for part in self.mobject.submobjects:
            part.set_fill(opacity=a)


def frame_pixels(spec: FramesPanel) -> list[np.ndarray]:
    """The frames' pictures as uint8 RGB arrays, computed from the panel's process and timesteps."""
    x0 = generators.generate_image(spec.picture.fn, dict(spec.picture.params))
    ts = [f.t for f in spec.frames]
    make = generators.forward_noised if spec.process == "forward" else generators.reverse_chain
    return [np.round(img * 255).astype(np.uint8) for img in make(x0, ts, spec.schedule, spec.steps, spec.seed)]


@builder("frames")
def build_frames(spec: FramesPanel, rect: Rect, th: Theme) -> Built:
    head, rect = heading(spec.title, rect, spec.id, th)
    n = len(spec.frames)
    captions = [label_mob(f.label or Label(text=f"t = {f.t}"), f.id, th, size=T.LABEL_SIZE) for f in spec.frames]
    cap_h = max(c.height for c in captions)
    side = min((rect.width - ARROW_GAP * (n - 1)) / n, rect.height - cap_h - 0.15)
    total = n * side + (n - 1) * ARROW_GAP
    x = rect.center[0] - total / 2 + side / 2
    y = rect.center[1] + (cap_h + 0.15) / 2

    elements: dict[str, Mobject] = {}
    intros = {}
    boxes = []
    for f, pixels, cap in zip(spec.frames, frame_pixels(spec), captions, strict=True):
        img = raster(pixels, side)
        img.move_to([x, y, 0])
        border = Rectangle(width=side, height=side, stroke_color=th.line, stroke_width=2).move_to(img)
        tag(border, "box", f.id)
        cap.next_to(border, DOWN, buff=0.15)
        elements[f.id] = VGroup(img, border, cap)
        intros[f.id] = lambda m: LaggedStart(FadeIn(m[1]), RevealRaster(m[0]), FadeIn(m[2]), lag_ratio=0.3)
        boxes.append(border)
        x += side + ARROW_GAP
    for aid, a, b in zip(spec.arrow_ids(), boxes, boxes[1:], strict=False):
        arrow = Arrow(a.get_right(), b.get_left(), buff=0.08, stroke_width=3, color=th.line,
                      max_tip_length_to_length_ratio=0.4, tip_length=0.16)
        tag(arrow, "edge", aid)
        elements[aid] = VGroup(arrow)
        intros[aid] = draw_intro
    _ = RIGHT
    return Built(elements, intros=intros, heading=head)
