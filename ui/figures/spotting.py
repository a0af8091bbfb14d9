"""Part 9, spotting generated images: cached data and figures (the film strip of a generator's training,
its biases and the guidance knob, power spectra, the quiz pool, the detector's report).

Figures measured offline (``python -m core.forensics.measure``) come from ``forensics.json`` and the
manifest, and are shown only when they were measured on the shipped weights (same sha256).

Every text is read from ``ui/messages/spotting.toml``; a cached figure takes the language (``lang``) as
an argument, so that each language has its own. The quiz pool, the measurements and ``core.forensics``
name sources by key and cues by id, perturbations in English: :func:`source_label`, :func:`cue_text` and
:func:`perturbation_label` show them in the session's language.
"""

from __future__ import annotations

import json
import random
import re

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch
from plotly.subplots import make_subplots

from core import paths
from core.data import CIFAR10_CLASSES, MNIST_CLASSES, split, to_model_range, to_uint8
from core.evaluation.metrics import judge as read_classes
from core.evaluation.quality import CLASSIFIERS
from core.forensics import log_magnitude, upsample
from core.forensics.bias import ATTRIBUTES, GUIDANCE
from core.forensics.bias import guidance_grid as draw_guidance_grid
from core.forensics.detector import GENERATED, Source
from core.forensics.evolution import film_strip as draw_film_strip
from core.forensics.quiz import QUIZ_SOURCES, QuizItem, load_pool, quiz_pool
from core.forensics.shipped import DEFAULTS, grid_key, pool_path, stage_names, strip_key
from core.images import picture
from core.io import Checkpoint
from core.io.arrays import load_arrays
from ui import theme
from ui.figures.mosaic import PAD, mosaic, png_uri
from ui.i18n import DEFAULT, MESSAGES, number, percent, tr
from ui.resources import cache
from ui.resources.data import cifar10, mnist_split
from ui.resources.models import measured_quality, preloaded

FONT = theme.FONT
CANDIDATES = DEFAULTS["k"]
STRIP_STEPS = DEFAULTS["steps"]  # Euler steps of every film-strip sample (as measured offline)
GRID_SAMPLES = DEFAULTS["grid_n"]
UNCONDITIONAL = {  # data set -> {model: its unconditional quality entry in the manifest}
    "mnist": {
        "mnist-ddpm-eps": "ddpm-50-uncond-w1",
        "mnist-ddpm-x0": "ddpm-50-uncond-w1",
        "mnist-flow-ot": "euler-10-uncond-w1",  # the flow page's largest step count
        "mnist-ddpm-v-uncond": "ddim-20-uncond-w1",
    },
    "cifar10": {"cifar10-flow-ot": "euler-20-uncond-w1"},
}
DEFAULT_VIEW = {"label": DEFAULTS["label"], "seed": DEFAULTS["seed"], "bias_digit": DEFAULTS["grid_label"], "w": 5.0,
                "attribute": "slant", "upsample_digit": 0}
SOURCE_COLOURS = theme.SOURCE_COLOURS
REAL_COLOUR = theme.INK
SEEN, UNSEEN = theme.SEEN, theme.UNSEEN  # generators the detector was trained on, and the others

ROUND = 10  # images per quiz round


def quiz_order(n_items: int) -> list[int]:
    """A new round: ``ROUND`` images of the pool, in an order of this session's own (a generator seeded by the OS,
    shared with nobody)."""
    return random.Random().sample(range(n_items), min(ROUND, n_items))


def big(image: torch.Tensor, size: int = 280):
    """One ``(C, H, W)`` uint8 image, enlarged with crisp pixels to about ``size`` pixels wide."""
    return picture(image[None], scale=max(1, size // image.shape[-1]))


def source(key: str) -> Source | None:
    """The generator a data file names by ``key``; ``None`` for "real" or a key this version cannot read (a
    measurement made before sources had keys: the page then leaves it out, as a measurement of other weights)."""
    try:
        return Source.from_key(key)
    except ValueError:
        return None


def source_label(key: str, short: bool = False) -> str:
    """A generator (its :attr:`core.forensics.detector.Source.key`, ``mnist-flow-ot/euler-2-uncond-w1``) in the
    session's language: ``mnist-flow-ot (Euler, 2 steps, unconditional)``; ``short``: on two lines, without saying
    whether a class was asked."""
    if (s := source(key)) is None:
        return key
    kind = tr("spotting.source.conditional" if s.conditional else "spotting.source.unconditional")
    steps = tr("spotting.source.step" if s.steps == 1 else "spotting.source.steps", n=s.steps)
    method = s.method.upper() if s.method in ("ddim", "ddpm") else s.method.capitalize()
    details = [method, steps, *([] if short else [kind]), *([f"w = {s.guidance:g}"] if s.guidance != 1 else [])]
    return f"{s.model}{'<br>' if short else ' '}({', '.join(details)})"


def cue_text(item: QuizItem, data: str) -> str:
    """What gives a quiz image away (one of :data:`core.forensics.quiz.CUES`), in the session's language."""
    steps = s.steps if item.generated and (s := source(item.source)) is not None else 0
    key = {"real": f"real.{data}", "smooth": "smooth" if steps != 1 else "smooth.one"}.get(item.cue, item.cue)
    return tr(f"spotting.cue.{key}", steps=steps, confidence=percent(item.confidence))


def perturbation_label(name: str) -> str:
    """A perturbation of ``core.forensics.detector.PERTURBATIONS``, shortened, in the session's language."""
    key = "spotting.perturbation." + re.sub(r"\W+", "_", name.lower()).strip("_")
    return tr(key) if key in MESSAGES[DEFAULT] else name


def _mtime(path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


@st.cache_data(show_spinner=False)
def _read_report(path: str, mtime: float) -> dict:
    try:
        return json.loads(open(path, encoding="utf-8").read())
    except (OSError, ValueError):
        return {}


def report_key() -> float:
    """A cache key for the figures read from forensics.json or the manifest: it changes whenever they do."""
    return sum(_mtime(p) for p in (paths.forensics(), paths.manifest()))


def spectra_model_names(data: str) -> set[str]:
    """The generators with a measured spectrum for ``data`` (forensics.json)."""
    return {s.model for key in report().get("spectra", {}).get(data, {}) if (s := source(key)) is not None}


def spectra_models(data: str) -> tuple[tuple[str, str], ...]:
    """(name, sha256) of every generator with a measured spectrum for ``data``, as loaded (the spectra's cache key)."""

    loaded = {name: preloaded(name) for name in spectra_model_names(data)}
    return tuple(sorted((n, c.sha256) for n, c in loaded.items() if c is not None))


def report() -> dict:
    """``forensics.json`` (``{}`` when it is missing or unreadable)."""
    path = paths.forensics()
    return _read_report(str(path), _mtime(path))


def eps_spectrum_excess(curves: dict[str, dict]) -> tuple[float, float] | None:
    """Where the noise-predicting DDPM's radial spectrum rises above the real one at high frequency (the crossing at
    or after 0.4 cycles per pixel, linearly interpolated) and by how much at most (a share: 0.13 for 13 %)."""
    eps = next((c for name, c in curves.items() if name.startswith("mnist-ddpm-eps")), None)
    if eps is None or "real" not in curves:
        return None
    f = np.asarray(eps["freqs"])
    ratio = np.asarray(eps["power"]) / np.asarray(curves["real"]["power"])
    high = np.flatnonzero((f >= 0.4) & (ratio > 1))
    if not len(high):
        return None
    k = high[0]
    crossing = f[k] if k == 0 or ratio[k - 1] > 1 else f[k - 1] + (1 - ratio[k - 1]) / (ratio[k] - ratio[k - 1]) * (f[k] - f[k - 1])
    return float(crossing), float(ratio[f >= 0.4].max() - 1)


EVEN = ("mnist-ddpm-v-uncond", "mnist-flow-ot")  # the unconditional generators that keep every digit near 10 %
NULL_LABEL = ("mnist-ddpm-eps", "mnist-ddpm-x0")  # class-conditional nets asked for no digit (the null label, 10 %)


def facts() -> dict[str, float]:
    """The numbers the lesson quotes (:func:`ui.components.lessons.fill`), from forensics.json and the manifest,
    measured on the shipped weights (a measurement missing or made on other weights is left out). Read once per
    version of those files, for every session (three sections of the page quote them)."""
    return _facts(report_key())


@st.cache_data(show_spinner=False, max_entries=2)
def _facts(files_key: float) -> dict[str, float]:
    out: dict[str, float] = {}
    stages = [preloaded(name) for name in stage_names()]
    if all(c is not None for c in stages) and (rows := evolution_rows(tuple(c.sha256 for c in stages))):
        out["evolution_first"], out["evolution_last"] = rows[0]["frechet_ratio"], rows[-1]["frechet_ratio"]
    shares = []
    for name in EVEN:
        ckpt = preloaded(name)
        q = measured_quality(name, ckpt.sha256).get(UNCONDITIONAL["mnist"][name]) if ckpt is not None else None
        shares += q["class_histogram"] if q else []
    if shares:
        out["even_min"], out["even_max"] = min(shares), max(shares)
    spreads = []
    for name in NULL_LABEL:  # how much more often the commonest digit comes than the rarest
        ckpt = preloaded(name)
        q = measured_quality(name, ckpt.sha256).get(UNCONDITIONAL["mnist"][name]) if ckpt is not None else None
        spreads += [max(q["class_histogram"]) / min(q["class_histogram"])] if q else []
    if spreads:
        out["null_spread"] = max(spreads)
    reader = preloaded(CLASSIFIERS["cifar10"])
    if reader is not None and (accuracy := measured_quality(CLASSIFIERS["cifar10"], reader.sha256).get("heldout_accuracy")):
        out["cifar_judge"] = accuracy
        out["cifar_real_cat"] = judged_real("cifar10")[CIFAR10_CLASSES.index("cat")]
    flow = preloaded("cifar10-flow-ot")
    if flow is not None and (q := measured_quality("cifar10-flow-ot", flow.sha256).get(UNCONDITIONAL["cifar10"]["cifar10-flow-ot"])):
        out["cifar_cat"] = q["class_histogram"][CIFAR10_CLASSES.index("cat")]
    loaded = {name: c.sha256 for name, c in ((n, preloaded(n)) for n, _ in spectra_models("mnist")) if c is not None}
    if (excess := eps_spectrum_excess(spectra_curves("mnist", loaded))) is not None:
        out["eps_above_from"], out["eps_excess"] = excess
    return out


# ------------------------------------------------------------------ 1. evolution


@cache.data(max_entries=64)  # the page shows a spinner
def film_strip(stages: tuple[Checkpoint, ...], judge: Checkpoint, label: int, seed: int) -> dict:
    """Every stage's ``CANDIDATES`` samples of ``label`` (uint8 ``(k, stages, 1, 28, 28)``), the judge's
    probability of ``label`` for each, and the index of the best per stage (shipped for the default view)."""
    key = strip_key(tuple(c.sha256 for c in stages), label, seed, CANDIDATES, STRIP_STEPS)
    shipped = load_arrays(paths.SPOTTING / "film-strip.npz", key)
    return shipped or draw_film_strip(list(stages), judge.model, label=label, seed=seed, k=CANDIDATES, steps=STRIP_STEPS)


def film_strip_figure(strip: dict, steps: list[int], label: int) -> go.Figure:
    cells, probs, best = strip["cells"], strip["probs"], strip["best"]
    k, n, _, h, w = cells.shape
    m = mosaic(cells)
    fig = go.Figure(go.Image(source=png_uri(m), x0=0, y0=0, dx=1, dy=1, hoverinfo="skip"))
    shapes = []
    for c, (b, step) in enumerate(zip(best, steps)):
        x0, y0 = c * (w + PAD) - 1.5, b * (h + PAD) - 1.5
        shapes.append(dict(type="rect", x0=x0, y0=y0, x1=x0 + w + 3, y1=y0 + h + 3, line=dict(color=theme.WARNING, width=4)))
        fig.add_annotation(x=c * (w + PAD) + w / 2, y=-2, text=f"<b>{number(step)}</b>", showarrow=False, yanchor="bottom",
                           font=theme.font("emphasis"))
        fig.add_annotation(x=c * (w + PAD) + w / 2, y=k * (h + PAD), showarrow=False, yanchor="top",
                           text=percent(probs[b, c]), font=theme.font("label"))
    fig.add_annotation(x=-3, y=-2, text=tr("spotting.strip.steps"), showarrow=False, xanchor="right", yanchor="bottom",
                       font=theme.font("label"))
    fig.add_annotation(x=-3, y=k * (h + PAD), text=tr("spotting.strip.judge", label=label), showarrow=False, xanchor="right",
                       yanchor="top", font=theme.font("label"))
    H, W = m.shape[:2]
    fig.update_xaxes(visible=False, range=[-62, W + 6])
    fig.update_yaxes(visible=False, range=[H + 12, -14])
    fig.update_layout(shapes=shapes, height=470, margin=dict(l=0, r=0, t=10, b=0), font=FONT, dragmode=False,
                      plot_bgcolor="white")
    return fig


@cache.figure(max_entries=64)
def film_strip_chart(stages: tuple[Checkpoint, ...], judge: Checkpoint, label: int, seed: int) -> go.Figure:
    steps = [c.meta.get("steps", 0) for c in stages]
    return film_strip_figure(film_strip(stages, judge, label, seed), steps, label)


def evolution_rows(shas: tuple[str, ...]) -> list[dict]:
    """The measured quality of each stage, if it was measured on these weights."""
    stages = report().get("evolution", {}).get("stages", [])
    if [s.get("sha256") for s in stages] != list(shas):
        return []
    return stages


def spaced(steps: list[int], decades: float = 0.35) -> list[int]:
    """The steps to label on a log axis, so that their labels ("1 000", "2 000", "4 500") never run into each other:
    each at least ``decades`` from the one before; the last one too, in place of a neighbour too close to it."""
    kept = steps[:1]
    for s in steps[1:]:
        if np.log10(s / kept[-1]) >= decades:
            kept.append(s)
        elif s == steps[-1] and len(kept) > 1:
            kept[-1] = s
    return kept


def evolution_figure(rows: list[dict]) -> go.Figure:
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.14, subplot_titles=(tr("spotting.confident") + " ↑", tr("spotting.frechet") + " ↓"))
    x = [r["step"] for r in rows]
    style = dict(color=theme.MODEL, width=3)
    fig.add_scatter(x=x, y=[100 * r["confident_share"] for r in rows], mode="lines+markers", line=style, row=1, col=1,
                    showlegend=False)
    fig.add_scatter(x=x, y=[r["frechet_ratio"] for r in rows], mode="lines+markers", line=style, row=1, col=2,
                    showlegend=False)
    fig.add_hline(y=1.0, line=dict(color=theme.INK, dash="dot", width=1), row=1, col=2)
    ticks = spaced(x)
    fig.update_xaxes(type="log", tickvals=ticks, ticktext=[number(v) for v in ticks], title_text=tr("spotting.training_steps"),
                     tickfont=theme.font("label"), showgrid=True, gridcolor=theme.GRID)
    fig.update_yaxes(title_text=tr("spotting.share_of_samples"), range=[0, 101], row=1, col=1)
    fig.update_yaxes(type="log", title_text=tr("spotting.ratio_to_floor"), tickvals=[1, 2, 5, 10, 20], row=1, col=2)
    fig.update_yaxes(showgrid=True, gridcolor=theme.GRID, tickfont=theme.font("label"))
    fig.update_annotations(font=theme.font("emphasis"))
    fig.update_layout(height=330, font=FONT, margin=dict(l=60, r=20, t=40, b=50), plot_bgcolor="white")
    return fig


@cache.figure(max_entries=4)
def evolution_chart(shas: tuple[str, ...], mtime: float) -> go.Figure | None:
    rows = evolution_rows(shas)
    return evolution_figure(rows) if rows else None


# ------------------------------------------------------------------ 2. bias


def class_histogram_figure(real: list[float], models: dict[str, list[float]], data: str = "mnist") -> go.Figure:
    fig = go.Figure()
    digits = list(MNIST_CLASSES) if data == "mnist" else [tr(f"cifar.{c}") for c in CIFAR10_CLASSES]
    fig.add_bar(x=digits, y=[100 * v for v in real], name=tr(f"spotting.classes.real.{data}"), marker_color=theme.REAL)
    for (name, hist), colour in zip(models.items(), SOURCE_COLOURS):
        fig.add_bar(x=digits, y=[100 * v for v in hist], name=name, marker_color=colour)
    fig.add_hline(y=10, line=dict(color=theme.INK, dash="dot", width=1))
    fig.update_layout(barmode="group", height=380, font=FONT, margin=dict(l=60, r=10, t=10, b=40), plot_bgcolor="white",
                      bargap=0.18, legend=dict(orientation="h", x=0.5, xanchor="center", y=-0.22, font=theme.font("label")),
                      xaxis=dict(title_text=tr(f"spotting.classes.axis.{data}"), tickfont=theme.font("label"), dtick=1),
                      yaxis=dict(title_text=tr("spotting.share_of_samples"), showgrid=True, gridcolor=theme.GRID, tickfont=theme.font("label")))
    return fig


@cache.figure(max_entries=4)
def class_histogram_chart(data: str, shas: tuple[str, ...], mtime: float) -> tuple[go.Figure, dict[str, list[float]]] | None:
    """Unconditional samples of each model read by the judge (from the manifest), against held-out real images."""

    models = {}
    for (name, key), sha in zip(UNCONDITIONAL[data].items(), shas):
        q = measured_quality(name, sha).get(key)
        if q:
            models[tr("spotting.classes.name", model=name, n=number(q["n"]))] = q["class_histogram"]
    if not models:
        return None
    return class_histogram_figure(judged_real(data), models, data), models


@st.cache_data(show_spinner=False, max_entries=2)
def judged_real(data: str) -> list[float]:
    """The share of held-out real images the judge reads as each class: the generators' bars are the same judge's
    reading, so a bar above the real one is the model's excess, not the judge's habit (a CIFAR-10 judge that is right
    on two photos in three would otherwise pass its own bias off as the model's). Their true labels if the judge is
    missing."""
    ckpt = preloaded(CLASSIFIERS[data])
    images = mnist_split()[1] if data == "mnist" else split(cifar10())[1]
    if ckpt is None:
        return (torch.bincount(images.labels, minlength=10).double() / len(images.labels)).tolist()
    return read_classes(ckpt.model, to_model_range(images.images)).histogram


@cache.data(max_entries=64)  # the page shows a spinner
def guidance_grid(ckpt: Checkpoint, label: int, seed: int) -> np.ndarray:
    """``GRID_SAMPLES`` samples of ``label`` at each weight of :data:`GUIDANCE`, from the same noise: uint8 cells
    (shipped for the default view)."""
    key = grid_key(ckpt.sha256, label, seed, GUIDANCE, GRID_SAMPLES, STRIP_STEPS)
    shipped = load_arrays(paths.SPOTTING / "guidance-grid.npz", key)
    if shipped is not None:
        return shipped["cells"]
    return draw_guidance_grid(ckpt, label=label, seed=seed, weights=GUIDANCE, n=GRID_SAMPLES, steps=STRIP_STEPS)


def guidance_grid_figure(cells: np.ndarray) -> go.Figure:
    m = mosaic(cells)
    rows, _, _, h, _ = cells.shape
    fig = go.Figure(go.Image(source=png_uri(m), x0=0, y0=0, dx=1, dy=1, hoverinfo="skip"))
    for r, w in enumerate(GUIDANCE):
        text = f"<b>w = {w:g}</b>" + (f"<br>({tr('spotting.grid.no_label')})" if w == 0 else "")
        fig.add_annotation(x=-3, y=r * (h + PAD) + h / 2, text=text, showarrow=False, xanchor="right",
                           font=theme.font("label"))
    H, W = m.shape[:2]
    fig.update_xaxes(visible=False, range=[-72, W + 1])  # room for the row labels ("(sans étiquette)" in French)
    fig.update_yaxes(visible=False, range=[H + 1, -1])
    fig.update_layout(height=290, margin=dict(l=0, r=0, t=0, b=0), font=FONT, dragmode=False, plot_bgcolor="white")
    return fig


@cache.figure(max_entries=64)
def guidance_grid_chart(ckpt: Checkpoint, label: int, seed: int) -> go.Figure:
    return guidance_grid_figure(guidance_grid(ckpt, label, seed))


def guidance_report(sha: str) -> dict:
    g = report().get("guidance", {})
    return g if g.get("sha256") == sha else {}


def guidance_figure(g: dict) -> go.Figure:
    ws, rows = [r["w"] for r in g["rows"]], g["rows"]
    fig = make_subplots(rows=1, cols=3, horizontal_spacing=0.1,
                        subplot_titles=(tr("spotting.confident"), tr("spotting.spread"), tr("spotting.frechet")))
    style = dict(color=theme.MODEL, width=3)
    real = dict(color=theme.INK, dash="dot", width=1.5)
    fig.add_scatter(x=ws, y=[100 * r["confident_share"] for r in rows], mode="lines+markers", line=style, row=1, col=1)
    fig.add_hline(y=100 * g["real"]["confident_share"], line=real, row=1, col=1)
    fig.add_scatter(x=ws, y=[r["spread"] for r in rows], mode="lines+markers", line=style, row=1, col=2)
    fig.add_hline(y=g["real"]["spread"], line=real, row=1, col=2)
    fig.add_scatter(x=ws, y=[r["frechet_ratio"] for r in rows], mode="lines+markers", line=style, row=1, col=3)
    fig.add_hline(y=1.0, line=real, row=1, col=3)
    fig.update_xaxes(tickvals=ws, title_text=tr("spotting.guidance_w"), tickfont=theme.font("label"), showgrid=True, gridcolor=theme.GRID)
    fig.update_yaxes(showgrid=True, gridcolor=theme.GRID, tickfont=theme.font("label"))
    fig.update_yaxes(title_text="%", row=1, col=1)
    fig.update_yaxes(type="log", tickvals=[1, 2, 3, 4, 5], row=1, col=3)
    fig.update_annotations(font=theme.font("emphasis"))
    fig.update_layout(height=300, font=FONT, margin=dict(l=50, r=10, t=40, b=50), plot_bgcolor="white", showlegend=False)
    return fig


@cache.figure(max_entries=4)
def guidance_chart(sha: str, mtime: float) -> go.Figure | None:
    g = guidance_report(sha)
    return guidance_figure(g) if g else None


@st.cache_data(show_spinner=False)
def real_attributes(attribute: str) -> tuple[np.ndarray, np.ndarray]:
    held = mnist_split()[1]
    return ATTRIBUTES["mnist"][attribute](to_model_range(held.images)).numpy(), held.labels.numpy()


def attribute_figure(real: np.ndarray, generated: dict[float, np.ndarray], attribute: str, digit: int) -> go.Figure:
    fig = go.Figure()
    lo = min([float(real.min()), *(float(v.min()) for v in generated.values() if len(v))])
    hi = max([float(real.max()), *(float(v.max()) for v in generated.values() if len(v))])
    bins = dict(start=lo, end=hi, size=(hi - lo) / 24 or 1)
    fig.add_histogram(x=real, xbins=bins, histnorm="probability density",
                      name=tr("spotting.attribute.real_digits", digit=digit),
                      marker_color=theme.REAL, opacity=0.9)
    for (w, values), colour in zip(generated.items(), (theme.PAIRING_COLOURS["random"], theme.PAIRING_COLOURS["ot"])):
        fig.add_histogram(x=values, xbins=bins, histnorm="probability density", name=tr("spotting.attribute.generated", w=f"{w:g}"),
                          marker_color=colour, opacity=0.6)
    fig.update_layout(barmode="overlay", height=300, font=FONT, margin=dict(l=50, r=10, t=10, b=50), plot_bgcolor="white",
                      legend=dict(x=1, xanchor="right", y=1, font=theme.font("label"), bgcolor=theme.LEGEND_BACKGROUND),
                      xaxis=dict(title_text=tr(f"spotting.attribute.{attribute}.axis"), tickfont=theme.font("label")),
                      yaxis=dict(title_text=tr("spotting.density"), showgrid=True, gridcolor=theme.GRID, tickfont=theme.font("label")))
    return fig


@cache.figure(max_entries=64)
def attribute_chart(sha: str, mtime: float, attribute: str, digit: int, w: float) -> tuple[go.Figure, dict] | None:
    """Attribute ``attribute`` of the judge's ``digit``s: real, and generated at w = 1 and at ``w``."""
    g = guidance_report(sha)
    if not g:
        return None
    real, labels = real_attributes(attribute)
    gen = {}
    for row in g["rows"]:
        if row["w"] in (1.0, w):
            keep = np.asarray(row["predicted"]) == digit
            gen[row["w"]] = np.asarray(row["attributes"][attribute])[keep]
    stats = {"real": (float(real[labels == digit].mean()), float(real[labels == digit].std()))}
    stats.update({w_: (float(v.mean()), float(v.std())) for w_, v in gen.items() if len(v) > 1})
    return attribute_figure(real[labels == digit], gen, attribute, digit), stats


# ------------------------------------------------------------------ 3. spotting


def spectra_figure(curves: dict[str, dict], title: str) -> go.Figure:
    """Left: each curve's power (log scale, zero frequency left out: the mean was removed). Right: each
    generator's power divided by the real images' at the same frequency (below 1: too smooth)."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1,
                        subplot_titles=(tr("spotting.spectra.title", data=title), tr("spotting.spectra.relative")))
    real_power = np.asarray(curves["real"]["power"])
    for (name, c), colour in zip(curves.items(), (REAL_COLOUR, *SOURCE_COLOURS)):
        real = name == "real"
        f, p = np.asarray(c["freqs"])[1:], np.asarray(c["power"])[1:]
        style = dict(color=colour, width=4 if real else 2.5)
        fig.add_scatter(x=f, y=p, mode="lines", name=tr("spotting.spectra.real") if real else source_label(name), line=style, legendgroup=name,
                        row=1, col=1)
        fig.add_scatter(x=f, y=p / real_power[1:], mode="lines", line=style, legendgroup=name, showlegend=False,
                        row=1, col=2)
    for col in (1, 2):
        fig.add_vline(x=0.5, line=dict(color=theme.INK, dash="dot", width=1), row=1, col=col)
    fig.add_annotation(x=0.5, y=1, yref="y2 domain", xref="x2", text=" Nyquist", showarrow=False, xanchor="left",
                       yanchor="top", font=theme.font("small"))
    fig.update_xaxes(title_text=tr("spotting.spectra.frequency"), showgrid=True, gridcolor=theme.GRID,
                     tickfont=theme.font("label"), range=[0, 0.71])
    fig.update_yaxes(type="log", title_text=tr("spotting.spectra.power"), showgrid=True, gridcolor=theme.GRID, dtick=1, tickfont=theme.font("label"),
                     exponentformat="power", row=1, col=1)
    fig.update_yaxes(title_text=tr("spotting.spectra.ratio"), showgrid=True, gridcolor=theme.GRID, tickfont=theme.font("label"),
                     row=1, col=2)
    fig.update_annotations(font=theme.font("emphasis"))
    fig.update_layout(height=520, font=FONT, margin=dict(l=70, r=10, t=40, b=40), plot_bgcolor="white", legend=theme.LEGEND_UNDER)
    return fig


def spectra_2d_figure(curves: dict[str, dict]) -> go.Figure:
    """The real images' mean 2-D power (log scale, grey) and, for each generator, its power divided by the
    real one at every frequency (log scale: blue where it has less energy, red where it has more)."""
    names = [n for n in curves if n != "real"]
    real = np.asarray(curves["real"]["log10_power_2d"])
    fig = make_subplots(rows=1, cols=1 + len(names), horizontal_spacing=0.012,
                        subplot_titles=[tr("spotting.spectra.real_images"), *(source_label(n, short=True) for n in names)])
    lo, hi = np.percentile(real, [2, 99.5])  # the removed mean leaves one empty pixel at the centre: not the scale
    grey = (255 * ((real - lo) / max(1e-9, hi - lo)).clip(0, 1)).astype(np.uint8)
    fig.add_trace(go.Image(z=np.repeat(grey[..., None], 3, -1), hoverinfo="skip"), row=1, col=1)
    for c, name in enumerate(names, start=2):
        ratio = np.asarray(curves[name]["log10_power_2d"]) - real
        fig.add_trace(go.Heatmap(z=ratio, zmin=-0.5, zmax=0.5, colorscale="RdBu", reversescale=True, showscale=c == 2,
                                 colorbar=dict(title=dict(text=tr("spotting.spectra.ratio_bar")), tickvals=[-0.5, 0, 0.5],
                                               ticktext=["÷3", "1", "×3"], len=0.9, thickness=14,
                                               tickfont=theme.font("label")),
                                 hovertemplate=tr("spotting.spectra.hover") + "<extra></extra>"), row=1, col=c)
        fig.update_yaxes(autorange="reversed", scaleanchor=f"x{c}", row=1, col=c)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_annotations(font=theme.font("small"))
    fig.update_layout(height=250, margin=dict(l=0, r=0, t=50, b=0), font=FONT, dragmode=False, plot_bgcolor="white")
    return fig


@cache.figure(max_entries=8)
def spectra_2d_chart(data: str, shas: tuple[tuple[str, str], ...], mtime: float) -> go.Figure | None:
    curves = spectra_curves(data, dict(shas))
    if len(curves) < 2 or not all("log10_power_2d" in c for c in curves.values()):
        return None
    return spectra_2d_figure(curves)


def spectra_curves(data: str, shas: dict[str, str]) -> dict[str, dict]:
    """The measured spectra of ``data``: real first, then each generator measured on the shipped weights."""
    curves = report().get("spectra", {}).get(data, {})
    return {key: c for key, c in curves.items()
            if key == "real" or ((s := source(key)) is not None and shas.get(s.model) == c.get("sha256"))}


@cache.figure(max_entries=8)
def spectra_chart(data: str, shas: tuple[tuple[str, str], ...], mtime: float) -> go.Figure | None:
    curves = spectra_curves(data, dict(shas))
    if len(curves) < 2:
        return None
    title = "MNIST" if data == "mnist" else "CIFAR-10"
    return spectra_figure(curves, title)


@st.cache_data(show_spinner=False, max_entries=32)
def upsampled(digit: int) -> dict[str, np.ndarray]:
    """A held-out digit and its 2x up-samplings, with the log-magnitude spectrum of each."""
    x = to_model_range(mnist_split()[1].images[digit : digit + 1])
    out = {"original": x}
    out.update({m: upsample(x, m) for m in ("nearest", "bilinear", "transposed")})
    return {name: (to_uint8(img.clamp(-1, 1))[0, 0].numpy(), log_magnitude(img[0]).numpy()) for name, img in out.items()}


def upsampling_figure(cells: dict[str, tuple[np.ndarray, np.ndarray]]) -> go.Figure:
    """Top: each image; bottom: its log-magnitude spectrum, white where the energy is (zero frequency at the centre)."""
    fig = make_subplots(rows=2, cols=4, horizontal_spacing=0.02, vertical_spacing=0.05,
                        subplot_titles=[tr(f"spotting.upsampling.{k}") for k in cells])
    for c, (image, spectrum) in enumerate(cells.values(), start=1):
        fig.add_trace(go.Image(z=np.repeat(image[..., None], 3, -1), hoverinfo="skip"), row=1, col=c)
        grey = (255 * spectrum / spectrum.max()).astype(np.uint8)
        fig.add_trace(go.Image(z=np.repeat(grey[..., None], 3, -1), hoverinfo="skip"), row=2, col=c)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_annotations(font=theme.font("label"))
    fig.update_layout(height=430, margin=dict(l=0, r=0, t=30, b=0), font=FONT, dragmode=False, plot_bgcolor="white")
    return fig


@cache.figure(max_entries=32)
def upsampling_chart(digit: int) -> go.Figure:
    return upsampling_figure(upsampled(digit))


@cache.resource(max_entries=2)  # the page shows a spinner
def pool(data: str, ckpts: tuple[Checkpoint, ...]) -> list[QuizItem]:
    """The quiz's images for ``data`` (shared read-only by every session; each session draws its own order): the
    shipped pool if it was drawn by these weights (``ckpts``: the generators', then the judge's), else a new one."""
    return load_pool(pool_path(data), tuple(c.sha256 for c in ckpts)) or quiz_pool(data, ckpts[-1].model)


@cache.data(max_entries=2)
def detector_verdicts(data: str, ckpts: tuple[Checkpoint, ...], detector: Checkpoint) -> np.ndarray:
    """The shipped detector's probability "generated" for every item of the MNIST pool."""
    images = to_model_range(torch.stack([item.image for item in pool(data, ckpts)]))
    with torch.no_grad():
        return detector.model(images).softmax(-1)[:, GENERATED].numpy()


def detection_figure(d: dict) -> go.Figure:
    # the right panel's labels (the perturbations) sit in the gap between the panels: it is wide enough for them
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.36, column_widths=[0.55, 0.45],
                        subplot_titles=(tr("spotting.detection.sources"), tr("spotting.detection.perturbations")))
    sources = d["sources"]
    names = [source_label(s["source"]).replace(" (", "<br>(") for s in sources]
    colours = [SEEN if s["seen"] else UNSEEN for s in sources]
    fig.add_bar(y=names, x=[100 * s["called_generated"] for s in sources], orientation="h", marker_color=colours,
                text=[f"{100 * s['called_generated']:.0f} %" for s in sources], textposition="inside", row=1, col=1,
                showlegend=False, insidetextfont=theme.font("label", color="white"))
    perts = d["perturbations"]
    for key, colour in (("real_called_real", theme.REAL_CALLED_REAL), ("generated_called_generated", theme.MODEL)):
        name = tr(f"spotting.detection.{key}")
        fig.add_bar(y=[perturbation_label(p["perturbation"]) for p in perts], x=[100 * p[key] for p in perts],
                    orientation="h",
                    marker_color=colour, name=name, row=1, col=2, text=[f"{100 * p[key]:.0f}" for p in perts],
                    textposition="outside", textfont=theme.font("small"), cliponaxis=False)
    fig.update_xaxes(range=[0, 100], title_text="%", tickfont=theme.font("label"), showgrid=True, gridcolor=theme.GRID)
    fig.update_xaxes(range=[0, 110], row=1, col=2)
    fig.update_yaxes(autorange="reversed", tickfont=theme.font("small"))
    fig.update_annotations(font=theme.font("emphasis"))
    fig.update_layout(height=480, font=FONT, margin=dict(l=10, r=30, t=40, b=50), plot_bgcolor="white", barmode="group",
                      bargap=0.25, legend=theme.LEGEND_UNDER | dict(x=1, xanchor="right"))
    return fig


def detection_report(detector_sha: str) -> dict:

    return measured_quality("mnist-detector", detector_sha).get("detection", {})


@cache.figure(max_entries=4)
def detection_chart(detector_sha: str, mtime: float) -> go.Figure | None:
    d = detection_report(detector_sha)
    return detection_figure(d) if d.get("sources") else None


def warm() -> None:
    """Compute what the page shows before any click (``ui.resources.warm`` calls this once, at server start), in
    the default language (the warm-up thread has no session: :func:`ui.i18n.language` gives the default)."""

    ckpts = tuple(preloaded(name) for name in stage_names())
    judge = preloaded("mnist-classifier")
    if judge is not None and all(c is not None for c in ckpts):
        v = DEFAULT_VIEW
        film_strip_chart(ckpts, judge, v["label"], v["seed"])
        guidance_grid_chart(ckpts[-1], v["bias_digit"], v["seed"])
    upsampling_chart(DEFAULT_VIEW["upsample_digit"])
    key, v = report_key(), DEFAULT_VIEW
    if all(c is not None for c in ckpts):
        evolution_chart(tuple(c.sha256 for c in ckpts), key)
        guidance_chart(ckpts[-1].sha256, key)
        attribute_chart(ckpts[-1].sha256, key, v["attribute"], v["bias_digit"], v["w"])
    uncond = [preloaded(name) for name in UNCONDITIONAL["mnist"]]
    if all(c is not None for c in uncond):
        class_histogram_chart("mnist", tuple(c.sha256 for c in uncond), key)
    shas = spectra_models("mnist")
    spectra_chart("mnist", shas, key), spectra_2d_chart("mnist", shas, key)
    detector = preloaded("mnist-detector")
    if detector is not None:
        detection_chart(detector.sha256, key)
    detector = preloaded("mnist-detector")
    for data in ("mnist", "cifar10"):
        models = [preloaded(s.model) for s in QUIZ_SOURCES[data]] + [preloaded(CLASSIFIERS[data])]
        if all(c is not None for c in models):
            pool(data, tuple(models))
            if data == "mnist" and detector is not None:
                detector_verdicts(data, tuple(models), detector)
