"""Parameters a tile sweeps, and the bindings that make drawn elements follow them.

A tile declares named numeric parameters (`params`). A number in a bindable field may then be
`{param: t}` (the parameter's value) or `{param: t, fn: normal_sf, params: {...}}` (a vetted function
of it, spec/vetted/functions.py); a text field of a label, bar or cell may show a value with
`{t}` or `{t:.2f}`. Nothing is evaluated as code: names are looked up in registries and the format
is checked against a small pattern before Python's `format()` sees it.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Union

from pydantic import Discriminator, Field, Tag, model_validator

from spec.base import Model, Slug, Text, check_named
from spec.vetted import functions


class Param(Model):
    """A named number the tile's steps sweep and its elements follow."""

    id: Slug
    start: float = Field(description="Its value until a sweep moves it.")
    range: tuple[float, float] = Field(description="[min, max]: every value it may take.")
    integer: bool = Field(False, description="It takes whole values (k, a degree) and steps through them.")
    step: float | None = Field(None, gt=0, description="integer: the stride between values (2 for odd k); "
                               "default 1.")
    log: bool = Field(False, description="Sweeps run on a log scale (a regularization strength).")
    label: Text | None = Field(None, description="What it is, for the author's guide and the notes.")

    @model_validator(mode="after")
    def _consistent(self) -> Param:
        lo, hi = self.range
        if lo >= hi:
            raise ValueError("range must be [min, max] with min < max")
        if not lo <= self.start <= hi:
            raise ValueError(f"start {self.start:g} lies outside the range [{lo:g}, {hi:g}]")
        if self.log and lo <= 0:
            raise ValueError("a log-scale parameter needs a range above 0")
        if self.integer:
            if not all(float(v).is_integer() for v in (lo, hi, self.start)):
                raise ValueError("an integer parameter needs whole start and range values")
            if self.step is not None and not float(self.step).is_integer():
                raise ValueError("an integer parameter's step must be a whole number")
        elif self.step is not None:
            raise ValueError("'step' is for integer parameters")
        return self

    def reachable(self, value: float) -> str | None:
        """Why a sweep cannot end at value (None when it can)."""
        lo, hi = self.range
        if not lo <= value <= hi:
            return f"{value:g} lies outside {self.id}'s range [{lo:g}, {hi:g}]"
        if self.integer:
            stride = self.step or 1
            if not float(value).is_integer() or (value - self.start) % stride:
                return f"{self.id} takes the values {self.start:g} + {stride:g}·n; {value:g} is not one of them"
        return None

    def values_between(self, a: float, b: float) -> list[float]:
        """The values an integer sweep from a to b shows, in order (a and b included)."""
        stride = (self.step or 1) * (1 if b >= a else -1)
        n = int(round((b - a) / stride))
        return [a + i * stride for i in range(n + 1)]


class Bind(Model):
    """A number that follows a parameter: its value, or a vetted function of it."""

    param: Slug = Field(description="The tile parameter it follows.")
    fn: str | None = Field(None, description="A vetted function of the parameter (default: the value itself).")
    params: dict[str, float | list[float]] = Field(default_factory=dict, description="The function's parameters.")

    @model_validator(mode="after")
    def _known(self) -> Bind:
        if self.fn is not None:
            check_named("function", self.fn, self.params, functions.FUNCTIONS, functions.parameters)
        elif self.params:
            raise ValueError("'params' needs a function 'fn'")
        return self

    def value(self, values: dict[str, float]) -> float:
        v = values[self.param]
        if self.fn is None:
            return float(v)
        return float(functions.evaluate(self.fn, self.params, v))


def _number_or_bind(v: Any) -> str:
    return "bind" if isinstance(v, dict | Bind) else "number"


# A number that may follow a parameter: a mapping is a binding, anything else a number (one error, not one per
# branch, when either is wrong).
Bound = Annotated[Union[Annotated[float, Tag("number")], Annotated[Bind, Tag("bind")]],  # noqa: UP007
                  Discriminator(_number_or_bind)]
BoundInt = Annotated[Union[Annotated[int, Tag("number")], Annotated[Bind, Tag("bind")]],  # noqa: UP007
                     Discriminator(_number_or_bind)]

_BIND_KEYS = {"param", "fn", "params"}
# {name} or {name:format} with a plain numeric format: fill/align, sign, width, thousands comma, precision, type.
TEMPLATE_RE = re.compile(r"\{([a-z0-9]+(?:-[a-z0-9]+)*)(?::([<>^]?[+\- ]?\d{0,2},?(?:\.\d{1,2})?[dfge%]?))?\}")


def template_names(s: str) -> list[str]:
    """The parameter names a text shows with {name} or {name:fmt}."""
    return [m.group(1) for m in TEMPLATE_RE.finditer(s)]


def fill(s: str, values: dict[str, float], integers: set[str] = frozenset()) -> str:  # type: ignore[assignment]
    """Put parameter values into a text ({t:.2f}); names that are not parameters stay as written."""

    def one(m: re.Match[str]) -> str:
        name, fmt = m.group(1), m.group(2)
        if name not in values:
            return m.group(0)
        v = values[name]
        if not fmt:
            if name in integers or float(v).is_integer():
                return str(int(round(v)))
            return f"{v:.3g}"
        if fmt.endswith("d"):
            v = int(round(v))
        return format(v, fmt).replace("-", "\u2212")

    return TEMPLATE_RE.sub(one, s)


def bind_refs(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], str]]:
    """Every binding in raw YAML data: (path, parameter name), for the cross-checks."""
    out: list[tuple[tuple[Any, ...], str]] = []
    if isinstance(data, dict):
        if "param" in data and set(data) <= _BIND_KEYS and isinstance(data.get("param"), str):
            return [(path + ("param",), data["param"])]
        for k, v in data.items():
            out += bind_refs(v, path + (k,))
    elif isinstance(data, list | tuple):
        for i, v in enumerate(data):
            out += bind_refs(v, path + (i,))
    return out


def text_refs(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], str]]:
    """Every {name} in a `text` field of raw YAML data: (path, name)."""
    out: list[tuple[tuple[Any, ...], str]] = []
    if isinstance(data, dict):
        for k, v in data.items():
            if k == "text" and isinstance(v, str):
                out += [(path + (k,), n) for n in template_names(v)]
            else:
                out += text_refs(v, path + (k,))
    elif isinstance(data, list | tuple):
        for i, v in enumerate(data):
            out += text_refs(v, path + (i,))
    return out


def resolve(model: Model, values: dict[str, float], integers: set[str] = frozenset()) -> Model:  # type: ignore[assignment]
    """The model with every binding replaced by its number and every {name} text filled, at these values."""

    def walk(v: Any, key: str | None = None) -> Any:
        if isinstance(v, dict):
            if "param" in v and set(v) <= _BIND_KEYS and isinstance(v.get("param"), str):
                b = Bind.model_validate(v)
                x = b.value(values)
                if not math.isfinite(x):
                    raise ValueError(f"{b.fn or b.param} is not a finite number at {values}")
                return x
            return {k: walk(x, k) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [walk(x) for x in v]
        if key == "text" and isinstance(v, str) and "{" in v:
            return fill(v, values, integers)
        return v

    data = model.model_dump(by_alias=True, exclude_unset=True)
    return type(model).model_validate(walk(data))


def has_binding(model: Model) -> bool:
    """Whether any number of the model follows a parameter or any text shows one."""
    data = model.model_dump(by_alias=True, exclude_unset=True)
    return bool(bind_refs(data)) or bool(text_refs(data))
