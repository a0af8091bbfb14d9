"""Shareable views (ui.share): every page's main settings are restored from a link, and a link's
invalid or unknown settings fall back to the defaults with one short notice, never a traceback."""

from __future__ import annotations

import pytest
from page_support import APP
from streamlit.testing.v1 import AppTest

from core import paths
from ui import share

# page -> (settings as a link writes them, the values the widgets must then hold)
LINKS = {
    "autoencoder": ({"ae_digit": "5", "ae_damage": "grey square", "ae_gen_seed": "7"}, {"ae_digit": 5, "ae_damage": "mask", "ae_gen_seed": 7}),
    "forward_noising": ({"fn_schedule": "linear", "fn_T": "100", "fn_t": "60", "fn_seed": "3"},
                        {"fn_schedule": "linear", "fn_T": 100, "fn_t": "60", "fn_seed": 3}),  # t: the film's
    "schedules": ({"sc_T": "200", "sc_t": "40", "sc_seed": "5"}, {"sc_T": 200, "sc_t": "40", "sc_seed": 5}),
    "training": ({"train_seed": "8", "train_steps": "5000"}, {"train_seed": 8, "train_steps": 5000}),
    "reverse": ({"rev_label": "3", "rev_seed": "7", "rev_steps": "100", "rev_t": "500"},
                {"rev_label": 3, "rev_seed": 7, "rev_steps": 100, "rev_t": "500"}),
    "prediction_targets": ({"pt_seed": "4", "pt_label": "6", "pt_t": "100"}, {"pt_seed": 4, "pt_label": 6, "pt_t": "100"}),
    "latent_diffusion": ({"ld_seed": "9", "ld_steps": "10"}, {"ld_seed": 9, "ld_steps": 10}),
    "flow_matching": ({"fm_t": "0.25", "fm_solver": "RK4", "fm_ode_steps": "8", "fm_mnist_seed": "12"},
                      {"fm_t": "0.25", "fm_solver": "rk4", "fm_ode_steps": 8, "fm_mnist_seed": 12}),
    "spotting": ({"sp_label": "7", "sp_seed": "11", "sp_spec_data": "CIFAR-10 photos"}, {"sp_label": 7, "sp_seed": 11, "sp_spec_data": "cifar10"}),
}


def test_every_page_with_settings_has_a_link_case():
    pages = {p.stem for p in paths.VIEWS.glob("*.py")} - {"home"}
    assert pages == set(LINKS)
    for page in pages:
        assert "bind=URL" in (paths.VIEWS / f"{page}.py").read_text(), page


def _open(page: str, params: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    at.switch_page(f"views/{page}.py")
    at.query_params.update(params)
    return at.run()


@pytest.mark.parametrize("page", sorted(LINKS))
def test_a_link_reopens_the_same_view(page):
    params, expected = LINKS[page]
    at = _open(page, params)
    assert not at.exception, [e.value for e in at.exception]
    assert {k: at.session_state[k] for k in expected} == expected
    assert not at.toast, [t.value for t in at.toast]  # every setting applied: no notice
    assert {k: at.query_params[k] for k in params} == params  # and the address keeps them


def test_invalid_and_unknown_settings_fall_back_to_defaults_with_one_notice():
    at = _open("reverse", {"rev_seed": "abc", "rev_steps": "7", "rev_n": "3", "rev_guidance": "2.0", "<img src=x>": "1", "model": "../../etc/passwd"})
    assert not at.exception and not at.error
    assert at.session_state["rev_seed"] == 0 and at.session_state["rev_steps"] == 50  # the defaults
    assert at.session_state["rev_n"] == 3
    [toast] = at.toast
    for name in ("rev_seed", "rev_steps", "model", "?img?src?x?"):
        assert f"`{name}`" in toast.value
    assert "rev_n" not in toast.value and "rev_guidance" not in toast.value  # defaults: applied, not reported
    assert "<img" not in toast.value
    assert "model" not in at.query_params and "<img src=x>" not in at.query_params  # unknown names leave the address


def test_the_safe_name_of_a_hostile_parameter():
    assert share._safe("<script>alert(1)</script>") == "?script?alert?1???script"
    assert share._safe("") == "?"
    assert share._safe("fm_t") == "fm_t"


def test_after_switching_language_the_address_speaks_the_new_one():
    # a student sets options in French, then switches to English: the link they copy must reopen the same view
    from ui.i18n import KEY

    fr = {"sc_threshold": "ā > 0.95 ou ā < 0.05"}
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params["lang"] = "fr"
    at.run()
    at.switch_page("views/schedules.py")
    at.query_params.update(fr)
    at.run()
    assert at.session_state["sc_threshold"] == 0.05 and not at.toast
    at.radio(key=KEY).set_value("en").run()
    assert at.query_params["sc_threshold"] == "ā > 0.95 or ā < 0.05" and at.query_params.get("lang") is None
    copied = {k: at.query_params[k] for k in at.query_params}
    reopened = _open("schedules", copied)
    assert reopened.session_state["sc_threshold"] == 0.05 and not reopened.toast, [t.value for t in reopened.toast]


def test_a_value_the_app_wrote_that_a_later_move_makes_invalid_is_no_link_to_report():
    """Page 3: the film scrubbed to t = 800 (the browser writes it in the address), then T lowered to 500: the film
    opens at t = 500 without 'Settings from the link not applied' (no link was opened)."""
    at = _open("schedules", {})
    at.query_params["sc_t"] = "800"
    at.run()
    at.select_slider(key="sc_T").set_value(500).run()
    assert not at.exception and not at.toast, [t.value for t in at.toast]
    assert at.session_state["sc_t"] == "500" and at.query_params["sc_t"] == "500"
