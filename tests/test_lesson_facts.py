"""Measured numbers in the lessons come from the measurements (``{{name:format}}`` filled by the page): every one
resolves on its page, in both languages, and is written as each language writes numbers."""

from __future__ import annotations

import pytest
from page_support import open_page

from core import paths
from ui.components.lessons import FACT, fill

PAGES = ("autoencoder", "training", "prediction_targets", "spotting")  # the lessons that quote a measurement


def placeholders(name: str, lang: str) -> set[str]:
    return {m.group(1) for m in FACT.finditer(paths.lesson(name, lang).read_text(encoding="utf-8"))}


def test_fill_writes_each_fact_as_the_language_writes_numbers():
    facts = {"share": 0.456, "floor": 0.5432, "ratio": 2189.4}
    text = "{{share:percent}} / {{floor:.1f}} / {{ratio:int}} / {{missing}}"
    assert fill(text, facts, "en") == "46% / 0.5 / 2,189 / …"
    assert fill(text, facts, "fr") == "46\u00a0% / 0,5 / 2\u202f189 / …"


@pytest.mark.parametrize("name", PAGES)
def test_both_languages_quote_the_same_measurements(name):
    assert placeholders(name, "en") == placeholders(name, "fr") != set()


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("name", PAGES)
def test_every_measured_number_of_a_lesson_resolves_on_its_page(name, lang):
    at = open_page()
    if lang == "fr":
        at.radio(key="lang").set_value("fr").run()
    at.switch_page(f"views/{name}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    text = " ".join(m.value for m in at.markdown)
    assert "{{" not in text and "…" not in text  # every fact filled in, none left unmeasured
