"""The one way a page shows a Plotly figure."""

from __future__ import annotations

import streamlit as st

from ui.present import presented, presenting


def chart(figure, *, key: str | None = None, config: dict | None = None, **kwargs) -> None:
    """``st.plotly_chart``, as every page shows its figures: the type scaled in presenter mode, and only a camera
    button in the mode bar (on hover), which saves the figure as a PNG, in the browser, offline, named after the
    chart. A caller's ``config`` may add to it, not take the mode bar away."""
    config = {**(config or {}), "displayModeBar": "hover", "displaylogo": False, "modeBarButtons": [["toImage"]],
              "toImageButtonOptions": {"format": "png", "scale": 2, "filename": (key or "figure").replace("_", "-")}}
    st.plotly_chart(presented(figure) if presenting() else figure, key=key, config=config, **kwargs)
