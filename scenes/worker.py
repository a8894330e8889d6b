"""Render one tile inside a worker process and write its outputs atomically.

Manim is imported once per worker process and reused across tiles. Each worker
owns a slot directory (its own media and TeX caches, kept between runs), because
Manim's SVG/TeX caches are not safe to share between processes.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scenes.encode import QUALITIES, THUMB_WIDTH, Quality, VideoSink, save_png, write_vtt
from spec import Layer, Tile
from spec.theme import THEMES

_slot_lock: Any = None
_slot_dir: Path | None = None


@dataclass(frozen=True)
class TileJob:
    """Everything a worker needs to render one tile (picklable)."""

    tile: dict[str, Any]
    layer: dict[str, Any]
    number: int
    quality: str
    theme: str
    out_dir: str
    cache_dir: str
    content_hash: str


@dataclass
class TileResult:
    tile_id: str
    ok: bool
    seconds: float
    error: str = ""
    meta: dict[str, Any] = field(default_factory=dict)


def tex_template() -> Any:
    """A minimal LaTeX template: article + amsmath/amssymb (no standalone/preview packages needed)."""
    from manim import TexTemplate

    return TexTemplate(
        documentclass=r"\documentclass[12pt]{article}",
        preamble="\\usepackage[english]{babel}\n\\usepackage{amsmath}\n\\usepackage{amssymb}\n\\pagestyle{empty}",
    )


def _acquire_slot(cache_dir: Path) -> Path:
    """Take the first free worker slot directory (held by an flock for the process's life)."""
    global _slot_lock, _slot_dir
    if _slot_dir is not None:
        return _slot_dir
    slots = cache_dir / "workers"
    slots.mkdir(parents=True, exist_ok=True)
    for i in range(64):
        fh = open(slots / f"{i}.lock", "w")  # noqa: SIM115 - held open for the process's life
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            continue
        _slot_lock, _slot_dir = fh, slots / str(i)
        _slot_dir.mkdir(exist_ok=True)
        return _slot_dir
    raise RuntimeError("no free worker slot")


def warm_up() -> None:
    """Pool initializer: leave Ctrl-C to the coordinator, stop cleanly on SIGTERM, import Manim and the scenes once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)
    import manim  # noqa: F401

    import scenes.director  # noqa: F401


def _stop(signum: int, frame: Any) -> None:
    """SIGTERM from the coordinator (the run was interrupted): unwind, so the encoder is stopped and the
    temporary folder removed, and exit."""
    raise SystemExit(128 + signum)


def render_tile(job: TileJob) -> TileResult:
    """Render one tile; never raises (errors come back in the result)."""
    t0 = time.perf_counter()
    tile_id = job.tile["id"]
    try:
        meta = _render(job)
        return TileResult(tile_id, True, time.perf_counter() - t0, meta=meta)
    except Exception as e:  # reported per tile; the other tiles still render
        detail = "".join(traceback.format_exception_only(type(e), e)).strip()
        return TileResult(tile_id, False, time.perf_counter() - t0, error=detail,
                          meta={"traceback": traceback.format_exc()})


def render_frames(tile: Tile, layer: Layer, number: int, q: Quality, theme_name: str, work: Path,
                  sink: VideoSink | None, on_step_end: Any) -> Any:
    """Play the tile's scene, sending frames to sink (or nowhere) and calling on_step_end per step."""
    from manim import tempconfig
    from manim.renderer.cairo_renderer import CairoRenderer
    from manim.scene.scene_file_writer import SceneFileWriter

    from scenes.director import TileScene

    class PipeWriter(SceneFileWriter):
        """Send every frame to the tile's one encode (the sink) instead of Manim's per-animation segments."""

        def begin_animation(self, allow_write: bool = False, **_: Any) -> None:
            pass

        def end_animation(self, allow_write: bool = False) -> None:
            pass

        def add_partial_movie_file(self, hash_animation: str | None) -> None:
            pass

        def is_already_cached(self, hash_invocation: str) -> bool:
            return False

        def write_frame(self, pixels: Any, *, repeat: int = 1) -> None:
            if sink is not None:
                sink.write(pixels, repeat)

        def finish(self) -> None:
            pass

        def abort_encode_jobs(self, reraise_encoder_failures: bool = False) -> None:
            pass

        def save_image(self, pixels: Any) -> None:
            pass

    class DirectRenderer(CairoRenderer):
        """Hand the sink Manim's live pixel buffer instead of a copy of it per frame (the sink converts it at once)."""

        def render(self, scene: Any, time: float, moving_mobjects: Any = None) -> None:
            self.update_frame(scene, moving_mobjects)
            self.add_frame(self.camera.pixel_array)

        def freeze_current_frame(self, duration: float) -> None:
            self.add_frame(self.camera.pixel_array, num_frames=int(duration / (1 / self.camera.frame_rate)))  # as Manim

    theme = THEMES[theme_name]
    settings = {
        "pixel_width": q.width,
        "pixel_height": q.height,
        "frame_rate": q.fps,
        "media_dir": str(work / "media"),
        "tex_dir": str(work / "tex"),
        "text_dir": str(work / "texts"),
        "disable_caching": True,
        "write_to_movie": True,
        "save_last_frame": False,
        "progress_bar": "none",
        "verbosity": "ERROR",
        "background_color": theme.background,
        "tex_template": tex_template(),
        "dry_run": sink is None,
    }
    with tempconfig(settings):
        scene = TileScene(renderer=DirectRenderer(file_writer_class=PipeWriter, skip_animations=sink is None))
        scene.configure(tile, layer, number, theme, on_step_end=on_step_end)
        scene.render()
    return scene


def _render(job: TileJob) -> dict[str, Any]:
    q = QUALITIES[job.quality]
    tile = Tile.model_validate(job.tile)
    layer = Layer.model_validate({**job.layer, "tiles": [job.tile]})
    out_dir = Path(job.out_dir)
    slot = _acquire_slot(Path(job.cache_dir))
    tmp = Path(tempfile.mkdtemp(prefix=f".{tile.id}.", dir=out_dir.parent))  # see TEMP_DIR
    try:
        (tmp / "steps").mkdir()
        sink = VideoSink(tmp / "video.mp4", q, gif=tmp / "loop.gif")
        step_frames: list[Any] = []
        # PNG compression releases the GIL: step pictures are saved while the scene keeps drawing.
        with ThreadPoolExecutor(max_workers=1) as savers:
            saved = []

            def grab(scene: Any, index: int) -> None:
                frame = scene.renderer.get_frame()
                step_frames.append(frame)
                saved.append(savers.submit(save_png, frame, tmp / "steps" / f"{index + 1:02d}.png"))

            try:
                scene = render_frames(tile, layer, job.number, q, job.theme, slot, sink, grab)
            except BaseException:
                sink.abort()
                raise
            saved.append(savers.submit(save_png, step_frames[-1], tmp / "thumb.png", THUMB_WIDTH))
            saved.append(savers.submit(save_png, step_frames[-1], tmp / "poster.png", None, True))  # the last frame
            sink.close()
            for fut in saved:
                fut.result()
        times = scene.step_times
        duration = sink.frames / q.fps
        ends = times[1:] + [duration]
        write_vtt([(a, b, s.say) for a, b, s in zip(times, ends, tile.steps, strict=True)], tmp / "captions.vtt")
        write_vtt([(a, b, s.chapter()) for a, b, s in zip(times, ends, tile.steps, strict=True)], tmp / "chapters.vtt")
        meta = build_meta(job, tile, layer, q, times, duration)
        meta["key_points"] = key_point_boxes(scene, tile)
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False), encoding="utf-8")
        publish(tmp, out_dir)
        return meta
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# A worker's temporary folder beside the tiles: ".<tile id>." and the 8 characters mkdtemp adds. A run that was
# killed leaves it behind; the next run removes what matches (render.build.remove_leftovers).
TEMP_DIR = re.compile(r"^\.[a-z0-9]+(-[a-z0-9]+)*\.[a-z0-9_]{8}$")

OUTPUTS = {
    "mp4": "video.mp4",
    "gif": "loop.gif",
    "poster": "poster.png",
    "thumb": "thumb.png",
    "captions": "captions.vtt",
    "chapters": "chapters.vtt",
}


def key_point_boxes(scene: Any, tile: Tile) -> list[dict[str, Any]]:
    """Each key point with the boxes of its elements in the poster (the last frame), as fractions of the frame
    [left, top, right, bottom] with the origin at the top left, so any player size can outline them."""
    from scenes.common import FRAME_H, FRAME_W

    out = []
    for kp in tile.key_points or []:
        boxes = []
        for ref in kp.shown_by:
            members = [m for m in scene.mob(ref).get_family() if len(m.points)]
            if not members:
                continue
            pts = [p for m in members for p in (m.get_corner([-1, 1, 0]), m.get_corner([1, -1, 0]))]
            xs, ys = [float(p[0]) for p in pts], [float(p[1]) for p in pts]
            box = [(min(xs) + FRAME_W / 2) / FRAME_W, (FRAME_H / 2 - max(ys)) / FRAME_H,
                   (max(xs) + FRAME_W / 2) / FRAME_W, (FRAME_H / 2 - min(ys)) / FRAME_H]
            boxes.append({"ref": ref, "box": [round(min(max(v, 0.0), 1.0), 4) for v in box]})
        out.append({"point": kp.point, "priority": kp.priority, "formula": kp.formula, "boxes": boxes})
    return out


def build_meta(job: TileJob, tile: Tile, layer: Layer, q: Quality, times: list[float], duration: float) -> dict:
    steps = []
    ends = times[1:] + [duration]
    for i, (step, a, b) in enumerate(zip(tile.steps, times, ends, strict=True)):
        steps.append({"index": i + 1, "title": step.chapter(), "say": step.say, "start": round(a, 3),
                      "end": round(b, 3), "png": f"steps/{i + 1:02d}.png"})
    return {
        "id": tile.id,
        "number": job.number,
        "title": tile.title,
        "tagline": tile.tagline,
        "layer": {"id": layer.id, "title": layer.title},
        "notes": list(tile.notes),
        "questions": [q.q for q in tile.questions],
        "answers": [{"answer": q.answer, "source": q.source} if q.answer else None for q in tile.questions],
        "steps": steps,
        "duration": round(duration, 3),
        "width": q.width,
        "height": q.height,
        "fps": q.fps,
        "quality": q.name,
        "theme": job.theme,
        "outputs": {**OUTPUTS, "steps": [s["png"] for s in steps]},
        "hash": job.content_hash,
    }


def publish(tmp: Path, out_dir: Path) -> None:
    """Move finished files into place one by one with atomic renames; meta.json last.

    Each rename is atomic, and the manifest (written by the parent after this) is
    what marks the tile as done, so an interrupted publish is re-rendered next run.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "steps").mkdir(exist_ok=True)
    for old in (out_dir / "steps").glob("*.png"):
        if not (tmp / "steps" / old.name).exists():
            old.unlink()
    for src in sorted((tmp / "steps").glob("*.png")):
        os.replace(src, out_dir / "steps" / src.name)
    for name in OUTPUTS.values():
        os.replace(tmp / name, out_dir / name)
    os.replace(tmp / "meta.json", out_dir / "meta.json")




def render_still(tile: Tile, layer: Layer, number: int, theme: str, work: Path, width: int = 480,
                 every_step: bool = False) -> list[Any]:
    """Play a tile without drawing or encoding and return its final frame (or each step's) as RGBA arrays."""
    q = Quality("still", width, width * 9 // 16, 15, "ultrafast", 30, width, 10)
    frames: list[Any] = []

    def grab(scene: Any, index: int) -> None:
        if every_step or index == len(tile.steps) - 1:
            scene.renderer.update_frame(scene)
            frames.append(scene.renderer.get_frame())

    render_frames(tile, layer, number, q, theme, work, None, grab)
    return frames
