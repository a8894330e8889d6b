"""Measure render cost side by side: the plain Manim CLI against the pipeline, in one run.

(a) the Manim CLI rendering the tiles one after another (1920x1080, 30 fps, fresh media dir);
(b) the pipeline cold with -j 1 and -j 2 (fresh build dirs, full quality);
(c) the pipeline again with nothing changed;
(d) the pipeline after one tile's caption is edited;
(e) the bytes of every output and of the gallery's first load;
(f) on a tile with a parameter sweep, in one process without encoding: the sweep itself against an
    equally long hold right after it and a hold in a tile without a sweep (frames drawn, CPU seconds,
    updaters left on screen): a sweep leaves no updater behind, so a later hold costs one drawn picture.
Figures are medians over --repeat runs; ratios are against (a).

With --all BUILD (default: build), two figures also cover every authored tile: the no-op run
over BUILD when all of them are rendered there at full quality and up to date, and the
output sizes of every tile rendered there (the size targets hold per tile).
"""

from __future__ import annotations

import json
import logging
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from render.files import atomic_write_text
from render.plan import ROOT
from spec import Spec
from spec.tile import scene_class_name

TILE_LINE = re.compile(r"^[✓✗] (?P<id>[a-z0-9-]+)\s+(?P<s>[0-9.]+)s", re.M)


@dataclass
class Run:
    """One timed command: wall seconds, per-tile seconds reported, tiles rendered."""

    wall: float
    tiles: dict[str, float] = field(default_factory=dict)
    ok: bool = True


def _env(spec_path: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "DIAGRAMS_SPEC": str(spec_path)}


def _timed(cmd: list[str], env: dict[str, str], cwd: Path = ROOT) -> tuple[float, subprocess.CompletedProcess[str]]:
    t0 = time.perf_counter()
    res = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    return time.perf_counter() - t0, res


def run_manim_cli(spec_path: Path, ids: list[str], media: Path) -> Run:
    """(a) The plain Manim CLI, the way Manim users run it, one tile after another."""
    shutil.rmtree(media, ignore_errors=True)
    manim = str(Path(sys.executable).with_name("manim"))
    run = Run(0.0)
    for tid in ids:
        cmd = [manim, "render", "-qh", "--fps", "30", "--media_dir", str(media), "scenes/tiles.py", scene_class_name(tid)]
        secs, res = _timed(cmd, _env(spec_path))
        run.wall += secs
        run.tiles[tid] = secs
        if res.returncode != 0:
            run.ok = False
            print(f"  manim CLI failed on {tid}: {res.stderr[-400:]}", file=sys.stderr)
    return run


def run_pipeline(spec_path: Path, build: Path, ids: list[str], jobs: int, fresh: bool, extra: tuple[str, ...] = ()) -> Run:
    """(b)-(d) `python -m render render` at full quality; per-tile seconds parsed from its report lines."""
    if fresh:
        shutil.rmtree(build, ignore_errors=True)
    cmd = [sys.executable, "-m", "render", "--spec", str(spec_path), "--build", str(build), "render", *ids,
           "--quality", "full", "-j", str(jobs), *extra]
    secs, res = _timed(cmd, _env(spec_path))
    tiles = {m["id"]: float(m["s"]) for m in TILE_LINE.finditer(res.stderr)}
    if res.returncode != 0:
        print(f"  pipeline failed: {res.stderr[-600:]}", file=sys.stderr)
    return Run(secs, tiles, res.returncode == 0)


def run_cluster(spec_path: Path, build: Path, ids: list[str], workers: int = 2) -> Run:
    """(b) the pipeline cold on a Dask LocalCluster of single-threaded worker processes (--scheduler), started
    fresh, so the workers import Manim during the run as a -j pool does."""
    from distributed import LocalCluster

    os.environ["PYTHONPATH"] = str(ROOT)  # the workers import the project from here, not from their folder
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                      host="127.0.0.1", silence_logs=logging.ERROR) as lc:
        return run_pipeline(spec_path, build, ids, 1, fresh=True, extra=("--scheduler", lc.scheduler_address))


class _FirstLoad(HTMLParser):
    """Collect what a browser fetches when it opens the page: eager images, stylesheets, scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "img" and a.get("src") and a.get("loading") != "lazy":
            self.urls.append(a["src"] or "")
        elif tag == "link" and a.get("rel") in ("stylesheet", "icon") and a.get("href"):
            self.urls.append(a["href"] or "")
        elif tag == "script" and a.get("src"):
            self.urls.append(a["src"] or "")


def first_load_bytes(site: Path) -> dict[str, int]:
    """Bytes of index.html plus every resource it loads eagerly (lazy images and videos are not fetched)."""
    index = site / "index.html"
    parser = _FirstLoad()
    parser.feed(index.read_text(encoding="utf-8"))
    sizes = {"index.html": index.stat().st_size}
    for url in parser.urls:
        path = site / url.split("?")[0].split("#")[0]
        if path.is_file():
            sizes[url] = path.stat().st_size
    return sizes


def output_bytes(media: Path, ids: list[str]) -> dict[str, dict[str, int]]:
    out = {}
    for tid in ids:
        d = media / tid
        steps = sum(p.stat().st_size for p in (d / "steps").glob("*.png"))
        out[tid] = {
            "mp4": (d / "video.mp4").stat().st_size,
            "gif": (d / "loop.gif").stat().st_size,
            "poster": (d / "poster.png").stat().st_size,
            "thumb": (d / "thumb.png").stat().st_size,
            "steps": steps,
        }
    return out


def machine() -> dict[str, Any]:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {"cores": os.cpu_count(), "cpu": cpu, "memory": mem, "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}",
            "load": " ".join(f"{x:.1f}" for x in os.getloadavg())}


def edited_spec(spec_path: Path, spec: Spec, tile_id: str, dest: Path) -> Path:
    """A copy of the spec with one tile's first caption changed (text edit, same structure)."""
    _, tile = spec.tile(tile_id)
    old = tile.steps[0].say
    text = spec_path.read_text(encoding="utf-8")
    for quoted in (f"'{old}'", f'"{old}"', old):
        if quoted in text:
            new = quoted[:-1] + " (edited)" + quoted[-1] if quoted[0] in "'\"" else quoted + " (edited)"
            dest.write_text(text.replace(quoted, new, 1), encoding="utf-8")
            return dest
    raise RuntimeError(f"could not find the caption of {tile_id} to edit")


# The targets, checked in the table: ratios against (a), seconds, and bytes (1 MB = 10^6 bytes).
TARGETS = {"b_cold_j2": 0.25, "c_noop_all": 2.0, "mp4": 1_500_000, "gif": 2_500_000, "poster": 300_000,
           "first_load": 1_500_000}


def whole_build(spec_path: Path, spec: Spec, build: Path) -> dict[str, Any]:
    """No-op time and output sizes over every authored tile already rendered at full quality in build."""
    from render.build import Paths
    from render.plan import plan

    paths = Paths(build)
    authored = [t.id for _, t in spec.tiles() if t.status == "authored"]
    stale = [p.tile.id for p in plan(spec, None, paths.media("dark"), paths.manifest("dark"), "dark", "full",
                                    False) if p.stale]
    out: dict[str, Any] = {"build": str(build), "authored": len(authored), "stale": len(stale)}
    if not stale:
        runs = [run_pipeline(spec_path, build, [], 2, fresh=False) for _ in range(3)]
        out["noop_wall"] = _median([r.wall for r in runs])
        out["noop_rendered"] = sorted({t for r in runs for t in r.tiles})
    rendered = [i for i in authored if i not in stale and (paths.media("dark") / i / "video.mp4").is_file()]
    if rendered:
        sizes = output_bytes(paths.media("dark"), rendered)
        out["sizes"] = {"tiles": len(rendered),
                        "median": {k: _median([float(v[k]) for v in sizes.values()]) for k in SIZE_KEYS},
                        "max": {k: max(v[k] for v in sizes.values()) for k in SIZE_KEYS},
                        "largest_mp4": max(sizes, key=lambda i: sizes[i]["mp4"])}
    return out


SIZE_KEYS = ("mp4", "gif", "poster", "thumb", "steps")


def _median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def bench(spec_path: Path, spec: Spec, ids: list[str], root: Path, repeat: int = 1,
          all_build: Path | None = None) -> dict[str, Any]:
    """Run every measurement once (or `repeat` times) and return the figures."""
    root.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"tiles": ids, "machine": machine(), "repeat": repeat,
                               "date": time.strftime("%Y-%m-%d %H:%M")}
    cli_runs, j1_runs, j2_runs, cluster_runs = [], [], [], []
    for r in range(repeat):
        print(f"[{r + 1}/{repeat}] (a) manim CLI, {len(ids)} tiles one after another…", file=sys.stderr)
        cli_runs.append(run_manim_cli(spec_path, ids, root / "manim-media"))
        print(f"[{r + 1}/{repeat}] (b) pipeline cold -j 1…", file=sys.stderr)
        j1_runs.append(run_pipeline(spec_path, root / "j1", ids, 1, fresh=True))
        print(f"[{r + 1}/{repeat}] (b) pipeline cold -j 2…", file=sys.stderr)
        j2_runs.append(run_pipeline(spec_path, root / "j2", ids, 2, fresh=True))
        print(f"[{r + 1}/{repeat}] (b) pipeline cold on a Dask LocalCluster, 2 workers of 1 thread…", file=sys.stderr)
        cluster_runs.append(run_cluster(spec_path, root / "cluster", ids))
    print("(c) pipeline again, nothing changed…", file=sys.stderr)
    noop = [run_pipeline(spec_path, root / "j2", ids, 2, fresh=False) for _ in range(max(3, repeat))]
    print("(d) pipeline after one caption edit…", file=sys.stderr)
    edited = edited_spec(spec_path, spec, ids[0], root / "edited.yaml")
    edit = run_pipeline(edited, root / "j2", ids, 2, fresh=False)
    # restore the original outputs' state for the size figures
    sizes = output_bytes(root / "j2" / "media", ids)
    subprocess.run([sys.executable, "-m", "render", "--spec", str(spec_path), "--build", str(root / "j2"), "site"],
                   cwd=ROOT, env=_env(spec_path), capture_output=True, check=False)
    first = first_load_bytes(root / "j2" / "site")

    def totals(runs: list[Run]) -> float:
        return _median([r.wall for r in runs])

    def cold(runs: list[Run]) -> dict[str, Any]:
        """A cold measurement's figures: median wall, median seconds a tile, every round's wall, and whether all worked."""
        return {"wall": totals(runs), "per_tile_median": _median([s for r in runs for s in r.tiles.values()]),
                "ok": all(r.ok for r in runs), "runs": [r.wall for r in runs]}

    cli = totals(cli_runs)
    results["measurements"] = {
        "a_manim_cli": cold(cli_runs),
        "b_cold_j1": cold(j1_runs),
        "b_cold_j2": cold(j2_runs),
        "b_cold_cluster": cold(cluster_runs),
        "c_noop": {"wall": totals(noop), "rendered": sorted({t for r in noop for t in r.tiles})},
        "d_edit_one": {"wall": edit.wall, "edited": ids[0], "rendered": sorted(edit.tiles)},
    }
    # The coordinator's overhead on the cluster: wall time beyond the tiles' render seconds shared by 2 workers.
    cl = results["measurements"]["b_cold_cluster"]
    cl["overhead"] = _median([r.wall - sum(r.tiles.values()) / 2 for r in cluster_runs])
    cl["tile_seconds"] = _median([sum(r.tiles.values()) for r in cluster_runs])
    for key in ("b_cold_j1", "b_cold_j2", "b_cold_cluster", "c_noop", "d_edit_one"):
        results["measurements"][key]["ratio_vs_cli"] = results["measurements"][key]["wall"] / cli if cli else None
    # Each round's own pair (the CLI and the pipeline measured minutes apart): the spread says how noisy the machine was.
    for key, runs in (("b_cold_j1", j1_runs), ("b_cold_j2", j2_runs)):
        results["measurements"][key]["ratio_per_round"] = [r.wall / c.wall for r, c in zip(runs, cli_runs, strict=True)]
    results["bytes"] = {
        "per_tile": sizes,
        "median": {k: _median([float(v[k]) for v in sizes.values()]) for k in SIZE_KEYS},
        "max": {k: max(v[k] for v in sizes.values()) for k in SIZE_KEYS},
        "gallery_first_load": sum(first.values()),
        "gallery_first_load_files": first,
    }
    if all_build is not None:
        print(f"(c, e) every authored tile, in {all_build}…", file=sys.stderr)
        results["all"] = whole_build(spec_path, spec, all_build)
    print("(f) a sweep against the hold after it and a hold without a sweep…", file=sys.stderr)
    results["sweep_holds"] = sweep_bench(spec, root / "sweep-work", repeat=repeat)
    return results


class _CountingSink:
    """A video sink that only counts: pictures drawn and frames of video (a hold is one picture, many frames)."""

    def __init__(self) -> None:
        self.pictures = 0
        self.frames = 0

    def write(self, pixels: Any, repeat: int = 1) -> None:
        self.pictures += 1
        self.frames += repeat


def _cpu() -> float:
    """CPU seconds of this process and of the children it waited for (LaTeX, Graphviz): on a shared machine the
    wall clock says more about the neighbours than about the work."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _updaters(scene: Any) -> int:
    """Mobjects on screen that carry an updater (Manim runs them on every frame that is drawn)."""
    return sum(1 for top in scene.mobjects for m in top.get_family() if m.updaters)


def sweep_tiles(spec: Spec) -> tuple[str | None, str | None]:
    """A tile to measure a sweep on (classification-metrics if it sweeps, else the first that does) and one
    without any sweep or standing updater to compare its hold with (gradient-descent if it qualifies)."""
    authored = [t for _, t in spec.tiles() if t.status == "authored"]
    sweeping = [t.id for t in authored if any(a.key == "sweep" for s in t.steps for a in s.do)]
    plain = [t.id for t in authored if not t.params and not any(p.kind == "network" for p in t.panels)]
    pick = "classification-metrics" if "classification-metrics" in sweeping else (sweeping or [None])[0]
    other = "gradient-descent" if "gradient-descent" in plain else (plain or [None])[0]
    return pick, other


def measure_holds(spec: Spec, tile_id: str, work: Path, hold: float = 3.0, quality: str = "full") -> dict[str, Any]:
    """Play one tile at `quality` into a counting sink; time its first sweep (or, in a tile without one, its last
    action), then an extra hold as long as that sweep (or `hold` seconds) played right after it.

    The hold is added by the measurement (the tile's spec is unchanged) so that the two are equally long.
    """
    import scenes.actions as A
    from scenes.encode import QUALITIES
    from scenes.worker import render_frames

    layer, tile = spec.tile(tile_id)
    actions = [a.key for s in tile.steps for a in s.do]
    target = actions.index("sweep") if "sweep" in actions else max(i for i, k in enumerate(actions) if k != "wait")
    sink = _CountingSink()
    out: dict[str, Any] = {"tile": tile_id}
    seen = {"n": 0}
    original = dict(A.ACTIONS)

    def segment(scene: Any, run: Any) -> dict[str, Any]:
        t0, c0, v0, p0, f0 = time.perf_counter(), _cpu(), scene.renderer.time, sink.pictures, sink.frames
        run()
        return {"video_s": scene.renderer.time - v0, "frames": sink.frames - f0, "pictures": sink.pictures - p0,
                "wall_s": time.perf_counter() - t0, "cpu_s": _cpu() - c0, "updaters_after": _updaters(scene)}

    def wrap(key: str, fn: Any) -> Any:
        def run(scene: Any, act: Any) -> None:
            k = seen["n"]
            seen["n"] += 1
            if k != target:
                fn(scene, act)
                return
            out["updaters_before"] = _updaters(scene)
            out["action"] = segment(scene, lambda: fn(scene, act))
            out["action"]["key"] = key
            out["action"]["what"] = f"{key} {getattr(act, 'sweep', '')} to {getattr(act, 'to', '')}".strip() \
                if key == "sweep" else key
            length = out["action"]["video_s"] if key == "sweep" else hold
            out["hold"] = segment(scene, lambda: scene.wait(length))
        return run

    A.ACTIONS.update({k: wrap(k, fn) for k, fn in original.items()})
    try:
        render_frames(tile, layer, spec.number_of(tile_id), QUALITIES[quality], "dark", work, sink, lambda *_: None)
    finally:
        A.ACTIONS.update(original)
    out["quality"] = quality
    return out


def sweep_bench(spec: Spec, work: Path, sweep_tile: str | None = None, plain_tile: str | None = None,
                repeat: int = 1) -> dict[str, Any]:
    """(f) The first sweep of a sweeping tile, the equally long hold after it, and a hold as long in a tile without
    a sweep; medians of `repeat` rounds for the times."""
    pick, other = sweep_tiles(spec)
    sweep_tile, plain_tile = sweep_tile or pick, plain_tile or other
    if sweep_tile is None or plain_tile is None:
        return {}
    rounds = []
    for _ in range(repeat):
        swept = measure_holds(spec, sweep_tile, work)
        plain = measure_holds(spec, plain_tile, work, hold=swept["action"]["video_s"])
        rounds.append((swept, plain))
    swept, plain = rounds[-1]
    for key in ("wall_s", "cpu_s"):
        swept["action"][key] = _median([r[0]["action"][key] for r in rounds])
        swept["hold"][key] = _median([r[0]["hold"][key] for r in rounds])
        plain["hold"][key] = _median([r[1]["hold"][key] for r in rounds])
    return {"sweep": swept, "plain": plain, "repeat": repeat}


def sweep_table(f: dict[str, Any]) -> str:
    """(f) as a Markdown table."""
    if not f:
        return ""
    s, p = f["sweep"], f["plain"]
    rows = [
        "| (f) segment | video (s) | pictures drawn | CPU (s) | CPU ms per second of video | updaters on screen after |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]

    def row(label: str, seg: dict[str, Any]) -> str:
        per = 1000 * seg["cpu_s"] / seg["video_s"] if seg["video_s"] else float("nan")
        return (f"| {label} | {seg['video_s']:.2f} | {seg['pictures']} | {seg['cpu_s']:.2f} | {per:.0f} "
                f"| {seg['updaters_after']} |")

    rows.append(row(f"{s['action']['what']} ({s['tile']})", s["action"]))
    rows.append(row(f"hold right after it, as long ({s['tile']})", s["hold"]))
    rows.append(row(f"hold as long in a tile without a sweep ({p['tile']})", p["hold"]))
    rows.append(f"\n(f) at the {s.get('quality', 'full')} preset, drawn by Cairo without encoding, CPU of the process "
                f"and its children; median of {f.get('repeat', 1)} round(s).")
    return "\n".join(rows)


def _mark(ok: bool) -> str:
    return "met" if ok else "**not met**"


def table(results: dict[str, Any]) -> str:
    """The figures as Markdown tables (also pasted into the README), each against its target."""
    m = results["measurements"]
    n = len(results["tiles"])
    a, j1, j2, noop, edit = (m[k] for k in ("a_manim_cli", "b_cold_j1", "b_cold_j2", "c_noop", "d_edit_one"))
    redone = ", ".join(edit["rendered"]) or "nothing"
    rows = [
        "| measurement | wall (s) | per tile, median (s) | vs (a) | target |",
        "| --- | ---: | ---: | ---: | --- |",
        f"| (a) Manim CLI, {n} tiles in a row | {a['wall']:.1f} | {a['per_tile_median']:.1f} | 1.00 | |",
        f"| (b) pipeline cold, -j 1 | {j1['wall']:.1f} | {j1['per_tile_median']:.1f} | {j1['ratio_vs_cli']:.2f} | |",
        f"| (b) pipeline cold, -j 2 | {j2['wall']:.1f} | {j2['per_tile_median']:.1f} | {j2['ratio_vs_cli']:.2f} "
        f"| ≤ 0.25: {_mark(j2['ratio_vs_cli'] <= TARGETS['b_cold_j2'])} |",
    ]
    cl = m.get("b_cold_cluster")
    if cl:
        rows.append(f"| (b) pipeline cold, Dask LocalCluster of 2 one-thread workers | {cl['wall']:.1f} "
                    f"| {cl['per_tile_median']:.1f} | {cl['ratio_vs_cli']:.2f} | {cl['wall'] / j2['wall']:.2f}× -j 2; "
                    f"coordinator overhead {cl['overhead']:.1f} s |")
    rows += [
        f"| (c) pipeline, nothing changed ({n} tiles) | {noop['wall']:.2f} | – | {noop['ratio_vs_cli']:.3f} | |",
    ]
    whole = results.get("all") or {}
    if "noop_wall" in whole:
        rows.append(f"| (c) pipeline, nothing changed, all {whole['authored']} tiles | {whole['noop_wall']:.2f} | – | – "
                    f"| < 2 s: {_mark(whole['noop_wall'] < TARGETS['c_noop_all'])} |")
    elif whole:
        rows.append(f"| (c) all {whole['authored']} tiles | not measured: {whole['stale']} not rendered at full "
                    f"quality in {whole['build']} | | | |")
    rows.append(f"| (d) pipeline, one caption edited ({redone} re-rendered) | {edit['wall']:.1f} | – "
                f"| {edit['ratio_vs_cli']:.2f} | only {edit['edited']}: {_mark(edit['rendered'] == [edit['edited']])} |")

    def kb(x: float) -> str:
        return f"{x / 1000:.0f} KB"

    b = results["bytes"]
    limits = {"mp4": TARGETS["mp4"], "gif": TARGETS["gif"], "poster": TARGETS["poster"]}
    sized = whole.get("sizes") or {"tiles": n, "median": b["median"], "max": b["max"]}
    rows += ["", f"| output (per tile, {sized['tiles']} tiles) | median | largest | target |", "| --- | ---: | ---: | --- |"]
    for k in SIZE_KEYS:
        label = {"steps": "step PNGs (all of a tile)"}.get(k, k.upper() if k in ("mp4", "gif") else k)
        target = f"≤ {limits[k] / 1e6:g} MB: {_mark(sized['max'][k] <= limits[k])}" if k in limits else ""
        rows.append(f"| {label} | {kb(sized['median'][k])} | {kb(sized['max'][k])} | {target} |")
    first = b["gallery_first_load"]
    rows.append(f"| gallery first load | {kb(first)} | | ≤ 1.5 MB: {_mark(first <= TARGETS['first_load'])} |")
    mach = results["machine"]
    rows += ["", f"Machine: {mach['cores']} cores, {mach['cpu']}, {mach['memory']}, Python {mach['python']}, "
             f"{mach['system']}; load average {mach.get('load', '?')} at the start; {results['date']}; "
             f"median of {results['repeat']} run(s)."]
    rounds = j2.get("ratio_per_round", [])
    if len(rounds) > 1:
        rows.append("Each round on its own, the pipeline against the CLI of that round: "
                    f"-j 1 {', '.join(f'{r:.2f}' for r in j1.get('ratio_per_round', []))}; "
                    f"-j 2 {', '.join(f'{r:.2f}' for r in rounds)}.")
    if results.get("sweep_holds"):
        rows += ["", sweep_table(results["sweep_holds"])]
    return "\n".join(rows)


def write_results(results: dict[str, Any], path: Path) -> None:
    atomic_write_text(path, json.dumps(results, indent=2, sort_keys=True))
