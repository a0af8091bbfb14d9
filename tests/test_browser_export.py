"""Exports in a real browser: each download button gives a file that opens, with the right name, size and
frame count; a Plotly chart's camera button saves a PNG offline."""

import io

import pytest
from browser_support import Page, needs_chromium
from PIL import Image

pytestmark = [pytest.mark.browser, needs_chromium]


def _download(page, button: str, timeout: float = 120_000):
    with page.expect_download(timeout=timeout) as info:
        page.get_by_role("button", name=button).first.click()
    d = info.value
    return d.suggested_filename, Image.open(io.BytesIO(open(d.path(), "rb").read()))


def test_downloads(server, browser):
    tab = Page(browser, server)
    page = tab.page
    tab.follow("5. Reverse denoising", timeout=240)
    page.locator(".st-key-rev_mnist_film .title").wait_for(timeout=120_000)
    name, gif = _download(page, "Download the steps (GIF)")
    assert name == "reverse-ddpm-50steps-seed0-any.gif" and gif.format == "GIF" and gif.n_frames == 50
    assert gif.size == (3 * (5 * 28 + 4 * 2), 3 * (3 * 28 + 2 * 2))  # five columns, three samples, enlarged 3x
    name, png = _download(page, "Download the film strip (PNG)")
    assert name == "reverse-ddpm-50steps-seed0-any-strip.png" and png.format == "PNG" and png.width > 800

    film = page.locator(".st-key-rev_mnist_film")  # the film's ⤓ saves the frame shown, enlarged, in the browser
    with page.expect_download(timeout=60_000) as info:
        film.get_by_role("button", name="Save this frame as a PNG").click()
    assert info.value.suggested_filename == "reverse-ddpm-50steps-seed0-any-t1000.png"
    frame = Image.open(info.value.path())
    assert frame.format == "PNG" and frame.width >= 800 and frame.width % (5 * 28 + 4 * 3) == 0  # whole pixels
    assert frame.height > frame.width * (3 * 28 + 2 * 3) / (5 * 28 + 4 * 3)  # and a band above them: the title

    chart = page.locator(".st-key-rev_toy_chart")
    chart.scroll_into_view_if_needed()
    chart.hover()
    with page.expect_download(timeout=60_000) as info:
        chart.locator(".modebar-btn[data-title='Download plot as a PNG']").click()
    assert info.value.suggested_filename == "rev-toy-chart.png"
    assert Image.open(info.value.path()).format == "PNG"

    tab.follow("2. Forward noising", timeout=240)
    page.locator(".st-key-fn_cloud .js-plotly-plot").wait_for(timeout=120_000)
    name, gif = _download(page, "Download the cloud's journey (GIF)")
    assert name == "forward-2pixel-mnist-cosine-t1000-seed0.gif" and gif.n_frames >= 40

    tab.follow("8. Flow matching", timeout=240)
    page.locator(".st-key-fm_paths_chart .js-plotly-plot").wait_for(timeout=120_000)
    name, gif = _download(page, "Download the paths (GIF)")
    assert name.startswith("flow-paths-gaussian-moons-euler-4steps") and gif.n_frames == 5  # start + 4 Euler steps
    assert gif.width > 2 * gif.height - 60  # random and OT side by side
    page.get_by_text("PNG of this row").first.scroll_into_view_if_needed()
    name, png = _download(page, "PNG of this row")
    assert name == "mnist-flow-random-uncond-euler-1-2-5-10steps-any-seed0.png" and png.format == "PNG"
    assert png.width > 3 * png.height  # four grids in a row
