"""Registries declared once: a throw-away panel kind and action, added as two new files and nothing else,
reach validation, did-you-mean, the JSON Schema, the README's generated tables, the drawing registries and
the render cache. Run in a copy of the code, in a subprocess, so the real registries stay as they are."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import ROOT

SPEC_MODULE = '''\
"""A throw-away panel kind and action (tests/test_registry.py)."""

from typing import ClassVar, Literal

from pydantic import Field

from spec.actions import ActionBase, Targets, action
from spec.base import PanelBase, panel_kind


@panel_kind
class GaugePanel(PanelBase):
    """A dial with one needle."""

    kind: Literal["gauge"] = "gauge"
    value: float = Field(0.5, ge=0, le=1)

    def element_ids(self) -> list[str]:
        return ["needle"]


@action
class Pulse(ActionBase):
    """Pulse elements once."""

    pulse: Targets
    key: ClassVar[str] = "pulse"
'''

SCENES_MODULE = '''\
"""Drawing of the throw-away kind and action (tests/test_registry.py)."""

from scenes.actions import action
from scenes.kinds import builder


@builder("gauge")
def build_gauge(spec, rect, th):
    raise NotImplementedError


@action("pulse")
def play_pulse(scene, a):
    raise NotImplementedError
'''

PROBE = '''\
import json

import spec
from render import docs
from render.plan import source_digest
from scenes.actions import ACTIONS
from scenes.kinds import BUILDERS
from spec import SpecInvalid, json_schema, parse_spec

TILE = """version: 1
layers:
  - id: basics
    title: Basics
    blurb: A layer.
    tiles:
      - id: dial
        title: Dial
        tagline: A gauge.
        panels:
          - {id: g, kind: KIND, value: 0.7}
        steps:
          - say: Show it.
            do: [{show: g}, {ACTION: g.needle}]
"""


def errors(kind, act):
    try:
        parse_spec(TILE.replace("KIND", kind).replace("ACTION", act))
    except SpecInvalid as e:
        return [str(x) for x in e.errors]
    return []


readme = docs.render_readme(docs.README.read_text(encoding="utf-8"))
print(json.dumps({
    "kinds": sorted(spec.PANEL_SPECS),
    "actions": sorted(spec.ACTION_SPECS),
    "builders": sorted(BUILDERS),
    "players": sorted(ACTIONS),
    "valid": errors("gauge", "pulse"),
    "kind_typo": errors("gaueg", "pulse"),
    "action_typo": errors("gauge", "plse"),
    "schema": sorted(json_schema()["$defs"]),
    "readme_kind": "| `gauge` | A dial with one needle. |" in readme,
    "readme_action": "| `pulse` |" in readme,
    "digest": source_digest(),
}))
'''


def probe(tree: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    res = subprocess.run([sys.executable, "-c", PROBE], cwd=tree, capture_output=True, text=True, env=env,
                         timeout=120)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def test_a_throwaway_kind_and_action_reach_every_registry(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    ignore = shutil.ignore_patterns("__pycache__")
    for folder in ("spec", "scenes", "render"):
        shutil.copytree(ROOT / folder, tree / folder, ignore=ignore)
    shutil.copy(ROOT / "README.md", tree / "README.md")
    before = probe(tree)
    assert "gauge" not in before["kinds"] and before["valid"]

    # The whole change: two new files.
    (tree / "spec" / "panels" / "gauge.py").write_text(textwrap.dedent(SPEC_MODULE), encoding="utf-8")
    (tree / "scenes" / "kinds" / "gauge.py").write_text(textwrap.dedent(SCENES_MODULE), encoding="utf-8")
    after = probe(tree)

    assert set(after["kinds"]) == set(before["kinds"]) | {"gauge"}
    assert set(after["actions"]) == set(before["actions"]) | {"pulse"}
    assert after["builders"] == after["kinds"] and after["players"] == after["actions"]
    assert after["valid"] == []
    assert any("unknown panel kind 'gaueg'; did you mean 'gauge'?" in e for e in after["kind_typo"]), after
    assert any("unknown action 'plse'; did you mean 'pulse'?" in e for e in after["action_typo"]), after
    assert "GaugePanel" in after["schema"] and "Pulse" in after["schema"]
    assert after["readme_kind"] and after["readme_action"]
    assert after["digest"] != before["digest"], "a new drawing module must invalidate the render cache"


def test_the_readme_tables_match_the_registries() -> None:
    from render import docs

    text = docs.README.read_text(encoding="utf-8")
    assert docs.render_readme(text) == text, "run `make docs` to regenerate the README's tables"
    assert docs.undocumented() == [], "document each parameter as `name: meaning` in the function's docstring"
