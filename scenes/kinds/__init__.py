"""Panel builders by kind: one module per kind, one registry.

A builder takes a validated panel spec, the rect it may use and the theme, and
returns a `Built`: its element mobjects in their final places and how each enters.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable

from scenes.common import Built, Rect
from spec.theme import Theme

Builder = Callable[[object, Rect, Theme], Built]
BUILDERS: dict[str, Builder] = {}


def builder(*kinds: str) -> Callable[[Builder], Builder]:
    """Register a builder function for one or more panel kinds."""

    def register(fn: Builder) -> Builder:
        for kind in kinds:
            BUILDERS[kind] = fn
        return fn

    return register


def load_all() -> None:
    """Import every module of this package so that its builder registers itself (no list to keep)."""
    for m in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{m.name}")


load_all()
