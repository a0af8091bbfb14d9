"""The class's answers to a question (class mode, the lecturer's projector): one bar per choice, filling as the
answers arrive; after the reveal, the right one in green."""

from __future__ import annotations

import plotly.graph_objects as go

from ui import theme


def answers_figure(options: list[str], counts: list[int], answer: int | None = None) -> go.Figure:
    """Horizontal bars, the first option on top (as the students' list shows it); ``answer`` (after the reveal) in
    green. The count of answers is the caption's (a title is cut in a narrow column)."""
    total = sum(counts)
    colours = [theme.RIGHT_ANSWER if k == answer else theme.ANSWER_BARS for k in range(len(options))]
    labels = [f"{n} ({n / total:.0%})" if total else "0" for n in counts]
    fig = go.Figure(go.Bar(x=counts, y=[_wrap(o) for o in options], orientation="h", marker_color=colours, text=labels,
                           textposition="outside", cliponaxis=False, hoverinfo="skip"))
    fig.update_layout(height=40 + 56 * len(options), margin=dict(l=10, r=60, t=10, b=10), font=theme.FONT,
                      xaxis=dict(range=[0, max(1, max(counts, default=0)) * 1.25], dtick=max(1, round(max(counts, default=1) / 5)),
                                 showgrid=True, gridcolor=theme.GRID),
                      yaxis=dict(autorange="reversed", automargin=True), showlegend=False)
    return fig


def _wrap(label: str, width: int = 16) -> str:
    """A long option on lines of about ``width`` characters (a narrow column on a projector cuts one long line)."""
    lines, line = [], ""
    for word in label.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return "<br>".join([*lines, line])
