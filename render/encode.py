"""Encode a tile's frames and derive every output from them.

Frames arrive from the scene as RGBA arrays and are piped straight into one x264
encode (no per-animation segments, no concatenation). The GIF is derived from the
MP4 with an ffmpeg palette; poster, step PNGs and thumbnail come from the frames
themselves, so the poster is exactly the last frame.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
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


def gif_graph(q: Quality) -> str:
    """The ffmpeg filter chain from full-size frames to a paletted GIF (palette built from what changes)."""
    width = min(q.gif_width, q.width)
    return (
        f"fps={q.gif_fps},scale={width}:-1:flags=area,split[a][b];"
        "[a]palettegen=max_colors=128:stats_mode=diff[p];"
        "[b][p]paletteuse=dither=bayer:bayer_scale=5:diff_mode=rectangle"
    )


class VideoSink:
    """One ffmpeg process: raw RGBA frames on stdin -> an H.264 MP4 and, from the same frames, a looping GIF.

    Deriving the GIF inside the same process saves decoding the MP4 again.
    """

    def __init__(self, out: Path, q: Quality, gif: Path | None = None):
        self.out = out
        self.log_path = out.with_suffix(".ffmpeg.log")
        self._log: IO[bytes] = open(self.log_path, "wb")  # noqa: SIM115 - closed in close()
        x264 = ["-c:v", "libx264", "-preset", q.x264_preset, "-crf", str(q.crf), "-tune", "animation",
                "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4", str(out)]
        cmd = [ffmpeg(), "-hide_banner", "-loglevel", "error", "-y",
               "-f", "rawvideo", "-pix_fmt", "rgba", "-s", f"{q.width}x{q.height}", "-r", str(q.fps), "-i", "-", "-an"]
        if gif is None:
            cmd += x264
        else:
            cmd += ["-filter_complex", f"[0:v]split[mp4][g];[g]{gif_graph(q)}[gif]", "-map", "[mp4]", *x264,
                    "-map", "[gif]", "-loop", "0", "-f", "gif", str(gif)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=self._log)
        self.frames = 0

    def write(self, frame: np.ndarray, repeat: int = 1) -> None:
        data = memoryview(np.ascontiguousarray(frame)).cast("B")  # no copy: the pipe reads the array's buffer
        assert self.proc.stdin is not None
        for _ in range(repeat):
            self.proc.stdin.write(data)
        self.frames += repeat

    def close(self) -> None:
        assert self.proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self.proc.stdin.close()
        code = self.proc.wait()
        self._log.close()
        if code != 0:
            raise EncodeError(f"x264 encode failed ({code}): {self.log_path.read_text(errors='replace')[-800:]}")
        self.log_path.unlink(missing_ok=True)

    def abort(self) -> None:
        self.proc.kill()
        self.proc.wait()
        self._log.close()


def run(cmd: list[str]) -> None:
    """Run an ffmpeg command; raise EncodeError with its stderr when it fails."""
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise EncodeError(f"{Path(cmd[0]).name} failed: {res.stderr[-800:]}")


def make_gif(mp4: Path, out: Path, q: Quality) -> None:
    """A looping GIF from an existing MP4 (the pipeline makes it during the encode instead)."""
    run([ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(mp4), "-filter_complex", gif_graph(q),
         "-loop", "0", "-f", "gif", str(out)])


def save_png(frame: np.ndarray, out: Path, width: int | None = None) -> None:
    """Save an RGBA frame as an optimised RGB PNG, optionally downscaled to width."""
    img = Image.fromarray(frame[:, :, :3] if frame.shape[2] == 4 else frame)
    if width and img.width > width:
        img = img.resize((width, round(img.height * width / img.width)), Image.Resampling.LANCZOS)
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
