"""Parameter sweeps: validation of bindings, the bound elements against values recomputed independently,
the motion frame by frame, integer stepping, golden frames at the start, middle and end, and determinism.

The four fixtures (tests/fixtures/sweeps.yaml) are the issue's: a threshold over two score distributions
(regions, confusion counts, ROC point), ridge (coefficient paths, the L2 ball), polynomial degree (resampled
fits, training and test error) and k-NN (decision regions).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from scenes import sweep
from scenes.encode import save_png
from scenes.worker import Quality, render_frames, render_still
from spec import SpecInvalid, load_spec, parse_spec
from spec.theme import THEMES
from tests.conftest import FIXTURES, run_cli, spec_text
from tests.test_golden import GOLDEN, MAX_MISMATCH, mismatch

SPEC = load_spec(FIXTURES / "sweeps.yaml")
TILES = {tile.id: (layer, tile) for layer, tile in SPEC.tiles()}
DARK = THEMES["dark"]


def build_panel(tile: Any, panel: Any, values: dict[str, float], theme: Any) -> Any:
    """The panel as the sweep draws it at these values (in the renderer's LaTeX set-up)."""
    from manim import tempconfig

    from scenes.worker import tex_template

    with tempconfig({"tex_template": tex_template()}):
        return sweep.build_panel(tile, panel, values, theme)


def errors_of(tiles_yaml: str) -> list[str]:
    with pytest.raises(SpecInvalid) as exc:
        parse_spec(spec_text(tiles_yaml), "diagrams.yaml")
    return [str(e) for e in exc.value.errors]


BASE = """\
- id: tile
  title: T
  tagline: A sweep.
  params:
    - {{id: t, start: 0.3, range: [0, 1]}}
    - {{id: k, start: 1, range: [1, 15], integer: true, step: 2}}
  panels:
    - id: p
      kind: plot
      x: {{range: [0, 1]}}
      y: {{range: [0, 1]}}
      shapes:
        - {{id: cut, segment: [[{{param: {bind}}}, 0], [{{param: t}}, 1]]}}
      labels:
        - {{id: v, at: [0.5, 0.9], text: '{label}'}}
  steps:
    - say: Show it.
      do: [{{show: p}}]
    - say: Move it.
      do: [{sweep}]
"""


def tile_yaml(bind: str = "t", label: str = "t = {t:.2f}", sweep: str = "{sweep: t, to: 0.8}") -> str:
    return BASE.format(bind=bind, label=label.replace("{", "{{").replace("}", "}}"), sweep=sweep)


def test_a_valid_sweep_loads() -> None:
    spec = parse_spec(spec_text(tile_yaml()), "diagrams.yaml")
    tile = spec.tiles()[0][1]
    assert tile.param_values() == {"t": 0.3, "k": 1.0}
    assert tile.steps[1].do[0].key == "sweep"


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"bind": "tt"}, "diagrams.yaml:19: tiles[tile].panels[p].shapes[0].segment[0][0].param: "
                     "unknown parameter 'tt'; did you mean 't'?"),
    ({"label": "t = {tt:.2f}"}, "diagrams.yaml:21: tiles[tile].panels[p].labels[0].text: '{tt}' names no parameter; "
                                "did you mean 't'?"),
    ({"sweep": "{sweep: tt, to: 0.8}"}, "diagrams.yaml:26: tiles[tile].steps[1].do[0].sweep: "
                                        "unknown parameter 'tt'; did you mean 't'?"),
    ({"sweep": "{sweep: t, to: 1.5}"}, "diagrams.yaml:26: tiles[tile].steps[1].do[0].to: "
                                       "1.5 lies outside t's range [0, 1]"),
    ({"sweep": "{sweep: t, to: 0.3}"}, "diagrams.yaml:26: tiles[tile].steps[1].do[0].to: "
                                       "t is already 0.3 here: the sweep would change nothing"),
    ({"sweep": "{sweep: k, to: 4}"}, "diagrams.yaml:26: tiles[tile].steps[1].do[0].to: "
                                     "k takes the values 1 + 2·n; 4 is not one of them"),
    ({"sweep": "{sweep: k, to: 5}"}, "diagrams.yaml:26: tiles[tile].steps[1].do[0].sweep: "
                                     "nothing follows 'k': bind an element to it with {param: k}"),
])
def test_bad_bindings_and_sweeps_are_named_with_their_line(kwargs: dict[str, str], expected: str) -> None:
    assert errors_of(tile_yaml(**kwargs)) == [expected]


def test_a_parameter_is_checked_on_its_own() -> None:
    bad = tile_yaml().replace("{id: t, start: 0.3, range: [0, 1]}", "{id: t, start: 2, range: [0, 1], log: true}")
    (error,) = errors_of(bad)
    assert error.startswith("diagrams.yaml:11: tiles[tile].params[0]: ")
    assert "start 2 lies outside the range [0, 1]" in error


def test_a_binding_names_a_vetted_function_only() -> None:
    bad = tile_yaml().replace("[{param: t}, 1]", "[{param: t, fn: __import__}, 1]")
    assert errors_of(bad) == ["diagrams.yaml:19: tiles[tile].panels[p].shapes[0].segment[1][0]: "
                              "unknown function '__import__'"]


def test_the_schema_covers_params_and_sweeps() -> None:
    from spec.schema import json_schema

    text = str(json_schema())
    assert "'sweep'" in text and "'params'" in text and "'param'" in text


# ---------------------------------------------------------------- bound elements against independent values


def _sf(x: float, mu: float, sigma: float) -> float:
    """P(X > x), X ~ N(mu, sigma^2), from math.erfc (not the code under test)."""
    return 0.5 * math.erfc((x - mu) / (sigma * math.sqrt(2)))


def _texts(mob: Any) -> list[str]:
    return [m.text for m in mob.get_family() if getattr(m, "part", None) == "text" and hasattr(m, "text")]


def _mark_centre(mob: Any) -> np.ndarray:
    return next(m for m in mob.family_members_with_points() if getattr(m, "part", None) == "mark").get_center()


def _distance_to(curve: Any, p: np.ndarray) -> float:
    pts = np.vstack([m.points for m in curve.family_members_with_points() if getattr(m, "part", None) == "curve"
                     or getattr(getattr(m, "part", None), "__len__", None) is None])
    return float(np.min(np.linalg.norm(pts[:, :2] - p[:2], axis=1)))


@pytest.mark.render
def test_threshold_counts_and_roc_point_at_065_match_the_distributions() -> None:
    _, tile = TILES["sweep-threshold"]
    t = 0.65
    cm = build_panel(tile, tile.panel("cm"), {"t": t}, DARK)
    tp, fn = round(100 * _sf(t, 0.65, 0.15)), 100 - round(100 * _sf(t, 0.65, 0.15))
    fp, tn = round(100 * _sf(t, 0.35, 0.15)), 100 - round(100 * _sf(t, 0.35, 0.15))
    assert (tp, fn, fp, tn) == (50, 50, 2, 98)  # the independent numbers themselves
    assert [_texts(cm.elements[c]) for c in ("tp", "fn", "fp", "tn")] == \
        [[f"TP{tp}"], [f"FN{fn}"], [f"FP{fp}"], [f"TN{tn}"]]  # Manim's Text.text drops spaces
    # the shaded regions have the areas the counts say: the TP region is half the positives' curve
    scores = build_panel(tile, tile.panel("scores"), {"t": t}, DARK)
    region = scores.elements["tp"].family_members_with_points()[0]
    whole = build_panel(tile, tile.panel("scores"), {"t": 0.0}, DARK).elements["tp"].family_members_with_points()[0]
    assert _area(region) / _area(whole) == pytest.approx(tp / 100, abs=0.02)
    # the ROC point is (FPR, TPR) at t, and it lies on the drawn ROC curve
    roc = build_panel(tile, tile.panel("roc"), {"t": t}, DARK)
    axes = [m for m in roc.elements["axes"].family_members_with_points() if getattr(m, "part", None) == "shape"]
    x_axis = max(axes, key=lambda m: m.width)
    y_axis = max(axes, key=lambda m: m.height)
    left, bottom = x_axis.get_left()[0], x_axis.get_bottom()[1]
    width, height = x_axis.width, y_axis.height
    fpr, tpr = _sf(t, 0.35, 0.15), _sf(t, 0.65, 0.15)
    centre = _mark_centre(roc.elements["op"])
    assert centre[0] == pytest.approx(left + fpr * width, abs=1e-3)
    assert centre[1] == pytest.approx(bottom + tpr * height, abs=1e-3)
    assert _distance_to(roc.elements["curve"], centre) < 0.03


def _area(poly: Any) -> float:
    a = np.asarray(poly.get_anchors())
    x, y = a[:, 0], a[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))


@pytest.mark.render
def test_ridge_solution_and_ball_at_lambda_10_match_the_normal_equations() -> None:
    _, tile = TILES["sweep-ridge"]
    g, r = np.array([[1.0, 0.6], [0.6, 1.0]]), np.array([2.0, 1.0])
    beta = np.linalg.solve(g + 10 * np.eye(2), r)
    ball = build_panel(tile, tile.panel("ball"), {"lam": 10.0}, DARK)
    origin = build_panel(tile, tile.panel("ball"), {"lam": 1e9}, DARK).elements["beta"]  # beta -> 0
    unit = _mark_centre(ball.elements["ols"]) - _mark_centre(origin)
    scale = unit[0] / 2.1875  # frame units per data unit (equal aspect)
    point = (_mark_centre(ball.elements["beta"]) - _mark_centre(origin)) / scale
    assert point[:2] == pytest.approx(beta, abs=2e-3)
    circle = ball.elements["l2"].family_members_with_points()[0]
    assert circle.width / 2 / scale == pytest.approx(np.linalg.norm(beta), abs=3e-3)


@pytest.mark.render
def test_degree_fits_and_error_markers_match_numpy_polyfit() -> None:
    from spec.vetted import datasets

    _, tile = TILES["sweep-degree"]
    train = datasets.generate("wave", {"n": 14, "noise": 0.3, "seed": 5})
    fresh = datasets.generate("wave", {"n": 400, "noise": 0.3, "seed": 1005})
    fresh = fresh[(fresh[:, 0] >= train[:, 0].min()) & (fresh[:, 0] <= train[:, 0].max())]
    coef = np.polyfit(train[:, 0], train[:, 1], 5)
    test_mse = float(np.mean((np.polyval(coef, fresh[:, 0]) - fresh[:, 1]) ** 2))
    errors = build_panel(tile, tile.panel("errors"), {"d": 5}, DARK)
    low = build_panel(tile, tile.panel("errors"), {"d": 1}, DARK)
    # the y axis spans [0, 0.5]: read the marker's height in data units from the axes
    axes = [m for m in errors.elements["axes"].family_members_with_points() if getattr(m, "part", None) == "shape"]
    y_axis = max(axes, key=lambda m: m.height)
    y = (_mark_centre(errors.elements["at-test"])[1] - y_axis.get_bottom()[1]) / y_axis.height * 0.5
    assert y == pytest.approx(test_mse, rel=0.01)
    assert _mark_centre(errors.elements["at-test"])[0] > _mark_centre(low.elements["at-test"])[0]
    # the drawn degree-5 curve is numpy's least-squares polynomial
    fits = build_panel(tile, tile.panel("fits"), {"d": 5}, DARK)
    curve = fits.elements["poly"].family_members_with_points()[0]
    fa = [m for m in fits.elements["axes"].family_members_with_points() if getattr(m, "part", None) == "shape"]
    xa, ya = max(fa, key=lambda m: m.width), max(fa, key=lambda m: m.height)
    px = np.asarray(curve.get_anchors())[::7]
    xs = (px[:, 0] - xa.get_left()[0]) / xa.width * 6
    ys = (px[:, 1] - ya.get_bottom()[1]) / ya.height * 4 - 2
    assert ys == pytest.approx(np.polyval(coef, xs), abs=0.02)


def _knn(x: np.ndarray, y: np.ndarray, q: np.ndarray, k: int) -> int:
    order = sorted(range(len(x)), key=lambda i: (float(np.hypot(*(x[i] - q))), i))[:k]
    votes = [int(y[i]) for i in order]
    return max(set(votes), key=lambda c: (votes.count(c), c == votes[0]))


@pytest.mark.render
def test_knn_regions_at_k7_match_a_majority_vote() -> None:
    _, tile = TILES["sweep-knn"]
    panel = tile.panel("space")
    a, b = (g.data() for g in panel.groups)
    x, y = np.vstack([a, b]), np.concatenate([np.zeros(len(a)), np.ones(len(b))])
    built = build_panel(tile, panel, {"k": 7}, DARK)
    colours = [DARK.color(g.role).lower() for g in panel.groups]
    axes = [m for m in built.elements["axes"].family_members_with_points() if getattr(m, "part", None) == "shape"]
    xa, ya = max(axes, key=lambda m: m.width), max(axes, key=lambda m: m.height)
    cells = built.elements["regions"].family_members_with_points()
    checked = 0
    for qx in np.linspace(-3.3, 3.3, 9) + 0.03:  # off the cell borders
        for qy in np.linspace(-2.3, 2.3, 7) + 0.03:
            p = np.array([xa.get_left()[0] + (qx + 3.5) / 7 * xa.width, ya.get_bottom()[1] + (qy + 2.5) / 5 * ya.height])
            cell = next((c for c in cells if c.get_left()[0] <= p[0] <= c.get_right()[0]
                         and c.get_bottom()[1] <= p[1] <= c.get_top()[1]), None)
            assert cell is not None
            grid_q = np.array([(np.floor((qx + 3.5) / 7 * 48) + 0.5) * 7 / 48 - 3.5,
                               (np.floor((qy + 2.5) / 5 * 30) + 0.5) * 5 / 30 - 2.5])
            assert cell.get_fill_color().to_hex().lower() == colours[_knn(x, y, grid_q, 7)]
            checked += 1
    assert checked == 63
    assert len(build_panel(tile, panel, {"k": 1}, DARK).elements["regions"].family_members_with_points()) > \
        len(cells)  # k = 1 is more jagged: more runs of one class


# ---------------------------------------------------------------- motion, stepping, goldens, determinism


class Frames:
    """A sink that keeps every frame of a render (a small one), as the encoder would receive them."""

    def __init__(self) -> None:
        self.frames: list[np.ndarray] = []

    def write(self, frame: np.ndarray, repeat: int = 1) -> None:
        self.frames += [frame[:, :, :3].copy()] * repeat


def _play(tile_id: str, tmp_path: Path, fps: int = 10) -> tuple[Frames, list[float], Any]:
    layer, tile = TILES[tile_id]
    q = Quality("test", 320, 180, fps, "ultrafast", 30, 320, 10)
    sink = Frames()
    ends: list[float] = []
    scene = render_frames(tile, layer, 1, q, "dark", tmp_path, sink,  # type: ignore[arg-type]
                          lambda s, i: ends.append(s.renderer.time))
    return sink, ends, scene


@pytest.mark.render
def test_a_threshold_sweep_moves_frame_by_frame_and_leaves_no_updater(tmp_path: Path) -> None:
    sink, ends, scene = _play("sweep-threshold", tmp_path)
    fps = 10
    sweep = sink.frames[int(ends[0] * fps) + 1:int(ends[0] * fps) + 1 + 2 * fps]  # step 2's 2-second sweep
    changes = sum(not np.array_equal(a, b) for a, b in zip(sweep, sweep[1:], strict=False))
    assert changes >= len(sweep) - 3, "the bound elements follow on (almost) every frame"
    assert scene.values == {"t": 0.8}
    assert not any(m.updaters for m in scene.mobjects for m in m.get_family()), "no updater outlives a sweep"
    # the trace stays: the end of the sweep differs from the start of the next hold by nothing, and from the end
    # of the first sweep by more than the live elements (the ghost of the line at 0.55 is new)
    end_first, end_second = sink.frames[int(ends[1] * fps) - 1], sink.frames[-1]
    assert not np.array_equal(end_first, end_second)
    # nothing of the start lingers while the sweep runs: the renderer draws the parts it listed when the
    # animation began, so a replaced part would stay at the start value and vanish in one jump when the sweep ends
    a = int(ends[0] * fps)
    jumps = [int(np.abs(x.astype(int) - y.astype(int)).sum()) for x, y in
             zip(sink.frames[a:a + 2 * fps + 5], sink.frames[a + 1:a + 2 * fps + 6], strict=False)]
    assert max(jumps[2 * fps - 3:]) <= max(jumps[:2 * fps - 3]), f"a jump as the sweep ends: {jumps}"


@pytest.mark.render
def test_an_integer_sweep_holds_each_value_long_enough_to_read(tmp_path: Path) -> None:
    sink, ends, _ = _play("sweep-knn", tmp_path)
    fps = 10
    # step 2: k from 1 to 7 over the odd values: 3, 5, 7 each appear and stay (the default 0.7 s a value)
    frames = sink.frames[int(ends[0] * fps):int(ends[1] * fps)]
    runs, last = [], None
    for f in frames:
        if last is None or not np.array_equal(f, last):
            runs.append(0)
        runs[-1] += 1
        last = f
    shown = [r for r in runs if r >= 5]
    assert len(shown) >= 4, f"expected k = 1, 3, 5, 7 each held; frame runs {runs}"
    assert min(shown) >= int(0.6 * fps)


@pytest.mark.render
@pytest.mark.parametrize("tile_id", sorted(TILES))
def test_start_middle_and_end_match_golden_frames(tile_id: str, request: pytest.FixtureRequest,
                                                  tmp_path: Path) -> None:
    layer, tile = TILES[tile_id]
    frames = render_still(tile, layer, 1, "dark", tmp_path, every_step=True)
    assert len(frames) == 3
    for name, frame in zip(("start", "middle", "end"), frames, strict=True):
        golden = GOLDEN / f"{tile_id}-{name}.png"
        rgb = frame[:, :, :3]
        if request.config.getoption("--regen-golden"):
            save_png(rgb, golden)
        expected = np.asarray(Image.open(golden).convert("RGB"))
        ratio, _ = mismatch(expected, rgb)
        assert ratio <= MAX_MISMATCH, f"{tile_id} {name} differs from {golden.name} in {ratio:.3%} of its pixels"
    assert not np.array_equal(frames[0], frames[1]) and not np.array_equal(frames[1], frames[2])


@pytest.mark.render
def test_two_renders_of_a_sweep_are_byte_identical(tmp_path: Path) -> None:
    outs = []
    for run in ("a", "b"):
        build = tmp_path / run
        r = run_cli("--spec", str(FIXTURES / "sweeps.yaml"), "--build", str(build), "render", "sweep-ridge",
                    "--quality", "preview", "--no-site", "--theme", "dark", timeout=600)
        assert r.returncode == 0, r.stderr
        outs.append({p.relative_to(build): p.read_bytes() for p in sorted((build / "media").rglob("*"))
                     if p.is_file() and p.name != "manifest.json"})
    assert outs[0].keys() == outs[1].keys() and any(k.suffix == ".mp4" for k in outs[0])
    assert all(outs[0][k] == outs[1][k] for k in outs[0]), [str(k) for k in outs[0] if outs[0][k] != outs[1][k]]


HIDE_AFTER = """\
- id: tile
  title: T
  tagline: A swept line, then hidden.
  params:
    - {{id: t, start: 0.2, range: [0, 1]}}
  panels:
    - id: p
      kind: plot
      x: {{range: [0, 1]}}
      y: {{range: [0, 1]}}
      shapes:
        - {{id: cut, segment: [[{{param: t}}, 0], [{{param: t}}, 1]], role: risk}}
  steps:
    - say: The axes.
      do: [{{show: {shown}}}]
    - say: Move it.
      do: [{{sweep: t, to: 0.8}}]
    - say: Gone.
      do: [{{hide: p.cut}}{extra}]
"""


@pytest.mark.render
def test_hiding_a_swept_element_hides_its_trace_too(tmp_path: Path) -> None:
    # the line swept from 0.2 to 0.8 leaves a faint outline at 0.2; hiding the line must take that outline with it,
    # so the end matches a tile whose line was never on screen
    def final(shown: str, extra: str) -> np.ndarray:
        spec = parse_spec(spec_text(HIDE_AFTER.format(shown=shown, extra=extra)), "diagrams.yaml")
        (layer, tile), = spec.tiles()
        return render_still(tile, layer, 1, "dark", tmp_path)[0][:, :, :3].astype(int)

    swept = final("p", "")
    never = final("p.axes", "")
    assert np.abs(swept - never).max() <= 2, "the swept line's trace outlived the line"


def test_label_formats_fill_in_the_value_and_nothing_else() -> None:
    from spec.sweep import fill, template_names

    values = {"n": 56400.0, "t": -0.25, "k": 7.0}
    assert fill("n = {n:,.0f} per arm", values) == "n = 56,400 per arm"
    assert fill("t = {t:.2f}, k = {k:d}, {k}", values, {"k"}) == "t = \u22120.25, k = 7, 7"
    assert fill("{n:.0f}", values) == "56400"
    # anything beyond a plain numeric format is not a placeholder: it stays as written, never reaching format()
    assert fill("{n.__class__}", values) == "{n.__class__}"
    assert template_names("{n:,.0f} and {t:.2f}") == ["n", "t"]


READOUT = """\
- id: tile
  title: T
  tagline: A live readout.
  params:
    - {{id: z, start: 0, range: [-5, 5]}}
  panels:
    - id: p
      kind: plot
      x: {{range: [-5, 5]}}
      y: {{range: [0, 0.3]}}
      labels:
        - {{id: slope, at: [0, 0.28], text: '{text}'{value}}}
  steps:
    - say: Show it.
      do: [{{show: p}}]
    - say: Move it.
      do: [{{sweep: z, to: 5}}]
"""


def test_a_label_reads_out_a_function_of_the_parameter_as_it_moves() -> None:
    text = "σ′ = {value:.4f} at z = {z:.0f}"
    spec = parse_spec(spec_text(READOUT.format(text=text, value=", value: {param: z, fn: sigmoid_grad}")),
                      "diagrams.yaml")
    (_, tile), = spec.tiles()
    panel = tile.panel("p")
    for z in (0.0, 5.0):
        s = 1 / (1 + math.exp(-z))
        shown = " ".join(_texts(build_panel(tile, panel, {"z": z}, DARK).elements["slope"]))
        assert shown.replace(" ", "") == f"σ′ = {s * (1 - s):.4f} at z = {z:.0f}".replace(" ", "")


@pytest.mark.parametrize(("text", "value", "expected"), [
    ("σ′ = {value:.4f}", "", "give the label a 'value'"),
    ("σ′", ", value: {param: z, fn: sigmoid_grad}", "put {value}"),
])
def test_a_readout_needs_both_its_value_and_its_place_in_the_text(text: str, value: str, expected: str) -> None:
    errors = errors_of(READOUT.format(text=text, value=value))
    assert any(expected in e for e in errors), errors
    assert all(e.startswith("diagrams.yaml:") for e in errors), errors
