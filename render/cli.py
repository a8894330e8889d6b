"""Command line: python -m render <command> [options]."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from spec.errors import SpecInvalid, suggest

if TYPE_CHECKING:
    from render.build import Paths
    from render.exports import Export
    from spec import Spec

log = logging.getLogger("render")


class Interrupted(Exception):
    """Ctrl-C during a render, after its summary was printed: exit status 130."""


class UserError(Exception):
    """A mistake in how the tool was called: one clear line, exit status 2."""


def _load(args: argparse.Namespace) -> Spec:
    from spec.read import read_spec

    text, file = read_spec(args.spec)  # a broken file is refused here, before the models are built
    from spec.load import parse_spec

    return parse_spec(text, file, scanned=True)


def _check_ids(spec: Spec, ids: list[str]) -> list[str]:
    known = [t.id for _, t in spec.tiles()]
    for i in ids:
        if i not in known:
            raise UserError(f"unknown tile '{i}'{suggest(i, known)}")
    return ids


def cmd_validate(args: argparse.Namespace) -> int:
    spec = _load(args)
    for w in spec.warnings():
        print(f"warning: {w}", file=sys.stderr)
    tiles = spec.tiles()
    authored = [t.id for _, t in tiles if t.status == "authored"]
    planned = [t.id for _, t in tiles if t.status == "planned"]
    print(f"{args.spec}: OK: {len(spec.layers)} layers, {len(tiles)} tiles "
          f"({len(authored)} authored, {len(planned)} planned)")
    if args.verbose and planned:
        print("planned: " + ", ".join(planned))
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from spec.schema import json_schema

    text = json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
    if args.output:
        from render.files import atomic_write_text

        atomic_write_text(Path(args.output), text)
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from render.docs import README, render_readme

    text = README.read_text(encoding="utf-8")
    new = render_readme(text)
    if args.check:
        if new != text:
            print(f"{README.name}: the generated tables are stale; run `make docs`", file=sys.stderr)
            return 1
        print(f"{README.name}: the generated tables match the registries")
        return 0
    if new != text:
        from render.files import atomic_write_text

        atomic_write_text(README, new)
    print(f"{README.name}: generated tables {'rewritten' if new != text else 'already up to date'}")
    return 0


def _render_theme(spec: Spec, paths: Paths, ids: list[str], args: argparse.Namespace, theme: str) -> bool:
    """Render the stale tiles of one theme with a progress bar; print the report; return whether all succeeded."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from render.build import render

    console = Console(stderr=True)
    planned = [t.id for _, t in spec.tiles() if t.status == "planned" and (not ids or t.id in ids)]
    if planned:
        console.print(f"[dim]{len(planned)} planned tile(s) skipped: {', '.join(planned[:6])}"
                      f"{' …' if len(planned) > 6 else ''}[/]")
    bar = Progress(TextColumn(f"[bold]render {theme}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TextColumn("{task.description}"), console=console, transient=False)

    def progress(total: int):  # type: ignore[no-untyped-def]
        task = bar.add_task("", total=total)

        def tick(tile_id: str, res) -> None:  # type: ignore[no-untyped-def]
            if res.ok:  # the seconds feed render-times.json (`python -m render times`), which balances --shard
                from render.shard import record_time

                record_time(paths.cache, theme, args.quality, tile_id, res.seconds)
            mark = "[green]✓[/]" if res.ok else "[red]✗[/]"
            bar.console.print(f"{mark} {tile_id}  {res.seconds:.1f}s" + ("" if res.ok else f"  {res.error}"))
            bar.update(task, advance=1, description=tile_id)

        return tick

    with bar:
        if getattr(args, "scheduler", None):  # a Dask cluster renders instead of local processes
            from render.cluster import ClusterError, render_on_cluster

            try:
                report = render_on_cluster(spec, paths, ids or None, args.quality, theme, args.force, args.scheduler,
                                           progress, lambda m: bar.console.print(f"[yellow]{m}[/]", highlight=False, soft_wrap=True))
            except ClusterError as e:
                raise UserError(str(e)) from e
        else:
            report = render(spec, paths, ids or None, args.jobs, args.quality, theme, args.force, progress)
    if report.skipped:
        console.print(f"{len(report.skipped)} tile(s) up to date")
    if report.interrupted:
        done = [r.tile_id for r in report.rendered]
        console.print(f"interrupted: {len(done)} tile(s) finished ({', '.join(done) or 'none'}); "
                      f"{len(report.not_rendered)} not rendered ({', '.join(report.not_rendered)}); "
                      "they render on the next run", highlight=False)
        raise Interrupted
    console.print(f"{len(report.rendered)} rendered, {len(report.failed)} failed")
    for res in report.failed:
        console.print(f"[red]FAILED[/] {res.tile_id}: {res.error}", highlight=False)
        if args.verbose:
            console.print(res.meta.get("traceback", ""), highlight=False)
    return report.ok


def _distributed(args: argparse.Namespace, spec: Spec, ids: list[str]) -> list[str] | None:
    """Check --scheduler; apply --shard K/N to the tiles asked for (None: this shard has none of them)."""
    if args.scheduler:
        from render.cluster import ClusterError, check_address

        try:
            check_address(args.scheduler)
        except ClusterError as e:
            raise UserError(str(e)) from e
    if not args.shard:
        return ids
    from render.shard import ShardError, load_times, parse_shard, shard_ids, times_path

    try:
        k, n = parse_shard(args.shard)
        times_file = Path(args.times) if args.times else times_path(Path(args.spec))
        times = load_times(times_file)
    except ShardError as e:
        raise UserError(str(e)) from e
    if not times:
        print(f"warning: no render times in {times_file}; shards are balanced by tile count", file=sys.stderr)
    share = [t for t in shard_ids(spec, times, k, n) if not ids or t in ids]
    print(f"shard {k}/{n}: {len(share)} tile(s)" + (f" ({', '.join(share[:6])}{' …' if len(share) > 6 else ''})"
                                                    if share else ""), file=sys.stderr)
    return share or None


def cmd_render(args: argparse.Namespace) -> int:
    from render.build import Paths

    spec = _load(args)
    paths = Paths(Path(args.build))
    ids = _distributed(args, spec, _check_ids(spec, args.ids))
    ok = ids is None or _render_theme(spec, paths, ids, args, args.theme)
    if not args.no_site:
        print(f"gallery: {_site(spec, paths)}", file=sys.stderr)
    return 0 if ok else 1


def cmd_build(args: argparse.Namespace) -> int:
    """Everything `make render` makes, stage by stage."""
    from render.build import Paths
    from render.exports import EXPORT_THEME, EXPORTERS, ExportError, load
    from spec.theme import THEMES

    spec = _load(args)                                    # 1. read and validate the spec
    ids = _distributed(args, spec, _check_ids(spec, args.ids))
    paths = Paths(Path(args.build))
    ok = True
    for theme in THEMES:                                  # 2. render the stale tiles of each theme
        ok = ids is None or (_render_theme(spec, paths, ids, args, theme) and ok)
    if args.shard:  # the exports and the gallery need every tile: they are built after `merge`
        print(f"shard {args.shard} rendered in {paths.build}; merge the shards with `python -m render merge DIR...`, "
              "then run `python -m render build` on the merged folder for the exports and the gallery")
        return 0 if ok else 1
    try:
        export = load(spec, paths.media(EXPORT_THEME))    # 3. the catalogue of rendered tiles
    except ExportError as e:
        raise UserError(str(e)) from e
    for exporter in EXPORTERS.values():                   # 4. each export: decks, PowerPoint, handouts
        files = exporter.build(export, paths.build)
        print(f"{exporter.name}: {len(files)} file(s) in {paths.build / exporter.folder}")
    print(f"gallery: {_site(spec, paths)}")               # 5. the gallery, linking all of them
    return 0 if ok else 1


def _site(spec: Spec, paths: Paths) -> Path:
    """Rebuild the gallery from both themes' media and whatever exports exist; return its index."""
    from render.exports import site_folders
    from render.exports.gallery import build_site
    from render.exports.studymap import StudyError
    from render.exports.webassets import AssetError

    try:
        return build_site(spec, paths.media("dark"), paths.site, light=paths.media("light"),
                          exports=site_folders(paths.build))
    except (StudyError, AssetError) as e:
        raise UserError(str(e)) from e


def cmd_site(args: argparse.Namespace) -> int:
    from render.build import Paths

    spec = _load(args)
    print(f"gallery: {_site(spec, Paths(Path(args.build)))}")
    return 0


def _export(args: argparse.Namespace) -> tuple[Spec, Paths, Export]:
    """The spec, the paths and the rendered tiles of the theme asked for; warn about tiles not rendered in it."""
    from render.build import Paths
    from render.exports import ExportError, load

    spec = _load(args)
    paths = Paths(Path(args.build))
    try:
        export = load(spec, paths.media(args.theme), args.theme)
    except ExportError as e:
        raise UserError(str(e)) from e
    if export.missing:
        flag = "" if args.theme == "dark" else f" --theme {args.theme}"
        print(f"warning: {len(export.missing)} authored tile(s) not rendered in the {args.theme} theme are left out "
              f"({', '.join(export.missing[:5])}{' …' if len(export.missing) > 5 else ''}); "
              f"render them with: python -m render render{flag}", file=sys.stderr)
    return spec, paths, export


def cmd_slides(args: argparse.Namespace) -> int:
    from render.exports import EXPORTERS, ExportError

    spec, paths, export = _export(args)
    try:
        decks = EXPORTERS["deck"].build(export, paths.build)
        files = EXPORTERS["pptx"].build(export, paths.build, step_slides=args.step_slides)
    except ExportError as e:
        raise UserError(str(e)) from e
    print(f"slides: {len(export.tiles)} tile(s); {paths.slides / 'index.html'} and {len(decks) - 1} layer deck(s); "
          f"{len(files)} PowerPoint file(s) in {paths.slides / 'pptx'}")
    if not args.no_site:
        print(f"gallery: {_site(spec, paths)}")
    return 0


def cmd_print(args: argparse.Namespace) -> int:
    from render.exports import EXPORTERS

    spec, paths, export = _export(args)
    files = EXPORTERS["handouts"].build(export, paths.build)
    print(f"print: {len(export.tiles)} tile(s); " + ", ".join(str(f) for f in files))
    if not args.no_site:
        print(f"gallery: {_site(spec, paths)}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from render.build import Paths
    from render.serve import serve

    site = Path(args.dir) if args.dir else Paths(Path(args.build)).site
    if not (site / "index.html").is_file():
        raise UserError(f"no gallery in {site}; build it first with `python -m render site`")
    try:
        serve(site, args.host, args.port)
    except OSError as e:
        raise UserError(f"cannot serve on {args.host}:{args.port}: {e.strerror or e}") from e
    return 0


def cmd_lighthouse(args: argparse.Namespace) -> int:
    import time

    from render.build import Paths
    from render.lighthouse import CATEGORIES, LighthouseError, default_tile, measure, table

    site = Path(args.dir) if args.dir else Paths(Path(args.build)).site
    if not (site / "index.html").is_file():
        raise UserError(f"no gallery in {site}; build it first with `python -m render site`")
    tile = args.tile or default_tile(site)
    pages = ["index.html", f"t/{tile}.html"]
    if not (site / pages[1]).is_file():
        raise UserError(f"no page {site / pages[1]}")
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"Lighthouse, mobile profile, {args.runs} run(s) a page, on {site} served by render.serve; "
          f"{os.cpu_count()} cores, load average {load}; {time.strftime('%Y-%m-%d %H:%M')}", flush=True)

    def progress(page: str, n: int, run) -> None:  # type: ignore[no-untyped-def]
        scores = " ".join(f"{c} {run.scores[c]}" for c in CATEGORIES)
        failed = "; ".join(f"{c}: {', '.join(a)}" for c, a in run.failed.items() if c != "performance")
        print(f"  {page} run {n}: {scores}" + (f"  (failing: {failed})" if failed else ""), flush=True)

    try:
        results = measure(site, pages, args.runs, Path(args.save) if args.save else None, progress)
    except LighthouseError as e:
        raise UserError(str(e)) from e
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nmedians of {args.runs} run(s) (load average at the end {load}):")
    print(table(results))
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    from render.watch import watch

    spec_path = Path(args.spec)
    if not spec_path.is_file():
        raise UserError(f"no spec file at {spec_path}")
    try:
        return watch(spec_path, Path(args.build), args.ids, args.host, args.port)
    except OSError as e:
        raise UserError(f"cannot serve the preview on {args.host}:{args.port}: {e.strerror or e}") from e


def cmd_lint(args: argparse.Namespace) -> int:
    from render.build import Paths
    from render.lint import check_theme_palette, lint_tiles, work_dir

    spec = _load(args)
    ids = _check_ids(spec, args.ids)
    themes = ("dark", "light") if args.theme == "all" else (args.theme,)
    png = Path(args.png) if args.png else None
    problems = check_theme_palette()
    for line in problems:
        print(line)

    def done(report) -> None:  # type: ignore[no-untyped-def]
        for finding in report.findings:
            print(finding, flush=True)
        log.info("%s: %d finding(s), %.1fs", report.tile, len(report.findings), report.seconds)

    planned = [t.id for _, t in spec.tiles() if t.status == "planned" and t.id in ids]
    if planned:
        print(f"planned tile(s) not linted: {', '.join(planned)}", file=sys.stderr)
    if args.all and png is None:
        raise UserError("--all writes every step's picture: give the folder with --png DIR")
    reports = lint_tiles(spec, ids or None, work_dir(Paths(Path(args.build)).cache), themes, png, done, args.all)
    n = len(problems) + sum(len(r.findings) for r in reports)
    bad = sum(1 for r in reports if not r.ok)
    print(f"lint: {len(reports)} tile(s), {n} finding(s) in {bad} tile(s)"
          + (f"; pictures in {png}" if png and (n or args.all) else ""), file=sys.stderr)
    return 1 if n else 0


def cmd_bench(args: argparse.Namespace) -> int:
    from render.bench import bench, table, write_results

    spec = _load(args)
    ids = _check_ids(spec, args.ids) or [t.id for _, t in spec.tiles() if t.status == "authored"]
    if not ids:
        raise UserError("no authored tiles to measure")
    build = Path(args.build)
    if args.sweep_only:  # (f) alone: minutes, not an hour
        import time

        from render.bench import machine, sweep_bench, sweep_table

        out = {"machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M")}  # the load before the work
        figures = sweep_bench(spec, build / "bench" / "sweep-work", repeat=args.repeat)
        if not figures:
            raise UserError("no authored tile with a sweep (or none without one) to measure")
        out["sweep_holds"] = figures
        write_results(out, build / "bench-sweep.json")
        mach = out["machine"]
        print(sweep_table(figures))
        print(f"\nMachine: {mach['cores']} cores, {mach['cpu']}, load average {mach['load']} at the start; {out['date']}.")
        print(f"wrote {build / 'bench-sweep.json'}")
        return 0
    all_build = None if args.no_all else Path(args.all or args.build)
    results = bench(Path(args.spec), spec, ids, build / "bench", repeat=args.repeat, all_build=all_build)
    write_results(results, build / "bench.json")
    print(table(results))
    print(f"\nwrote {build / 'bench.json'}")
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    from render.shard import ShardError, merge

    dirs = [Path(d) for d in args.dirs]
    out = Path(args.build)
    try:
        counts = merge([d for d in dirs if d.resolve() != out.resolve()], out)
    except ShardError as e:
        raise UserError(str(e)) from e
    print(f"merged {len(dirs)} build(s) into {out}: " + ", ".join(f"{n} {t} tile(s)" for t, n in counts.items()))
    return 0


def cmd_times(args: argparse.Namespace) -> int:
    from render.build import Paths
    from render.shard import ShardError, estimate_times, measured_path, times_path

    spec = _load(args)
    paths = Paths(Path(args.build))
    try:
        measured = json.loads(measured_path(paths.cache, "dark", "full").read_text())
    except (OSError, ValueError):
        measured = {}
    try:
        data = estimate_times(spec, measured, paths.media("dark"), paths.cache / "times-work")
    except ShardError as e:
        raise UserError(str(e)) from e
    out = Path(args.output) if args.output else times_path(Path(args.spec))
    from render.files import atomic_write_text

    atomic_write_text(out, json.dumps(data, indent=1, sort_keys=True) + "\n")
    print(f"wrote {out}: {len(data['measured'])} tile(s) measured, {len(data['tiles']) - len(data['measured'])} "
          f"estimated at {data['rate']} s per second of video")
    return 0


def _global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    """--spec, --build and -v: accepted before or after the subcommand."""
    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("global options (before or after the command)")
    group.add_argument("--spec", default=default("diagrams.yaml"), help="the spec file (default: diagrams.yaml)")
    group.add_argument("--build", default=default("build"), help="output directory (default: build)")
    group.add_argument("-v", "--verbose", action="store_true", default=default(False), help="more detail")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m render", description="Animated study diagrams from diagrams.yaml.")
    _global_options(p, suppress=False)
    # The same options after the subcommand, in its --help too; SUPPRESS keeps a value given before it.
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, suppress=True)
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("validate", parents=[common], help="check the spec and report every error at once")
    s.set_defaults(fn=cmd_validate)

    s = sub.add_parser("schema", parents=[common], help="print the JSON Schema of the spec")
    s.add_argument("-o", "--output", help="write to this file instead of stdout")
    s.set_defaults(fn=cmd_schema)

    s = sub.add_parser("docs", parents=[common], help="rewrite the README's generated tables (kinds, actions, functions, fits) "
                       "from the registries")
    s.add_argument("--check", action="store_true", help="only check; exit 1 when a table is stale")
    s.set_defaults(fn=cmd_docs)

    # What `build` and `render` both take.
    rendering = argparse.ArgumentParser(add_help=False)
    rendering.add_argument("ids", nargs="*", metavar="IDS", help="tile ids (default: every authored tile)")
    rendering.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                           help="worker processes (default: cores)")
    rendering.add_argument("--quality", choices=["preview", "full"], default="full", help="full = 1920x1080 30 fps")
    rendering.add_argument("--force", action="store_true", help="render even when the cache says up to date")
    rendering.add_argument("--scheduler", metavar="ADDRESS", help="render on the Dask cluster whose scheduler is at "
                           "tcp://HOST:PORT (or tls://) instead of local processes")
    rendering.add_argument("--shard", metavar="K/N", help="render only shard K of N (a CI matrix job), balanced by "
                           "the render times file; merge the builds with `python -m render merge`")
    rendering.add_argument("--times", metavar="FILE", help="render times for --shard (default: render-times.json "
                           "beside the spec)")

    s = sub.add_parser("build", parents=[common, rendering],
                       help="every stage: validate, render both themes, the exports, the gallery")
    s.set_defaults(fn=cmd_build)

    s = sub.add_parser("render", parents=[common, rendering],
                       help="render tiles (all authored ones, or the IDS given) and build the gallery")
    s.add_argument("--theme", choices=["dark", "light"], default="dark")
    s.add_argument("--no-site", action="store_true", help="do not rebuild the gallery afterwards")
    s.set_defaults(fn=cmd_render)

    s = sub.add_parser("bench", parents=[common], help="measure the Manim CLI against the pipeline (cold, no-op, one edit) and sizes")
    s.add_argument("ids", nargs="*", metavar="IDS", help="tile ids (default: every authored tile)")
    s.add_argument("--repeat", type=int, default=1, help="runs of each cold measurement (medians are reported)")
    s.add_argument("--all", metavar="BUILD", help="also time the no-op run and measure sizes over every authored "
                   "tile rendered at full quality in BUILD (default: the --build folder)")
    s.add_argument("--no-all", action="store_true", help="skip the figures over every authored tile")
    s.add_argument("--sweep-only", action="store_true", help="only (f): a sweep against the hold after it and a hold "
                   "in a tile without a sweep; writes build/bench-sweep.json")
    s.set_defaults(fn=cmd_bench)

    s = sub.add_parser("merge", parents=[common], help="merge the build folders of --shard jobs into --build "
                       "(media and manifests of both themes); conflicting tiles are refused")
    s.add_argument("dirs", nargs="+", metavar="DIR", help="build folders of the shards")
    s.set_defaults(fn=cmd_merge)

    s = sub.add_parser("times", parents=[common], help="write render-times.json (beside the spec) from the "
                       "full-quality dark render times recorded in --build; estimates the tiles not rendered there")
    s.add_argument("-o", "--output", help="write to this file (default: render-times.json beside the spec)")
    s.set_defaults(fn=cmd_times)

    s = sub.add_parser("site", parents=[common], help="build the gallery from what is rendered")
    s.set_defaults(fn=cmd_site)

    s = sub.add_parser("slides", parents=[common], help="reveal.js decks (whole and per layer) and PowerPoint files from rendered tiles")
    s.add_argument("--theme", choices=["dark", "light"], default="light", help="which render to use (default: light)")
    s.add_argument("--step-slides", action="store_true", help="PowerPoint: add one slide per step with its picture")
    s.add_argument("--no-site", action="store_true", help="do not rebuild the gallery afterwards")
    s.set_defaults(fn=cmd_slides)

    s = sub.add_parser("print", parents=[common], help="printable PDF handouts (A4 and Letter; posters, and every step) from rendered tiles")
    s.add_argument("--theme", choices=["dark", "light"], default="light", help="which render to use (default: light)")
    s.add_argument("--no-site", action="store_true", help="do not rebuild the gallery afterwards")
    s.set_defaults(fn=cmd_print)

    s = sub.add_parser("serve", parents=[common], help="serve the gallery on 127.0.0.1, with byte ranges so videos seek")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    s.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    s.add_argument("--dir", help="folder to serve (default: BUILD/site)")
    s.set_defaults(fn=cmd_serve)

    s = sub.add_parser("lighthouse", parents=[common], help="Lighthouse (mobile) on the built gallery served as "
                       "`serve` serves it: the index and one tile's page, the median of each score")
    s.add_argument("--runs", type=int, default=3, help="runs a page (default: 3; the median is reported)")
    s.add_argument("--tile", help="the tile whose standalone page is measured (default: the first rendered one)")
    s.add_argument("--dir", help="site folder (default: BUILD/site)")
    s.add_argument("--save", metavar="DIR", help="keep each run's JSON report in DIR")
    s.set_defaults(fn=cmd_lighthouse)

    s = sub.add_parser("watch", parents=[common], help="live preview: on each save of the spec, the changed tiles' "
                       "step pictures, then their preview video, pushed to a page on 127.0.0.1")
    s.add_argument("ids", nargs="*", metavar="IDS", help="tiles to show first and follow (default: whichever changes)")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    s.add_argument("--port", type=int, default=8765, help="port (default: 8765; 0 picks a free one)")
    s.set_defaults(fn=cmd_watch)

    s = sub.add_parser("lint", parents=[common], help="check the picture of every step: safe area, overlaps, text size, contrast, timing")
    s.add_argument("ids", nargs="*", metavar="IDS", help="tile ids (default: every authored tile)")
    s.add_argument("--png", metavar="DIR", help="write a debug image of each offending step to DIR")
    s.add_argument("--all", action="store_true", help="with --png: write every step's picture (a quick preview), "
                   "offending or not")
    s.add_argument("--theme", choices=["dark", "light", "all"], default="all",
                   help="themes whose colours are checked (default: all)")
    s.set_defaults(fn=cmd_lint)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    received: list[int] = []

    def terminated(signum: int, frame: object) -> None:
        # SIGTERM (`timeout`, `kill`, a CI runner stopping a job) takes the Ctrl-C path: the workers are stopped,
        # finished tiles kept, temporary folders removed; without this the process died and left its workers running.
        received.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminated) if threading.current_thread() is threading.main_thread() else None
    try:
        return int(args.fn(args))
    except SpecInvalid as e:
        for err in e.errors:
            print(err, file=sys.stderr)
        n = len(e.errors)
        print(f"{n} error{'s' if n != 1 else ''} in {args.spec}; nothing was rendered", file=sys.stderr)
        return 1
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except Interrupted:
        return 128 + received[0] if received else 130
    except KeyboardInterrupt:
        print("interrupted; finished tiles are kept, unfinished ones re-render next run", file=sys.stderr)
        return 128 + received[0] if received else 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
