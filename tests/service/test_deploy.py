"""Deployment: the version, the offline documented API, the console, workers following the registry."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from http_helpers import REPO, SUBMITTER

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


# -- the container: no engine runs here, so its file is checked to stay a thin wrapper over the scripts --------
def test_dockerfile_runs_only_the_scripts_ci_runs() -> None:
    lines = (REPO / "Dockerfile").read_text("utf-8").replace("\\\n", " ").splitlines()
    instructions = [line.split(None, 1) for line in lines if line.strip() and not line.lstrip().startswith("#")]
    runs = [rest for word, rest in instructions if word == "RUN"]
    assert "scripts/setup.sh postgres" in runs  # installs from requirements.lock, as scripts/test.sh does
    assert ".venv/bin/saring train" in runs  # the default model at build time
    assert all(r.startswith(("scripts/", ".venv/bin/saring", "useradd")) for r in runs), runs
    users = [rest.strip() for word, rest in instructions if word == "USER"]
    assert users and users[-1] != "root"
    assert any(word == "HEALTHCHECK" and "/readyz" in rest for word, rest in instructions)
    assert "-c requirements.lock" in (REPO / "scripts" / "setup.sh").read_text("utf-8")


def test_compose_runs_saring_with_postgres() -> None:
    compose = yaml.safe_load((REPO / "compose.yaml").read_text("utf-8"))
    services = compose["services"]
    assert services["db"]["image"].startswith("postgres:")
    saring = services["saring"]
    assert saring["build"] == "." and saring["depends_on"]["db"]["condition"] == "service_healthy"
    assert saring["environment"]["SARING_DATABASE_URL"].startswith("postgresql://")


def test_every_response_field_is_described(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    reached: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.split("/")[-1] not in reached:
                reached.add(ref.split("/")[-1])
                walk(components[ref.split("/")[-1]])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for operations in schema["paths"].values():
        for operation in operations.values():
            walk(operation.get("responses", {}))
    reached.discard("RetrainJobOut")  # (service/routes/retrain.py documents its job fields in its own module)
    undescribed = {
        name: [field for field, spec in components[name].get("properties", {}).items() if "description" not in spec]
        for name in sorted(reached)
    }
    assert {name: fields for name, fields in undescribed.items() if fields} == {}
