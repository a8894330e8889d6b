"""The visual lint: each rule catches its broken fixture tile; clean tiles and every authored tile pass."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from render import lint as L
from render.cli import main
from spec import Spec, SpecInvalid, load_spec
from spec import theme as T
from tests.conftest import FIXTURES, ROOT

BROKEN = load_spec(FIXTURES / "lint_broken.yaml")
CLEAN = load_spec(FIXTURES / "lint_clean.yaml")
try:
    REAL: Spec | None = load_spec(ROOT / "diagrams.yaml")
except SpecInvalid:  # test_spec reports the errors; here there is nothing to lint
    REAL = None
AUTHORED = [t.id for _, t in REAL.tiles() if t.status == "authored"] if REAL else []

# The rule each broken tile must trip, and the elements the finding must name.
EXPECTED = {
    "safe-area": ("plot.far",),
    "text-overlap": ("plot.alpha", "plot.beta"),
    "text-crossed": ("plot.note", "plot.flat"),
    "box-overlap": ("upper.a", "lower.b"),
    "text-size": ("split.val",),
    "contrast": ("plot.note",),
    "step-count": (),
    "duration": (),
    "final-picture": ("notes.two",),
    "key-points": ("notes.two",),
    "step-unchanged": (),
}


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One Manim work directory (TeX and text caches) for the whole module."""
    return tmp_path_factory.mktemp("lint-work")


def lint(spec: Spec, tile_id: str, work: Path, **kw) -> L.TileReport:  # type: ignore[no-untyped-def]
    layer, tile = spec.tile(tile_id)
    return L.lint_tile(tile, layer, spec.number_of(tile_id), work, **kw)


def test_every_rule_has_a_broken_fixture_tile() -> None:
    ids = {t.id for _, t in BROKEN.tiles()}
    assert set(L.RULES) <= ids


@pytest.mark.render
@pytest.mark.parametrize("rule", sorted(EXPECTED))
def test_rule_catches_its_broken_tile(rule: str, work: Path) -> None:
    report = lint(BROKEN, rule, work)
    assert {f.rule for f in report.findings} == {rule}, "\n".join(map(str, report.findings))
    assert any(f.refs == EXPECTED[rule] for f in report.findings), "\n".join(map(str, report.findings))


@pytest.mark.render
def test_finding_names_tile_step_rule_and_elements(work: Path) -> None:
    report = lint(BROKEN, "text-overlap", work)
    assert [str(f) for f in report.findings] == [
        "text-overlap step 3 [text-overlap]: text 'alpha label' overlaps text 'beta label' (plot.alpha, plot.beta)"
    ]


@pytest.mark.render
def test_a_problem_that_persists_is_reported_once_with_its_later_steps(work: Path) -> None:
    (finding,) = lint(BROKEN, "box-overlap", work).findings
    assert finding.step == 2 and finding.later_steps == (3,)
    assert str(finding).endswith("(upper.a, lower.b) (also at step 3)")


@pytest.mark.render
def test_title_size(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert lint(BROKEN, "title-size", work).ok
    monkeypatch.setattr(T, "TITLE_SIZE", 20)  # cap height 27 px at 1080p: 6.8 px on a 480 px tile
    (finding,) = lint(BROKEN, "title-size", work).findings
    assert finding.rule == "title-size" and finding.refs == ("header",)
    assert "6.8 px on a 480 px wide tile" in finding.message


@pytest.mark.render
def test_final_hold(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import scenes.director

    assert lint(BROKEN, "final-hold", work).ok
    monkeypatch.setattr(scenes.director, "FINAL_HOLD", 0.0)
    (finding,) = lint(BROKEN, "final-hold", work).findings
    assert (finding.rule, finding.step) == ("final-hold", 3)
    assert finding.message == "the final picture is held 0.5 s (minimum 2 s)"


@pytest.mark.render
def test_own_outline_catches_a_cylinder_lid_on_its_label(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import scenes.kinds.graph as G

    assert lint(BROKEN, "own-outline", work).ok  # the lid as drawn now keeps clear of the label
    monkeypatch.setattr(G, "LID_H", 0.22)  # the lid as it was: its lower arc on the label's top
    monkeypatch.setattr(G, "LID_ROOM", 0.0)
    findings = lint(BROKEN, "own-outline", work).findings
    assert {f.rule for f in findings} == {"own-outline"}, "\n".join(map(str, findings))
    (finding,) = findings
    assert finding.refs == ("store.db",) and finding.step == 1
    assert finding.message.startswith("a line inside box store.db (its own shape) ")
    assert finding.message.endswith("text 'Feature store': keep 5 px between them")


@pytest.mark.render
def test_edge_label_catches_a_label_on_its_line(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import scenes.kinds.graph as G

    assert lint(BROKEN, "edge-label", work).ok  # the label as placed now sits beside its line
    # placed on its line: at the middle of the (straight) edge
    monkeypatch.setattr(G, "_beside", lambda lab, pts, gap: lab.move_to([*(pts.min(0) + pts.max(0)) / 2, 0.0]))
    findings = lint(BROKEN, "edge-label", work).findings
    assert {f.rule for f in findings} == {"edge-label"}, "\n".join(map(str, findings))
    (finding,) = findings
    assert finding.refs == ("chain.stt->llm",) and finding.step == 2
    assert finding.message.startswith("edge chain.stt->llm crosses its label text 'text' (")
    assert finding.message.endswith(" px deep): keep 5 px between them")


def test_own_line_rules_measure_clearance_and_inner_lines() -> None:
    from render.lint.rules import clearance, hull_depth

    pts = np.array([[0.5, 0.5], [2.0, 0.5], [0.5, 1.1], [0.9, 0.5]])
    assert clearance((0.0, 0.0, 1.0, 1.0), pts).round(3).tolist() == [-0.5, 1.0, 0.1, -0.1]
    square = L.convex_hull(np.array([[0, 0], [2, 0], [2, 2], [0, 2]], dtype=float))
    depth = hull_depth(np.array([[1.0, 1.0], [1.0, 0.0], [0.1, 1.0]]), square)
    assert depth.round(3).tolist() == [1.0, 0.0, 0.1]  # a lid across the middle is inner; the border is not


@pytest.mark.render
def test_contrast_is_checked_in_the_theme_asked_for(work: Path) -> None:
    assert lint(BROKEN, "contrast", work, themes=("dark",)).ok
    (finding,) = lint(BROKEN, "contrast", work, themes=("light",)).findings
    assert "3.40:1 in the light theme" in finding.message


@pytest.mark.render
def test_debug_png_outlines_the_offending_step(tmp_path: Path, work: Path) -> None:
    report = lint(BROKEN, "text-crossed", work, png_dir=tmp_path / "png")
    assert report.pngs == [tmp_path / "png" / "text-crossed-step03.png"]
    from PIL import Image

    img = np.asarray(Image.open(report.pngs[0]).convert("RGB")).astype(int)
    red = (img[:, :, 0] > 200) & (img[:, :, 1] < 80) & (img[:, :, 2] < 80)
    assert red.sum() > 100  # the outline of the crossed label


@pytest.mark.render
@pytest.mark.parametrize("tile_id", [t.id for _, t in CLEAN.tiles()])
def test_clean_tiles_pass(tile_id: str, work: Path) -> None:
    report = lint(CLEAN, tile_id, work)
    assert report.ok, "\n".join(map(str, report.findings))


def _lint_one(tile_id: str, root: str) -> tuple[bool, str]:
    """Lint one authored tile in a worker process (its own Manim work dir); return (ok, the findings)."""
    import os

    assert REAL is not None
    work = Path(root) / f"w{os.getpid()}"
    report = lint(REAL, tile_id, work, png_dir=Path(root) / "png")
    pngs = f"\ndebug images: {', '.join(str(p) for p in report.pngs)}" if report.pngs else ""
    return report.ok, "\n".join(map(str, report.findings)) + pngs


@pytest.fixture(scope="module")
def authored_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bool, str]]:
    """Lint every authored tile once, on every core (the lint of 68 tiles is the slowest part of CI)."""
    import multiprocessing as mp
    import os
    from concurrent.futures import ProcessPoolExecutor

    root = tmp_path_factory.mktemp("lint-authored")
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1, mp_context=mp.get_context("spawn")) as pool:
        futures = {tid: pool.submit(_lint_one, tid, str(root)) for tid in AUTHORED}
        return {tid: fut.result() for tid, fut in futures.items()}


@pytest.mark.render
@pytest.mark.parametrize("tile_id", AUTHORED)
def test_authored_tiles_pass(tile_id: str, authored_reports: dict[str, tuple[bool, str]]) -> None:
    ok, findings = authored_reports[tile_id]
    assert ok, findings


@pytest.mark.render
def test_cli_exit_status_and_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from scenes import worker

    monkeypatch.setattr(worker, "_slot_dir", None)  # the CLI takes a worker slot under --build; forget it after
    monkeypatch.setattr(worker, "_slot_lock", None)
    spec = str(FIXTURES / "lint_broken.yaml")
    code = main(["--spec", spec, "--build", str(tmp_path / "build"), "lint", "duration", "--png", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 1
    assert out.splitlines() == ["duration [duration]: lasts 8.8 s; a tile lasts 10 to 60 s"]
    assert "lint: 1 tile(s), 1 finding(s)" in err
    code = main(["--spec", str(FIXTURES / "lint_clean.yaml"), "--build", str(tmp_path / "build"), "lint", "grids"])
    assert code == 0
    assert main(["--spec", spec, "lint", "no-such-tile"]) == 2


# ---------------------------------------------------------------- the measures behind the rules


def test_theme_palettes_meet_wcag_aa() -> None:
    assert L.check_theme_palette() == []
    bad = T.Theme("grey", "#000000", "#555555", "#555555", "#222222", "#111111", {"data": "#333333"})
    problems = L.check_theme_palette([bad])
    assert "theme grey: text #555555 has contrast 2.82:1 on #000000 (minimum 4.5:1 for text)" in problems
    assert any(p.startswith("theme grey: line #222222") for p in problems)


@pytest.mark.render
def test_type_sizes_of_the_theme_pass(tmp_path: Path) -> None:
    from manim import Text, tempconfig

    with tempconfig({"media_dir": str(tmp_path), "text_dir": str(tmp_path / "texts")}):
        smallest = Text("x", font=T.FONT, font_size=T.SMALL_SIZE)
        title = Text("Gradient Descent", font=T.FONT, font_size=T.TITLE_SIZE, weight="BOLD")
        turned = Text("loss", font=T.FONT, font_size=T.SMALL_SIZE).rotate(np.pi / 2)
        assert L.text_line_px(smallest) >= T.MIN_TEXT_PX
        assert L.text_line_px(turned) == pytest.approx(L.text_line_px(smallest))
        assert L.text_cap_px(title) * L.THUMB_WIDTH_PX / 1920 >= L.MIN_TITLE_CAP_PX
        smallest.scale(0.7)
        assert L.text_line_px(smallest) < T.MIN_TEXT_PX


def test_geometry_helpers() -> None:
    line = np.array([[0, 0, 0], [1 / 3, 0, 0], [2 / 3, 0, 0], [1, 0, 0]], dtype=float)
    pts = L.bezier_samples(line, step=0.1)
    assert pts[0].tolist() == [0, 0] and pts[-1].tolist() == [1, 0] and len(pts) >= 11
    square = np.array([[0, 0], [1, 0], [1, 1], [0, 1], [0.5, 0.5]], dtype=float)
    hull = L.convex_hull(square)
    assert len(hull) == 4
    inside = L.inside_hull(np.array([[0.5, 0.5], [1.5, 0.5], [1.0, 0.5]]), hull)
    assert inside.tolist() == [True, False, False]  # a point on the border is not inside
    assert L.inside_polygon(np.array([0.5, 0.5]), hull) and not L.inside_polygon(np.array([2.0, 0.5]), hull)


WIDE_FORMULA = """\
- id: wide
  title: Wide
  tagline: One line too wide.
  panels:
    - id: rule
      kind: formula
      box: [0, 0, 0.3, 1]
      lines:
        - {id: short, tex: 'a = b'}
        - {id: long, tex: 'L = \\\\sum_{i=1}^{n} (y_i - w_0 - w_1 x_{i1} - w_2 x_{i2} - w_3 x_{i3} - w_4 x_{i4} - w_5 x_{i5})^2'}
  steps:
    - say: Both lines.
      do: [{show: rule}]
      hold: 4
    - say: Again.
      do: [{highlight: rule.short}]
      hold: 4
    - say: Once more.
      do: [{highlight: rule.long}]
      hold: 4
"""


@pytest.mark.render
def test_text_size_names_the_line_that_shrank_its_panel(work: Path) -> None:
    from spec import parse_spec
    from tests.conftest import spec_text

    spec = parse_spec(spec_text(WIDE_FORMULA))
    small = [f for f in lint(spec, "wide", work).findings if f.rule == "text-size"]
    assert small and all("panel 'rule' was shrunk to" in f.message for f in small)
    assert all("to fit its widest line 'rule.long': shorten or split that line" in f.message for f in small)


def test_debug_pictures_have_the_glyphs_the_spec_uses() -> None:
    from render.lint.debug import _font

    font = _font(13)
    assert Path(font.path).name == "DejaVuSans.ttf"
    missing = bytes(font.getmask("\ue000"))  # a private-use character: the font's missing-glyph box
    for ch in "μσηλ∇≈→≤ᵀ":
        assert bytes(font.getmask(ch)) != missing, ch
