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
TOLERANCE = 2.0  # mean absolute difference per channel (0-255)


@pytest.mark.parametrize("kind", sorted(PANEL_SPECS))
def test_last_frame_matches_golden(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    assert f"kind-{kind}" in TILES, f"add a tile 'kind-{kind}' to a spec in tests/fixtures/golden/"
    layer, tile = TILES[f"kind-{kind}"]
    assert kind in {p.kind for p in tile.panels}
    _compare(tile, layer, kind, request, tmp_path)


FEATURES = sorted(t for t in TILES if not t.startswith("kind-"))


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
    diff = np.abs(expected - frame.astype(float))
    if diff.mean() >= TOLERANCE:
        save_png(np.concatenate([frame, expected.astype(np.uint8)], axis=0), tmp_path / f"{name}-vs-golden.png")
    assert diff.mean() < TOLERANCE, f"'{name}' differs from its golden frame; see {tmp_path}"
    assert frame.std() > 8, "the picture is not blank"
