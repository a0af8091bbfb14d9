"""Part 1, auto-encoders, in a real browser: renders, the digit slider moves, the photos show, a live training run starts and stops."""

import pytest
from browser_support import Page, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium]


def test_autoencoder(server, browser):
    # Follow the sidebar link: a deep link makes the frontend probe /autoencoder/_stcore/* first (two 404s).
    tab = Page(browser, server)
    page = tab.page
    tab.follow("1. Auto-encoders")
    page.wait_for_selector(".st-key-ae_arch .js-plotly-plot")
    tab.check("autoencoder")
    assert page.locator("h1").first.inner_text().startswith("1. Auto-encoders")
    # the architecture diagram names the code and both halves
    arch = page.locator(".st-key-ae_arch").inner_text()
    assert "encoder E" in arch and "decoder D" in arch and "code z" in arch

    # move the held-out digit slider with the keyboard
    # (elements below the fold are drawn when scrolled into view)
    page.locator(".st-key-ae_digit").scroll_into_view_if_needed()
    slider = page.locator(".st-key-ae_digit input[type='range']")
    before = slider.input_value()
    slider.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    tab.wait()
    assert slider.input_value() != before

    # the same auto-encoder recipe on CIFAR-10 photos
    page.get_by_text("And on photos?").scroll_into_view_if_needed()
    page.get_by_text("held-out photos x, one per class").wait_for()
    tab.wait()
    tab.check("autoencoder_photos")

    # the generators and the VAE's latent map further down
    page.locator(".st-key-ae_gen_seed").scroll_into_view_if_needed()
    tab.wait()
    tab.check("autoencoder_generate")
    page.locator(".st-key-ae_grid").scroll_into_view_if_needed()
    tab.wait()
    tab.check("autoencoder_latent")

    # start a live run (100 steps, code size 2), let the loss curve grow, then stop it
    page.locator(".st-key-ae_steps").scroll_into_view_if_needed()
    steps = page.locator(".st-key-ae_steps input[type='range']")
    steps.focus()
    page.keyboard.press("Home")
    tab.wait()
    page.locator(".st-key-ae_train button").click()
    tab.expect_text("Training: step", "autoencoder_started", timeout=60)  # the live panel's progress line
    tab.check("autoencoder_training")
    page.locator(".st-key-ae_stop button").click()
    page.get_by_text("Stopped at step").or_(page.get_by_text("Finished: 100 steps")).first.wait_for(timeout=60_000)
    tab.wait()
    assert page.locator(".st-key-ae_stop button").is_disabled()
    tab.check("autoencoder_stopped")
