"""/docs and /redoc in a real headless Chromium that can reach no host but the service (an offline intranet).

Needs /usr/bin/chromium and /usr/bin/chromedriver (`scripts/browser.sh`); skipped with SARING_SKIP_BROWSER=1.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from http_helpers import API_KEYS
from processes import free_port

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

if os.environ.get("SARING_SKIP_BROWSER") == "1":
    pytest.skip("SARING_SKIP_BROWSER=1", allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture
def base_url(models_dir: Path, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "SARING_HOST": "127.0.0.1",
        "SARING_PORT": str(port),
        "SARING_MODELS_DIR": str(models_dir),
        "SARING_DATABASE_URL": f"sqlite:///{tmp_path / 'saring.db'}",
        "SARING_API_KEYS": API_KEYS,
        "SARING_TRAIN_IF_MISSING": "false",
    }
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve"], cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{log_path.read_text(errors='replace')}")
            try:
                if httpx.get(f"{base}/readyz", timeout=1.0).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server not ready in 60 s:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.2)
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.fail(f"{', '.join(missing)} not found: run scripts/browser.sh (or set SARING_SKIP_BROWSER=1)")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",  # no host but the service resolves
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--window-size=1280,900",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def foreign_resources(driver: WebDriver, base: str) -> list[str]:
    names: list[str] = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name).concat([location.href])"
    )
    return [n for n in names if not n.startswith(base) and not n.startswith(("data:", "blob:"))]


def csp_violations(driver: WebDriver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if "Content Security Policy" in e["message"]]


def test_swagger_ui_renders_offline_with_an_authorize_button(base_url: str, browser: WebDriver) -> None:
    browser.get(f"{base_url}/docs")
    wait = WebDriverWait(browser, 30)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".opblock-summary-path")))  # the operations
    authorize = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "button.authorize")))
    authorize.click()
    dialog = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, ".dialog-ux .modal-ux")))
    assert "BearerKey" in dialog.text and "ApiKeyHeader" in dialog.text
    assert "/v1/screen" in browser.find_element(By.ID, "swagger-ui").text
    assert foreign_resources(browser, base_url) == []
    assert csp_violations(browser) == []


def test_redoc_renders_offline(base_url: str, browser: WebDriver) -> None:
    browser.get(f"{base_url}/redoc")
    WebDriverWait(browser, 60).until(
        ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".api-content"), "/v1/screen/batch")
    )
    # ReDoc's "API docs by Redocly" badge points at its CDN; the CSP refuses it and nothing else is foreign
    refused = csp_violations(browser)
    for url in foreign_resources(browser, base_url):
        assert url == "https://cdn.redoc.ly/redoc/logo-mini.svg" and any(url in line for line in refused), url
    assert all("cdn.redoc.ly/redoc/logo-mini.svg" in line for line in refused), refused
