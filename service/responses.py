"""JSON bodies encoded once, by orjson, straight from the library's result dataclasses.

FastAPI would turn a `ScreenResult` into a dict (`dataclasses.asdict`, a deep copy), validate that against the
response model and dump it: about 0.4 ms of a screening's response. orjson writes the dataclasses' fields, in
order, directly; the response models stay the documented schema (OpenAPI), and a test holds the bodies to them.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

# numpy scalars may reach a result through the model's arithmetic; orjson writes them as plain numbers
JSON_OPTIONS = orjson.OPT_SERIALIZE_NUMPY


def json_bytes(content: Any) -> bytes:
    """`content` (dicts, lists, dataclasses, numbers, strings) as UTF-8 JSON."""
    return orjson.dumps(content, option=JSON_OPTIONS)


class EncodedJSONResponse(Response):
    """A JSON response whose body `json_bytes` encodes, with no validation pass on the way."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json_bytes(content)
