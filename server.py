"""The web server: Streamlit serving ``app.py``, plus one fix (``streamlit run server.py``; ``make run``).

Streamlit answers an unknown address with its page, whose scripts it names relative to that address
(``./static/js/...``). At a nested address such as ``/reverse/x`` they resolve to
``/reverse/static/js/...``, which is answered with the page again, not a script: the student sees a
blank page. :class:`NestedPaths` maps nested asset and media paths back to the root, so every
address opens the app (an unknown page then gets Streamlit's "page not found" notice and the home
page). Not ``/x/_stcore/...``: the page probes those to find where the app is served from, and must
keep finding it at the root (or a deep link such as ``/reverse`` would open the home page).
Everything else is Streamlit's own server, unchanged.
"""

from __future__ import annotations

import re

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


app = st.App(str(paths.APP), middleware=[Middleware(NestedPaths)])
