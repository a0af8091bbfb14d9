"""Diffusion Playground: the entry point. `streamlit run app.py` (or `make run`)."""

import streamlit as st

from core.data import DatasetUnavailable
from ui.i18n import language_switch
from ui.navigation import PAGES
from ui.share import check_link, copy_link_button, link
from ui.state import configure_threads
from ui.warm import warm_up

st.set_page_config(page_title="Diffusion Playground", page_icon="🌫️", layout="wide")
configure_threads()
warm_up()  # trains the pages' default toy models in the background, once per server
page = st.navigation(PAGES)
with st.sidebar:
    language_switch()
    copy_link_button()  # a page's main settings are in its address (ui.share)
requested = link()
try:
    page.run()
except DatasetUnavailable as err:  # e.g. assets/data deleted and no network: say so, not a traceback
    st.error(f"This page needs a dataset that could not be loaded. {err}", icon=":material/error:")
check_link(requested)
