"""Every page, in French, shows no English: each label, caption, option, notice and figure text comes
from the catalogues (``ui/messages/*.toml``), never a literal left in the code."""

from __future__ import annotations

import re

import pytest
from page_support import open_page, visible_text

from core import paths
from ui.i18n import LANGUAGES, MESSAGES

PAGES = sorted(str(p.relative_to(paths.ROOT)) for p in paths.VIEWS.glob("*.py"))

ENGLISH = re.compile(r"\b(the|and|with|from|this|that|which|each|of|is|are|its|your|how|what|when|for|to|in|by|"
                     r"into|than|then|only|not|step|steps|noise|seed|model|sample|samples)\b", re.I)
"""Words that give an English sentence away (none of them is a French word)."""

NAMES = {
    "mnist", "cifar", "ddpm", "ddim", "euler", "rk4", "dopri5", "dopri8", "vae", "unet", "ot", "psnr", "snr", "log",
    "gif", "png", "jpeg", "id", "fréchet", "plotly", "streamlit", "pytorch", "flow", "matching", "li", "he", "x0",
    "eps", "v", "t", "x", "y", "z", "i", "ā", "β", "σ", "ε", "α", "w", "playground",
}
"""Words that are the same in both languages: names of data sets, models, solvers, file formats, symbols."""


MARKUP = re.compile(r":material/\w+:|<[^>]*>|:\w+\[|%\{[^}]*\}|\{[^}]*\}")
"""Icons, HTML tags, Markdown colours, Plotly and format fields: not words a student reads."""


TITLES = ("Back to Basics: Let Denoising Generative Models Denoise",
          "Realistic photograph of an elderly woman's hand featuring an expensive wedding ring with a huge diamond")
"""Works and prompts cited in their own words (English): a title, the lecture's prompt."""
INDICES = str.maketrans("", "", "₀₁₂₃₄₅₆₇₈₉⁰¹²³⁴⁵⁶⁷⁸⁹")


def _plain(text: str) -> str:
    text = " ".join(text.split())
    for title in TITLES:
        text = text.replace(title, " ")
    return MARKUP.sub(" ", text).translate(INDICES)


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[^\W\d_]{2,}", _plain(text))}


FRENCH = set().union(*map(_words, MESSAGES["fr"].values())) | set(map(str.lower, LANGUAGES.values()))
"""Words the French catalogue itself uses (a word spelt alike in both languages, e.g. "constant")."""


def _strings(at) -> set[str]:
    return {s.strip() for s in visible_text(at) if s.strip()}


@pytest.mark.parametrize("page", PAGES)
def test_a_page_in_french_shows_no_english(page):
    english = _strings(open_page(page))
    at = open_page()
    at.radio(key="lang").set_value("fr").run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    french = _strings(at)
    sentences = sorted(s for s in french if ENGLISH.search(_plain(s)))
    assert not sentences, sentences
    untranslated = sorted(s for s in french & english if _words(s) - NAMES - FRENCH)
    assert not untranslated, untranslated


SOURCES = sorted([*paths.VIEWS.glob("*.py"), *(paths.ROOT / "ui").glob("*.py")])


def _english_literals(file) -> list[str]:
    """String constants of ``file`` (not docstrings) that read as English."""
    import ast

    tree = ast.parse(file.read_text(encoding="utf-8"))
    skipped = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}  # docstrings
    for node in ast.walk(tree):  # messages for the log and exceptions (the lecturer's, not the student's)
        if isinstance(node, ast.Raise) and node.exc is not None or (
                isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id in {"log", "logger", "logging"}):
            skipped |= {id(n) for n in ast.walk(node)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped \
                and "export default function" not in node.value:  # a component's JavaScript
            text = re.sub(r"\$\$.*?\$\$|\$[^$]*\$", " ", node.value, flags=re.S)
            if re.search(r"[a-z] [a-z]", text) and ENGLISH.search(text):
                found.append(f"{file.name}:{node.lineno}: {node.value[:70]!r}")
    return found


@pytest.mark.parametrize("file", SOURCES, ids=lambda p: p.name)
def test_no_english_sentence_is_left_in_the_code(file):
    """What a student reads is in the catalogues; the code holds keys (the page test above sees only the
    default view: this one also covers branches it does not reach, such as notices and toy-data modes)."""
    assert not _english_literals(file)


def test_every_key_the_code_reads_is_in_the_catalogues():
    import ast

    for file in [*SOURCES, paths.APP]:
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "tr" and node.args \
                    and isinstance(node.args[0], ast.Constant):
                assert node.args[0].value in MESSAGES["en"], f"{file.name}:{node.lineno}: {node.args[0].value}"


def test_a_missing_key_shows_the_key_not_a_traceback():
    from ui.i18n import tr

    assert tr("no.such.key") == "no.such.key"
    assert tr("common.dataset") == "Dataset"
