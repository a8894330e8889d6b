"""Split a render across CI jobs (--shard K/N) and merge their builds back into one (`python -m render merge`).

A shard is a pure function of the spec and the committed file of per-tile render times (render-times.json
beside the spec): every authored tile, heaviest first, goes to the shard with the least work so far, so
each job of a CI matrix computes the same partition whatever its own cache holds. `merge` copies each
shard's tile folders and manifest entries into one build, refusing a tile that two shards rendered
differently; the result is file for file the build one machine makes.

The render times come from real renders: each tile a render finishes records its seconds in
BUILD/cache/times-<theme>-<quality>.json, and `python -m render times` turns the dark theme's full-quality
figures into render-times.json, estimating the tiles not measured from their video's length.
"""

from __future__ import annotations

import json
import re
import statistics
from pathlib import Path
from typing import Any

from render.files import atomic_copy, atomic_write_text, digest_files
from render.plan import outputs_present
from spec import Spec

TIMES_FILE = "render-times.json"
SHARD = re.compile(r"^\s*(?P<k>[0-9]+)\s*/\s*(?P<n>[0-9]+)\s*$")


class ShardError(Exception):
    """A bad --shard value, times file or merge: one line naming what is wrong."""


def parse_shard(text: str) -> tuple[int, int]:
    m = SHARD.match(text)
    if not m or not 1 <= int(m["k"]) <= int(m["n"]):
        raise ShardError(f"--shard {text!r}: expected K/N with 1 <= K <= N, for example --shard 2/4")
    return int(m["k"]), int(m["n"])


def times_path(spec_path: Path) -> Path:
    """The committed render times, beside the spec."""
    return spec_path.with_name(TIMES_FILE)


def load_times(path: Path) -> dict[str, float]:
    """Tile id -> seconds from a render-times file; errors name the file, the line and the field."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as e:
        raise ShardError(f"{path}: cannot read: {e.strerror or e}") from e
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ShardError(f"{path}:{e.lineno}: not valid JSON: {e.msg}") from e
    tiles = data.get("tiles") if isinstance(data, dict) else None
    if not isinstance(tiles, dict):
        raise ShardError(f"{path}:1: field 'tiles': expected an object of tile id -> seconds")
    out = {}
    for tid, secs in tiles.items():
        if isinstance(secs, bool) or not isinstance(secs, int | float) or secs <= 0:
            line = next((n for n, s in enumerate(text.splitlines(), 1) if f'"{tid}"' in s), 1)
            raise ShardError(f"{path}:{line}: field 'tiles.{tid}': expected a positive number of seconds, got {secs!r}")
        out[tid] = float(secs)
    return out


def partition(tile_ids: list[str], times: dict[str, float], n: int) -> list[list[str]]:
    """Split the tiles into n shards balanced by their render times (longest first to the least loaded shard).

    A tile with no recorded time counts as the median of the others (1 s when none is known). Each shard keeps
    the spec's order. Deterministic: the same tiles and times give the same shards on every machine.
    """
    known = [times[t] for t in tile_ids if t in times]
    default = statistics.median(known) if known else 1.0
    cost = {t: times.get(t, default) for t in tile_ids}
    loads = [0.0] * n
    shards: list[set[str]] = [set() for _ in range(n)]
    for t in sorted(tile_ids, key=lambda t: (-cost[t], t)):
        j = min(range(n), key=lambda j: (loads[j], j))
        loads[j] += cost[t]
        shards[j].add(t)
    return [[t for t in tile_ids if t in s] for s in shards]


def shard_ids(spec: Spec, times: dict[str, float], k: int, n: int) -> list[str]:
    """The authored tiles of shard k of n (1-based)."""
    authored = [t.id for _, t in spec.tiles() if t.status == "authored"]
    return partition(authored, times, n)[k - 1]


# --- measured render times -------------------------------------------------------------------------------------


def measured_path(cache: Path, theme: str, quality: str) -> Path:
    return cache / f"times-{theme}-{quality}.json"


def record_time(cache: Path, theme: str, quality: str, tile_id: str, seconds: float) -> None:
    """Keep the seconds a tile took to render (the last render's), for `python -m render times`."""
    path = measured_path(cache, theme, quality)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        data = {}
    data[tile_id] = round(seconds, 2)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(data, indent=1, sort_keys=True))


def video_seconds(spec: Spec, tile_id: str, media: Path, work: Path) -> float:
    """A tile's video length: from its rendered meta.json, else by playing the scene without drawing."""
    try:
        return float(json.loads((media / tile_id / "meta.json").read_text())["duration"])
    except (OSError, ValueError, KeyError):
        pass
    from scenes.encode import Quality
    from scenes.worker import render_frames

    number = next(i for i, (_, t) in enumerate(spec.tiles(), 1) if t.id == tile_id)
    layer, tile = spec.tile(tile_id)
    q = Quality("still", 480, 270, 15, "ultrafast", 30, 480, 10)
    scene = render_frames(tile, layer, number, q, "dark", work, None, lambda _s, _i: None)
    return float(scene.duration_total)


def estimate_times(spec: Spec, measured: dict[str, float], media: Path, work: Path) -> dict[str, Any]:
    """Every authored tile's render seconds: measured ones as they are, the others estimated from the length of
    their video at the median seconds-per-video-second of the measured ones."""
    authored = [t.id for _, t in spec.tiles() if t.status == "authored"]
    have = [t for t in authored if t in measured]
    if not have:
        raise ShardError("no measured render time of an authored tile: render some tiles at full quality in the "
                         "dark theme first (`python -m render render --quality full IDS`)")
    length = {t: video_seconds(spec, t, media, work) for t in authored}
    rate = statistics.median(measured[t] / length[t] for t in have if length[t] > 0)
    tiles = {t: round(measured[t] if t in measured else rate * length[t], 1) for t in authored}
    return {"about": "Seconds each authored tile takes to render at full quality, dark theme, one core: measured "
                     "where listed in 'measured', else estimated from the video's length at the measured median "
                     "rate. Written by `python -m render times`; --shard balances CI jobs with it.",
            "rate": round(rate, 3), "measured": have, "tiles": tiles}


# --- merging shard builds --------------------------------------------------------------------------------------


def tile_files(folder: Path) -> list[str]:
    """The files of a rendered tile folder that meta.json lists, meta.json last."""
    meta = json.loads((folder / "meta.json").read_text())
    outputs = meta.get("outputs", {})
    names = [v for k, v in outputs.items() if k != "steps"] + list(outputs.get("steps", []))
    return [*sorted(names), "meta.json"]


def merge(dirs: list[Path], out: Path) -> dict[str, int]:
    """Merge shard build folders into out (media folders and manifests of both themes); return tiles per theme.

    out's own entries take part like a shard's, so merging into a build of another spec is refused too.
    """
    from render.build import Paths
    from spec.theme import THEMES

    srcs = []
    for d in dirs:
        if not any((d / "cache" / f"manifest-{t}.json").is_file() for t in THEMES):
            raise ShardError(f"{d}: not a build folder: no cache/manifest-<theme>.json in it")
        srcs.append(Paths(d))
    target = Paths(out)
    counts = {}
    for theme in THEMES:
        chosen: dict[str, tuple[str, Paths, str]] = {}  # tile -> (hash, source, digest of its files)
        for src in [target, *srcs]:
            manifest = src.manifest(theme)
            for tid, digest in sorted(manifest.entries.items()):
                folder = src.media(theme) / tid
                if not outputs_present(folder):
                    if src is target:
                        continue
                    raise ShardError(f"{src.build}: tile '{tid}' ({theme}) is in the manifest but its files in "
                                     f"{folder} are missing")
                files = tile_files(folder)
                sig = digest_files([folder / f for f in files], folder, 64)
                if tid in chosen:
                    other_hash, other, other_sig = chosen[tid]
                    if other_hash != digest:
                        raise ShardError(f"conflict: tile '{tid}' ({theme}) has hash {other_hash[:12]} in "
                                         f"{other.build} but {digest[:12]} in {src.build}: they were rendered "
                                         "from different specs, qualities or tool versions; merge builds of one run")
                    if other_sig != sig:
                        raise ShardError(f"conflict: tile '{tid}' ({theme}) has the same hash in {other.build} and "
                                         f"{src.build} but different files; re-render one of them")
                    continue
                chosen[tid] = (digest, src, sig)
        if not chosen:
            continue
        manifest = target.manifest(theme)
        for tid, (digest, src, _) in sorted(chosen.items()):
            if src is target:
                continue
            manifest.drop(tid)
            folder, dest = src.media(theme) / tid, target.media(theme) / tid
            files = tile_files(folder)
            if (dest / "steps").is_dir():
                for old in (dest / "steps").glob("*.png"):
                    if f"steps/{old.name}" not in files:
                        old.unlink()
            for f in files:
                atomic_copy(folder / f, dest / f)
            manifest.set(tid, digest)
        counts[theme] = len(chosen)
    return counts
