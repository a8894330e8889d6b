"""Panel builders by kind: one module per kind, one registry.

A builder takes a validated panel spec, the rect it may use and the theme, and
returns a `Built`: its element mobjects in their final places and how each enters.
"""

from __future__ import annotations

from collections.abc import Callable

from render.theme import Theme
from scenes.common import Built, Rect

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
    """Import every kind module so that its builder registers itself."""
    from scenes.kinds import (  # noqa: F401
        bars,
        blocks,
        compare,
        embedding,
        formula,
        frames,
        graph,
        matrix,
        network,
        plot,
        scatter,
        sequence,
        stack,
        textlist,
        timing,
        tokens,
    )


load_all()
