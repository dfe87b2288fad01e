"""OpenAPI entries for the crime API (issue 5: being written). Same shapes as `portal.api_openapi`:
`ENDPOINTS` (dicts with path, name, summary, description, parameters, schema, example, errors), plus any
`SCHEMAS` and `PARAMETERS` they refer to; `portal.api_openapi.document()` merges them in."""

from typing import Any

ENDPOINTS: list[dict[str, Any]] = []
SCHEMAS: dict[str, Any] = {}
PARAMETERS: dict[str, Any] = {}
