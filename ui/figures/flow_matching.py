"""The flow-matching page (Part 8): its cached computations and its Plotly figures (pairings, loss curves,
vector fields, paths, solver errors).

Colours are the same everywhere on the page: source points grey, target points green,
the random-pairing model orange and the OT-pairing model blue.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch
from plotly.subplots import make_subplots

from core import progress
from core.data import sample_toy
from core.export import cloud_frames, gif_bytes, side_by_side
from core.flow import wasserstein2
from core.flow.toy import (
    Pairs,
    SolveReport,
    VectorField,
    error_curve,
    flow_samples,
    reference_solution,
    sample_pairs,
    solve_report,
    vector_field,
)
from core.images import picture
from core.io import Checkpoint
from core.live.toy_flow import ToyFlowConfig, train_both
from core.sampling import generate
from ui import jobs, theme
from ui.figures.animation import controls
from ui.figures.loss import Curve, loss_figure
from ui.i18n import decimal, percent, tr
from ui.resources import cache
from ui.resources.models import measured_quality, preloaded
from ui.resources.warm import default_flows

MNIST_MODELS = {"random": "mnist-flow-random", "ot": "mnist-flow-ot"}
UNCONDITIONAL = {"random": "mnist-flow-random-uncond", "ot": "mnist-flow-ot-uncond"}
"""The models for "any digit": trained without labels, for the same steps and batch (issue 26)."""


def mnist_models(label: int | None) -> dict[str, str]:
    """The two models a row of digits compares: for "any digit" (``label`` None) the two trained without labels, when
    both are shipped (the pairings compared with equal training); else the class-conditional pair."""
    if label is None and all(preloaded(name) is not None for name in UNCONDITIONAL.values()):
        return UNCONDITIONAL
    return MNIST_MODELS
DOPRI5_POINTS = 20  # points at which a Dopri5 path is reported and drawn (it chooses its own steps between them)
STEP_COUNTS = (1, 2, 5, 10)  # Euler steps of the image models' sample rows


def frontier(models: dict[str, str]) -> dict[str, dict[int, dict]] | None:
    """The judged quality of each model of ``models`` at each of :data:`STEP_COUNTS` Euler steps, unconditional, as
    measured offline on 1,000 samples (``python -m core.evaluate``, the manifest); ``None`` if a figure is missing."""
    out = {}
    for how, name in models.items():
        ckpt = preloaded(name)
        quality = measured_quality(name, ckpt.sha256) if ckpt is not None else {}
        rows = {k: quality.get(f"euler-{k}-uncond-w1") for k in STEP_COUNTS}
        if any(v is None for v in rows.values()):
            return None
        out[how] = rows
    return out


def fewest_steps(rows: dict[int, dict], level: float) -> int | None:
    """The fewest of :data:`STEP_COUNTS` at which both judges are confident on at least ``level`` of the samples."""
    return next((k for k in STEP_COUNTS if rows[k]["both_confident_share"] >= level), None)


ALIKE = 0.03
"""Two shares of confidently read samples this close (3 points) are alike: 1,000 samples measure a share to about
1.1 points (one standard error at 86 %)."""


def frontier_verdict(measured: dict[str, dict[int, dict]]) -> list[tuple[str, dict]]:
    """What the frontier says, as message keys and their values: the largest step count whose random-pairing quality
    OT pairing reaches in fewer steps (``fewer``), if any; then how the two compare at the most steps (``top``: alike,
    ``ahead``: OT pairing better, ``never``: OT pairing below random pairing)."""
    share = {how: {k: rows[k]["both_confident_share"] for k in STEP_COUNTS} for how, rows in measured.items()}
    out = []
    saved = [(k, fewest_steps(measured["ot"], share["random"][k])) for k in STEP_COUNTS]
    saved = [(k, k_ot) for k, k_ot in saved if k_ot is not None and k_ot < k]
    if saved:
        k, k_ot = saved[-1]
        out.append(("fewer", {"k": k, "k_ot": k_ot, "level": percent(share["random"][k])}))
    top = STEP_COUNTS[-1]
    if not saved or saved[-1][0] != top:
        gap = share["ot"][top] - share["random"][top]
        key = "never" if gap < 0 else "top" if gap <= ALIKE else "ahead"
        out.append((key, {"top": top, "random": percent(share["random"][top]), "ot": percent(share["ot"][top])}))
    return out
PHOTO_MODEL = "cifar10-flow-ot"
DEFAULT_VIEW = {"n_pairs": 64, "t": 0.5, "method": "euler", "ode_steps": 4, "seed": 0,  # the widgets' defaults
                "photo_class": 1, "photo_guidance": 2.0}  # w = 2: confident and varied (docs/MODELS.md)

COLORS = theme.PAIRING_COLOURS
SOURCE, TARGET = theme.SOURCE, theme.TARGET
FONT = theme.FONT
LIM = theme.TOY_VIEW
# Points drawn per panel (the metrics use all of them): every marker is an SVG node that the browser lays out again
# whenever the figure changes, and 300 draw the shapes as clearly as 1000 (a move of t or of the steps took 1-1.5 s
# of the browser's main thread with 1000 target points and 400 particles per panel, 0.4-0.7 s with these).
SHOWN_TARGET, SHOWN_PARTICLES, SHOWN_ENDS = 300, 250, 300


def flow_run(cfg: ToyFlowConfig) -> jobs.Run:
    """The page's live run: the random-pairing model, then the OT-pairing one, ``cfg.steps`` steps each (together with
    the class's other runs)."""
    return jobs.Run(lambda progress: train_both(cfg, progress.report, trainer=jobs.together.train), 2 * cfg.steps,
                    config=cfg, with_class=True)


def solver_name(method: str) -> str:
    """``Euler``, ``Heun``, ``RK4``, ``Dopri5 (adaptive)``: the solver as the page names it."""
    return tr(f"flow.solver.{method}")


def pairing_name(how: str, short: bool = False) -> str:
    """``random pairing`` / ``OT pairing``, or with ``short`` ``random`` / ``OT``."""
    return tr(f"flow.short.{how}" if short else f"flow.pairing.{how}")


def _segments(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y coordinates of segments ``a_i -> b_i`` joined by ``None`` gaps, for one Scatter trace."""
    n = len(a)
    xs = np.full(3 * n, np.nan)
    ys = np.full(3 * n, np.nan)
    xs[0::3], xs[1::3] = a[:, 0], b[:, 0]
    ys[0::3], ys[1::3] = a[:, 1], b[:, 1]
    return xs, ys


def _square_axes(fig: go.Figure, cols: int, lim: float = LIM) -> None:
    for c in range(1, cols + 1):
        fig.update_xaxes(range=[-lim, lim], title_text=tr("flow.axis.x1"), row=1, col=c, zeroline=False, showgrid=False,
                         constrain="domain", dtick=2)
        fig.update_yaxes(range=[-lim, lim], title_text=tr("flow.axis.x2"), row=1, col=c, zeroline=False, showgrid=False,
                         scaleanchor=f"x{'' if c == 1 else c}", scaleratio=1, constrain="domain", dtick=2)


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(height=height, font=FONT, margin=dict(l=50, r=20, t=70, b=50), plot_bgcolor="white",
                      legend=dict(orientation="h", yanchor="bottom", y=-0.25, xanchor="center", x=0.5))
    fig.update_annotations(font_size=theme.size("emphasis"))
    return fig


def pairs_figure(pairs: dict[str, Pairs]) -> go.Figure:
    """Side by side: each source point joined to its target point, under each pairing."""
    keys = list(pairs)
    fig = make_subplots(rows=1, cols=len(keys), horizontal_spacing=0.08,
                        subplot_titles=[tr("flow.fig.pairs.title", pairing=pairing_name(k, short=True), crossings=pairs[k].crossings,
                                           cost=f"{pairs[k].cost:.0f}") for k in keys])
    for c, k in enumerate(keys, start=1):
        p = pairs[k]
        x, y = p.x.numpy(), p.y.numpy()
        sx, sy = _segments(x, y)
        first = c == 1
        fig.add_trace(go.Scatter(x=sx, y=sy, mode="lines", line=dict(color=COLORS[k], width=1.3), opacity=0.7,
                                 name=tr("flow.fig.pairs", pairing=pairing_name(k)), hoverinfo="skip"), row=1, col=c)
        fig.add_trace(go.Scatter(x=x[:, 0], y=x[:, 1], mode="markers", marker=dict(color=SOURCE, size=7),
                                 name=tr("flow.fig.source"), showlegend=first, legendgroup="X"), row=1, col=c)
        fig.add_trace(go.Scatter(x=y[:, 0], y=y[:, 1], mode="markers", marker=dict(color=TARGET, size=7),
                                 name=tr("flow.fig.target"), showlegend=first, legendgroup="Y"), row=1, col=c)
    _square_axes(fig, len(keys))
    return _layout(fig, 520)


def flow_loss_figure(losses: dict[str, list[float]], steps: int) -> go.Figure:
    """Each pairing's training loss (:func:`ui.figures.loss.loss_figure`), random pairing first."""
    curves = [Curve(values, COLORS[k], pairing_name(k)) for k, values in losses.items()]
    return loss_figure(curves, steps, title=tr("flow.fig.loss.title"), y_title=tr("flow.fig.loss.y"), height=360)


def _arrows(pts: np.ndarray, vel: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Arrow shafts and two-stroke heads from ``pts`` along ``scale * vel``, as one line trace."""
    tip = pts + scale * vel
    d = tip - pts
    length = np.linalg.norm(d, axis=1, keepdims=True).clip(min=1e-9)
    u = d / length
    head = np.minimum(0.35 * length, 0.18)
    normal = np.stack([-u[:, 1], u[:, 0]], axis=1)
    left = tip - head * (u * 0.9 + normal * 0.5)
    right = tip - head * (u * 0.9 - normal * 0.5)
    n = len(pts)
    xs = np.full(6 * n, np.nan)
    ys = np.full(6 * n, np.nan)
    for i, p in enumerate((pts, tip, left, tip, right)):  # shaft, left barb, back, right barb; slot 5 is a gap
        xs[i::6], ys[i::6] = p[:, 0], p[:, 1]
    return xs, ys


FIELD_TIMES = tuple(round(0.05 * k, 2) for k in range(21))  # the field's frames: t = 0, 0.05, ..., 1


def field_figure(views: list[tuple[dict[str, VectorField], dict[str, torch.Tensor]]], target: torch.Tensor,
                 start: int = 0) -> go.Figure:
    """The learned velocity ``v(x, t)`` as arrows on a grid, with the samples carried to time ``t``: one frame per
    ``(fields, particles)`` of ``views`` (one per t), played and scrubbed in the browser, opening at frame ``start``."""
    keys = list(views[0][0])
    spacing = float(np.diff(np.unique(views[0][0][keys[0]].points[:, 0].numpy()))[0])
    titles = [[tr("flow.fig.field.title", pairing=pairing_name(k, short=True), t=decimal(fields[k].t, 2)) for k in keys]
              for fields, _ in views]

    def moving(fields: dict[str, VectorField], particles: dict[str, torch.Tensor]) -> list[go.Scatter]:
        """Per panel: the samples at t and the arrows (the longest spans 0.9 grid cells, on both panels)."""
        vmax = max(float(f.velocity.norm(dim=1).max()) for f in fields.values())
        out = []
        for k in keys:
            p = particles[k].numpy()
            ax, ay = _arrows(fields[k].points.numpy(), fields[k].velocity.numpy(), 0.9 * spacing / max(vmax, 1e-9))
            out += [go.Scatter(x=p[:, 0], y=p[:, 1]), go.Scatter(x=ax, y=ay)]
        return out

    fig = make_subplots(rows=1, cols=len(keys), horizontal_spacing=0.08, subplot_titles=titles[start])
    tgt = target.numpy()[:SHOWN_TARGET]
    first_frame = moving(*views[start])
    for c, k in enumerate(keys, start=1):
        first = c == 1
        fig.add_trace(go.Scatter(x=tgt[:, 0], y=tgt[:, 1], mode="markers", marker=dict(color=TARGET, size=5, opacity=0.35),
                                 name=tr("flow.fig.target_y"), showlegend=first, legendgroup="Y", hoverinfo="skip"), row=1, col=c)
        samples, arrows = first_frame[2 * (c - 1)], first_frame[2 * (c - 1) + 1]
        fig.add_trace(samples.update(mode="markers", marker=dict(color=COLORS[k], size=5, opacity=0.7), hoverinfo="skip",
                                     name=tr("flow.fig.field.samples", pairing=pairing_name(k))), row=1, col=c)
        fig.add_trace(arrows.update(mode="lines", line=dict(color=theme.INK, width=1.4), name=tr("flow.fig.field.velocity"),
                                    showlegend=first, legendgroup="v", hoverinfo="skip"), row=1, col=c)
    moved = [i for c in range(len(keys)) for i in (3 * c + 1, 3 * c + 2)]  # each panel's samples and arrows
    heads = [a.to_plotly_json() for a in fig.layout.annotations]  # the subplot titles: their text follows the frame
    names = [f"{fields[keys[0]].t:g}" for fields, _ in views]  # the values a link gives (fm_t=0.25)
    fig.frames = [go.Frame(data=moving(*view), traces=moved, name=name,
                           layout=dict(annotations=[{**h, "text": t} for h, t in zip(heads, titles[i])]))
                  for i, (view, name) in enumerate(zip(views, names))]
    _square_axes(fig, len(keys))
    _layout(fig, 600)  # room for the slider and the buttons under the panels, the legend above them
    fig.update_layout(margin=dict(l=50, r=20, t=110, b=160), legend=dict(y=1.14, yanchor="bottom"),
                      **controls(names, [decimal(float(n), 2) for n in names], redraw=True, duration=250, top=60,
                                 active=start))
    return fig


def straightness_text(value: float) -> str:
    """``0.987``, or a dash for one step (a single Euler step is a straight segment by construction)."""
    return tr("flow.fig.one_step") if math.isnan(value) else decimal(value, 3)


def trajectories_figure(reports: dict[str, SolveReport], target: torch.Tensor, max_paths: int = 150) -> go.Figure:
    """Solved paths from the source (grey) to where they land (colour), over target samples (faint green)."""
    keys = list(reports)
    fig = make_subplots(rows=1, cols=len(keys), horizontal_spacing=0.08,
                        subplot_titles=[tr("flow.fig.paths.title", pairing=pairing_name(k, short=True),
                                           value=straightness_text(reports[k].straightness)) for k in keys])
    tgt = target.numpy()[:SHOWN_TARGET]
    for c, k in enumerate(keys, start=1):
        first = c == 1
        traj = reports[k].solution.trajectory.numpy()  # (K + 1, n, 2)
        m = min(max_paths, traj.shape[1])
        gap = np.full((1, m), np.nan)
        xs = np.vstack([traj[:, :m, 0], gap]).T.reshape(-1)  # path 0, gap, path 1, gap, ...
        ys = np.vstack([traj[:, :m, 1], gap]).T.reshape(-1)
        fig.add_trace(go.Scatter(x=tgt[:, 0], y=tgt[:, 1], mode="markers", marker=dict(color=TARGET, size=5, opacity=0.35),
                                 name=tr("flow.fig.target_y"), showlegend=first, legendgroup="Y", hoverinfo="skip"), row=1, col=c)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=COLORS[k], width=1.2), opacity=0.55,
                                 name=tr("flow.fig.paths", pairing=pairing_name(k)), hoverinfo="skip"), row=1, col=c)
        fig.add_trace(go.Scatter(x=traj[0, :m, 0], y=traj[0, :m, 1], mode="markers", marker=dict(color=SOURCE, size=5),
                                 name=tr("flow.fig.paths.start"), showlegend=first, legendgroup="X", hoverinfo="skip"), row=1, col=c)
        end = traj[-1, :SHOWN_ENDS]
        fig.add_trace(go.Scatter(x=end[:, 0], y=end[:, 1], mode="markers", marker=dict(color=COLORS[k], size=4),
                                 name=tr("flow.fig.paths.end", pairing=pairing_name(k)), hoverinfo="skip"), row=1, col=c)
    _square_axes(fig, len(keys))
    return _layout(fig, 560)


def error_figure(curves: dict[str, tuple[list[int], list[float]]], current: dict[str, tuple[int, float]], method: str) -> go.Figure:
    """Solver error (distance to a tight Dopri5 solve) against the NFE, log-log, the current setting marked."""
    fig = go.Figure()
    for k, (nfe, err) in curves.items():
        fig.add_trace(go.Scatter(x=nfe, y=np.maximum(err, 1e-7), mode="lines+markers", line=dict(color=COLORS[k], width=3),
                                 marker=dict(size=8), name=pairing_name(k)))
        if k in current:
            n, e = current[k]
            fig.add_trace(go.Scatter(x=[n], y=[max(e, 1e-7)], mode="markers", showlegend=False,
                                     marker=dict(color=COLORS[k], size=18, symbol="star", line=dict(color="black", width=1)),
                                     hovertemplate=tr("flow.fig.error.hover")))
    fig.update_layout(title=tr("flow.fig.error.title", solver=method), xaxis_title=tr("flow.fig.error.x"),
                      yaxis_title=tr("flow.fig.error.y"), xaxis_type="log", yaxis_type="log")
    # ticks at the NFE the curves were measured at and at powers of ten only (no crowded minor labels)
    fig.update_xaxes(tickvals=sorted({n for nfe, _ in curves.values() for n in nfe}))
    fig.update_yaxes(dtick=1, exponentformat="power")
    fig = _layout(fig, 400)
    fig.update_layout(legend=dict(orientation="v", yanchor="top", y=0.98, xanchor="right", x=0.98, bgcolor=theme.LEGEND_BACKGROUND))
    return fig


# ---------------------------------------------------------------- cached computations


def default_model_id(source: str, target: str) -> str:
    """Cache key of the pair of models trained with the default settings (``ui.resources.warm.default_flows``)."""
    return f"default:{source}:{target}"


@st.cache_data(show_spinner=False, max_entries=64)
def pairs_view(source: str, target: str, n: int, seed: int):
    return {how: sample_pairs(source, target, n, how, seed=seed) for how in ("random", "ot")}


@st.cache_data(show_spinner=False, max_entries=256)
def field_views(model_id: str, _models, source: str, seed: int) -> list:
    """The fields and the carried samples at every t of :data:`FIELD_TIMES`: ``[(fields, particles), ...]``."""
    paths = particle_paths(model_id, _models, source, seed)  # a 20-step RK4 solve, read at every step
    return [({how: vector_field(r.model, t) for how, r in _models.items()}, {how: path[k] for how, path in paths.items()})
            for k, t in enumerate(FIELD_TIMES)]


@st.cache_data(show_spinner=False, max_entries=32)
def particle_paths(model_id: str, _models, source: str, seed: int) -> dict[str, torch.Tensor]:
    """Source points carried by each model (RK4, 20 steps): ``(21, SHOWN_PARTICLES, 2)``, read by the field at every t."""
    return {how: flow_samples(r.model, source, SHOWN_PARTICLES, "rk4", 20, seed=seed).trajectory for how, r in _models.items()}


@st.cache_data(show_spinner=False, max_entries=32)
def references(model_id: str, _models, source: str, seed: int) -> dict[str, torch.Tensor]:
    """Each model's Dopri5 solve at tolerance 1e-6 from the solver table's points: the same for every solver."""
    return {how: reference_solution(r.model, source, seed=seed) for how, r in _models.items()}


@st.cache_data(show_spinner=False, max_entries=256)  # the page shows a spinner
def solver_view(model_id: str, _models, source: str, target: str, method: str, steps: int, seed: int):
    ref = references(model_id, _models, source, seed)
    reports = {how: solve_report(r.model, source, target, method, steps, seed=seed, ref=ref[how]) for how, r in _models.items()}
    return reports, sample_toy(target, 1000, seed=seed + 1)


@st.cache_data(show_spinner=False, max_entries=64)
def error_view(model_id: str, _models, source: str, method: str, seed: int):
    return {how: error_curve(r.model, source, method, seed=seed) for how, r in _models.items()}


@st.cache_data(show_spinner=False, max_entries=64)
def sampling_noise_w2(target: str, seed: int) -> float:
    """W2 between two independent samples of 1000 target points: the floor of the W2 column."""
    return wasserstein2(sample_toy(target, 1000, seed=seed + 7919), sample_toy(target, 1000, seed=seed + 104729))


@cache.shared(max_entries=128)  # the page shows a spinner
def samples_row(ckpt: Checkpoint, label: int | None, guidance: float, seed: int, n: int = 8, ncols: int = 4):
    """One image model's ``n`` samples at each step count of ``STEP_COUNTS``: ``[(steps, nfe, image)]``."""
    out, total = [], sum(STEP_COUNTS)
    for k, steps in enumerate(STEP_COUNTS):
        with progress.part(sum(STEP_COUNTS[:k]) / total, sum(STEP_COUNTS[: k + 1]) / total):  # a share per network call
            gen = generate(ckpt, n, steps=steps, method="euler", seed=seed, label=label, guidance=guidance)
        out.append((steps, gen.nfe, picture(gen.images, ncols, scale=2, pad=2)))
    return out


# Figures too: building a Plotly figure costs 60-70 ms here, more than reading its data from a cache.
# ``st.cache_resource`` hands every session the same Figure; nothing mutates one once it is built.
# Each takes the language ``lang`` (:func:`ui.i18n.language`): a figure's text is in one language.


@cache.figure(max_entries=16)
def trained_loss_chart(model_id: str, _results, steps: int) -> go.Figure:
    """The loss curves of the student's finished pair of models (``model_id`` is unique per run)."""
    return flow_loss_figure({k: v.losses for k, v in _results.items()}, steps)


@cache.figure(max_entries=64)
def pairs_chart(source: str, target: str, n: int, seed: int) -> go.Figure:
    return pairs_figure(pairs_view(source, target, n, seed))


@cache.figure(max_entries=64)
def field_chart(model_id: str, _models, source: str, target: str, start: int, seed: int) -> go.Figure:
    return field_figure(field_views(model_id, _models, source, seed), sample_toy(target, 1000, seed=seed + 1), start)


@cache.figure(max_entries=128)
def paths_chart(model_id: str, _models, source: str, target: str, method: str, steps: int, seed: int) -> go.Figure:
    return trajectories_figure(*solver_view(model_id, _models, source, target, method, steps, seed))


@st.cache_data(show_spinner=False, max_entries=8)
def paths_gif(model_id: str, _models, source: str, target: str, method: str, steps: int, seed: int, lang: str) -> bytes:
    """The two models' points moving along their paths, step by step (random left, OT right), as a GIF.

    Made when the download button is pressed, outside the page's run: its titles are read in ``lang``.
    """
    reports, _ = solver_view(model_id, _models, source, target, method, steps, seed)
    paths = {how: reports[how].solution.trajectory.numpy() for how in ("random", "ot")}
    limit = 1.05 * max(float(np.abs(p).max()) for p in paths.values())
    colours = {how: [int(theme.PAIRING_COLOURS[how][i : i + 2], 16) for i in (1, 3, 5)] for how in paths}
    rows = [cloud_frames(p, limit=limit, colours=np.tile(colours[how], (p.shape[1], 1)),
                         titles=[tr("flow.solvers.gif.title", lang=lang, pairing=tr(f"flow.solvers.gif.{how}", lang=lang),
                                    solver=tr(f"flow.solver.{method}", lang=lang), k=k, n=len(p) - 1)
                                 for k in range(len(p))])
            for how, p in paths.items()]
    return gif_bytes(side_by_side(*rows), duration_ms=max(60, 1200 // max(1, len(rows[0]))))


@cache.figure(max_entries=128)
def error_chart(model_id: str, _models, source: str, target: str, method: str, steps: int, seed: int) -> go.Figure:
    reports, _ = solver_view(model_id, _models, source, target, method, steps, seed)
    current = {k: (r.nfe, r.ref_error) for k, r in reports.items()}
    return error_figure(error_view(model_id, _models, source, method, seed), current, solver_name(method))


def warm() -> None:
    """Compute what the page shows before any click (``ui.resources.warm`` calls this once, at server start)."""

    d, v = ToyFlowConfig(), DEFAULT_VIEW  # outside a session: the default language
    models, model_id = default_flows(d.source, d.target), default_model_id(d.source, d.target)
    pairs_chart(d.source, d.target, v["n_pairs"], v["seed"])
    field_chart(model_id, models, d.source, d.target, FIELD_TIMES.index(v["t"]), v["seed"])
    paths_chart(model_id, models, d.source, d.target, v["method"], v["ode_steps"], v["seed"])
    error_chart(model_id, models, d.source, d.target, v["method"], v["ode_steps"], v["seed"])
    sampling_noise_w2(d.target, v["seed"])
    for name in mnist_models(None).values():
        if (ckpt := preloaded(name)) is not None:
            samples_row(ckpt, None, 1.0, v["seed"])
    if (ckpt := preloaded(PHOTO_MODEL)) is not None:
        samples_row(ckpt, v["photo_class"], v["photo_guidance"], v["seed"], n=4, ncols=2)
