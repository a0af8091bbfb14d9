"""Lessons in English and French: the same sections, the same mathematics, and the switch that shows them."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from page_support import APP
from streamlit.testing.v1 import AppTest

from core import paths
from ui.i18n import LANGUAGES

LESSONS = sorted(p.stem for p in paths.LESSONS.glob("*.md"))
MATH = re.compile(r"\$\$.*?\$\$|\$[^$]*\$", re.S)
CODE = re.compile(r"`[^`]+`")
SECTION = re.compile(r"^<!--\s*section:\s*([\w-]+)\s*-->\s*$", re.M)


def _text(name: str, language: str) -> str:
    return paths.lesson(name, language).read_text(encoding="utf-8")


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
@pytest.mark.parametrize("name", LESSONS)
def test_every_lesson_exists_in_every_language_with_the_same_sections_and_mathematics(name, language):
    english, other = _text(name, "en"), _text(name, language)
    assert SECTION.findall(other) == SECTION.findall(english)
    assert Counter(MATH.findall(other)) == Counter(MATH.findall(english))  # the mathematics, character for character
    assert Counter(CODE.findall(MATH.sub("", other))) == Counter(CODE.findall(MATH.sub("", english)))


def test_no_translation_without_its_english_lesson():
    for language in LANGUAGES:
        if language != "en":
            assert {p.stem for p in (paths.LESSONS / language).glob("*.md")} == set(LESSONS)


def _first_words(name: str, language: str) -> str:
    """The first plain words of a lesson (before any markup), to find it on the page."""
    body = SECTION.split(_text(name, language))[0].strip() or SECTION.split(_text(name, language))[2].strip()
    return re.split(r"[$*`\[(]", body)[0].strip()[:30]


PAGES = {"views/reverse.py": "reverse", "views/forward_noising.py": "forward_noising", "views/home.py": "home"}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_the_switch_shows_the_lessons_in_french_and_a_link_keeps_it(page):
    name = PAGES[page]
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params["lang"] = "fr"  # a link opens a new session
    at.run()
    at.switch_page(page).run()  # and the language follows the student from page to page
    assert not at.exception and not at.toast
    assert at.query_params["lang"] == "fr"
    text = " ".join(m.value for m in at.markdown)
    assert _first_words(name, "fr") in text
    assert _first_words(name, "en") not in text
    at.radio(key="lang").set_value("en").run()
    assert "lang" not in at.query_params
    assert _first_words(name, "en") in " ".join(m.value for m in at.markdown)


def test_every_interface_string_exists_in_every_language_with_the_same_placeholders():
    from string import Formatter

    from ui.i18n import MESSAGES

    english = MESSAGES["en"]
    for language, table in MESSAGES.items():
        assert set(table) == set(english), (language, set(table) ^ set(english))
        for key, text in table.items():
            fields = {f for _, f, _, _ in Formatter().parse(text) if f}
            assert fields == {f for _, f, _, _ in Formatter().parse(english[key]) if f}, (language, key)
            assert text.strip(), (language, key)


def test_the_route_and_the_sidebar_follow_the_language():
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params["lang"] = "fr"
    at.run()
    assert not at.exception
    assert "Le parcours" in [h.value for h in at.subheader]
    assert any(c.value.startswith("Comment un générateur progresse") for c in at.caption)  # part 9's summary
    assert any("9. Repérer les images générées" in str(e.proto) for e in at.get("page_link"))
    assert at.toggle(key="present").label == "Mode présentation"


def test_french_typography_keeps_signs_with_their_words_and_leaves_mathematics_and_code_alone():
    from ui.i18n import typeset

    assert typeset("Exact : la réponse est « oui » ; vraiment ?", "fr") == \
        "Exact\u202f: la réponse est «\u00a0oui\u00a0»\u202f; vraiment\u202f?"
    assert typeset("$a : b$ et `x ; y` puis %{y} : %{x}", "fr") == "$a : b$ et `x ; y` puis %{y}\u202f: %{x}"
    assert typeset(":material/code: texte :red[linéaire] ok", "fr") == ":material/code: texte :red[linéaire] ok"
    assert typeset("Right : as is ?", "en") == "Right : as is ?"


def test_numbers_and_percentages_as_each_language_writes_them():
    from ui.i18n import number, percent

    assert (number(3000, "en"), number(3000, "fr")) == ("3,000", "3\u202f000")
    assert (percent(0.456, "en"), percent(0.456, "fr")) == ("46%", "46\u00a0%")  # the sign never starts a French line
    assert percent(1.0, "en") == "100%" and percent(0.0, "fr") == "0\u00a0%"


def test_a_cached_figure_is_kept_per_language_and_its_underscored_arguments_are_not_hashed(monkeypatch):
    import ui.resources.cache as cache

    calls = []

    @cache.figure()
    def chart_of(x: int, _model: object) -> object:
        calls.append(x)
        return object()

    monkeypatch.setattr(cache, "language", lambda: "en")
    english = chart_of(1, object())
    assert chart_of(1, object()) is english  # another unhashable model object: the same figure
    monkeypatch.setattr(cache, "language", lambda: "fr")
    assert chart_of(1, object()) is not english and calls == [1, 1]
    chart_of.clear()
    monkeypatch.setattr(cache, "language", lambda: "en")
    assert chart_of(1, object()) is not english and calls == [1, 1, 1]
