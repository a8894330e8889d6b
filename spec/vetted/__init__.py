"""The vetted registries a spec may name: curve functions, point sets, pictures, fit methods.

Nothing from the YAML is evaluated: a spec names an entry and gives its numeric parameters.
Each parameter is documented in its function's docstring as a line `name: meaning`.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any


def describe(fn: Callable[..., Any]) -> tuple[str, dict[str, str]]:
    """A vetted function's summary (its docstring's first paragraph) and the meaning of each parameter."""
    doc = inspect.getdoc(fn) or ""
    summary, _, rest = doc.partition("\n\n")
    meanings = {}
    for line in rest.splitlines():
        m = re.match(r"^(\w+): (.+)$", line.strip())
        if m:
            meanings[m.group(1)] = m.group(2)
    return " ".join(summary.split()), meanings
