"""The language of diagrams.yaml: typed models, their registries, and loading with located errors.

Modules, in dependency order:
- base: ids, text, labels, the panel base class and the registries (panel kinds);
- theme: the semantic colour roles and the two themes;
- vetted/: the named functions, point sets, pictures and fits a spec may call (nothing is evaluated);
- panels/: the panel kinds by family (text, graph, plot, grid), each registered with @panel_kind;
- actions: the step actions, each registered with @action;
- tile: questions, steps, tiles, layers and the whole spec (tagged unions derived from the registries);
- errors, load: safe YAML with line numbers, every error as file:line, tile and field;
- checks: cross-checks between models (unique ids, references, kind/action compatibility).
"""

from __future__ import annotations

from typing import Any

from spec.actions import *  # noqa: F403
from spec.actions import ACTION_SPECS, ActionBase, action
from spec.base import *  # noqa: F403
from spec.base import PANEL_SPECS, PanelBase, panel_kind, suggest
from spec.errors import SpecError, SpecInvalid
from spec.load import all_models, load_spec, parse_spec
from spec.panels.graph import *  # noqa: F403
from spec.panels.grid import *  # noqa: F403
from spec.panels.plot import *  # noqa: F403
from spec.panels.text import *  # noqa: F403
from spec.tile import Layer, Question, Spec, Step, Tile

_suggest = suggest  # the name the CLI has used


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema of the spec file, for editors."""
    schema = Spec.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "diagrams.yaml"
    return schema


__all__ = [
    "ACTION_SPECS", "PANEL_SPECS", "ActionBase", "Layer", "PanelBase", "Question", "Spec", "SpecError",
    "SpecInvalid", "Step", "Tile", "action", "all_models", "json_schema", "load_spec", "panel_kind", "parse_spec",
    "suggest",
]
