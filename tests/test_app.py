"""The app starts and the home page renders, without a browser (Streamlit's AppTest)."""


from page_support import arr, open_page, specs


def test_app_starts_on_the_home_page():
    at = open_page()
    assert at.title[0].value == "Diffusion Playground"
    links = [el.proto.label for el in at.get("page_link")]
    text = " ".join([m.value for m in at.markdown] + links)
    for part in ("Auto-encoders", "Forward noising", "Schedules", "Training", "Reverse denoising",
                 "Prediction targets", "Latent diffusion", "Flow matching", "Spotting generated images"):
        assert part in text
    abar = specs(at)[0]  # the strip's steps, marked on the cosine schedule's abar_t
    assert [round(y, 3) for y in arr(abar["data"][1]["y"])][0] == 1.0 and arr(abar["data"][1]["y"])[-1] < 1e-3
    assert arr(abar["data"][1]["x"])[-1] == 1000


def test_home_links_every_page_that_exists():
    from ui.navigation import ROADMAP

    at = open_page()
    links = " ".join(el.proto.label for el in at.get("page_link"))
    for part in ROADMAP:
        assert (part.title in links) == (part.page is not None)
