"""Live runs belong to their browser session: closing the tab frees the server's training slot (real browser).

Runs on a server of its own: the shared test server may hold live runs of other tests' open tabs."""

import pytest
from browser_support import Page, needs_chromium, streamlit_server

from ui import jobs

pytestmark = [pytest.mark.browser, needs_chromium]


def _train(tab: Page) -> None:
    tab.follow("4. Training", timeout=240)
    tab.page.locator(".st-key-train_steps input[type='range']").focus(timeout=120_000)  # three tabs on two cores
    tab.page.keyboard.press("End")  # 10,000 steps: far longer than this test
    tab.wait()
    tab.page.locator(".st-key-train_start button").click()


def test_closing_a_tab_stops_its_run_and_frees_the_slot(browser):
    with streamlit_server() as url:
        tabs = [Page(browser, url) for _ in range(jobs.MAX_JOBS + 1)]
        try:
            for tab in tabs[:-1]:
                _train(tab)
                tab.expect_text("training on", "started", timeout=60)
            late = tabs[-1]
            _train(late)
            late.expect_text("the most it runs at once", "busy")  # every slot taken: a truthful message
            tabs[0].page.close()  # the first student leaves: the run notices at its next check (every few dozen steps)
            for _ in range(30):
                late.page.wait_for_timeout(2000)
                late.page.locator(".st-key-train_start button").click()
                late.wait()
                if late.page.get_by_text("training on").count():
                    break
            late.expect_text("training on", "slot-freed", timeout=5)
        finally:
            for tab in tabs:  # closing the tabs ends the sessions, which stops their runs
                if not tab.page.is_closed():
                    tab.page.close()
