"""Live runs belong to their browser session: closing the tab frees the server's training slot, and the run
waiting in the queue takes it; the toy runs of several students train together at once (real browser).

Runs on a server of its own: the shared test server may hold live runs of other tests' open tabs."""

import pytest
from browser_support import Page, needs_chromium, streamlit_server

from ui import jobs

pytestmark = [pytest.mark.browser, needs_chromium]


def _train_autoencoder(tab: Page) -> None:
    tab.follow("1. Auto-encoders", timeout=240)
    tab.page.locator(".st-key-ae_steps input[type='range']").focus(timeout=120_000)  # three tabs on two cores
    tab.page.keyboard.press("End")  # 600 steps: longer than this test
    tab.wait()
    tab.page.locator(".st-key-ae_train button").click()


def _train_toy(tab: Page) -> None:
    tab.follow("4. Training", timeout=240)
    tab.page.locator(".st-key-train_steps input[type='range']").focus(timeout=120_000)
    tab.page.keyboard.press("End")  # 10,000 steps: far longer than this test
    tab.wait()
    tab.page.locator(".st-key-train_start button").click()


def test_a_third_run_waits_in_the_queue_and_starts_when_a_closed_tab_frees_its_slot(browser):
    with streamlit_server() as url:
        tabs = [Page(browser, url) for _ in range(jobs.MAX_JOBS + 1)]
        try:
            for tab in tabs[:-1]:
                _train_autoencoder(tab)
                tab.expect_text("Training: step", "started", timeout=60)
            late = tabs[-1]
            _train_autoencoder(late)
            late.expect_text("number 1 in the queue", "queued")  # every slot taken: it waits its turn, and says so
            tabs[0].page.close()  # the first student leaves: the run notices at its next check (every few dozen steps)
            late.expect_text("Training: step", "slot-freed", timeout=90)  # the queued run starts by itself
        finally:
            for tab in tabs:  # closing the tabs ends the sessions, which stops their runs
                if not tab.page.is_closed():
                    tab.page.close()


def test_toy_runs_of_several_students_train_together_at_once(browser):
    with streamlit_server() as url:
        tabs = [Page(browser, url) for _ in range(jobs.MAX_JOBS + 2)]  # more students than training slots
        try:
            for tab in tabs:
                _train_toy(tab)
            for tab in tabs:  # nobody waits: every run trains, and says with how many others
                tab.expect_text(f"trained together with {len(tabs) - 1} other students", "together", timeout=90)
        finally:
            for tab in tabs:
                tab.page.close()
