"""Streamlit helpers shared by the pages: navigation, lesson text, cached data and models.

Everything here may import Streamlit; ``core`` never does.
"""
