"""Loading: safe YAML with line numbers, every error located as file:line, tile and field."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_args

import yaml
from pydantic import BaseModel, ValidationError

from spec.actions import ACTION_SPECS
from spec.base import PANEL_SPECS, SLUG_RE, suggest
from spec.checks import cross_check
from spec.errors import Lines, SpecError, SpecInvalid, nearest_line, where
from spec.read import MAX_ALIASES, MAX_BYTES, MAX_DEPTH, MAX_NODES, Loader, prescan, read_spec  # noqa: F401
from spec.tile import Spec, Tile

SAFE_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq")}


def _compose(text: str, file: str) -> tuple[Any, Lines]:
    """Compose YAML safely and build plain data plus a map from data path to line number."""
    loader = Loader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    lines: Lines = {}
    count = 0

    def build(n: yaml.Node, path: tuple[Any, ...]) -> Any:
        nonlocal count
        count += 1
        if count > MAX_NODES:
            raise SpecInvalid([SpecError(file, n.start_mark.line + 1, "(yaml)", f"more than {MAX_NODES:,} values "
                                         "once aliases are expanded; write the repeated parts out")])
        lines[path] = n.start_mark.line + 1
        if n.tag not in SAFE_TAGS:
            at = where(path, None)
            raise SpecInvalid([SpecError(file, n.start_mark.line + 1, "(yaml)",
                                         f"{at}: YAML tag '{n.tag}' is not allowed (plain data only)")])
        if isinstance(n, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for k, v in n.value:
                key = loader.construct_object(k, deep=True)
                if not isinstance(key, str | int | float | bool) or key is None:
                    key = str(key)
                if key in out:
                    raise SpecInvalid(
                        [SpecError(file, k.start_mark.line + 1, where(path + (key,), out), f"duplicate key '{key}'")]
                    )
                lines[path + (key,)] = k.start_mark.line + 1
                out[key] = build(v, path + (key,))
            return out
        if isinstance(n, yaml.SequenceNode):
            return [build(v, path + (i,)) for i, v in enumerate(n.value)]
        return loader.construct_object(n, deep=True)

    if node is None:
        return None, lines
    return build(node, ()), lines


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[Any, ...]:
    """Drop pydantic's union tags from an error location, keeping the path into the data."""
    path: list[Any] = []
    cur = data
    for i, seg in enumerate(loc):
        nxt = loc[i + 1] if i + 1 < len(loc) else None
        if isinstance(cur, dict) and seg in cur and nxt in cur and seg != nxt and not isinstance(cur[seg], dict):
            continue  # a union tag that is also a key (an action's key): the error is in a sibling field
        if isinstance(cur, dict) and seg in cur or isinstance(cur, list) and isinstance(seg, int) and seg < len(cur):
            path.append(seg)
            cur = cur[seg]
        elif isinstance(cur, dict) and seg == "from_" and "from" in cur:
            path.append("from")
            cur = cur["from"]
        else:
            continue
    return tuple(path)


def _message(err: dict[str, Any], value: Any) -> tuple[str, str | None]:
    """Turn one pydantic error into a sentence; return (message, extra key for the location)."""
    typ = err["type"]
    ctx = err.get("ctx") or {}
    if typ == "union_tag_invalid":
        tag = ctx.get("tag")
        expected = [t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(",")]
        if isinstance(value, dict) and "kind" in value:
            return f"unknown panel kind '{tag}'{suggest(tag, expected)}", "kind"
        return f"unknown action '{tag}'{suggest(tag, expected)}", str(tag)
    if typ == "union_tag_not_found":
        if isinstance(value, dict) and "id" in value:
            return "a panel needs a 'kind'", None
        return "a step action needs one of: " + ", ".join(sorted(ACTION_SPECS)), None
    if typ == "extra_forbidden":
        return "unknown field", None
    if typ == "missing":
        return "missing field", None
    if typ == "string_pattern_mismatch":
        return f"'{value}' is not a valid id (use lowercase letters, digits and single hyphens)", None
    msg = err["msg"]
    msg = msg.removeprefix("Value error, ")
    return msg, None


def _pydantic_errors(
    exc: ValidationError, data: Any, lines: Lines, file: str, base: tuple[Any, ...], root: Any
) -> list[SpecError]:
    out = []
    for err in exc.errors():
        rel = _data_path(err["loc"], data)
        path = base + rel
        value: Any = data
        for seg in rel:
            value = value[seg]
        msg, extra = _message(err, value)
        if err["type"] == "extra_forbidden":
            bad = err["loc"][-1]
            parent_rel = rel[:-1] if rel and rel[-1] == bad else rel
            known = _known_fields(data, parent_rel, str(bad))
            msg = f"unknown field '{bad}'{suggest(str(bad), known)}"
            path = base + parent_rel + (bad,)
        elif err["type"] == "missing":
            msg = f"missing field '{err['loc'][-1]}'"
        elif extra and (path + (extra,)) in lines:
            path = path + (extra,)
        line = lines.get(path) or nearest_line(path, lines)
        out.append(SpecError(file, line, where(path, root), msg))
    return out


def all_models() -> list[type[BaseModel]]:
    """Every model reachable from Spec through its fields, tagged unions included (derived, never listed)."""
    seen: dict[type[BaseModel], None] = {}

    def visit(tp: Any) -> None:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp in seen:
                return
            seen[tp] = None
            for f in tp.model_fields.values():
                visit(f.annotation)
            return
        for arg in get_args(tp):
            visit(arg)

    visit(Spec)
    for cls in [*PANEL_SPECS.values(), *ACTION_SPECS.values()]:
        visit(cls)
    return list(seen)


def _known_fields(data: Any, rel: tuple[Any, ...], bad: str) -> list[str]:
    """Best-effort list of valid field names at the location of an extra-field error.

    The model there is guessed from the keys the mapping has; a model that accepts `bad` cannot be the one that
    refused it (a flow node given a plot label's `at` must not be matched to the plot label).
    """
    parent: Any = data
    for seg in rel:
        parent = parent[seg]
    candidates = all_models()
    if isinstance(parent, dict):
        best: list[str] = []
        best_score = -1
        for cls in candidates:
            names = [f.alias or n for n, f in cls.model_fields.items()]
            if bad in names:
                continue
            score = sum(1 for k in parent if k in names)
            if isinstance(parent.get("kind"), str) and cls in PANEL_SPECS.values():
                kind_field = cls.model_fields["kind"].default
                score += 10 if kind_field == parent["kind"] else 0
            if score > best_score:
                best, best_score = names, score
        return best
    return []


def load_spec(path: str | Path) -> Spec:
    """Read, validate and cross-check a spec file; raise SpecInvalid with every error found."""
    text, file = read_spec(path)
    return parse_spec(text, file, scanned=True)


def parse_spec(text: str, file: str = "diagrams.yaml", scanned: bool = False) -> Spec:
    """Validate spec text; raise SpecInvalid with every error found."""
    text = text.removeprefix("\ufeff")
    if not scanned:  # read_spec has already scanned what it read
        prescan(text, file)
    try:
        data, lines = _compose(text, file)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 1
        raise SpecInvalid([SpecError(file, line, "(yaml)", f"{e.problem or e.context}")]) from None
    if not isinstance(data, dict):
        raise SpecInvalid([SpecError(file, 1, "(top)", "the file must be a mapping with 'version' and 'layers'")])

    errors: list[SpecError] = []
    # Validate each tile on its own so that one broken tile does not hide the others.
    tiles_ok: dict[tuple[int, int], Tile] = {}
    # A tile with a broken panel or step is still cross-checked, with stand-ins for what is broken, so that one
    # error does not hide the others (a wrong reference in a step of the same tile).
    partial_tiles: dict[tuple[int, int], tuple[Tile, set[str]]] = {}
    layers = data.get("layers")
    if isinstance(layers, list):
        for li, layer in enumerate(layers):
            tiles = layer.get("tiles") if isinstance(layer, dict) else None
            if not isinstance(tiles, list):
                continue
            for ti, tile in enumerate(tiles):
                base = ("layers", li, "tiles", ti)
                try:
                    tiles_ok[(li, ti)] = Tile.model_validate(tile)
                except ValidationError as e:
                    errors += _pydantic_errors(e, tile, lines, file, base, data)
                    partial = _partial_tile(tile, e)
                    if partial is not None:
                        partial_tiles[(li, ti)] = partial
    # The frame of the file (layers, their fields), with tiles stubbed by valid ones.
    try:
        spec = Spec.model_validate(_stub_tiles(data, tiles_ok))
    except ValidationError as e:
        frame_errors = [
            err for err in _pydantic_errors(e, data, lines, file, (), data) if ".tiles[" not in err.where
        ]
        errors += [err for err in frame_errors if "tiles[" not in err.where.split(".")[0]]
        spec = None
    warnings: list[SpecError] = []
    errors += cross_check(spec, tiles_ok, data, lines, file, partial_tiles, warnings)
    if errors:
        errors.sort(key=lambda e: e.line)
        raise SpecInvalid(errors)
    assert spec is not None
    spec.warnings().extend(sorted(warnings, key=lambda w: w.line))
    return spec


def _partial_tile(tile: Any, exc: ValidationError) -> tuple[Tile, set[str]] | None:
    """The tile with each broken panel replaced by an empty stand-in of the same id and each broken step by an
    empty step (indexes kept, so locations stay right); None when an error lies elsewhere. Also returns the ids of
    the stand-in panels, whose elements are unknown and so not checked."""
    if not isinstance(tile, dict):
        return None
    broken: dict[str, set[int]] = {"panels": set(), "steps": set()}
    for err in exc.errors():
        loc = err["loc"]
        if len(loc) < 2 or loc[0] not in broken or not isinstance(loc[1], int):
            return None
        broken[str(loc[0])].add(loc[1])
    panels, steps = list(tile.get("panels") or []), list(tile.get("steps") or [])
    stand_ins: set[str] = set()
    for i in broken["panels"]:
        pid = panels[i].get("id") if isinstance(panels[i], dict) else None
        pid = pid if isinstance(pid, str) and re.fullmatch(SLUG_RE, pid) else f"broken-panel-{i}"
        panels[i] = {"id": pid, "kind": "text", "items": [{"id": "stand-in", "text": "x"}]}
        stand_ins.add(pid)
    for i in broken["steps"]:
        steps[i] = {"say": "x"}
    try:
        return Tile.model_validate({**tile, "panels": panels, "steps": steps}), stand_ins
    except ValidationError:
        return None


def _stub_tiles(data: dict[str, Any], ok: dict[tuple[int, int], Tile]) -> dict[str, Any]:
    """Copy the data with tiles replaced by validated models, or by a minimal valid stand-in."""
    out = dict(data)
    layers = data.get("layers")
    if isinstance(layers, list):
        new_layers = []
        for li, layer in enumerate(layers):
            if isinstance(layer, dict) and isinstance(layer.get("tiles"), list):
                layer = dict(layer)
                layer["tiles"] = [
                    ok.get((li, ti)) or Tile(id=f"invalid-{li}-{ti}", title="x", tagline="x", status="planned")
                    for ti in range(len(layer["tiles"]))
                ]
            new_layers.append(layer)
        out["layers"] = new_layers
    return out



