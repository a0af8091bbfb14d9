"""Diffusion Playground: the entry point. `streamlit run app.py` (or `make run`)."""

import streamlit as st

from ui.navigation import PAGES
from ui.warm import warm_up

st.set_page_config(page_title="Diffusion Playground", page_icon="🌫️", layout="wide")
warm_up()  # trains the pages' default toy models in the background, once per server
st.navigation(PAGES).run()
