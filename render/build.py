"""The pipeline, top to bottom: spec -> plan -> render (parallel) -> gallery."""

from __future__ import annotations

import logging
import multiprocessing as mp
import shutil
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from render.plan import Manifest, PlannedTile, plan
from scenes.worker import TEMP_DIR, TileJob, TileResult, render_tile, warm_up
from spec import Spec

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Paths:
    """Where outputs go, all under one build directory."""

    build: Path

    def media(self, theme: str) -> Path:
        return self.build / ("media" if theme == "dark" else f"media-{theme}")

    @property
    def cache(self) -> Path:
        return self.build / "cache"

    @property
    def site(self) -> Path:
        return self.build / "site"

    @property
    def slides(self) -> Path:
        """The reveal.js decks (and, under pptx/, the PowerPoint files)."""
        return self.build / "slides"

    @property
    def handouts(self) -> Path:
        """The printable PDF handouts."""
        return self.build / "print"

    def manifest(self, theme: str) -> Manifest:
        return Manifest(self.cache / f"manifest-{theme}.json")


@dataclass
class RenderReport:
    rendered: list[TileResult] = field(default_factory=list)
    failed: list[TileResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    interrupted: bool = False  # Ctrl-C: the run stopped; `not_rendered` lists what it did not finish
    not_rendered: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


Progress = Callable[[str, TileResult | None], None]


def plan_stale(spec: Spec, paths: Paths, ids: list[str] | None, quality: str, theme: str,
               force: bool) -> tuple[Path, Manifest, RenderReport, list[PlannedTile]]:
    """A theme's media folder, its manifest, a report listing the up-to-date tiles as skipped, and the stale tiles
    (what a local and a cluster render both start from)."""
    media = paths.media(theme)
    manifest = paths.manifest(theme)
    todo = plan(spec, ids, media, manifest, theme, quality, force)
    return media, manifest, RenderReport(skipped=[p.tile.id for p in todo if not p.stale]), [p for p in todo if p.stale]


def render(spec: Spec, paths: Paths, ids: list[str] | None, jobs: int, quality: str, theme: str, force: bool,
           progress: Callable[[int], Progress] | None = None) -> RenderReport:
    """Render the stale authored tiles in parallel worker processes; return what happened."""
    media, manifest, report, stale = plan_stale(spec, paths, ids, quality, theme, force)
    if not stale:
        return report
    media.mkdir(parents=True, exist_ok=True)
    remove_leftovers(media)
    tick = progress(len(stale)) if progress else (lambda _id, _res: None)
    by_id: dict[str, PlannedTile] = {p.tile.id: p for p in stale}
    ctx = mp.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(stale))), mp_context=ctx, initializer=warm_up) as pool:
        pending: set[Future[TileResult]] = set()
        for p in stale:
            # The manifest entry goes first: a crash mid-publish must not leave a trusted old hash.
            manifest.drop(p.tile.id)
            job = TileJob(
                tile=p.tile.model_dump(mode="json", by_alias=True),
                layer=p.layer.model_dump(mode="json", exclude={"tiles"}),
                number=p.number,
                quality=quality,
                theme=theme,
                out_dir=str(media / p.tile.id),
                cache_dir=str(paths.cache),
                content_hash=p.content_hash,
            )
            pending.add(pool.submit(render_tile, job))
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    res = fut.result()
                    if res.ok:
                        manifest.set(res.tile_id, by_id[res.tile_id].content_hash)
                        report.rendered.append(res)
                    else:
                        report.failed.append(res)
                    tick(res.tile_id, res)
        except KeyboardInterrupt:
            # Ctrl-C: the workers ignore SIGINT; stop them (each stops its encoder and removes its temporary
            # folder), keep what finished, and say what did not.
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.terminate()
            pool.shutdown(wait=True, cancel_futures=True)
            finished = {r.tile_id for r in report.rendered + report.failed}
            report.interrupted = True
            report.not_rendered = [p.tile.id for p in stale if p.tile.id not in finished]
    return report


def remove_leftovers(media: Path) -> list[Path]:
    """Remove the temporary folders of an interrupted or killed run (a run owns its build folder while it runs)."""
    removed = []
    for d in media.iterdir():
        if d.is_dir() and TEMP_DIR.match(d.name):
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
    if removed:
        log.info("removed %d temporary folder(s) left by an interrupted run", len(removed))
    return removed
