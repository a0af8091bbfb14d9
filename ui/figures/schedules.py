"""Part 3, schedules: cached data and Plotly figures comparing constant, linear and cosine."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch
from plotly.subplots import make_subplots

from core.data import to_model_range, to_uint8
from core.diffusion import StepBudget, make_schedule, q_sample, step_budget
from core.images import grid
from ui import theme
from ui.components.film import Chart, Frame, Series, steps
from ui.figures.mosaic import mosaic, png_uri
from ui.i18n import decimal, percent, tr
from ui.resources import cache
from ui.resources.data import dataset

ORDER = ("constant", "linear", "cosine")
COLOURS = theme.SCHEDULE_COLOURS
MARKDOWN_COLOURS = theme.SCHEDULE_MARKDOWN_COLOURS
REGION_COLOURS = theme.REGION_COLOURS
FONT = theme.FONT
LOG_SNR_RANGE = [-12, 12]  # the log-SNR panel's axis


# ------------------------------------------------------------------------------------ data (cached)


@st.cache_data(show_spinner=False, max_entries=32)
def curves(T: int) -> dict[str, dict[str, np.ndarray]]:
    """``abar_t`` (t = 0..T), ``beta_t`` (t = 0..T-1) and log-SNR (t = 1..T) of each schedule, as numpy."""
    out = {}
    for name in ORDER:
        s = make_schedule(name, T)
        out[name] = {"alpha_bars": s.alpha_bars.numpy(), "betas": s.betas.numpy(), "log_snr": s.log_snr[1:].numpy()}
    return out


@st.cache_data(show_spinner=False, max_entries=32)
def budgets(T: int, threshold: float) -> list[StepBudget]:
    """The step budget of every schedule."""
    return [step_budget(make_schedule(name, T), threshold) for name in ORDER]


def _image_and_noise(name: str, index: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    x0 = to_model_range(dataset(name).images[index : index + 1])  # (1, C, H, W)
    return x0, torch.randn(x0.shape, generator=torch.Generator().manual_seed(seed))


@cache.figure(max_entries=16)
def schedules_film(name: str, index: int, T: int, seed: int) -> list[Frame]:
    """The same image and the same ``eps`` under each schedule (:data:`ORDER`, side by side), at every step of
    :func:`ui.components.film.steps`; each frame's title gives the three ``abar_t``."""
    x0, eps = _image_and_noise(name, index, seed)
    schedules = {s: make_schedule(s, T) for s in ORDER}
    frames = []
    for t in steps(T):
        cells = torch.cat([to_uint8(q_sample(x0, t, schedules[s], eps)) for s in ORDER])[None].numpy()  # (1, 3, C, H, W)
        abars = ", ".join(tr("schedules.film.abar", name=tr(f"schedule.{s}"), abar=decimal(float(schedules[s].alpha_bars[t]), 4))
                          for s in ORDER)
        frames.append(Frame(png_uri(mosaic(cells)), tr("schedules.film.title", t=t, abars=abars), str(t)))
    return frames


def film_columns() -> list[str]:
    """The film's three columns: the schedules, in their colours."""
    return [f"<b style='color:{COLOURS[s]}'>{tr(f'schedule.{s}')}</b>" for s in ORDER]


@cache.figure(max_entries=16)
def film_chart(T: int) -> Chart:
    """Under the film: each schedule's ``abar_t`` over ``t = 0..T`` (at most 201 evenly spaced whole steps), with the
    frame's ``t`` marked on the curves."""
    every = min(d for d in range(1, T + 1) if T % d == 0 and T // d <= 200)
    ts = np.arange(0, T + 1, every)
    return Chart(tuple(Series(tr(f"schedule.{s}"), COLOURS[s], "curve", tuple(make_schedule(s, T).alpha_bars[ts].tolist()))
                       for s in ORDER), (0, T), tr("schedules.step_axis"), "āₜ", cursor=True)


@st.cache_data(show_spinner=False, max_entries=64)
def film(name: str, index: int, T: int, seed: int, columns: int = 9) -> tuple[np.ndarray, list[int]]:
    """One row per schedule, ``columns`` evenly spaced steps 0..T, same image and same ``eps``: (rows*H, cols*W, C)."""
    x0, eps = _image_and_noise(name, index, seed)
    ts = [round(k * T / (columns - 1)) for k in range(columns)]
    rows = [q_sample(x0, t, make_schedule(s, T), eps) for s in ORDER for t in ts]
    return grid(torch.cat(rows), columns, pad=2), ts


# ------------------------------------------------------------------------------------ figures


@cache.figure(max_entries=32)
def curves_figure(T: int, threshold: float) -> go.Figure:
    """``abar_t``, ``beta_t`` (log scale) and log-SNR of the three schedules (the film below marks a step on them); one
    figure per setting, built once for the class."""
    c = curves(T)
    fig = make_subplots(rows=1, cols=3, horizontal_spacing=0.07, subplot_titles=(
        tr("schedules.curves.abar"), tr("schedules.curves.beta"), "log-SNR = log(āₜ / (1 − āₜ))"))
    fig.update_annotations(font=theme.font("emphasis", color=theme.INK))  # the subplot titles
    lsnr_thr = math.log(threshold / (1 - threshold))
    for key in ORDER:
        d, colour, name = c[key], COLOURS[key], tr(f"schedule.{key}")
        ts = np.arange(T + 1)
        fig.add_trace(go.Scatter(x=ts, y=d["alpha_bars"], name=name, legendgroup=name, line=dict(color=colour, width=3),
                                 hovertemplate=f"{name}<br>t=%{{x}}<br>ā=%{{y:.4f}}<extra></extra>"), 1, 1)
        fig.add_trace(go.Scatter(x=ts[:-1], y=d["betas"], name=name, legendgroup=name, showlegend=False,
                                 line=dict(color=colour, width=3), hovertemplate=f"{name}<br>t=%{{x}}<br>β=%{{y:.2e}}<extra></extra>"), 1, 2)
        fig.add_trace(go.Scatter(x=ts[1:], y=d["log_snr"], name=name, legendgroup=name, showlegend=False,
                                 line=dict(color=colour, width=3), hovertemplate=f"{name}<br>t=%{{x}}<br>log-SNR=%{{y:.2f}}<extra></extra>"), 1, 3)
    # the "almost pure noise" band on both panels that can show it (shapes written out: add_hrect costs about 10 ms)
    band = dict(type="rect", fillcolor=REGION_COLOURS["noise"], opacity=0.45, line_width=0, layer="below",
                x0=0, x1=1)
    shapes = [dict(band, xref="x domain", yref="y", y0=0, y1=threshold),
              dict(band, xref="x3 domain", yref="y3", y0=-30, y1=lsnr_thr)]
    # the band's label in its bottom-left corner, where no curve goes (they all end at the right), on a pale ground
    fig.add_annotation(x=T * 0.02, y=LOG_SNR_RANGE[0], text=tr("schedules.curves.band", threshold=f"{lsnr_thr:.1f}"),
                       showarrow=False, xanchor="left", yanchor="bottom", yshift=4, bgcolor=theme.LEGEND_BACKGROUND,
                       font=theme.font("small"), row=1, col=3)
    fig.update_xaxes(title_text=tr("schedules.step_axis"), range=[0, T])
    fig.update_yaxes(range=[-0.02, 1.02], row=1, col=1)
    fig.update_yaxes(type="log", exponentformat="power", dtick=1, row=1, col=2)  # decades only: no crowded minor labels
    fig.update_yaxes(range=LOG_SNR_RANGE, row=1, col=3)
    fig.update_layout(shapes=shapes, height=430, font=FONT, margin=dict(l=10, r=10, t=70, b=10), hovermode="closest",
                      legend=dict(orientation="h", x=0.5, xanchor="center", y=1.2, yanchor="bottom", font=theme.font("emphasis")))
    return fig


def budget_figure(budget: list[StepBudget], threshold: float) -> go.Figure:
    """Stacked horizontal bars: how many of the ``T`` steps each schedule spends almost clean, useful, almost pure noise."""
    T = budget[0].T
    fig = go.Figure()
    for attr in ("clean", "useful", "noise"):
        counts = [getattr(b, attr) for b in budget]
        fig.add_trace(go.Bar(
            y=[tr(f"schedule.{b.name}") for b in budget], x=counts, orientation="h", name=tr(f"schedules.region.{attr}"),
            marker=dict(color=REGION_COLOURS[attr], line=dict(color="white", width=1)),
            text=[f"{n} ({percent(n / T)})" if n / T >= 0.09 else "" for n in counts], textposition="inside", textangle=0,
            insidetextanchor="middle", textfont=theme.font("body", color="black"),
            hovertemplate=tr(f"schedules.budget.hover.{attr}") + "<extra></extra>",
        ))
    fig.update_layout(
        barmode="stack", height=290, font=FONT, margin=dict(l=10, r=10, t=60, b=10),
        title=dict(text=tr("schedules.budget.title", T=T, clean=f"{1 - threshold:g}", noise=f"{threshold:g}"), font=theme.font("heading")),
        legend=dict(orientation="h", x=0, y=-0.15, yanchor="top", traceorder="normal"),
        xaxis=dict(range=[0, T]),
        yaxis=dict(autorange="reversed", tickfont=theme.font("emphasis")),
    )
    return fig


def film_figure(image: np.ndarray, ts: list[int], size: int, pad: int = 2) -> go.Figure:
    """The film strip: rows are schedules, columns are steps; tick labels name both."""
    rgb = np.repeat(image, 3, axis=2) if image.shape[2] == 1 else image
    fig = go.Figure(go.Image(z=rgb, hoverinfo="skip"))
    centres = [k * (size + pad) + (size - 1) / 2 for k in range(len(ts))]
    rows = [k * (size + pad) + (size - 1) / 2 for k in range(len(ORDER))]
    fig.update_xaxes(tickvals=centres, ticktext=[f"t = {t}" for t in ts], side="top", showgrid=False, tickfont=theme.font("medium"))
    fig.update_yaxes(tickvals=rows, ticktext=[f"<b><span style='color:{COLOURS[n]}'>{tr(f'schedule.{n}')}</span></b>" for n in ORDER],
                     showgrid=False, tickfont=theme.font("emphasis"))
    fig.update_layout(height=3 * 95 + 50, margin=dict(l=10, r=10, t=40, b=0), dragmode=False, font=FONT)
    return fig
