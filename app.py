"""Diffusion Playground: the app's script, run by Streamlit on every interaction (`make run` serves it through server.py)."""

import streamlit as st

from core.data import DatasetUnavailable
from ui import classmode
from ui.chrome import keyboard, sidebar, style
from ui.i18n import start_language, tr
from ui.navigation import footer, pages
from ui.present import requested
from ui.resources.data import configure_threads
from ui.resources.warm import warm_up
from ui.share import check_link, drop_non_finite, link

st.set_page_config(page_title="Diffusion Playground", page_icon="🌫️", layout="wide",
                   initial_sidebar_state="collapsed" if requested() else "auto")
configure_threads()
warm_up()  # trains the pages' default toy models in the background, once per server
start_language()  # before the navigation, whose titles are in it
page = st.navigation(pages())
classmode.arrive()  # a join link or the lecturer's secret link, before the link is read (ui.classmode)
asked = link()  # the address as the run began (ui.share reports what a link asked and did not get)
drop_non_finite()  # "?seed=inf" would make Streamlit raise in the page
sidebar(page.url_path)  # presenter mode, the language, copy the view's link, the class
classmode.banner()  # the class's code and QR code on the lecturer's projector
style()  # inline formulas kept whole; presenter mode's type and figures (ui.chrome)
try:
    page.run()
except DatasetUnavailable as err:  # e.g. assets/data deleted and no network: say so, not a traceback
    st.error(tr("app.dataset_missing", err=err), icon=":material/error:")
classmode.publish(page.url_path)  # the lecturer's view to the class; a student who steps away stops following
footer(page.url_path)  # the previous and the next part of the lecture
keyboard()  # presenter mode's arrow keys and space bar
check_link(asked)
