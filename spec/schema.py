"""The JSON Schema of diagrams.yaml, for editors (diagrams.schema.json)."""

from __future__ import annotations

from typing import Any

from spec.tile import Spec


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema of the spec file, for editors."""
    schema = Spec.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "diagrams.yaml"
    return schema
