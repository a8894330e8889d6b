"""Render the stale tiles on a Dask distributed cluster instead of local worker processes.

The coordinator (this process) plans as a local render does, sends each stale tile to the cluster as one
task, and publishes what comes back: each task renders its tile in a folder of the worker's own and returns
the tile's files as bytes, so workers need the project installed but no filesystem shared with the
coordinator. The coordinator writes those files beside the tile folder and moves them into place with the
same atomic publish a local worker uses, then updates the manifest: a cluster build is byte for byte a
local one.

A worker checks, before each tile, that its tool versions (Manim, ffmpeg, Graphviz, LaTeX and the code
under spec/ and scenes/) are the coordinator's, since they are part of the cache key; a worker that differs
refuses the task with a message saying what differs, and the tile goes to another worker. Dask retries the
tiles of a worker lost mid-render on the others.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from render.build import Paths, Progress, RenderReport, plan_stale, remove_leftovers
from render.plan import PlannedTile, source_digest, tool_versions
from scenes.worker import OUTPUTS, TileJob, TileResult, publish
from spec import Spec

DEFAULT_PORT = 8786
ADDRESS = re.compile(r"^(?P<scheme>tcp|tls)://(?P<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):(?P<port>[0-9]{1,5})$")
# How long to wait for the scheduler to answer, and for a first worker to join it.
CONNECT_TIMEOUT = 20
WORKER_TIMEOUT = 60
POLL = 2.0  # seconds between looks at which workers are alive
# The files a task may send back, relative to the tile folder (anything else is refused).
STEP_FILE = re.compile(r"^steps/[0-9]{2,3}\.png$")
TILE_FILES = frozenset({*OUTPUTS.values(), "meta.json"})


class ClusterError(Exception):
    """The cluster cannot be used (bad address, unreachable, no worker, no worker that matches): one line."""


def check_address(address: str) -> str:
    """Return the scheduler address if it is tcp://HOST:PORT or tls://HOST:PORT, else raise ClusterError."""
    m = ADDRESS.match(address.strip())
    if not m or not 1 <= int(m["port"]) <= 65535:
        raise ClusterError(f"--scheduler {address!r}: expected tcp://HOST:PORT or tls://HOST:PORT, for example "
                           f"tcp://10.0.0.5:{DEFAULT_PORT} (the address `dask scheduler` prints)")
    return address.strip()


def versions() -> dict[str, str]:
    """What must be equal on the coordinator and every worker: the tools and the code in the cache key."""
    return {"project": source_digest(), **tool_versions()}


def differences(expected: dict[str, str], here: dict[str, str]) -> list[str]:
    """Each tool whose version differs, as 'ffmpeg is X here, Y on the coordinator'."""
    out = []
    for name in sorted(set(expected) | set(here)):
        a, b = here.get(name, "missing"), expected.get(name, "missing")
        if a != b:
            if name == "project":
                out.append(f"the project's code (spec/, scenes/) differs: source hash {a[:12]} here, "
                           f"{b[:12]} on the coordinator")
            else:
                out.append(f"{name} is '{a}' here, '{b}' on the coordinator")
    return out


def refusal(expected: dict[str, str], dask_worker: Any = None) -> str:
    """On a worker (in a task, or through Client.run, which passes dask_worker): why it must not render for this
    coordinator, or '' when it may."""
    from distributed import get_worker

    worker = dask_worker or get_worker()
    why = differences(expected, versions())
    nthreads = worker.state.nthreads
    if nthreads != 1:
        why.append(f"it runs {nthreads} threads; Manim's configuration is global to a process, so start it with "
                   "`dask worker --nthreads 1`")
    if not why:
        return ""
    return f"worker {worker.address} refused the task: " + "; ".join(why) + \
        " (install the same versions on every machine: they are part of the cache key)"


def render_task(job: dict[str, Any], expected: dict[str, str]) -> dict[str, Any]:
    """A Dask task: check this worker, render one tile in a folder of its own, return its files as bytes."""
    from distributed import get_worker

    from scenes.worker import _acquire_slot, render_tile

    address = get_worker().address
    refused = refusal(expected)
    if refused:
        return {"worker": address, "refused": refused}
    # The worker's slot (its Manim and TeX caches) lives in its own temporary folder; the slot is held by this
    # process, so a folder left there by a task of a killed predecessor is removed here.
    slot = _acquire_slot(Path(tempfile.gettempdir()) / "diagrams-dask")
    work = slot / "task"
    shutil.rmtree(work, ignore_errors=True)
    out_dir = work / "media" / job["tile"]["id"]
    out_dir.parent.mkdir(parents=True)
    try:
        res = render_tile(TileJob(**job, out_dir=str(out_dir), cache_dir=str(slot.parent.parent)))
        files = {}
        if res.ok:
            files = {p.relative_to(out_dir).as_posix(): p.read_bytes() for p in sorted(out_dir.rglob("*"))
                     if p.is_file()}
        return {"worker": address, "result": res, "files": files}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def publish_files(media: Path, tile_id: str, files: dict[str, bytes]) -> None:
    """Write a tile's returned files beside its folder, then move them into place as a local worker does."""
    names = set(files)
    bad = sorted(n for n in names if n not in TILE_FILES and not STEP_FILE.match(n))
    missing = sorted(TILE_FILES - names)
    if bad or missing:
        raise ValueError(f"the worker returned unexpected files {bad} or lacked {missing}")
    tmp = Path(tempfile.mkdtemp(prefix=f".{tile_id}.", dir=media))  # a TEMP_DIR: a killed run's is removed
    try:
        (tmp / "steps").mkdir()
        for name, data in files.items():
            (tmp / name).write_bytes(data)
        publish(tmp, media / tile_id)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def connect(scheduler: Any) -> Iterator[Any]:
    """A distributed.Client for an address (validated) or the Client given; wait for a first worker."""
    from distributed import Client

    if not isinstance(scheduler, str):
        yield scheduler
        return
    address = check_address(scheduler)
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as e:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {e}; is `dask scheduler` running "
                           "there, and the port open?") from e
    try:
        try:
            client.wait_for_workers(1, timeout=WORKER_TIMEOUT)
        except (OSError, TimeoutError) as e:
            raise ClusterError(f"no Dask worker joined the scheduler at {address} within {WORKER_TIMEOUT} s; start "
                               f"one with `dask worker {address} --nthreads 1`") from e
        yield client
    finally:
        client.close()


def job_fields(p: PlannedTile, quality: str, theme: str) -> dict[str, Any]:
    """A TileJob's fields but the two folders, which are the worker's."""
    return {"tile": p.tile.model_dump(mode="json", by_alias=True),
            "layer": p.layer.model_dump(mode="json", exclude={"tiles"}),
            "number": p.number, "quality": quality, "theme": theme, "content_hash": p.content_hash}


def render_on_cluster(spec: Spec, paths: Paths, ids: list[str] | None, quality: str, theme: str, force: bool,
                      scheduler: Any, progress: Callable[[int], Progress] | None = None,
                      notice: Callable[[str], None] = print) -> RenderReport:
    """Render the stale tiles on the Dask cluster at scheduler (an address or a Client); as build.render does."""
    from distributed import wait

    media, manifest, report, stale = plan_stale(spec, paths, ids, quality, theme, force)
    if not stale:
        return report
    expected = versions()
    with connect(scheduler) as client:
        probe = client.run(refusal, expected, on_error="return")
        for addr, why in probe.items():
            if isinstance(why, BaseException):  # the project is not installed there, or an older one
                probe[addr] = f"worker {addr} cannot check its tools: {type(why).__name__}: {why}"
        bad = {addr for addr, why in probe.items() if why}
        for addr in sorted(bad):
            notice(str(probe[addr]))
        if bad and len(bad) == len(probe):
            raise ClusterError(f"no worker of the cluster can render for this coordinator ({len(bad)} refused)")
        media.mkdir(parents=True, exist_ok=True)
        remove_leftovers(media)
        tick = progress(len(stale)) if progress else (lambda _id, _res: None)
        attempts = itertools.count(1)

        def submit(p: PlannedTile) -> None:
            # Once a worker refused, the tiles go to the others only (strictly: Dask's work stealing would hand a
            # loosely placed tile to an idle refusing worker); to any worker when none of the others is left.
            live = list(client.scheduler_info()["workers"])
            good = [w for w in live if w not in bad] if bad else []
            fut = client.submit(render_task, job_fields(p, quality, theme), expected, pure=False,
                                key=f"render-{theme}-{p.tile.id}-{p.content_hash[:8]}-{next(attempts)}-{os.getpid()}",
                                workers=good or None)
            owner[fut] = p
            placed[fut] = set(good)

        def handle(fut: Any, p: PlannedTile) -> TileResult | None:
            """The tile's result, or None when it was sent again (a refusal)."""
            tid = p.tile.id
            try:
                out = fut.result()
            except Exception as e:  # noqa: BLE001 - a lost task (KilledWorker after retries, …) fails its tile
                return TileResult(tid, False, 0.0, error=f"{type(e).__name__}: {e}")
            if out.get("refused"):
                bad.add(out["worker"])
                refusals[tid] = refusals.get(tid, 0) + 1
                if refusals[tid] <= len(client.scheduler_info()["workers"]) + 1:
                    submit(p)
                    return None
                return TileResult(tid, False, 0.0, error=out["refused"])
            res: TileResult = out["result"]
            if res.ok:
                try:
                    publish_files(media, tid, out["files"])
                except (OSError, ValueError) as e:
                    res = TileResult(tid, False, res.seconds, error=f"cannot publish: {e}")
            return res

        owner: dict[Any, PlannedTile] = {}
        placed: dict[Any, set[str]] = {}
        refusals: dict[str, int] = {}
        for p in stale:
            manifest.drop(p.tile.id)  # first, as in a local render: a crash mid-publish leaves no trusted old hash
            submit(p)
        try:
            while owner:
                try:
                    with client.as_current():
                        done = wait(list(owner), timeout=POLL, return_when="FIRST_COMPLETED").done
                except TimeoutError:
                    done = set()
                for fut in done:
                    p = owner.pop(fut)
                    placed.pop(fut, None)
                    res = handle(fut, p)
                    if res is None:
                        continue
                    if res.ok:
                        manifest.set(res.tile_id, p.content_hash)
                        report.rendered.append(res)
                    else:
                        report.failed.append(res)
                    tick(res.tile_id, res)
                # A tile placed on workers that have all left (a lost machine, when some refused) is sent again.
                live = set(client.scheduler_info()["workers"])
                for fut in [f for f, ws in placed.items() if ws and not ws & live]:
                    p = owner.pop(fut)
                    placed.pop(fut)
                    fut.cancel()
                    submit(p)
        except KeyboardInterrupt:
            client.cancel(list(owner))
            finished = {r.tile_id for r in report.rendered + report.failed}
            report.interrupted = True
            report.not_rendered = [p.tile.id for p in stale if p.tile.id not in finished]
    return report
