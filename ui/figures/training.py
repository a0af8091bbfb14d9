"""Part 4 (Training): its cached data, its live run, and its figures (the live loss curve, samples against data, and a
shipped model's loss over t)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from core.data import sample_toy
from core.evaluation import diffusion_loss_curve
from core.io import Checkpoint
from core.live.toy_diffusion import ToyConfig, ToyModel, sample_toy_model, train_toy
from ui import jobs, theme
from ui.figures.loss import WINDOW, Curve, loss_figure
from ui.i18n import decimal, tr
from ui.resources import cache
from ui.resources.models import measured
from ui.resources.warm import reference_toy_model

# One colour per role, shared with Part 5's toy figures.
DATA, MODEL, LOSS = theme.DATA, theme.MODEL, theme.LOSS
FONT = theme.FONT
BOX = theme.TOY_VIEW
MNIST_MODEL = "mnist-ddpm-eps"  # the shipped model whose loss over t the page shows
MNIST_IMAGES = 64  # held-out digits behind the loss-vs-t curve
SNAPSHOT_EVERY = 500  # steps between two sample clouds of a live run
SAMPLES = 600  # points per sample cloud (50 DDPM steps, seed 0)


@st.cache_data(show_spinner=False)
def toy_data(dataset: str, n: int = 1000) -> np.ndarray:
    """Points of the toy distribution to draw beside the samples (fixed seed: the same picture every time)."""
    return sample_toy(dataset, n, seed=12345).numpy()


@st.cache_data(show_spinner=False, max_entries=16)
def reference_samples(dataset: str) -> np.ndarray:
    """600 samples (50 DDPM steps, seed 0) of the model trained earlier with the default settings on ``dataset``."""
    return sample_toy_model(reference_toy_model(dataset), SAMPLES, steps=50, seed=0).samples.numpy()


def reference_loss(model: ToyModel, window: int = WINDOW) -> float:
    """The reference model's final loss: the mean of its last ``window`` steps."""
    return float(np.mean(model.losses[-window:]))


def facts(dataset: str) -> dict[str, float]:
    """The numbers the lesson quotes (:func:`ui.components.lessons.fill`): the reference model's final loss on
    ``dataset``, the floor the student's own run settles at."""
    return {"floor": reference_loss(reference_toy_model(dataset))}


@cache.data(max_entries=4)
def mnist_loss_by_t(ckpt: Checkpoint) -> dict:
    """The shipped model's noise loss at 40 fixed t on held-out digits: from the manifest, or measured now."""
    return measured(MNIST_MODEL, "loss_by_t", ckpt.sha256) or diffusion_loss_curve(ckpt, MNIST_IMAGES)


@dataclass
class LiveToy:
    """A live run's settings and the latest sample cloud it drew for the page (written by the run, read by the page)."""

    cfg: ToyConfig
    samples: np.ndarray | None = None
    at: int = 0  # the step of ``samples``

    def snapshot(self, model: ToyModel) -> None:
        self.samples = sample_toy_model(model, SAMPLES, steps=50, seed=0).samples.numpy()
        self.at = model.steps_done


def toy_run(cfg: ToyConfig) -> jobs.Run:
    """The page's live run: train the toy model (together with the class's other runs), and every few hundred steps draw
    samples for the page to show."""
    live = LiveToy(cfg)
    fn = lambda progress: train_toy(cfg, on_step=progress.report, on_snapshot=live.snapshot, snapshot_every=SNAPSHOT_EVERY,
                                    trainer=jobs.together.train)
    return jobs.Run(fn, cfg.steps, config=live, with_class=True)


def recent_loss(losses: list[float], window: int = WINDOW) -> str:
    """The mean of the last ``window`` losses, as the page writes it ("–" before the first step)."""
    return decimal(float(np.mean(losses[-window:])), 3) if losses else "–"


def loss_curve(losses: list[float], total: int, *, title: str | None = None) -> go.Figure:
    """The toy model's noise loss at every step and its trailing mean (:func:`ui.figures.loss.loss_figure`)."""
    return loss_figure([Curve(losses)], total, title=title or tr("training.loss.title"), y_title=tr("training.loss.y"))


def samples_vs_data(data: np.ndarray, samples: np.ndarray | None, *, caption: str) -> go.Figure:
    """Two square panels on the same axes: the data (left) and the model's samples (right)."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.08,
                        subplot_titles=(tr("training.samples.data"), caption))
    fig.add_scatter(x=data[:, 0], y=data[:, 1], mode="markers", marker=dict(size=4, color=DATA),
                    name=tr("training.samples.data_name"), row=1, col=1)
    if samples is not None:
        fig.add_scatter(x=samples[:, 0], y=samples[:, 1], mode="markers", marker=dict(size=4, color=MODEL),
                        name=tr("training.samples.model_name"), row=1, col=2)
    else:
        fig.add_annotation(text=tr("training.samples.waiting"), x=0, y=0, showarrow=False,
                           font=theme.font("heading", color=DATA), row=1, col=2)
    for col in (1, 2):
        fig.update_xaxes(range=[-BOX, BOX], title="x₁", row=1, col=col, constrain="domain")
        fig.update_yaxes(range=[-BOX, BOX], title="x₂", row=1, col=col, scaleanchor=f"x{'' if col == 1 else col}",
                         scaleratio=1)
    fig.update_annotations(font=theme.font("heading"))
    fig.update_layout(font=FONT, height=420, showlegend=False, margin=dict(l=60, r=20, t=50, b=50))
    return fig


def loss_by_t_figure(ts: list[int], eps_mse: list[float], eps_sem: list[float], x0_mse: list[float],
                     alpha_bars: list[float] | None = None) -> go.Figure:
    """Left: the noise-prediction loss at each t (with a ±2 standard-error band); right: the error of
    the one-shot estimate of I_0 that it implies, on a log scale."""
    t = np.asarray(ts)
    m, se = np.asarray(eps_mse), np.asarray(eps_sem)
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.16,
                        subplot_titles=(tr("training.mnist.noise_loss"), tr("training.mnist.image_error")))
    fig.add_scatter(x=np.r_[t, t[::-1]], y=np.r_[m + 2 * se, (m - 2 * se)[::-1]], fill="toself", mode="none",
                    fillcolor=theme.LOSS_BAND, hoverinfo="skip", name=tr("training.mnist.band"), row=1, col=1)
    fig.add_scatter(x=t, y=m, mode="lines+markers", line=dict(color=LOSS, width=3), marker=dict(size=6),
                    name="‖ε̂ − ε‖²", row=1, col=1)
    fig.add_scatter(x=t, y=x0_mse, mode="lines+markers", line=dict(color=MODEL, width=3), marker=dict(size=6),
                    name="‖Î₀ − I₀‖²", row=1, col=2)
    fig.update_xaxes(title=tr("training.mnist.x"), range=[0, max(ts) * 1.02])
    fig.update_yaxes(title=tr("training.loss.y"), rangemode="tozero", row=1, col=1)
    fig.update_yaxes(title=tr("training.mnist.image_y"), type="log", exponentformat="power", row=1, col=2)
    fig.update_annotations(font=theme.font("heading"))
    fig.update_layout(font=FONT, height=420, margin=dict(l=70, r=20, t=60, b=60), showlegend=False)
    return fig
