"""The editors' pages in a real headless Chromium against a real uvicorn process (selenium + Debian's chromedriver).

Needs /usr/bin/chromium and /usr/bin/chromedriver (`scripts/browser.sh` installs them); a missing browser fails the
test unless SARING_SKIP_BROWSER=1. With SARING_UI_SCREENSHOTS=<dir> the test also saves a screenshot of each main
view there (`docs/screenshots` in the repository).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from http_helpers import ADMIN_KEY, API_KEYS, HOAX_POST, REPO
from processes import free_port

from screening.store import Store

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
SCREENSHOTS = os.environ.get("SARING_UI_SCREENSHOTS")

if os.environ.get("SARING_SKIP_BROWSER") == "1":
    pytest.skip("SARING_SKIP_BROWSER=1", allow_module_level=True)

from selenium import webdriver  # noqa: E402  (only imported when the browser tests run)
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture
def service(models_dir: Path, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(base URL, database URL) of a uvicorn process with API keys, a private registry and an SQLite store."""
    port = free_port()
    database_url = f"sqlite:///{tmp_path / 'saring.db'}"
    env = {
        **os.environ,
        "SARING_HOST": "127.0.0.1",
        "SARING_PORT": str(port),
        "SARING_MODELS_DIR": str(models_dir),
        "SARING_DATABASE_URL": database_url,
        "SARING_API_KEYS": API_KEYS,
        "SARING_TRAIN_IF_MISSING": "false",
        "SARING_REJECT_THRESHOLD": "1.0",  # hoaxes land in the review queue rather than straight in "reject"
        "SARING_RATE_LIMIT_PER_MINUTE": "0",
    }
    log_path = tmp_path / "uvicorn.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "service.app:create_app"]
            + ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
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
        yield base, database_url
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
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}", "--window-size=1280,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def wait(driver: WebDriver, seconds: float = 30) -> WebDriverWait[WebDriver]:
    return WebDriverWait(driver, seconds)


def arrive(driver: WebDriver, heading: str) -> None:
    """Wait until the new page with this heading has fully loaded (the old document can answer for a moment)."""
    wait(driver).until(ec.text_to_be_present_in_element((By.TAG_NAME, "h1"), heading))
    wait(driver).until(lambda d: d.execute_script("return document.readyState") == "complete")


def screenshot(driver: WebDriver, name: str, *, width: int = 1280) -> None:
    """Save the whole page (the window stretched to its height) when SARING_UI_SCREENSHOTS names a directory."""
    if not SCREENSHOTS:
        return
    from PIL import Image  # Pillow comes with matplotlib in the dev extras; needed only for screenshots

    target = Path(SCREENSHOTS)
    if not target.is_absolute():
        target = REPO / target
    target.mkdir(parents=True, exist_ok=True)
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    driver.set_window_size(width, min(max(height + 140, 600), 6000))
    time.sleep(0.3)
    path = target / f"{name}.png"
    driver.save_screenshot(str(path))
    with Image.open(path) as image:  # 256 colours: a third of the size, no visible loss on these flat pages
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)
    driver.set_window_size(1280, 900)


def test_editor_screens_sees_highlights_and_labels_a_queued_item(service: tuple[str, str], browser: WebDriver) -> None:
    base, database_url = service
    browser.get(f"{base}/ui/")
    # not logged in: the login form, reachable and usable with the keyboard alone
    wait(browser).until(ec.url_contains("/ui/masuk"))
    key_field = browser.find_element(By.ID, "kunci")
    assert browser.switch_to.active_element == key_field  # autofocus
    key_field.send_keys(ADMIN_KEY, Keys.ENTER)
    wait(browser).until(ec.presence_of_element_located((By.ID, "text")))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Periksa naskah"

    # the first Tab reaches the skip link, which moves focus to the main content
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    skip = browser.switch_to.active_element
    assert skip.text == "Langsung ke isi" and skip.is_displayed()
    assert browser.execute_script("return getComputedStyle(document.activeElement).outlineStyle") == "solid"
    skip.send_keys(Keys.ENTER)
    assert browser.switch_to.active_element.get_attribute("id") == "isi"

    browser.find_element(By.ID, "title").send_keys(HOAX_POST["title"])
    browser.find_element(By.ID, "text").send_keys(HOAX_POST["text"])
    browser.find_element(By.ID, "kim_group").send_keys("KIM Sukamaju")
    browser.find_element(By.CSS_SELECTOR, "form[action='/ui/periksa'] button[type=submit]").click()
    arrive(browser, "Hasil penyaringan")
    # waited for, not read at once: right after navigation the old document can still answer for a moment
    wait(browser).until(ec.text_to_be_present_in_element((By.ID, "keputusan"), "Perlu ditinjau"))
    marks = browser.find_elements(By.CSS_SELECTOR, "#teks-ditandai mark")
    assert marks, "the chain-message hoax should have highlighted spans"
    listed = [el.text for el in browser.find_elements(By.CSS_SELECTOR, ".finding-list .finding-msg")]
    for mark in marks:
        title = mark.get_attribute("title") or ""
        assert title and any(message in title for message in listed)
    shown = browser.find_element(By.ID, "teks-ditandai").text
    assert "SEBARKAN" in shown and "kirim ke semua grup WA" in shown
    first = marks[0].find_element(By.CSS_SELECTOR, "sup a")
    first.click()  # the reference number jumps to the finding in the list
    assert browser.current_url.endswith(f"#temuan-{first.text}")
    screenshot(browser, "screen-result")

    # on a phone-sized window nothing overflows sideways
    browser.set_window_size(390, 844)
    time.sleep(0.3)
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(browser, "screen-result-phone", width=390)
    browser.set_window_size(1280, 900)

    # retrain before any label: the job runs in the background, the page follows it and reports "nothing to do"
    browser.find_element(By.LINK_TEXT, "Model").click()
    arrive(browser, "Model")
    browser.find_element(By.XPATH, "//button[normalize-space()='Latih ulang dengan label redaktur']").click()
    wait(browser).until(ec.presence_of_element_located((By.ID, "job-status")))
    wait(browser, 120).until(ec.text_to_be_present_in_element((By.ID, "job-status"), "Tidak ada yang dilatih"))
    assert browser.find_element(By.ID, "status-latih").get_attribute("data-running") == "tidak"

    browser.find_element(By.LINK_TEXT, "Antrean tinjauan").click()
    arrive(browser, "Antrean tinjauan")
    items = browser.find_elements(By.CSS_SELECTOR, "li.queue-item")
    assert len(items) == 1 and HOAX_POST["title"] in items[0].text and "KIM Sukamaju" in items[0].text
    screening_id = (items[0].get_attribute("id") or "").removeprefix("naskah-")
    items[0].find_element(By.PARTIAL_LINK_TEXT, "Lihat analisis").click()  # the findings of a queued item
    arrive(browser, "Tinjau naskah")
    assert browser.find_elements(By.CSS_SELECTOR, "#teks-ditandai mark")
    screenshot(browser, "review-item")
    browser.back()
    arrive(browser, "Antrean tinjauan")
    items = browser.find_elements(By.CSS_SELECTOR, "li.queue-item")
    items[0].find_element(By.TAG_NAME, "textarea").send_keys("Pesan berantai lama, sudah diklarifikasi Kominfo")
    screenshot(browser, "review-queue")
    items[0].find_element(By.CSS_SELECTOR, "button[value=hoax]").send_keys(Keys.ENTER)  # keyboard, one key
    wait(browser).until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".flash"), "disimpan"))
    assert "Antrean kosong" in browser.page_source

    store = Store(database_url)
    try:
        [label] = store.labels_for_training()
    finally:
        store.close()
    assert label.screening_id == screening_id and label.label == "hoax"
    assert label.note == "Pesan berantai lama, sudah diklarifikasi Kominfo" and label.editor_id.startswith("admin-")
    assert label.text == HOAX_POST["text"] and label.title == HOAX_POST["title"]

    browser.find_element(By.LINK_TEXT, "Model").click()
    arrive(browser, "Model")
    assert "Latih ulang dengan label redaktur" in browser.page_source and "ROC-AUC" in browser.page_source
    assert "Label redaktur tersimpan" in browser.find_element(By.CSS_SELECTOR, ".facts").text
    screenshot(browser, "models")


def _queued(risk: float, text: str) -> Any:
    import uuid

    from screening.data import text_sha256
    from screening.result import QualityReport, ScreenResult, Thresholds

    return ScreenResult(
        screening_id=uuid.uuid4().hex,
        text_sha256=text_sha256(text),
        hoax_risk=risk,
        classifier_risk=risk,
        decision="review",
        thresholds=Thresholds(review=0.45, reject=1.0),
        genre="post",
        base_rate=0.5,
        language="id",
        notices=(),
        quality=QualityReport(kind="post", score=50, subscores={}, findings=()),
        rules=(),
        terms=(),
        similar_hoaxes=(),
        model_version="m-test",
        ruleset_version="r-test",
    )


def test_editor_sorts_and_filters_the_queue_and_reads_risks_beside_thresholds(
    service: tuple[str, str], browser: WebDriver
) -> None:
    from screening.store import ScreeningAudit

    base, database_url = service
    rows = [(0.62, "KIM Maju", "Kabar jalan desa rusak"), (0.91, "KIM Maju", "Air kelapa obat segala penyakit")]
    rows.append((0.4499, "KIM Sejahtera", "Bansos cair minggu depan"))  # just under the review threshold 0.45
    store = Store(database_url)
    try:
        for risk, group, title in rows:
            store.record_screenings([ScreeningAudit(_queued(risk, title), title, f"{title}.", kim_group=group)])
    finally:
        store.close()
    browser.get(f"{base}/ui/masuk")
    browser.find_element(By.ID, "kunci").send_keys(ADMIN_KEY, Keys.ENTER)
    wait(browser).until(ec.presence_of_element_located((By.ID, "text")))
    browser.get(f"{base}/ui/antrean")
    arrive(browser, "Antrean tinjauan")
    assert "3 naskah menunggu tinjauan" in browser.find_element(By.ID, "jumlah-antrean").text

    browser.find_element(By.ID, "urut").send_keys("Risiko tertinggi dulu")
    browser.find_element(By.CSS_SELECTOR, "form.queue-filter button").click()
    wait(browser).until(ec.url_contains("urut=risiko"))
    arrive(browser, "Antrean tinjauan")
    titles = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "li.queue-item h2")]
    assert titles == ["Air kelapa obat segala penyakit", "Kabar jalan desa rusak", "Bansos cair minggu depan"]
    chips = [c.text for c in browser.find_elements(By.CSS_SELECTOR, ".risk-chip")]
    assert chips[-1] == "Risiko 44,99 %"  # not "45 %", which would read as at the review threshold
    assert chips[0] == "Risiko 91 %"
    screenshot(browser, "queue-by-risk")

    kim = browser.find_element(By.ID, "kim")
    kim.send_keys("KIM Maju")
    browser.find_element(By.CSS_SELECTOR, "form.queue-filter button").click()
    wait(browser).until(ec.url_contains("kim=KIM"))
    arrive(browser, "Antrean tinjauan")
    assert "2 naskah menunggu tinjauan (dengan saringan ini)" in browser.find_element(By.ID, "jumlah-antrean").text
    titles = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "li.queue-item h2")]
    assert titles == ["Air kelapa obat segala penyakit", "Kabar jalan desa rusak"]  # the order is kept
