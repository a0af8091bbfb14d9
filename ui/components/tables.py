"""Small tables as Markdown: crisp on a projector, and no pandas (``st.dataframe`` imports it, 0.8 s, and a
module imported in one thread while another inspects ``sys.modules`` can be seen half-initialised)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def markdown_table(columns: Mapping[str, Sequence[object]], align: str = "left") -> str:
    """A GitHub-flavoured Markdown table, one entry of ``columns`` per column (all of the same length)."""
    lengths = {len(v) for v in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"columns of different lengths: { {k: len(v) for k, v in columns.items()} }")
    rule = {"left": ":---", "right": "---:", "center": ":---:"}[align]
    rows = zip(*columns.values())
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join(rule for _ in columns) + "|"]
    lines += ["| " + " | ".join(str(cell).replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)
