"""Spec validation for scatter panels, heatmap matrices, network notes and the iterate/propagate actions."""

from __future__ import annotations

import pytest

from spec import SpecInvalid, parse_spec
from tests.conftest import spec_text

SCATTER_TILE = """\
- id: clusters
  title: Clusters
  tagline: K-means in two rounds.
  panels:
    - id: plane
      kind: scatter
      x: {range: [0, 10]}
      y: {range: [0, 10]}
      groups:
        - {id: pts, sample: {fn: blobs, params: {n: 12, centers: [[2, 2], [8, 8]], seed: 1}}}
      fits:
        - {id: km, method: kmeans, of: [pts], init: [[1, 1], [9, 9]], rounds: 2}
    - id: net
      kind: network
      layers:
        - {id: a, size: 2, neurons: ['x_1', 'x_2']}
        - {id: b, size: 1}
      notes:
        - {id: g, at: a-to-b, tex: '\\\\delta', side: down}
  steps:
    - say: Points.
      do: [{show: [plane.axes, plane.pts, plane.km]}]
    - say: Two rounds.
      do: [{iterate: plane.km, times: 2}, {propagate: net.a-to-b, reverse: true}]
"""


def errors_of(tiles_yaml: str) -> list[str]:
    with pytest.raises(SpecInvalid) as exc:
        parse_spec(spec_text(tiles_yaml), "diagrams.yaml")
    return [str(e) for e in exc.value.errors]


def test_scatter_tile_validates_with_its_fit_parts() -> None:
    _, tile = parse_spec(spec_text(SCATTER_TILE)).tiles()[0]
    assert {"plane.pts", "plane.km", "net.g", "net.a-1"} <= set(tile.refs())


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param("{iterate: plane.km, times: 2}", "{iterate: plane.km, times: 3}",
                     "'plane.km' has 2 stage(s) and this iterate would play stage 3", id="too-many-iterations"),
        pytest.param("{iterate: plane.km, times: 2}", "{iterate: plane.pts}",
                     "iterate needs an element with stages", id="iterate-without-stages"),
        pytest.param("{propagate: net.a-to-b, reverse: true}", "{propagate: net.a-1}",
                     "propagate needs graph edges ('a->b') or network edge bundles ('a-to-b')", id="propagate-a-neuron"),
        pytest.param("fn: blobs", "fn: blbos", "unknown generator 'blbos'; did you mean 'blobs'?", id="generator"),
        pytest.param("of: [pts]", "of: [pst]", "fit km: unknown group 'pst'; did you mean 'pts'?", id="fit-group"),
        pytest.param("at: a-to-b", "at: a-to-c", "note g: unknown neuron, layer or bundle 'a-to-c'", id="note-target"),
        pytest.param("neurons: ['x_1', 'x_2']", "neurons: ['x_1']", "1 neuron labels for a layer of size 2",
                     id="neuron-labels"),
    ],
)
def test_invalid_snippets_are_reported(old: str, new: str, expected: str) -> None:
    assert old in SCATTER_TILE
    errors = errors_of(SCATTER_TILE.replace(old, new))
    assert any(expected in e for e in errors), errors


def test_heatmap_needs_values_or_cells_not_both() -> None:
    tile = """\
- id: heat
  title: Heat
  tagline: A heatmap.
  panels:
    - id: m
      kind: matrix
      values: [[0.1, 0.9]]
      cells: [['a', 'b']]
      frames: [{id: f, rows: [1, 1], cols: [1, 3]}]
  steps:
    - say: Show.
      do: [{show: m}]
"""
    errors = errors_of(tile)
    assert any("give exactly one of 'cells' or 'values'" in e for e in errors), errors
