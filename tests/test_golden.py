"""Golden last-frame test per panel kind: the final picture of a small tile, at 480 px, against a stored PNG.

Regenerate the stored pictures (after checking the new ones by eye) with `pytest --regen-golden`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from scenes.encode import save_png
from scenes.worker import render_still
from spec import PANEL_SPECS, load_spec
from tests.conftest import FIXTURES

GOLDEN = Path(__file__).resolve().parent / "golden"
SPECS = [load_spec(path) for path in sorted((FIXTURES / "golden").glob("*.yaml"))]
TILES = {tile.id: (layer, tile) for spec in SPECS for layer, tile in spec.tiles()}
# Compared pixel by pixel: a pixel mismatches when a channel differs by more than PIXEL_TOLERANCE (of 255), and a
# picture fails when more than MAX_MISMATCH of its pixels do. A mean difference would hide a missing small label.
PIXEL_TOLERANCE = 32
MAX_MISMATCH = 0.0002  # 0.02%: about 26 pixels of a 480x270 frame


def _nearest(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each pixel of b, the smallest channel-max difference to a pixel of a within one pixel of it."""
    best = np.full(b.shape[:2], 255, dtype=np.int16)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            shifted = np.roll(np.roll(a, dy, axis=0), dx, axis=1)
            best = np.minimum(best, np.abs(shifted - b).max(axis=2))
    return best


def mismatch(expected: np.ndarray, frame: np.ndarray) -> tuple[float, np.ndarray]:
    """The share of pixels that differ beyond the tolerance, and their mask.

    A pixel matches when the other picture has a pixel within one pixel of it that is close enough, both ways:
    the slack absorbs anti-aliasing that moves with a library update, and checking both ways catches ink that is
    missing (a golden pixel of a label with nothing like it nearby in the frame) as well as ink that is new."""
    e, f = expected.astype(np.int16), frame.astype(np.int16)
    bad = (_nearest(e, f) > PIXEL_TOLERANCE) | (_nearest(f, e) > PIXEL_TOLERANCE)
    return float(bad.mean()), bad


@pytest.mark.render
@pytest.mark.parametrize("kind", sorted(PANEL_SPECS))
def test_last_frame_matches_golden(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    assert f"kind-{kind}" in TILES, f"add a tile 'kind-{kind}' to a spec in tests/fixtures/golden/"
    layer, tile = TILES[f"kind-{kind}"]
    assert kind in {p.kind for p in tile.panels}
    _compare(tile, layer, kind, request, tmp_path)


FEATURES = sorted(t for t in TILES if not t.startswith("kind-"))


@pytest.mark.render
@pytest.mark.parametrize("tile_id", FEATURES)
def test_feature_last_frame_matches_golden(tile_id: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """Other golden tiles exercise options of a kind (its own tile shows the basics): golden/<tile id>.png."""
    layer, tile = TILES[tile_id]
    _compare(tile, layer, tile_id, request, tmp_path)


def _compare(tile: Any, layer: Any, name: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    frame = render_still(tile, layer, 1, "dark", tmp_path)[-1][:, :, :3]
    golden = GOLDEN / f"{name}.png"
    if request.config.getoption("--regen-golden"):
        GOLDEN.mkdir(exist_ok=True)
        save_png(frame, golden)
    assert golden.is_file(), f"no golden picture for '{name}': run pytest --regen-golden and look at {golden.name}"
    expected = np.asarray(Image.open(golden).convert("RGB"), dtype=float)
    assert expected.shape == frame.shape
    ratio, bad = mismatch(expected, frame)
    if ratio > MAX_MISMATCH:
        marked = frame.copy()
        marked[bad] = (255, 0, 0)
        save_png(np.concatenate([marked, expected.astype(np.uint8)], axis=0), tmp_path / f"{name}-vs-golden.png")
    assert ratio <= MAX_MISMATCH, (f"'{name}' differs from its golden frame in {ratio:.3%} of its pixels "
                                   f"(red in {tmp_path / (name + '-vs-golden.png')})")
    assert frame.std() > 8, "the picture is not blank"


def test_a_missing_small_label_fails_the_comparison() -> None:
    """The comparison catches what a mean difference hides: one short word gone from a golden picture."""
    golden = np.asarray(Image.open(GOLDEN / "formula.png").convert("RGB"), dtype=np.uint8)
    ink = np.abs(golden.astype(float) - golden[2, 2].astype(float)).max(axis=2) > 100
    ys, xs = np.nonzero(ink)
    y, x = int(ys[len(ys) // 2]), int(xs[len(xs) // 2])
    erased = golden.copy()
    erased[y - 5:y + 5, x - 12:x + 12] = golden[2, 2]  # a word of about 24x10 px at 480 px wide
    assert np.abs(golden.astype(float) - erased).mean() < 2.0  # the old mean test would have passed
    assert mismatch(golden, erased)[0] > MAX_MISMATCH
    assert mismatch(golden, golden)[0] == 0.0
