"""Encode a tile's frames and derive every output from them.

Each frame the scene draws is converted once, straight from Manim's pixel buffer, to the
YUV picture x264 needs and (on the GIF's frame grid) to a GIF-sized picture; one x264 encode
makes the MP4 (no per-animation segments, no concatenation) and one ffmpeg makes the GIF.
Poster, step PNGs and thumbnail come from the frames themselves, so the poster is exactly
the last frame.
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

    @property
    def gif_size(self) -> tuple[int, int]:
        """The GIF's width and height: gif_width wide (never wider than the video), same aspect."""
        width = min(self.gif_width, self.width)
        return width, round(self.height * width / self.width)


QUALITIES: dict[str, Quality] = {
    "full": Quality("full", 1920, 1080, 30, "veryfast", 20, 960, 10),  # superfast: MP4s over 1.5 MB
    "preview": Quality("preview", 854, 480, 15, "ultrafast", 23, 640, 10),
}

THUMB_WIDTH = 480

# On top of the preset: SAD instead of SATD mode decision (subme 1 instead of veryfast's 2) took
# x264 from about 13.9 to 12.1 CPU-s on a 44 s tile for 1% more bytes at the same CRF.
X264_PARAMS = "subme=1"


class EncodeError(RuntimeError):
    """ffmpeg failed; the message carries the end of its log."""


def ffmpeg() -> str:
    path = shutil.which("ffmpeg")
    if not path:
        raise EncodeError("ffmpeg not found on PATH (apt-get install ffmpeg)")
    return path


# GIF-sized frames -> a paletted GIF with one palette. The palette counts every pixel of every
# PALETTE_EVERY-th GIF frame: any colour on screen for 0.3 s or more is in it, the finished
# picture's above all, and the GIFs came out the same to 0.03/255 for a third of palettegen's
# work. (stats_mode=diff counts a pixel's colour only when the next frame changes it, so colours
# of the finished picture that appear last were missing from the palette.)
PALETTE_EVERY = 3
GIF_GRAPH = (f"split[a][b];[a]select='not(mod(n\\,{PALETTE_EVERY}))',palettegen=max_colors=128:stats_mode=full[p];"
             "[b][p]paletteuse=dither=bayer:bayer_scale=5:diff_mode=rectangle")


class GifPipe:
    """One ffmpeg process turning GIF-sized RGBA frames, already at the GIF's frame rate, into a looping GIF."""

    def __init__(self, out: Path, q: Quality):
        self.log_path = out.with_suffix(".ffmpeg.log")
        self._log: IO[bytes] = open(self.log_path, "wb")  # noqa: SIM115 - closed in close()
        width, height = q.gif_size
        cmd = [ffmpeg(), "-hide_banner", "-loglevel", "error", "-y",
               "-f", "rawvideo", "-pix_fmt", "rgba", "-s", f"{width}x{height}", "-r", str(q.gif_fps), "-i", "-",
               "-filter_complex", GIF_GRAPH, "-loop", "0", "-f", "gif", str(out)]
        # A process group of its own: Ctrl-C in the terminal reaches the coordinator, which stops the workers,
        # and each worker stops its encoder; it must not kill the encoder first (a tile then looks failed).
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=self._log, process_group=0)

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


@dataclass
class _Slot:
    """Buffers for one frame in flight: its YUV 4:2:0 picture and its GIF-sized RGBA copy."""

    yuv: np.ndarray
    small: np.ndarray | None


class VideoSink:
    """A tile's frames -> an H.264 MP4 (x264 in-process through PyAV) and, from the same frames, a looping GIF.

    write() converts the scene's frame at once, in the scene's thread, into one of a few
    reusable buffers (OpenCV: RGBA to YUV 4:2:0, and an area downscale for the GIF), so the
    scene may draw the next frame over its pixel buffer without a copy being made. An
    encoder thread hands the pictures to x264 and the GIF's ffmpeg while the scene draws
    (both release the GIL).

    A frame held for n frames (a wait) is not encoded n times: the MP4 stores it at its first
    frame, then again for the last HOLD_TAIL frames of the hold (variable frame rate: every
    frame keeps its time, a seek anywhere in the hold shows the held picture). The tail is
    there because x264's decode timestamps trail its presentation timestamps by a few frames
    (B-frames), and an MP4's duration is its last decode time: ending every hold with a few
    frames one apart keeps the video's duration exact. The GIF gets the frames on its own
    frame grid (every fps/gif_fps-th), already downscaled.

    x264 runs single-threaded: the scene draws on the other core, and with -j 2 two tiles
    keep both busy; its frame threads would cost a quarter more CPU for the same file.
    """

    SLOTS = 4  # frames in flight between the scene and the encoder
    HOLD_TAIL = 8  # more than x264's B-frame delay at these settings (5 B-frames, pyramid)

    def __init__(self, out: Path, q: Quality, gif: Path | None = None):
        import av
        import cv2
        from av.video.reformatter import ColorPrimaries, ColorRange, ColorTrc

        cv2.setNumThreads(1)  # the worker pool already keeps every core busy
        self._cv2 = cv2  # imported here, not per frame in write(), nor for every user of this module
        self.out = out
        self.q = q
        self.frames = 0
        self._every = max(1, round(q.fps / q.gif_fps))
        self._container = av.open(str(out), "w", format="mp4", options={"movflags": "+faststart"})
        try:
            stream = self._container.add_stream("libx264", rate=q.fps, options={
                "preset": q.x264_preset, "crf": str(q.crf), "tune": "animation", "x264-params": X264_PARAMS})
            stream.width, stream.height, stream.pix_fmt = q.width, q.height, "yuv420p"
            stream.thread_count = 1
            # How the colours are stored (x264 writes it into the stream, the muxer into its colr box):
            # BT.601 YUV as OpenCV converts, studio range, sRGB primaries and transfer as Manim draws.
            # Untagged 1080p video is taken as BT.709 by browsers, which shifts every colour a little.
            ctx = stream.codec_context
            ctx.color_primaries, ctx.color_trc = ColorPrimaries.BT709, ColorTrc.IEC61966_2_1
            ctx.colorspace = 6  # AVCOL_SPC_SMPTE170M (PyAV's Colorspace enum numbers swscale's tables instead)
            ctx.color_range = ColorRange.MPEG
            self._stream = stream
            self._gif = GifPipe(gif, q) if gif is not None else None
        except BaseException:
            self._container.close()
            raise
        small = (q.gif_size[1], q.gif_size[0], 4)
        self._free: queue.Queue[_Slot] = queue.Queue()
        for _ in range(self.SLOTS):
            self._free.put(_Slot(np.empty((q.height * 3 // 2, q.width), np.uint8),
                                 np.empty(small, np.uint8) if gif is not None else None))
        self._queue: queue.Queue[tuple[_Slot, int, int, int] | None] = queue.Queue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._encode_all, name="encode", daemon=True)
        self._thread.start()

    def gif_frames(self, first: int, repeat: int) -> int:
        """How many of frames first..first+repeat-1 fall on the GIF's frame grid."""
        return (first + repeat - 1) // self._every - (first - 1) // self._every

    def hold_pts(self, first: int, repeat: int) -> list[int]:
        """The frame numbers at which a picture shown from frame first for repeat frames is encoded."""
        return [first, *range(max(first + 1, first + repeat - self.HOLD_TAIL), first + repeat)]

    def write(self, frame: np.ndarray, repeat: int = 1) -> None:
        """Take an RGBA frame shown for repeat frames; it is read before this returns and not kept."""
        cv2 = self._cv2
        if self._error is not None:
            raise EncodeError(f"encode failed: {self._error}") from self._error
        if repeat < 1:  # a wait shorter than one frame shows nothing
            return
        slot = self._free.get()  # waits while the encoder is SLOTS frames behind
        cv2.cvtColor(frame, cv2.COLOR_RGBA2YUV_I420, dst=slot.yuv)
        shown = self.gif_frames(self.frames, repeat) if slot.small is not None else 0
        if shown:
            cv2.resize(frame, (slot.small.shape[1], slot.small.shape[0]), dst=slot.small, interpolation=cv2.INTER_AREA)
        self._queue.put((slot, self.frames, repeat, shown))
        self.frames += repeat

    def _encode_all(self) -> None:
        import av

        try:
            while (item := self._queue.get()) is not None:
                slot, first, repeat, shown = item
                picture = av.VideoFrame.from_numpy_buffer(slot.yuv, format="yuv420p")
                for pts in self.hold_pts(first, repeat):
                    picture.pts = pts
                    self._container.mux(self._stream.encode(picture))  # x264 copies the picture here
                if shown:
                    assert self._gif is not None and slot.small is not None
                    self._gif.write(slot.small, shown)
                self._free.put(slot)
        except BaseException as e:  # reported by write()/close() in the scene's thread
            self._error = e
            while (item := self._queue.get()) is not None:  # keep the producer from blocking
                self._free.put(item[0])

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
