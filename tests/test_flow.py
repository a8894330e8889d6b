"""Flow tokens: in order along a path of edges, or all at once along a fan-out (`together`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage

from scenes.worker import Quality, render_frames
from spec import parse_spec
from spec.theme import THEMES
from tests.conftest import spec_text
from tests.test_sweep import Frames

FAN = """\
- id: fan
  title: Fan out
  tagline: Three calls at once.
  panels:
    - id: g
      kind: flow
      nodes:
        - {{id: a, label: 'Agent', role: data}}
        - {{id: b, label: 'Search', role: data}}
        - {{id: c, label: 'Web', role: data}}
        - {{id: d, label: 'SQL', role: data}}
      edges:
        - {{from: a, to: b}}
        - {{from: a, to: c}}
        - {{from: a, to: d}}
  steps:
    - say: The agent and its tools.
      do: [{{show: g}}]
    - say: Three sub-queries go out.
      do: [{{flow: [g.a->b, g.a->c, g.a->d], role: risk, run_time: 2{together}}}]
"""


def _tokens_mid_flow(together: bool, tmp_path: Path) -> list[int]:
    """How many separate token blobs (the risk colour) each frame of the flow's step shows."""
    spec = parse_spec(spec_text(FAN.format(together=", together: true" if together else "")), "diagrams.yaml")
    (layer, tile), = spec.tiles()
    q = Quality("test", 480, 270, 10, "ultrafast", 30, 480, 10)
    sink = Frames()
    ends: list[float] = []
    render_frames(tile, layer, 1, q, "dark", tmp_path, sink, lambda s, i: ends.append(s.renderer.time))
    frames = sink.frames
    risk = np.array([int(THEMES["dark"].color("risk")[i:i + 2], 16) for i in (1, 3, 5)])
    counts = []
    for f in frames[int(ends[0] * 10):int(ends[1] * 10)]:  # the flow's step: fade-in, 2 s of motion, fade-out, hold
        mask = np.abs(f.astype(int) - risk).sum(axis=2) < 60
        counts.append(ndimage.label(mask)[1])
    return counts


@pytest.mark.render
def test_together_sends_one_token_down_each_edge_at_once(tmp_path: Path) -> None:
    counts = _tokens_mid_flow(True, tmp_path)
    assert set(counts) - {0} == {3}, counts  # whenever a token shows, all three do
    assert counts.count(3) >= 15, counts  # for the 2 s of motion (10 frames a second)


@pytest.mark.render
def test_without_together_one_token_visits_the_edges_in_turn(tmp_path: Path) -> None:
    counts = _tokens_mid_flow(False, tmp_path)
    assert set(counts) - {0} == {1}, counts
    assert counts.count(1) >= 15, counts
