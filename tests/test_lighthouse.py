"""Lighthouse (pinned in package-lock.json, mobile profile, Debian's Chromium) on the small fixture gallery.

Accessibility, best practices and SEO must score 100 on the index and on a tile's page. The
performance score depends on how busy the machine is, so it is printed and only checked loosely
here; the README gives the figures measured on the full build with `make lighthouse`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from render import lighthouse
from tests.gallery_site import RenderedSite, need, rendered_site

pytestmark = [pytest.mark.browser, pytest.mark.render]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> RenderedSite:
    return rendered_site(tmp_path_factory)


def test_the_lock_pins_lighthouse_12_2_3() -> None:
    lock = json.loads((lighthouse.ROOT / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/lighthouse"]["version"] == "12.2.3"
    package = json.loads((lighthouse.ROOT / "package.json").read_text())
    assert package["devDependencies"]["lighthouse"] == "12.2.3"


def test_lighthouse_scores_100_for_accessibility_best_practices_and_seo(built: RenderedSite, capsys: Any) -> None:
    need(lighthouse.LIGHTHOUSE, "Lighthouse (npm ci)")
    need(lighthouse.CHROMIUM, "Chromium (Debian package chromium)")
    results = lighthouse.measure(built.site, ["index.html", "t/ml-landscape.html"], runs=1)
    with capsys.disabled():
        print("\nLighthouse on the fixture gallery (one run a page):\n" + lighthouse.table(results))
    for r in results:
        (run,) = r.runs
        for category in ("accessibility", "best-practices", "seo"):
            assert run.scores[category] == 100, f"{r.page}: {category} {run.scores[category]}: {run.failed}"
        # loosely: the machine may be busy; a broken page (render-blocking, nothing compressed) scores far lower
        assert run.scores["performance"] >= 40, f"{r.page}: performance {run.scores['performance']}"
        assert run.metrics["cumulative-layout-shift"] < 0.1, r.page


def test_a_report_is_read_into_scores_and_failing_audits() -> None:
    report = {
        "categories": {c: {"score": 1.0, "auditRefs": [{"id": "x", "weight": 1}]} for c in lighthouse.CATEGORIES},
        "audits": {
            "x": {"score": 0, "scoreDisplayMode": "binary"},
            **{a: {"numericValue": 100.0} for a, _, _ in lighthouse.METRICS},
            "total-byte-weight": {"numericValue": 12345},
        },
    }
    report["categories"]["seo"]["score"] = 0.92
    run = lighthouse.parse_report(report)
    assert run.scores == {"performance": 100, "accessibility": 100, "best-practices": 100, "seo": 92}
    assert run.transfer == 12345 and run.failed["seo"] == ["x (0)"]
    result = lighthouse.PageResult("index.html", [run, run, run])
    assert "| index.html | 100 | 100 | 100 | 92 | 0.1 s | 0.1 s | 100 ms | 100.000 | 0.1 s | 12 KB |" in \
        lighthouse.table([result])
