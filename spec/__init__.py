"""The language of diagrams.yaml: typed models, their registries, and loading with located errors.

Modules, in dependency order:
- errors, read: the error type, and reading a file before any model exists (encoding, size, nesting, aliases);
- base: ids, text, labels, the panel base class and the registries (panel kinds);
- theme: the semantic colour roles and the two themes;
- vetted/: the named functions, point sets, pictures and fits a spec may call (nothing is evaluated);
- panels/: the panel kinds by family (text, graph, plot, grid), each registered with @panel_kind;
- actions: the step actions, each registered with @action;
- sweep: tile parameters, the bindings that make numbers follow them, and resolving a panel at given values;
- tile: questions, steps, tiles, layers and the whole spec (tagged unions built from the registries);
- load: safe YAML with line numbers, every error as file:line, tile and field;
- checks: cross-checks between models (unique ids, references, kind/action compatibility).

`from spec import X` finds X in those modules when first asked for (so `spec.read` stays light: the CLI
refuses a broken file before the models are built).
"""

from __future__ import annotations

import importlib
from typing import Any

_MODULES = ("spec.tile", "spec.actions", "spec.sweep", "spec.base", "spec.panels.graph", "spec.panels.grid", "spec.panels.plot",
            "spec.panels.text", "spec.errors", "spec.load", "spec.schema")


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    for module in _MODULES:
        mod = importlib.import_module(module)
        if name in vars(mod):
            value = vars(mod)[name]
            globals()[name] = value
            return value
    raise AttributeError(f"module 'spec' has no attribute '{name}'")
