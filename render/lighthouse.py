"""`make lighthouse`: Lighthouse on the built gallery, served the way `make serve` serves it.

Lighthouse (pinned in package-lock.json) drives Debian's Chromium, headless, with its default
mobile profile (a mid-range phone on a slow 4G connection, simulated). Each page is measured
several times and the median of each category's score is reported, with the median of the
metrics the performance score is made from.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from render.plan import ROOT
from render.serve import served

LIGHTHOUSE = ROOT / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = Path("/usr/bin/chromium")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# The metrics the performance score is made from: (audit id, label, unit)
METRICS = (
    ("first-contentful-paint", "FCP", "s"),
    ("largest-contentful-paint", "LCP", "s"),
    ("total-blocking-time", "TBT", "ms"),
    ("cumulative-layout-shift", "CLS", ""),
    ("speed-index", "SI", "s"),
)
CHROME_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync")


class LighthouseError(Exception):
    """Lighthouse cannot run or failed; the message says why."""


@dataclass
class Run:
    """One Lighthouse run of one page."""

    scores: dict[str, int]  # category -> 0..100
    metrics: dict[str, float]  # audit id -> numericValue (ms, or unitless for CLS)
    transfer: int  # bytes over the network
    failed: dict[str, list[str]] = field(default_factory=dict)  # category -> the audits that did not pass


@dataclass
class PageResult:
    page: str
    runs: list[Run]

    def score(self, category: str) -> int:
        return int(statistics.median(r.scores[category] for r in self.runs))

    def metric(self, audit: str) -> float:
        return float(statistics.median(r.metrics[audit] for r in self.runs))

    @property
    def transfer(self) -> int:
        return int(statistics.median(r.transfer for r in self.runs))


def chromium() -> Path:
    return Path(os.environ.get("CHROME_PATH", CHROMIUM))


def check_tools() -> None:
    if not LIGHTHOUSE.is_file():
        raise LighthouseError(f"Lighthouse is not installed ({LIGHTHOUSE.relative_to(ROOT)} is missing): "
                              "run `make node-deps` (npm ci --ignore-scripts)")
    if shutil.which("node") is None:
        raise LighthouseError("Node.js is not installed (no `node` on PATH): install Debian's nodejs")
    if not chromium().is_file():
        raise LighthouseError(f"Chromium is not installed at {chromium()}: install Debian's chromium "
                              "(or set CHROME_PATH)")


def parse_report(report: dict[str, Any]) -> Run:
    """The scores, metrics, bytes and failing audits of one Lighthouse JSON report."""
    if report.get("runtimeError"):
        raise LighthouseError(f"Lighthouse: {report['runtimeError'].get('message', report['runtimeError'])}")
    cats = report["categories"]
    scores = {}
    for c in CATEGORIES:
        if cats[c]["score"] is None:
            raise LighthouseError(f"Lighthouse gave no {c} score (the page did not load?)")
        scores[c] = round(cats[c]["score"] * 100)
    audits = report["audits"]
    metrics = {a: float(audits[a].get("numericValue") or 0.0) for a, _, _ in METRICS}
    transfer = int(audits.get("total-byte-weight", {}).get("numericValue") or 0)
    failed: dict[str, list[str]] = {}
    for c in CATEGORIES:
        for ref in cats[c]["auditRefs"]:
            a = audits.get(ref["id"], {})
            if ref.get("weight", 0) and a.get("score") is not None and a["score"] < 1 \
                    and a.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings"):
                failed.setdefault(c, []).append(f"{ref['id']} ({a.get('score')})")
    return Run(scores, metrics, transfer, failed)


def run_once(url: str, save: Path | None = None, timeout: float = 300) -> Run:
    """Lighthouse once on url (mobile profile, the default); with save, keep the JSON report there."""
    check_tools()
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        out = Path(tmp) / "report.json"
        cmd = ["node", str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
               f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={' '.join(CHROME_FLAGS)}"]
        env = {**os.environ, "CHROME_PATH": str(chromium())}
        try:
            res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=tmp)
        except subprocess.TimeoutExpired as e:
            raise LighthouseError(f"Lighthouse took more than {timeout:.0f} s on {url}") from e
        if res.returncode != 0 or not out.is_file():
            raise LighthouseError(f"Lighthouse failed on {url} (exit {res.returncode}): "
                                  f"{(res.stderr or res.stdout).strip()[-2000:]}")
        if save is not None:
            save.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(out, save)
        return parse_report(json.loads(out.read_text(encoding="utf-8")))




def default_tile(site: Path) -> str:
    """The first rendered tile of the gallery (seed order), for the standalone page measured."""
    import re

    index = (site / "index.html").read_text(encoding="utf-8")
    m = re.search(r'class="tile-link" href="t/([^"]+)\.html"', index)
    if not m:
        raise LighthouseError(f"{site / 'index.html'} has no rendered tile to measure")
    return m.group(1)


def measure(site: Path, pages: list[str], runs: int = 3, save: Path | None = None,
            progress: Any = None) -> list[PageResult]:
    """Run Lighthouse `runs` times on each page (paths under the site), one run at a time."""
    results = []
    with served(site) as base:
        for page in pages:
            done = []
            for n in range(1, runs + 1):
                name = page.replace("/", "-").removesuffix(".html") or "index"
                run = run_once(base + page, save / f"{name}-{n}.json" if save else None)
                done.append(run)
                if progress:
                    progress(page, n, run)
            results.append(PageResult(page, done))
    return results


def fmt_metric(audit: str, value: float) -> str:
    unit = next(u for a, _, u in METRICS if a == audit)
    if unit == "s":
        return f"{value / 1000:.1f} s"
    if unit == "ms":
        return f"{value:.0f} ms"
    return f"{value:.3f}"


def table(results: list[PageResult]) -> str:
    """The medians as a Markdown table."""
    head = ["page", *CATEGORIES, *(label for _, label, _ in METRICS), "bytes"]
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join(["---"] + ["---:"] * (len(head) - 1)) + " |"]
    for r in results:
        cells = [r.page, *(str(r.score(c)) for c in CATEGORIES),
                 *(fmt_metric(a, r.metric(a)) for a, _, _ in METRICS), f"{r.transfer / 1000:.0f} KB"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
