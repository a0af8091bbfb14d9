"""Diffusion Playground: the entry point. `streamlit run app.py` (or `make run`)."""

import streamlit as st

from ui.navigation import PAGES

st.set_page_config(page_title="Diffusion Playground", page_icon="🌫️", layout="wide")
st.navigation(PAGES).run()
