"""The author's guide tables of the README, generated from the registries.

Each table sits between `<!-- generated: NAME -->` and `<!-- end: NAME -->` in README.md;
`python -m render docs` rewrites them, `python -m render docs --check` fails when one is stale
(a test runs the check, so a registry entry cannot land without its row).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from spec import ACTION_SPECS, PANEL_SPECS
from spec.theme import ROLES
from spec.vetted import describe, fits, functions, generators

README = Path(__file__).resolve().parent.parent / "README.md"


def _default(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_default(v) for v in value) + "]"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _params(fn: Callable[..., Any], skip: tuple[str, ...] = ("x",)) -> str:
    _, meanings = describe(fn)
    out = []
    for name, p in inspect.signature(fn).parameters.items():
        if name in skip:
            continue
        default = "" if p.default is inspect.Parameter.empty else f" = {_default(p.default)}"
        out.append(f"`{name}`{default}: {meanings.get(name, '?')}")
    return "; ".join(out) or "none"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def function_table(registry: dict[str, Callable[..., Any]], head: str, skip: tuple[str, ...] = ("x",)) -> str:
    rows = [f"| {head} | what it is | parameters (default: meaning) |", "| --- | --- | --- |"]
    for name, fn in registry.items():
        summary, _ = describe(fn)
        rows.append(f"| `{name}` | {_cell(summary)} | {_cell(_params(fn, skip))} |")
    return "\n".join(rows)


def panel_table() -> str:
    rows = ["| kind | what it draws |", "| --- | --- |"]
    for kind, cls in PANEL_SPECS.items():
        summary = " ".join((inspect.getdoc(cls) or "").partition("\n\n")[0].split())
        rows.append(f"| `{kind}` | {_cell(summary)} |")
    return "\n".join(rows)


def action_table() -> str:
    rows = ["| action | other fields | what it does |", "| --- | --- | --- |"]
    for key, cls in ACTION_SPECS.items():
        fields = [f.alias or n for n, f in cls.model_fields.items() if (f.alias or n) != key]
        summary = " ".join((inspect.getdoc(cls) or "").split())
        rows.append(f"| `{key}` | {', '.join(f'`{f}`' for f in fields)} | {_cell(summary)} |")
    return "\n".join(rows)


def fit_table() -> str:
    rows = ["| method | groups | `iterate` | what it draws |", "| --- | --- | --- | --- |"]
    for name, m in fits.FIT_METHODS.items():
        groups = "any" if m.groups is None else str(m.groups)
        rows.append(f"| `{name}` | {groups} | {'yes' if m.staged else 'no'} | {_cell(m.doc)} |")
    return "\n".join(rows)


def role_list() -> str:
    return ", ".join(f"`{r}`" for r in ROLES)


# Every generated section of the README, by name.
SECTIONS: dict[str, Callable[[], str]] = {
    "panel-kinds": panel_table,
    "actions": action_table,
    "functions": lambda: function_table(functions.FUNCTIONS, "function"),
    "point-sets": lambda: function_table(generators.POINT_SETS, "generator", skip=()),
    "pictures": lambda: function_table(generators.IMAGES, "picture", skip=()),
    "fits": fit_table,
    "roles": role_list,
}

INLINE = {"roles"}  # sections inside a sentence


def render_readme(text: str) -> str:
    """The README text with every generated section rewritten from the registries."""
    for name, make in SECTIONS.items():
        pattern = re.compile(rf"(<!-- generated: {name} -->).*?(<!-- end: {name} -->)", re.S)
        if not pattern.search(text):
            raise ValueError(f"README.md has no section <!-- generated: {name} --> ... <!-- end: {name} -->")
        sep = "" if name in INLINE else "\n"
        body = sep + make() + sep
        text = pattern.sub(lambda m, body=body: m.group(1) + body + m.group(2), text)
    return text


def undocumented() -> list[str]:
    """Parameters of vetted functions and generators that have no meaning in their docstring."""
    out = []
    for what, registry, skip in (("function", functions.FUNCTIONS, ("x",)), ("generator", generators.POINT_SETS, ()),
                                 ("picture", generators.IMAGES, ())):
        for name, fn in registry.items():
            _, meanings = describe(fn)
            out += [f"{what} {name}: parameter '{p}'" for p in inspect.signature(fn).parameters
                    if p not in skip and p not in meanings]
    return out


