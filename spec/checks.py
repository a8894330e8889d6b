"""Cross-checks: what single models cannot check (unique ids, references from steps, stages)."""

from __future__ import annotations

from typing import Any

from spec.actions import ActionBase, Iterate, Sweep
from spec.base import PANEL_SPECS, suggest
from spec.errors import Lines, SpecError, nearest_line, where
from spec.study import check_phases
from spec.sweep import bind_refs, text_refs
from spec.tile import Spec, Tile


def cross_check(
    spec: Spec | None, tiles: dict[tuple[int, int], Tile], data: dict[str, Any], lines: Lines, file: str,
    partial: dict[tuple[int, int], tuple[Tile, set[str]]] | None = None,
    warnings: list[SpecError] | None = None,
) -> list[SpecError]:
    """Check what single models cannot: unique ids and references from steps to elements."""
    errors: list[SpecError] = []

    def err(path: tuple[Any, ...], msg: str) -> None:
        errors.append(SpecError(file, lines.get(path) or nearest_line(path, lines), where(path, data), msg))

    if spec is not None:
        seen_layers: set[str] = set()
        for li, layer in enumerate(spec.layers):
            if layer.id in seen_layers:
                err(("layers", li, "id"), f"duplicate layer id '{layer.id}'")
            seen_layers.add(layer.id)
    seen_tiles: dict[str, int] = {}
    checked = {key: (tile, set()) for key, tile in tiles.items()} | (partial or {})
    _check_requires(checked, data, err)
    check_phases(data, {tile.id: list(tile.requires) for tile, _ in checked.values()}, err)
    for (li, ti), (tile, stand_ins) in sorted(checked.items()):
        base = ("layers", li, "tiles", ti)
        if tile.id in seen_tiles:
            err(base + ("id",), f"duplicate tile id '{tile.id}' (first at line {seen_tiles[tile.id]})")
        seen_tiles.setdefault(tile.id, lines.get(base + ("id",), 0))
        panel_ids: set[str] = set()
        for pi, panel in enumerate(tile.panels):
            if panel.id in panel_ids:
                err(base + ("panels", pi, "id"), f"duplicate panel id '{panel.id}'")
            panel_ids.add(panel.id)
            eids = panel.element_ids()
            dupes = sorted({e for e in eids if eids.count(e) > 1})
            if dupes:
                err(base + ("panels", pi), f"duplicate element id(s) {', '.join(dupes)}")
        refs = tile.refs()
        transient = set(tile.transient)
        for si, step in enumerate(tile.steps):
            for ai, action in enumerate(step.do):
                for target in action.targets():
                    if target not in refs and target.partition(".")[0] not in stand_ins:
                        err(base + ("steps", si, "do", ai), _unknown_ref(target, tile))
                if motion_needs(action.key) and not stand_ins:
                    _check_motion(action, tile, err, base + ("steps", si, "do", ai))
        if not stand_ins:
            _check_iterations(tile, refs, err, base)
            _check_params(tile, _raw_tile(data, li, ti), err, base)
        for ri, ref in enumerate(tile.transient):
            if ref not in refs and ref.partition(".")[0] not in stand_ins:
                err(base + ("transient", ri), _unknown_ref(ref, tile))
        for ki, kp in enumerate(tile.key_points or []):
            for ei, ref in enumerate(kp.shown_by):
                path = base + ("key_points", ki, "shown_by", ei)
                if ref not in refs:
                    if ref.partition(".")[0] not in stand_ins:
                        err(path, _unknown_ref(ref, tile))
                elif "." not in ref and warnings is not None:
                    warnings.append(SpecError(file, lines.get(path) or nearest_line(path, lines), where(path, data),
                                              f"'{ref}' is a whole panel: name the elements that carry the point"))
                elif ref in transient:
                    err(path, f"'{ref}' is listed in transient: a key point must be in the final picture")
    return errors


def _check_requires(checked: dict[tuple[int, int], tuple[Tile, set[str]]], data: dict[str, Any], err: Any) -> None:
    """Prerequisites name known tiles, not the tile itself, and form no cycle (the cycle is spelled out)."""
    ids: list[str] = []
    for layer in data.get("layers") or []:
        for t in (layer.get("tiles") if isinstance(layer, dict) else None) or []:
            if isinstance(t, dict) and isinstance(t.get("id"), str):
                ids.append(t["id"])
    where_of: dict[str, tuple[Any, ...]] = {}
    requires_of: dict[str, list[str]] = {}
    graph: dict[str, list[str]] = {}
    for (li, ti), (tile, _) in sorted(checked.items()):
        base = ("layers", li, "tiles", ti)
        where_of[tile.id] = base
        requires_of[tile.id] = list(tile.requires)
        graph[tile.id] = []
        for ri, req in enumerate(tile.requires):
            path = base + ("requires", ri)
            if req == tile.id:
                err(path, f"'{req}' requires itself")
            elif req not in ids:
                err(path, f"unknown tile '{req}'{suggest(req, ids)}")
            else:
                graph[tile.id].append(req)
    # Depth-first search (iterative: a long chain must not exhaust the stack); a back edge closes a cycle,
    # reported once, at the tile whose prerequisite closes it.
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    reported: set[frozenset[str]] = set()
    for root in graph:
        if state.get(root):
            continue
        path: list[str] = [root]
        stack = [iter(graph[root])]
        state[root] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    node = path[-1]
                    ri = requires_of[node].index(nxt)
                    err(where_of[node] + ("requires", ri), "prerequisites form a cycle: " + " -> ".join(cycle))
            elif state.get(nxt) is None and nxt in graph:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(graph[nxt]))


def _check_iterations(tile: Tile, refs: list[str], err: Any, base: tuple[Any, ...]) -> None:
    """Each `iterate` needs an element with stages left (k-means rounds, boosting rounds, perceptron updates)."""
    used: dict[str, int] = {}
    for si, step in enumerate(tile.steps):
        for ai, action in enumerate(step.do):
            if not isinstance(action, Iterate) or action.iterate not in refs:
                continue
            pid, _, eid = action.iterate.partition(".")
            panel = tile.panel(pid)
            have = panel.stage_count(eid) if eid else 0
            used[action.iterate] = used.get(action.iterate, 0) + action.times
            if have == 0:
                err(base + ("steps", si, "do", ai), f"iterate needs an element with stages (a kmeans, boost or "
                    f"perceptron fit), and '{action.iterate}' has none")
            elif used[action.iterate] > have:
                err(base + ("steps", si, "do", ai), f"'{action.iterate}' has {have} stage(s) and this iterate "
                    f"would play stage {used[action.iterate]}")


def _unknown_ref(target: str, tile: Tile) -> str:
    panel_ids = [p.id for p in tile.panels]
    pid, _, eid = target.partition(".")
    if pid not in panel_ids:
        return f"unknown panel '{pid}'{suggest(pid, panel_ids)}"
    return f"unknown element '{eid}' in panel '{pid}'{suggest(eid, tile.panel(pid).element_ids())}"


def motion_needs(key: str) -> str:
    """What the motion action `key` moves along, over every registered panel kind ('' for other actions)."""
    kinds = list(dict.fromkeys(cls.motions[key] for cls in PANEL_SPECS.values() if key in cls.motions))
    return ", ".join(kinds[:-1]) + " or " + kinds[-1] if len(kinds) > 1 else "".join(kinds)


def _check_motion(action: ActionBase, tile: Tile, err: Any, path: tuple[Any, ...]) -> None:
    """A flow, walk or propagate names elements its panel can move along (methods of the panel models)."""
    for target in action.targets():
        pid, _, eid = target.partition(".")
        if pid not in [p.id for p in tile.panels]:
            continue
        if eid not in tile.panel(pid).motion_ids(action.key):
            err(path, f"{action.key} needs {motion_needs(action.key)}, and '{target}' is none of them")


def _raw_tile(data: dict[str, Any], li: int, ti: int) -> dict[str, Any]:
    try:
        raw = data["layers"][li]["tiles"][ti]
    except (KeyError, IndexError, TypeError):
        return {}
    return raw if isinstance(raw, dict) else {}


def _check_params(tile: Tile, raw: dict[str, Any], err: Any, base: tuple[Any, ...]) -> None:
    """Bindings and sweeps name declared parameters; a sweep ends at a value its parameter can take and moves
    something; no parameter is declared twice."""
    params = {p.id: p for p in tile.params}
    names = list(params)
    seen: set[str] = set()
    for i, p in enumerate(tile.params):
        if p.id in seen:
            err(base + ("params", i, "id"), f"duplicate parameter '{p.id}'")
        seen.add(p.id)
    bound: set[str] = set()
    panels_raw = raw.get("panels") if isinstance(raw.get("panels"), list) else []
    for path, name in bind_refs(panels_raw, ("panels",)):
        if name not in params:
            err(base + path, f"unknown parameter '{name}'{suggest(name, names)}" if names else
                f"unknown parameter '{name}': declare it under the tile's params")
        bound.add(name)
    if params:
        for path, name in text_refs(panels_raw, ("panels",)):
            if name not in params and name != "value":  # {value}: a matrix cell's own number
                err(base + path, f"'{{{name}}}' names no parameter{suggest(name, names)}")
            bound.add(name)
    now = {p.id: p.start for p in tile.params}
    for si, step in enumerate(tile.steps):
        for ai, action in enumerate(step.do):
            if not isinstance(action, Sweep):
                continue
            path = base + ("steps", si, "do", ai)
            p = params.get(action.sweep)
            if p is None:
                err(path + ("sweep",), f"unknown parameter '{action.sweep}'{suggest(action.sweep, names)}"
                    if names else f"unknown parameter '{action.sweep}': declare it under the tile's params")
                continue
            why = p.reachable(action.to)
            if why:
                err(path + ("to",), why)
            elif action.to == now[p.id]:
                err(path + ("to",), f"{p.id} is already {action.to:g} here: the sweep would change nothing")
            elif p.id not in bound:
                err(path + ("sweep",), f"nothing follows '{p.id}': bind an element to it with {{param: {p.id}}}")
            now[p.id] = action.to
