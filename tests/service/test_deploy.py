"""Deployment: the version, the offline documented API, the console, workers following the registry."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from http_helpers import SUBMITTER

from screening.rules.engine import RuleEngine
from service.app import create_app
from service.cli import main
from service.settings import Settings


def test_version_names_the_package_and_the_rules(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out.strip()
    assert out == f"saring {metadata.version('saring')} (aturan {RuleEngine.from_file().version})"


def test_version_needs_no_command_and_no_model(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "service.cli", "--version"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert re.fullmatch(r"saring \S+ \(aturan \S+\)\n", run.stdout)
    assert list(tmp_path.iterdir()) == []  # it creates nothing where it runs


# -- a documented API that works offline -------------------------------------------------------------------------
EXTERNAL = re.compile(r"""(?:src|href|url)\s*[=:(]\s*["']?\s*(?:https?:)?//""", re.I)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_only_local_assets(client: TestClient, page: str) -> None:
    r = client.get(page)
    assert r.status_code == 200
    assert not EXTERNAL.search(r.text), EXTERNAL.findall(r.text)
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", r.text)
    assert assets and all(a.startswith("/") for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    csp = r.headers["content-security-policy"]
    assert "http" not in csp and "'unsafe-eval'" not in csp
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp


def test_openapi_declares_the_api_key_schemes_and_uses_them(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["BearerKey"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["BearerKey"]["description"],
    }
    assert schemes["ApiKeyHeader"]["type"] == "apiKey" and schemes["ApiKeyHeader"]["name"] == "X-API-Key"
    screen = schema["paths"]["/v1/screen"]["post"]
    assert {"BearerKey": []} in screen["security"] and {"ApiKeyHeader": []} in screen["security"]
    assert "security" not in schema["paths"]["/healthz"]["get"]
    assert schema["paths"]["/metrics"]["get"]["security"] == [{"MetricsKey": []}]


def test_openapi_batch_limit_is_the_configured_one(make_settings: Callable[..., Settings]) -> None:
    with TestClient(create_app(make_settings(max_batch_items=7))) as c:
        items = c.get("/openapi.json").json()["components"]["schemas"]["BatchScreenRequest"]["properties"]["items"]
        assert items["maxItems"] == 7
        body = {"items": [{"text": "Warga bergotong royong membersihkan saluran irigasi desa."}] * 8}
        assert c.post("/v1/screen/batch", json=body, headers=SUBMITTER).status_code == 422
