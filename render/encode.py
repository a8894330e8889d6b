"""Encode a tile's frames and derive every output from them.

Frames arrive from the scene as RGBA arrays and go straight into one x264 encode
(no per-animation segments, no concatenation); the GIF is made from the same frames
by one ffmpeg with a palette. Poster, step PNGs and thumbnail come from the frames
themselves, so the poster is exactly the last frame.
"""

from __future__ import annotations

import contextlib
import json
import queue
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
from PIL import Image


@dataclass(frozen=True)
class Quality:
    """A render preset."""

    name: str
    width: int
    height: int
    fps: int
    x264_preset: str
    crf: int
    gif_width: int
    gif_fps: int


QUALITIES: dict[str, Quality] = {
    "full": Quality("full", 1920, 1080, 30, "veryfast", 20, 960, 10),  # superfast: MP4s over 1.5 MB
    "preview": Quality("preview", 854, 480, 15, "ultrafast", 23, 640, 10),
}

THUMB_WIDTH = 480


class EncodeError(RuntimeError):
    """ffmpeg failed; the message carries the end of its log."""


def ffmpeg() -> str:
    path = shutil.which("ffmpeg")
    if not path:
        raise EncodeError("ffmpeg not found on PATH (apt-get install ffmpeg)")
    return path


def gif_graph(q: Quality, resample: bool = True) -> str:
    """The ffmpeg filter chain from full-size frames to a paletted GIF (palette built from what changes).

    resample=False when the frames already arrive at the GIF's frame rate.
    """
    width = min(q.gif_width, q.width)
    return (
        (f"fps={q.gif_fps}," if resample else "")
        + f"scale={width}:-1:flags=area,split[a][b];"
        "[a]palettegen=max_colors=128:stats_mode=diff[p];"
        "[b][p]paletteuse=dither=bayer:bayer_scale=5:diff_mode=rectangle"
    )


class GifPipe:
    """One ffmpeg process turning full-size RGBA frames, already at the GIF's frame rate, into a looping GIF."""

    def __init__(self, out: Path, q: Quality):
        self.log_path = out.with_suffix(".ffmpeg.log")
        self._log: IO[bytes] = open(self.log_path, "wb")  # noqa: SIM115 - closed in close()
        cmd = [ffmpeg(), "-hide_banner", "-loglevel", "error", "-y",
               "-f", "rawvideo", "-pix_fmt", "rgba", "-s", f"{q.width}x{q.height}", "-r", str(q.gif_fps), "-i", "-",
               "-filter_complex", gif_graph(q, resample=False), "-loop", "0", "-f", "gif", str(out)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=self._log)

    def write(self, frame: np.ndarray, repeat: int) -> None:
        data = memoryview(np.ascontiguousarray(frame)).cast("B")  # no copy: the pipe reads the array's buffer
        assert self.proc.stdin is not None
        for _ in range(repeat):
            self.proc.stdin.write(data)

    def close(self) -> None:
        assert self.proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self.proc.stdin.close()
        code = self.proc.wait()
        self._log.close()
        if code != 0:
            raise EncodeError(f"GIF encode failed ({code}): {self.log_path.read_text(errors='replace')[-800:]}")
        self.log_path.unlink(missing_ok=True)

    def abort(self) -> None:
        self.proc.kill()
        self.proc.wait()
        self._log.close()


class VideoSink:
    """A tile's frames -> an H.264 MP4 (x264 in-process through PyAV) and, from the same frames, a looping GIF.

    Frames are queued to one encoder thread, so the scene keeps drawing while the last frame is
    converted and encoded (PyAV releases the GIL for both). A frame held for n frames (a wait)
    is converted to YUV once and handed to x264 n times, instead of being piped and converted
    n times. The GIF gets every (fps / gif_fps)-th frame, so its ffmpeg never sees the others.
    """

    QUEUE = 6  # frames in flight between the scene and the encoder (about 50 MB at 1080p)

    def __init__(self, out: Path, q: Quality, gif: Path | None = None):
        import av

        self.out = out
        self.q = q
        self.frames = 0
        self._every = max(1, round(q.fps / q.gif_fps))
        self._container = av.open(str(out), "w", format="mp4", options={"movflags": "+faststart"})
        try:
            stream = self._container.add_stream(
                "libx264", rate=q.fps, options={"preset": q.x264_preset, "crf": str(q.crf), "tune": "animation"}
            )
            stream.width, stream.height, stream.pix_fmt = q.width, q.height, "yuv420p"
            self._stream = stream
            self._gif = GifPipe(gif, q) if gif is not None else None
        except BaseException:
            self._container.close()
            raise
        self._queue: queue.Queue[tuple[np.ndarray, int, int] | None] = queue.Queue(self.QUEUE)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._encode_all, name="encode", daemon=True)
        self._thread.start()

    def write(self, frame: np.ndarray, repeat: int = 1) -> None:
        """Queue a frame shown for repeat frames. The array must not change afterwards (Manim hands out copies)."""
        if self._error is not None:
            raise EncodeError(f"encode failed: {self._error}") from self._error
        self._queue.put((frame, repeat, self.frames))
        self.frames += repeat

    def _encode_all(self) -> None:
        import av

        try:
            while (item := self._queue.get()) is not None:
                frame, repeat, first = item
                yuv = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgba").reformat(format="yuv420p")
                for i in range(first, first + repeat):
                    yuv.pts = i
                    self._container.mux(self._stream.encode(yuv))
                if self._gif is not None:
                    # frames first..first+repeat-1 that fall on the GIF's frame grid
                    shown = (first + repeat - 1) // self._every - (first - 1) // self._every
                    if shown:
                        self._gif.write(frame, shown)
        except BaseException as e:  # reported by write()/close() in the scene's thread
            self._error = e
            while self._queue.get() is not None:  # keep the producer from blocking
                pass

    def _stop(self) -> None:
        self._queue.put(None)
        self._thread.join()

    def close(self) -> None:
        self._stop()
        try:
            if self._error is not None:
                raise EncodeError(f"encode failed: {self._error}") from self._error
            self._container.mux(self._stream.encode(None))  # flush x264
        except BaseException:
            self.abort()
            raise
        self._container.close()
        if self._gif is not None:
            self._gif.close()

    def abort(self) -> None:
        if self._thread.is_alive():
            self._stop()
        with contextlib.suppress(Exception):
            self._container.close()
        if self._gif is not None:
            self._gif.abort()


def run(cmd: list[str]) -> None:
    """Run an ffmpeg command; raise EncodeError with its stderr when it fails."""
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise EncodeError(f"{Path(cmd[0]).name} failed: {res.stderr[-800:]}")


def make_gif(mp4: Path, out: Path, q: Quality) -> None:
    """A looping GIF from an existing MP4 (the pipeline makes it during the encode instead)."""
    run([ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(mp4), "-filter_complex", gif_graph(q),
         "-loop", "0", "-f", "gif", str(out)])


# A poster may use a 256-colour palette when it stays this close to the frame (mean absolute
# error per channel, out of 255): diagrams are flat colours and anti-aliased text, so the
# palette is exact to the eye and about 3x smaller; a picture that it would band keeps RGB.
PALETTE_MAX_ERROR = 2.0


def quantize(img: Image.Image) -> tuple[Image.Image, list[float]]:
    """img in 256 colours (median cut, no dither), and the mean absolute error of each channel (of 255)."""
    quantized = img.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    error = np.abs(np.asarray(quantized.convert("RGB"), dtype=np.int16) - np.asarray(img.convert("RGB"), dtype=np.int16))
    return quantized, [float(e) for e in error.mean(axis=(0, 1))]


def save_png(frame: np.ndarray, out: Path, width: int | None = None, palette: bool = False) -> None:
    """Save an RGBA frame as an RGB PNG, optionally downscaled to width.

    palette=True (the poster) stores 256 colours instead when that is faithful (PALETTE_MAX_ERROR).
    """
    img = Image.fromarray(frame[:, :, :3] if frame.shape[2] == 4 else frame)
    if width and img.width > width:
        img = img.resize((width, round(img.height * width / img.width)), Image.Resampling.LANCZOS)
    if palette:
        quantized, error = quantize(img)
        if max(error) <= PALETTE_MAX_ERROR:
            img = quantized
    img.save(out, format="PNG", compress_level=7)


def vtt_time(t: float) -> str:
    ms = int(round(t * 1000))
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def write_vtt(cues: list[tuple[float, float, str]], out: Path) -> None:
    """Write WebVTT cues (start, end, text)."""
    lines = ["WEBVTT", ""]
    for i, (a, b, body) in enumerate(cues, 1):
        lines += [str(i), f"{vtt_time(a)} --> {vtt_time(b)}", body.replace("-->", "->"), ""]
    out.write_text("\n".join(lines), encoding="utf-8")


def probe(path: Path) -> dict:
    """ffprobe's view of a media file (streams and format)."""
    exe = shutil.which("ffprobe") or "ffprobe"
    res = subprocess.run([exe, "-v", "error", "-print_format", "json", "-show_streams", "-show_format", str(path)],
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout)
