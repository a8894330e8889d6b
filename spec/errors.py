"""Errors in the spec, each located as file:line, tile and field."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SpecError:
    """One problem in the spec, located in the file."""

    file: str
    line: int
    where: str
    message: str

    def __str__(self) -> str:
        if self.line == 0:  # about the file as a whole (missing, a directory, too large)
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}: {self.where}: {self.message}"


class SpecInvalid(Exception):
    """Raised with every error of the file when the spec does not validate."""

    def __init__(self, errors: list[SpecError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


Lines = dict[tuple[Any, ...], int]


def where(path: tuple[Any, ...], data: Any) -> str:
    """Render a data path as 'tiles[gradient-descent].steps[3].do[0]'."""
    parts: list[str] = []
    cur = data
    tile_seen = False
    for seg in path:
        if isinstance(cur, list) and isinstance(seg, int) and seg < len(cur):
            item = cur[seg]
            ident = item.get("id") if isinstance(item, dict) else None
            if parts and parts[-1] == "tiles" and ident:
                parts = [f"tiles[{ident}]"]
                tile_seen = True
            elif parts and parts[-1] in ("layers", "panels") and ident:
                parts[-1] += f"[{ident}]"
            else:
                parts[-1] = parts[-1] + f"[{seg}]" if parts else f"[{seg}]"
            cur = item
        elif isinstance(cur, dict) and seg in cur:
            parts.append(str(seg))
            cur = cur[seg]
        else:
            parts.append(str(seg))
            cur = None
    text = ".".join(parts)
    if tile_seen:
        text = text[text.index("tiles[") :]
    return text or "(top)"



def nearest_line(path: tuple[Any, ...], lines: Lines) -> int:
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path, 1)


def suggest(word: str, options: list[str]) -> str:
    """'; did you mean 'x'?' when an option other than word itself is close to it, else ''."""
    close = difflib.get_close_matches(str(word), [str(o) for o in options if str(o) != str(word)], n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""
