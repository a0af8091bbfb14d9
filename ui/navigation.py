"""The lecture's route: one entry per part, in teaching order, and the pages that exist for them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from core import paths


@dataclass(frozen=True)
class Part:
    """One part of the lecture. ``page`` is the page file under ``views/``, or ``None`` while it is being built."""

    number: int
    title: str
    icon: str
    summary: str
    page: str | None = None


ROADMAP: tuple[Part, ...] = (
    Part(1, "Auto-encoders", ":material/compress:", "Squeeze an image into a code and rebuild it; restore damaged digits; the decoder as a (weak) generator.", page="autoencoder.py"),
    Part(2, "Forward noising", ":material/blur_on:", "Add a little Gaussian noise, step after step, until only noise is left; the 2-pixel view of a whole dataset.", page="forward_noising.py"),
    Part(3, "Schedules", ":material/timeline:", "Constant, linear, cosine: how fast the signal fades, and where the steps are spent.", page="schedules.py"),
    Part(4, "Training", ":material/model_training:", "A network learns to predict the noise that was added, at random steps t.", page="training.py"),
    Part(5, "Reverse denoising", ":material/auto_fix_high:", "From pure noise back to an image: the one-shot guess, then DDPM's progressive steps.", page="reverse.py"),
    Part(6, "Prediction targets", ":material/target:", "Predict the noise, the image or the velocity? In high dimension, predicting the image wins.", page="prediction_targets.py"),
    Part(7, "Latent diffusion", ":material/layers:", "Run the same process in the small latent space of a VAE.", page="latent_diffusion.py"),
    Part(8, "Flow matching", ":material/trending_flat:", "Straight paths from noise to images; random vs optimal-transport pairing; ODE solvers.", page="flow_matching.py"),
    Part(9, "Spotting generated images", ":material/search:", "How a generator improves, what it over-produces, and what gives a generated image away: a quiz, spectra, a detector.", page="spotting.py"),
)


def _page(part: Part) -> st.Page:
    return st.Page(paths.VIEWS / part.page, title=f"{part.number}. {part.title}", icon=part.icon, url_path=Path(part.page).stem)


HOME = st.Page(paths.VIEWS / "home.py", title="Home", icon=":material/home:", default=True)
PAGES: dict[str, list[st.Page]] = {
    "": [HOME],
    "The lecture": [_page(p) for p in ROADMAP if p.page],
}
if not PAGES["The lecture"]:
    del PAGES["The lecture"]


def page_for(part: Part) -> st.Page | None:
    """The page object for a part (for ``st.page_link``), or ``None`` if it has no page yet."""
    for page in PAGES.get("The lecture", []):
        if part.page and page.url_path == Path(part.page).stem:
            return page
    return None
