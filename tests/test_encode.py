"""PNG outputs: the poster takes a 256-colour palette only when that is faithful to the frame."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from render.encode import PALETTE_MAX_ERROR, save_png


def flat_diagram() -> np.ndarray:
    """A frame like a diagram's: a dark background, a few flat boxes, anti-aliased-looking edges."""
    frame = np.zeros((270, 480, 4), dtype=np.uint8)
    frame[..., :3] = (16, 20, 28)
    frame[..., 3] = 255
    frame[60:120, 40:200, :3] = (30, 60, 110)
    frame[150:210, 260:440, :3] = (120, 40, 90)
    frame[59, 40:200, :3] = (70, 110, 160)  # a lighter edge
    return frame


def test_a_flat_poster_is_stored_with_a_palette_and_is_faithful(tmp_path: Path) -> None:
    frame = flat_diagram()
    save_png(frame, tmp_path / "p.png", palette=True)
    save_png(frame, tmp_path / "rgb.png")
    img = Image.open(tmp_path / "p.png")
    assert img.mode == "P"
    assert Image.open(tmp_path / "rgb.png").mode == "RGB"
    back = np.asarray(img.convert("RGB"), dtype=int)
    assert np.abs(back - frame[..., :3]).mean(axis=(0, 1)).max() <= PALETTE_MAX_ERROR
    assert (tmp_path / "p.png").stat().st_size <= (tmp_path / "rgb.png").stat().st_size


def test_a_picture_a_palette_would_band_keeps_rgb(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    frame = np.concatenate([rng.integers(0, 256, (270, 480, 3), dtype=np.uint8),
                            np.full((270, 480, 1), 255, dtype=np.uint8)], axis=2)
    save_png(frame, tmp_path / "noise.png", palette=True)
    img = Image.open(tmp_path / "noise.png")
    assert img.mode == "RGB"
    assert np.array_equal(np.asarray(img), frame[..., :3])
