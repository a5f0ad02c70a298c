"""Property-based fuzzing of every documented operation from the generated OpenAPI schema (bounded in time).

Checks: no 5xx, every response conforms to its documented schema, status code and content type.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from http_helpers import ADMIN, REPO
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from service.app import create_app
from service.settings import Settings

pytestmark = pytest.mark.slow
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]


@pytest.fixture(scope="module")
def fuzzed_app(tmp_path_factory: pytest.TempPathFactory, served_models_dir: object) -> Iterator[object]:
    import shutil
    from pathlib import Path

    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(Path(str(served_models_dir)), root / "models")
    app = create_app(
        Settings(
            models_dir=root / "models",
            training_data_dir=REPO / "training_data",
            database_url=f"sqlite:///{root / 'saring.db'}",
            api_keys=f"admin:{ADMIN['Authorization'].removeprefix('Bearer ')}",
            train_if_missing=False,
            rate_limit_per_minute=0,
            max_batch_items=5,
        )
    )
    with TestClient(app):  # runs the lifespan: store migrated, model loaded
        yield app


MAX_EXAMPLES = 12  # per operation and generation mode; about 20 s in all on a small machine


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors_and_schema_conformance(fuzzed_app: object, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9
    if mode == GenerationMode.NEGATIVE:  # only operations with inputs can be given invalid ones
        operations = [op for op in operations if len(op.body) or len(op.path_parameters)]
        assert len(operations) >= 4
    seen: dict[str, set[int]] = {}
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def check(case: schemathesis.Case) -> None:
            response = case.call_and_validate(headers=ADMIN, checks=CHECKS)
            seen.setdefault(case.operation.label, set()).add(response.status_code)

        check()
    if mode == GenerationMode.POSITIVE:  # the fuzzing reached the screening code, not only the validators
        assert 200 in seen["POST /v1/screen"] and 200 in seen["POST /v1/screen/batch"], seen
        assert 201 in seen["POST /v1/labels"], seen
    else:
        assert all(code < 500 for codes in seen.values() for code in codes), seen
