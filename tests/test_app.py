"""The app starts and the home page renders, without a browser (Streamlit's AppTest)."""


from streamlit.testing.v1 import AppTest

from page_support import APP


def test_app_starts_on_the_home_page():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Diffusion Playground"
    links = [el.proto.label for el in at.get("page_link")]
    text = " ".join([m.value for m in at.markdown] + links)
    for part in ("Auto-encoders", "Forward noising", "Schedules", "Training", "Reverse denoising",
                 "Prediction targets", "Latent diffusion", "Flow matching", "Spotting generated images"):
        assert part in text


def test_home_links_every_page_that_exists():
    from ui.navigation import ROADMAP

    at = AppTest.from_file(APP, default_timeout=60).run()
    links = " ".join(el.proto.label for el in at.get("page_link"))
    for part in ROADMAP:
        assert (part.title in links) == (part.page is not None)
