"""The web server: Streamlit serving ``app.py``, plus one fix (``streamlit run server.py``; ``make run``).

Streamlit answers an unknown address with its page, whose scripts it names relative to that address
(``./static/js/...``). At a nested address such as ``/reverse/x`` they resolve to
``/reverse/static/js/...``, which is answered with the page again, not a script: the student sees a
blank page. :class:`NestedPaths` maps nested asset and media paths back to the root, so every
address opens the app (an unknown page then gets Streamlit's "page not found" notice and the home
page). Not ``/x/_stcore/...``: the page probes those to find where the app is served from, and must
keep finding it at the root (or a deep link such as ``/reverse`` would open the home page).

And one setting: :func:`return_memory` keeps the C allocator from holding on to what a classroom's
computations freed (glibc, Linux; nothing elsewhere). And one import: pandas, before any student arrives. Plotly
imports it lazily, the first time it checks an array, and a class's first requests, doing so in several script
threads at once, met a half-imported module ("partially initialized module 'pandas'": a traceback on a student's
page, found by the classroom test). Everything else is Streamlit's own server, unchanged.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import re
import threading
import time

import pandas  # noqa: F401  (imported once, here: see above)
import streamlit as st
from starlette.middleware import Middleware

from core import paths

_NESTED = re.compile(r"^/(?!static/|media/)(?:[^/]+/)+?((?:static|media)/.*)$")  # not /static/media/x: at the root already


class NestedPaths:
    """ASGI middleware: ``/any/depth/static/x`` is served as ``/static/x`` (likewise ``media``)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] in ("http", "websocket") and (match := _NESTED.match(scope["path"])):
            path = "/" + match.group(1)
            scope = {**scope, "path": path, "raw_path": path.encode()}
        await self.app(scope, receive, send)


def return_memory(every: float = 30.0) -> None:
    """glibc gives each thread that allocates its own heap (arena), and keeps freed memory for reuse: after a
    class, a server held half as much again as it needed warm (1.0 -> 1.6 GB with 50 students). Two arenas,
    and every ``every`` seconds the free memory handed back to the system (``malloc_trim``, a few ms)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-8, 2)  # M_ARENA_MAX
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to do
        return

    def loop() -> None:
        while True:
            time.sleep(every)
            trim(0)

    threading.Thread(target=loop, daemon=True, name="malloc-trim").start()


return_memory()
app = st.App(str(paths.APP), middleware=[Middleware(NestedPaths)])
