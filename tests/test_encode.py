"""The encoders: the video sink (holds, colours, the GIF) and the PNGs (a palette only when faithful)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

from scenes.encode import PALETTE_MAX_ERROR, Quality, VideoSink, probe, save_png


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


# --- the video sink: x264 through PyAV, a GIF from the same frames ---------------------------

SMALL = Quality("test", 320, 180, 30, "veryfast", 20, 160, 10)
COLOURS = [(200, 40, 40), (40, 160, 60), (30, 60, 200), (230, 200, 40)]
HOLDS = [1, 40, 1, 25]  # frames each colour is shown: two single frames, two waits


def solid(rgb: tuple[int, int, int]) -> np.ndarray:
    frame = np.empty((SMALL.height, SMALL.width, 4), dtype=np.uint8)
    frame[...] = (*rgb, 255)
    return frame


def decoded_frames(mp4: Path, fps: int) -> np.ndarray:
    """Every frame of the video on a constant fps grid, as RGB (what a player shows at each frame time)."""
    res = subprocess.run(["ffmpeg", "-v", "error", "-i", str(mp4), "-fps_mode", "cfr", "-r", str(fps),
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True)
    return np.frombuffer(res.stdout, dtype=np.uint8).reshape(-1, SMALL.height, SMALL.width, 3)


def test_held_frames_keep_their_time_and_the_video_its_duration(tmp_path: Path) -> None:
    sink = VideoSink(tmp_path / "v.mp4", SMALL, gif=tmp_path / "v.gif")
    for rgb, hold in zip(COLOURS, HOLDS, strict=True):
        frame = solid(rgb)
        sink.write(frame, hold)
        frame[...] = 0  # the scene draws over its buffer next: the sink must already have what it needs
    sink.close()
    total = sum(HOLDS)
    info = probe(tmp_path / "v.mp4")
    video = info["streams"][0]
    assert video["r_frame_rate"] == "30/1"
    assert abs(float(info["format"]["duration"]) - total / 30) < 1 / 30
    # a wait is not encoded frame by frame: fewer pictures are stored than frames shown
    assert int(video["nb_frames"]) < total / 2
    frames = decoded_frames(tmp_path / "v.mp4", 30)
    assert len(frames) == total
    expected = np.repeat(np.array(COLOURS), HOLDS, axis=0)
    assert np.abs(frames.reshape(total, -1, 3).mean(axis=1) - expected).max() < 4


def test_the_video_is_tagged_with_the_colours_it_stores(tmp_path: Path) -> None:
    """A player converting back with the tagged matrix gets the drawn colours (an untagged HD video is read as BT.709)."""
    sink = VideoSink(tmp_path / "v.mp4", SMALL)
    sink.write(solid(COLOURS[0]), 10)
    sink.close()
    video = probe(tmp_path / "v.mp4")["streams"][0]
    assert (video["color_space"], video["color_range"]) == ("smpte170m", "tv")
    assert (video["color_primaries"], video["color_transfer"]) == ("bt709", "iec61966-2-1")
    back = decoded_frames(tmp_path / "v.mp4", 30)[0].reshape(-1, 3).mean(axis=0)
    assert np.abs(back - COLOURS[0]).max() < 4


def test_the_gif_gets_the_frames_on_its_own_frame_grid_downscaled(tmp_path: Path) -> None:
    sink = VideoSink(tmp_path / "v.mp4", SMALL, gif=tmp_path / "v.gif")
    for rgb, hold in zip(COLOURS, HOLDS, strict=True):
        frame = solid((16, 20, 28))
        frame[45:135, 80:240, :3] = rgb  # a box changing colour on a dark background, as in a diagram
        sink.write(frame, hold)
    sink.close()
    with Image.open(tmp_path / "v.gif") as gif:
        assert gif.size == SMALL.gif_size == (160, 90)
        assert gif.info.get("loop") == 0
        shown = []
        for i in range(gif.n_frames):
            gif.seek(i)
            rgb = np.asarray(gif.convert("RGB"), dtype=float)[35:55, 60:100].reshape(-1, 3).mean(axis=0)
            shown.append((int(np.abs(np.array(COLOURS) - rgb).sum(axis=1).argmin()), gif.info.get("duration", 0)))
    # frames 0, 3, 6, ... of the 67: colour 0 at frame 0, colour 1 on frames 3..39, colour 2 never
    # (frame 41 is off the grid), colour 3 on frames 42..66: 23 frames of 100 ms
    seen = [c for c, _ in shown]
    assert seen == [0] + [1] * 13 + [3] * 9
    assert sum(d for _, d in shown) == 2300
