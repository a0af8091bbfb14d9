"""Browser-test support: a Streamlit server, headless Chromium (Debian's), and a page wrapper.

Fixtures ``server`` and ``browser`` (session scope) are exported through ``conftest.py``;
tests use ``Page(browser, url)`` to open a page, wait for the script run to finish,
interact, and ``check(name)`` for "no exception, no console error" plus a screenshot in
``test-artifacts/screenshots/``. Tests are skipped, with install instructions, where
Chromium is missing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-artifacts" / "screenshots"
LOG = ROOT / "test-artifacts" / "server.log"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium not found: install it with `apt-get update && apt-get install -y chromium chromium-driver` (never `playwright install`)",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server():
    """``streamlit run server.py`` (as ``make run``) on a free port; yields its URL. The server's log goes to test-artifacts/server.log
    (a file, not a pipe: a pipe nobody reads fills up and blocks the server)."""
    port = _free_port()
    env = {**os.environ, "DIFFUSION_PLAYGROUND_THREADS": "1", "DIFFUSION_PLAYGROUND_WARM_UP": "1"}  # as `make run`
    LOG.parent.mkdir(parents=True, exist_ok=True)
    with open(LOG, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "server.py"), "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 60
            while True:
                try:
                    urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                    break
                except OSError:
                    if time.time() > deadline or proc.poll() is not None:
                        raise RuntimeError("streamlit did not start:\n" + LOG.read_text()) from None
                    time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def server():
    with streamlit_server() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=30_000)  # a retried assertion waits for the page, as a student would, on a busy machine
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


# Installed in every page before its scripts: when each script run starts and ends (the app root's
# data-test-script-state, seen by a MutationObserver, fragment runs included) and when the browser's main
# thread was last busy (long tasks, 50 ms and more: Plotly drawing a figure, React laying out the page).
RUN_CLOCK = """(() => {
  const dp = window.__dp = {started: -1, ended: -1, busyUntil: 0};
  try {
    new PerformanceObserver(list => {
      for (const e of list.getEntries()) dp.busyUntil = Math.max(dp.busyUntil, e.startTime + e.duration);
    }).observe({entryTypes: ["longtask"]});
  } catch (e) {}
  new MutationObserver(records => {
    for (const r of records) {
      const state = r.target.getAttribute("data-test-script-state");
      if (state === "running") dp.started = performance.now();
      else if (r.oldValue === "running") dp.ended = performance.now();
    }
  }).observe(document, {subtree: true, attributes: true, attributeOldValue: true, attributeFilter: ["data-test-script-state"]});
})();"""


_OPEN: list = []  # the tabs opened by the running test


def close_tabs() -> None:
    """Close every tab the test opened: its Streamlit session ends, and with it any live run it started (a leftover
    run would hold a training slot for the next tests)."""
    while _OPEN:
        page = _OPEN.pop()
        if not page.is_closed():
            page.close()


class Page:
    """A browser tab on one app page that records console errors (closed after the test: :func:`close_tabs`)."""

    def __init__(self, browser, url: str):
        self.page = browser.new_page(viewport={"width": 1440, "height": 1000})
        _OPEN.append(self.page)
        self.page.add_init_script(RUN_CLOCK)
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url)
        self.wait()

    def follow(self, link: str, timeout: float = 90) -> None:
        """Open a lecture page the way a student does: its link in the sidebar (a deep link would make
        Streamlit probe ``/PAGE/_stcore/*`` first, with two 404s in the console), then wait for the run."""
        self.page.get_by_role("link", name=link).first.click()
        self.wait(timeout)

    def wait(self, timeout: float = 90) -> None:
        """Wait until Streamlit has finished running the script (the app root reports ``notRunning``)."""
        self.page.wait_for_timeout(300)  # let a rerun triggered just before begin
        self.page.wait_for_selector(
            "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout * 1000
        )
        self.page.wait_for_timeout(300)  # images and charts paint after the run ends

    def timed(self, action, timeout: float = 120, quiet_ms: int = 300) -> float:
        """Seconds from ``action()`` (an input) until the page is idle with its figures drawn: a script run
        (or a fragment's) started after the input and ended, and the browser's main thread then stayed free of
        long tasks for ``quiet_ms``; the time is that of the end of the run or of the last long task after it."""
        t0 = self.page.evaluate("performance.now()")
        action()
        self.page.wait_for_function(
            """([t0, quiet]) => { const d = window.__dp;
                 return d.started > t0 && d.ended > d.started && performance.now() - Math.max(d.ended, d.busyUntil) > quiet; }""",
            arg=[t0, quiet_ms], timeout=timeout * 1000, polling=50)
        end = self.page.evaluate("Math.max(window.__dp.ended, window.__dp.busyUntil)")
        return (end - t0) / 1000

    def expect_text(self, text: str, name: str, timeout: float = 120) -> None:
        """Wait for ``text`` to appear; on a time-out, save ``FAILED-<name>.png`` and report what the page says."""
        try:
            self.page.get_by_text(text).first.wait_for(timeout=timeout * 1000)
        except Exception as err:
            SHOTS.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(SHOTS / f"FAILED-{name}.png"))
            notes = self.page.locator("[data-testid='stAlert'], [data-testid='stException']").all_inner_texts()
            raise AssertionError(f"{name}: {text!r} did not appear in {timeout} s; alerts on the page: {notes}; "
                                 f"console errors: {self.errors}") from err

    def check(self, name: str, *, projector: bool = False) -> None:
        """No exception element, no console error; save a screenshot of the first screen and of the whole page
        (and, with ``projector``, of the first screen at 1280x720, as a lecture hall's projector shows it)."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"))
        # Streamlit scrolls inside its main block: grow the window to the content for the full view
        height = self.page.evaluate("document.querySelector('[data-testid=\\'stMain\\']')?.scrollHeight || 1000")
        size = self.page.viewport_size
        self.page.set_viewport_size({"width": size["width"], "height": min(int(height), 8000)})
        self.page.wait_for_timeout(800)
        (SHOTS / "full").mkdir(exist_ok=True)
        self.page.screenshot(path=str(SHOTS / "full" / f"{name}.png"))
        if projector:
            self.page.set_viewport_size({"width": 1280, "height": 720})
            self.page.wait_for_timeout(800)
            (SHOTS / "projector").mkdir(exist_ok=True)
            self.page.screenshot(path=str(SHOTS / "projector" / f"{name}.png"))
        self.page.set_viewport_size(size)
        self.page.wait_for_timeout(300)
        assert self.page.locator("[data-testid='stException']").count() == 0, f"{name}: an exception is shown"
        real = [e for e in self.errors if "favicon" not in e]
        if any("Image source error" in e and "/media/" in e for e in real):
            # Streamlit's media race: a rerun replaced an image and dropped its file while the browser was still
            # fetching the old one (the new image is drawn; nothing is left broken). Its 404 lines name no URL.
            real = [e for e in real if "/media/" not in e and "status of 404" not in e]
            broken = self.page.evaluate(
                "[...document.images].filter(i => i.src.includes('/media/') && i.complete && !i.naturalWidth).length")
            assert broken == 0, f"{name}: {broken} image(s) left broken on the page"
        assert not real, f"{name}: console errors {real}"


