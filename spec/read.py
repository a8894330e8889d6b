"""Reading a spec file before any model is built: a hostile or broken file costs one clear message, fast.

Only PyYAML's event parser and the error type are imported here (not the models), so the CLI can refuse a
binary file, an alias bomb or a deeply nested one within a fraction of a second.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from spec.errors import SpecError, SpecInvalid

# libyaml's parser when PyYAML has it (about 10x faster on the 68-tile spec), the pure-Python one otherwise.
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Limits that keep a hostile or broken file to a clear message within a second.
MAX_BYTES = 8 * 1024 * 1024  # the real spec is about 0.35 MB
MAX_DEPTH = 64  # nesting of mappings and sequences (the real spec goes 9 deep)
MAX_ALIASES = 200  # YAML aliases (*name); each may expand a whole anchored subtree
MAX_NODES = 1_000_000  # values after expanding aliases (the real spec has about 70,000)


def read_spec(path: str | Path) -> tuple[str, str]:
    """The text of a spec file and its name for messages; SpecInvalid for a file that cannot be a spec."""
    path = Path(path)
    file = path.name
    if path.is_dir():
        raise SpecInvalid([SpecError(str(path), 0, "(file)", "is a directory; give the spec file (diagrams.yaml)")])
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise SpecInvalid([SpecError(str(path), 0, "(file)", f"is {size / 1e6:.1f} MB; a spec may be at most "
                                                              f"{MAX_BYTES / 1e6:.0f} MB")])
        raw = path.read_bytes()
    except OSError as e:
        raise SpecInvalid([SpecError(str(path), 0, "(file)", f"cannot read: {e.strerror}")]) from None
    text = decode(raw, file).removeprefix("\ufeff")
    prescan(text, file)
    return text, file


def decode(raw: bytes, file: str) -> str:
    """UTF-8 text (a byte-order mark is allowed); a byte that is not UTF-8 is an error at its line and column."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        start = e.start
        line = raw.count(b"\n", 0, start) + 1
        column = start - (raw.rfind(b"\n", 0, start) + 1) + 1
        raise SpecInvalid([SpecError(file, line, "(encoding)", f"byte 0x{raw[start]:02X} at column {column} is not "
                                     "UTF-8; save the file as UTF-8")]) from None


def prescan(text: str, file: str) -> None:
    """Reject, before composing anything: nesting deeper than MAX_DEPTH, more than MAX_ALIASES aliases, or more
    than MAX_NODES values once aliases are expanded (an alias bomb), in one pass over the parser's events."""
    frames: list[list[Any]] = [[0, None]]  # [values so far, anchor] of each open collection; [0] is the document
    sizes: dict[str, int] = {}  # expanded size of each anchored value
    aliases = 0

    def fail(event: Any, message: str) -> None:
        raise SpecInvalid([SpecError(file, event.start_mark.line + 1, "(yaml)", message)])

    def add(event: Any, n: int) -> None:
        frames[-1][0] += n
        if sum(f[0] for f in frames) > MAX_NODES:
            fail(event, f"more than {MAX_NODES:,} values once aliases (*name) are expanded; write the repeated "
                        "parts out")

    try:
        for event in yaml.parse(text, Loader=Loader):
            if isinstance(event, yaml.CollectionStartEvent):
                if len(frames) > MAX_DEPTH:
                    fail(event, f"nested more than {MAX_DEPTH} levels deep")
                frames.append([1, event.anchor])
            elif isinstance(event, yaml.CollectionEndEvent):
                n, anchor = frames.pop()
                if anchor:
                    sizes[anchor] = n
                add(event, n)
            elif isinstance(event, yaml.ScalarEvent):
                if event.anchor:
                    sizes[event.anchor] = 1
                add(event, 1)
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_ALIASES:
                    fail(event, f"more than {MAX_ALIASES} aliases (*name); write the repeated parts out")
                add(event, sizes.get(event.anchor, 1))
    except yaml.MarkedYAMLError:
        return  # composing reports the syntax error with its line


