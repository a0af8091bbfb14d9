"""The controls of a Plotly animation that plays in the browser (a figure whose points move: the reverse page's toy
cloud, the flow page's velocity field); pictures are stepped by a film instead (:mod:`ui.components.film`)."""

from __future__ import annotations

from ui import theme
from ui.i18n import tr

CONTROLS_ROW = 80  # pixels from the top of the slider down to the buttons' row (room for its labels, in presenter mode too)


def controls(names: list[str], labels: list[str], *, redraw: bool, duration: int, top: int = 10, active: int = 0) -> dict:
    """A Plotly animation's layout: a slider over the frames ``names`` (labelled ``labels``, at frame ``active``) on its
    own row, ``top`` pixels under the plot, and a play/pause button pair on the row below it (side by side, they would
    meet on a narrow chart, or with wider labels: the French ones)."""
    play = dict(frame=dict(duration=duration, redraw=redraw), fromcurrent=True, transition=dict(duration=0),
                mode="immediate")
    return dict(
        updatemenus=[dict(
            type="buttons", direction="left", x=0.0, y=0, xanchor="left", yanchor="top", pad=dict(r=10, t=top + CONTROLS_ROW),
            showactive=False, font=theme.font("medium"),
            buttons=[dict(label=tr("animation.play"), method="animate", args=[None, play]),
                     dict(label=tr("animation.pause"), method="animate",
                          args=[[None], dict(frame=dict(duration=0, redraw=False), mode="immediate")])],
        )],
        sliders=[dict(
            active=active, x=0.0, len=1.0, y=0, yanchor="top", pad=dict(t=top, l=20, r=20), font=theme.font("small"),
            currentvalue=dict(visible=False),
            steps=[dict(label=lab, method="animate",
                        args=[[name], dict(frame=dict(duration=0, redraw=redraw), mode="immediate",
                                           transition=dict(duration=0))])
                   for name, lab in zip(names, labels)],
        )],
    )
