"""Network panels: arrowheads on edge bundles (`arrows`), off unless the spec asks for them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from spec import SpecInvalid, parse_spec
from tests.conftest import spec_text

NET_TILE = """\
- id: net
  title: Net
  tagline: A small network.
  panels:
    - id: n
      kind: network
      layers:
        - {id: in, size: 2, role: data}
        - {id: hid, size: 3, role: model}
        - {id: out, size: 1, role: metric}
  steps:
    - say: The network.
      do: [{show: n}]
"""


def panel(arrows: str | None = None):  # type: ignore[no-untyped-def]
    text = NET_TILE if arrows is None else NET_TILE.replace("kind: network", f"kind: network\n      arrows: {arrows}")
    return parse_spec(spec_text(text)).tiles()[0][1].panels[0]


def test_arrows_are_off_by_default_and_name_bundles() -> None:
    assert panel().arrow_bundles() == set()
    assert panel("true").arrow_bundles() == {"in-to-hid", "hid-to-out"}
    assert panel("[hid-to-out]").arrow_bundles() == {"hid-to-out"}


def test_an_unknown_bundle_is_reported_with_a_suggestion() -> None:
    with pytest.raises(SpecInvalid) as exc:
        panel("[hid-to-ou]")
    (err,) = exc.value.errors
    assert str(err) == ("diagrams.yaml:11: tiles[net].panels[n]: arrows: unknown edge bundle 'hid-to-ou' (the bundles: "
                        "in-to-hid, hid-to-out); did you mean 'hid-to-out'?")


@pytest.mark.render
def test_each_edge_of_an_arrowed_bundle_ends_in_a_head_at_its_neuron(tmp_path: Path) -> None:
    from manim import tempconfig

    from scenes.common import CONTENT
    from scenes.kinds.network import build_network
    from spec.theme import THEMES

    with tempconfig({"media_dir": str(tmp_path), "text_dir": str(tmp_path / "texts")}):
        plain = build_network(panel(), CONTENT, THEMES["dark"])
        built = build_network(panel("[hid-to-out]"), CONTENT, THEMES["dark"])

    def parts(mob, kind):  # type: ignore[no-untyped-def]
        return [m for m in mob.get_family() if getattr(m, "part", None) == kind]

    assert not parts(plain.elements["hid-to-out"], "mark")
    assert not parts(built.elements["in-to-hid"], "mark")  # only the bundle listed
    lines = parts(built.elements["hid-to-out"], "edge")
    tips = parts(built.elements["hid-to-out"], "mark")
    assert len(lines) == len(tips) == 3  # `propagate` still finds only the lines among the edges
    out = built.elements["out-1"].get_center()
    for line, tip in zip(lines, tips, strict=True):
        point = tip.get_vertices()[0]
        assert np.allclose(point, line.get_end(), atol=1e-6)  # the head's point sits where the line meets the neuron
        inward = (out - point)[:2]
        along = (line.get_end() - line.get_start())[:2]
        assert float(np.dot(inward, along)) > 0  # and points along the flow, into the next layer
