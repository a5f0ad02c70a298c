"""How the service's modules depend on each other: what the app holds is read only through `service.deps`, and
route modules (the API's and the editors' pages) never import one another."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from http_helpers import REPO

SERVICE = REPO / "service"
ROUTE_MODULES = {f"service.routes.{p.stem}" for p in (SERVICE / "routes").glob("*.py") if p.stem != "__init__"} | {
    "service.ui.routes"
}


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_only_the_app_and_deps_touch_app_state() -> None:
    readers = sorted(
        str(path.relative_to(REPO))
        for path in SERVICE.rglob("*.py")
        if re.search(r"\bapp\.state\b", path.read_text("utf-8"))
    )
    assert readers == ["service/app.py", "service/deps.py"]


def test_route_modules_do_not_import_each_other() -> None:
    assert len(ROUTE_MODULES) >= 7
    for path in [*(SERVICE / "routes").glob("*.py"), SERVICE / "ui" / "routes.py"]:
        module = "service." + ".".join(path.relative_to(SERVICE).with_suffix("").parts)
        others = (imported(path) & ROUTE_MODULES) - {module}
        assert not others, f"{module} imports {sorted(others)}"


def test_the_batch_command_loads_no_web_framework_or_store() -> None:
    # `saring screen` starts (and forks its workers) sooner without FastAPI, SQLAlchemy and alembic: about 1 s of
    # a run's start-up, before any post is screened
    heavy = "('fastapi', 'sqlalchemy', 'alembic')"
    probe = f"import sys, service.cli_batch; print(sorted(m for m in {heavy} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
