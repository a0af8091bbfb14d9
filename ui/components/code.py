"""The code behind a figure: the live source of the core functions that computed it, read at run time.

Read from the module itself (``inspect``), so what a student reads can never drift from what runs;
shown collapsed under the figure, with the file and line to open in an editor.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from core import paths
from ui.i18n import tr


@functools.lru_cache(maxsize=128)
def source_of(fn: Callable) -> tuple[str, str, int, str]:
    """``(qualified name, file relative to the project, first line, source)`` of a function or class."""
    target = inspect.unwrap(fn)
    lines, first = inspect.getsourcelines(target)
    file = Path(inspect.getsourcefile(target) or "?").resolve()
    try:
        shown = str(file.relative_to(paths.ROOT))
    except ValueError:
        shown = file.name
    return f"{target.__module__}.{target.__qualname__}", shown, first, "".join(lines)


def show_code(*functions: Callable, label: str | None = None) -> None:
    """A collapsed section with the source of each of ``functions`` (the core code a figure runs)."""
    with st.expander(label or tr("code.label"), icon=":material/code:"):
        for fn in functions:
            name, file, line, source = source_of(fn)
            st.markdown(tr("code.where", name=f"`{name}`", file=f"`{file}`", line=line))
            st.code(source, language="python", line_numbers=True)
