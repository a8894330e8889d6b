"""The benchmark's report: its table marks each figure against the issue's targets.

The figures themselves come from `make bench`, never from a timed test; this checks the report.
"""

from __future__ import annotations

from pathlib import Path

from render.bench import table, whole_build
from spec import load_spec
from tests.conftest import ROOT


def results(j2_ratio: float, mp4_max: int, noop_all: float | None) -> dict:
    sizes = {"mp4": 900_000, "gif": 200_000, "poster": 250_000, "thumb": 70_000, "steps": 1_000_000}
    out = {
        "tiles": ["a", "b"],
        "repeat": 1,
        "date": "2026-01-01 00:00",
        "machine": {"cores": 2, "cpu": "cpu", "memory": "24 GiB", "python": "3.11", "system": "Linux", "load": "0.1"},
        "measurements": {
            "a_manim_cli": {"wall": 100.0, "per_tile_median": 50.0},
            "b_cold_j1": {"wall": 50.0, "per_tile_median": 25.0, "ratio_vs_cli": 0.5},
            "b_cold_j2": {"wall": 100.0 * j2_ratio, "per_tile_median": 25.0, "ratio_vs_cli": j2_ratio},
            "c_noop": {"wall": 0.9, "ratio_vs_cli": 0.009},
            "d_edit_one": {"wall": 20.0, "ratio_vs_cli": 0.2, "edited": "a", "rendered": ["a"]},
        },
        "bytes": {"median": sizes, "max": {**sizes, "mp4": mp4_max}, "gallery_first_load": 170_000},
    }
    if noop_all is not None:
        out["all"] = {"authored": 68, "stale": 0, "noop_wall": noop_all, "build": "build"}
    return out


def test_the_table_marks_targets_met_and_not_met() -> None:
    good = table(results(0.22, 1_400_000, 1.2))
    assert "not met" not in good
    assert "| (c) pipeline, nothing changed, all 68 tiles | 1.20 |" in good
    bad = table(results(0.3, 1_600_000, 2.5))
    assert bad.count("**not met**") == 3  # -j 2 ratio, no-op over 68 tiles, largest MP4
    assert "| MP4 | 900 KB | 1600 KB | ≤ 1.5 MB: **not met** |" in bad


def test_the_whole_build_figures_are_not_measured_when_tiles_are_stale(tmp_path: Path) -> None:
    spec = load_spec(ROOT / "diagrams.yaml")
    whole = whole_build(ROOT / "diagrams.yaml", spec, tmp_path / "empty-build")
    assert whole["stale"] == whole["authored"] == 68
    assert "noop_wall" not in whole and "sizes" not in whole
    assert "not measured: 68 not rendered at full quality" in table({**results(0.2, 1, None), "all": whole})


def test_with_several_rounds_each_round_s_own_ratio_is_shown() -> None:
    r = results(0.24, 1_000_000, None)
    r["repeat"] = 3
    r["measurements"]["b_cold_j1"]["ratio_per_round"] = [0.36, 0.35, 0.37]
    r["measurements"]["b_cold_j2"]["ratio_per_round"] = [0.30, 0.24, 0.24]
    assert "against the CLI of that round: -j 1 0.36, 0.35, 0.37; -j 2 0.30, 0.24, 0.24." in table(r)
    assert "of that round" not in table(results(0.24, 1_000_000, None))  # one round: nothing more to say


def test_the_cluster_line_compares_with_j2_and_shows_the_coordinator_overhead() -> None:
    r = results(0.24, 1_000_000, None)
    assert "LocalCluster" not in table(r)  # an older bench.json has no cluster line
    r["measurements"]["b_cold_cluster"] = {"wall": 30.0, "per_tile_median": 24.0, "ratio_vs_cli": 0.3,
                                           "overhead": 4.5}
    assert ("| (b) pipeline cold, Dask LocalCluster of 2 one-thread workers | 30.0 | 24.0 | 0.30 | 1.25× -j 2; "
            "coordinator overhead 4.5 s |") in table(r)


def test_the_sweep_figures_pick_their_tiles_and_read_as_a_table() -> None:
    from render.bench import sweep_table, sweep_tiles

    spec = load_spec(ROOT / "diagrams.yaml")
    sweeping, plain = sweep_tiles(spec)
    _, tile = spec.tile(sweeping)
    assert any(a.key == "sweep" for s in tile.steps for a in s.do)
    _, other = spec.tile(plain)
    assert not other.params and all(p.kind != "network" for p in other.panels)  # no updater that stays on screen
    seg = {"video_s": 2.0, "pictures": 60, "frames": 60, "cpu_s": 12.0, "updaters_after": 0}
    hold = {"video_s": 2.0, "pictures": 1, "frames": 60, "cpu_s": 0.04, "updaters_after": 0}
    figures = {"sweep": {"tile": "cm", "action": {**seg, "what": "sweep t to 0.3"}, "hold": hold, "quality": "full"},
               "plain": {"tile": "gd", "hold": {**hold, "cpu_s": 0.05}}, "repeat": 3}
    text = sweep_table(figures)
    assert "| sweep t to 0.3 (cm) | 2.00 | 60 | 12.00 | 6000 | 0 |" in text
    assert "| hold right after it, as long (cm) | 2.00 | 1 | 0.04 | 20 | 0 |" in text
    assert "| hold as long in a tile without a sweep (gd) | 2.00 | 1 | 0.05 | 25 | 0 |" in text
    assert "median of 3 round(s)" in text
    assert sweep_table({}) == ""
