"""Presenter mode (``?present=1``, or the sidebar's toggle: :mod:`ui.chrome`): whether this session presents, and a
figure as a projector shows it (its type scaled, one main figure per 720-pixel screen)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from ui import theme

KEY = "present"


def requested() -> bool:
    """Whether the address asks for presenter mode (read before the page is configured, for the sidebar)."""
    return st.query_params.get(KEY) == "1"


def presenting() -> bool:
    """Whether this session is in presenter mode."""
    return bool(st.session_state.get(KEY, False))


def presented(figure) -> go.Figure:
    """A figure as presenter mode shows it: its type scaled, a table of pictures (one image, its aspect kept) as tall as
    the page's full width needs, and no taller than a projector's screen holds. A figure
    again, not its dict: Streamlit refuses a dict without data (an empty loss chart before the first run) and validates a
    dict as it builds this figure anyway."""
    out = theme.scaled(figure, theme.PRESENTER["figure"])
    layout = out["layout"]
    label = round(theme.SIZES["label"] * theme.PRESENTER["figure"], 1)
    for name, axis in list(layout.items()):  # tick labels: Streamlit's chart theme sets their size, unless the figure
        if name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):  # does (legends keep theirs: a larger one
            axis.setdefault("tickfont", {}).setdefault("size", label)  # wraps onto the axis under it)
    xaxis, yaxis = layout.get("xaxis", {}), layout.get("yaxis", {})
    if (any(t.get("type") == "image" for t in out.get("data", [])) and yaxis.get("scaleanchor") == "x"
            and xaxis.get("range") and yaxis.get("range")):  # a table of pictures: as tall as the full width needs
        (x0, x1), (y0, y1) = xaxis["range"], yaxis["range"]
        margin = layout.get("margin", {})
        layout["height"] = round(theme.PRESENTER["width"] * abs(y1 - y0) / abs(x1 - x0)
                                 + margin.get("t", 0) + margin.get("b", 0))
    if (layout.get("height") or 0) > theme.PRESENTER["figure_height"]:
        layout["height"] = theme.PRESENTER["figure_height"]
    return go.Figure(out)


def columns(spec, **kwargs) -> list:
    """``st.columns(spec, **kwargs)``; in presenter mode the parts stack, each the page's full width (controls above,
    a grid of pictures below it at a size the back of a room can read)."""
    if presenting():
        return [st.container() for _ in (range(spec) if isinstance(spec, int) else spec)]
    return st.columns(spec, **kwargs)
