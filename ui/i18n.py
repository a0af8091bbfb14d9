"""The language of the app: English, or French (the lecture itself is partly in French).

A sidebar switch on every page (``?lang=fr`` in a link) chooses it for the session. Two mechanisms,
one per kind of text:

* the lessons: ``lessons/NAME.md`` and its French version ``lessons/fr/NAME.md``, with the same
  sections and the same mathematics (:mod:`ui.components.lessons`; a test holds them together);
* the short strings of the interface (labels, captions, figure titles, notices): keyed catalogues,
  ``ui/messages/PAGE.toml`` (``app.toml`` for the route, the sidebar and the shared boxes), each
  string a small table with its English and French side by side::

      [schedules.steps]
      en = "Number of steps T"
      fr = "Nombre de pas T"

  read with :func:`tr` (``tr("schedules.steps")``); ``{name}`` fields are filled in by the caller
  (a string given no values is returned verbatim, so Plotly's ``%{y}`` needs no escaping there).
  A test fails when a string exists in one language and not the other.
"""

from __future__ import annotations

import logging
import re
import tomllib
from pathlib import Path

import streamlit as st

from core import paths

LANGUAGES = {"en": "English", "fr": "Français"}
DEFAULT = "en"
KEY = "lang"

def _flatten(table: dict, prefix: str, out: dict[str, dict[str, str]], source: str) -> None:
    """``{"a": {"b": {"en": .., "fr": ..}}}`` → ``out["en"]["a.b"]``; a table may hold a message and sub-tables."""
    for name, value in table.items():
        if name in LANGUAGES:
            if prefix in out[name]:
                raise ValueError(f"interface string {prefix!r} is defined twice ({source})")
            out[name][prefix] = value
        elif isinstance(value, dict):
            _flatten(value, f"{prefix}.{name}" if prefix else name, out, source)
        else:
            raise ValueError(f"{source}: {prefix}.{name} is neither a language nor a table")


def load_messages(folder: Path = paths.MESSAGES) -> dict[str, dict[str, str]]:
    """Every interface string: ``{language: {key: text}}``, from the catalogues ``ui/messages/*.toml``."""
    out: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
    for file in sorted(folder.glob("*.toml")):
        with open(file, "rb") as f:
            _flatten(tomllib.load(f), "", out, file.name)
    return out


log = logging.getLogger(__name__)
MESSAGES = load_messages()
"""``{language: {key: text}}``, read once when the app starts."""


def language() -> str:
    """The session's language (a key of :data:`LANGUAGES`)."""
    chosen = st.session_state.get(KEY)
    return chosen if chosen in LANGUAGES else DEFAULT


def tr(key: str, *, lang: str | None = None, **values: object) -> str:
    """The interface string ``key`` in the session's language (or ``lang``: for what is made outside the session's
    run, a download prepared when its button is pressed), with ``{values}`` filled in."""
    lang = lang or language()
    text = MESSAGES[lang].get(key) or MESSAGES[DEFAULT].get(key)
    if text is None:  # a catalogue edited while the server runs (read at start-up): the key, not a traceback
        log.warning("no interface string %r", key)
        return key
    return typeset(text.format(**values) if values else text, lang)  # without values, verbatim (Plotly's %{y} stays)


_KEPT = re.compile(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`|%\{[^}]*\}", re.S)
"""Mathematics, code and Plotly fields: never retouched."""
_BEFORE = re.compile(r" ([;:?!])(?=[\s*_)\]<\"»]|$)")
"""A space before a high sign that ends a word group (not ``:material/...:``, not ``:red[...]``)."""


def typeset(text: str, lang: str | None = None) -> str:
    """French typography (``lang`` or the session's): a narrow no-break space before ; : ? ! and a no-break space
    inside « », so that a line never starts with the sign; the mathematics and the code are left as they are."""
    if (lang or language()) != "fr":
        return text
    out, last = [], 0
    for kept in _KEPT.finditer(text):
        out.append(_french(text[last:kept.start()]))
        out.append(kept.group())
        last = kept.end()
    out.append(_french(text[last:]))
    return "".join(out)


def _french(text: str) -> str:
    return _BEFORE.sub("\u202f\\1", text).replace("« ", "«\u00a0").replace(" »", "\u00a0»")


THOUSANDS = {"en": ",", "fr": "\u202f"}
"""How each language groups the thousands of a whole number: 3,000 and 3 000 (a narrow space, as the lessons)."""


def number(n: int, lang: str | None = None) -> str:
    """A whole number as the session's language (or ``lang``) writes it: ``3,000`` or ``3 000``."""
    return f"{n:,}".replace(",", THOUSANDS[lang or language()])


def decimal(x: float, digits: int = 1, lang: str | None = None) -> str:
    """A number with ``digits`` decimals as the session's language (or ``lang``) writes it: ``0.5`` or ``0,5``."""
    text = f"{x:.{digits}f}"
    return text.replace(".", ",") if (lang or language()) == "fr" else text


def significant(x: float, digits: int = 4, lang: str | None = None) -> str:
    """A number with ``digits`` significant digits as the session's language writes it: ``0.0156`` or ``0,0156``
    (``2.429e-09`` stays in that form, its point a comma in French)."""
    text = f"{x:.{digits}g}"
    return text.replace(".", ",") if (lang or language()) == "fr" else text


PERCENT = {"en": "%", "fr": "\u00a0%"}
"""How each language writes the sign: 46% and 46 % (a no-break space, so that the sign never starts a line)."""


def percent(share: float, lang: str | None = None) -> str:
    """A share (0.46) as a whole percentage, as the session's language (or ``lang``) writes it: ``46%`` or ``46 %``."""
    return f"{100 * share:.0f}{PERCENT[lang or language()]}"


def start_language() -> None:
    """A link's ``?lang=fr`` sets the session's language when it opens (``app.py``, before the navigation)."""
    wanted = st.query_params.get(KEY)
    st.session_state.setdefault(KEY, wanted if wanted in LANGUAGES else DEFAULT)
