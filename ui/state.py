"""Cached data and the app-wide thread budget.

Datasets are read-only tensors shared by every session, so they are cached as
resources (``st.cache_resource``: one copy, no pickling on each access). Small
derived arrays for figures use ``st.cache_data``.
"""

from __future__ import annotations

import os

import streamlit as st
import torch

from core import data

# One server often serves a whole classroom: each request gets one thread for torch,
# so that a few students at once do not oversubscribe the cores.
torch.set_num_threads(int(os.environ.get("DIFFUSION_PLAYGROUND_THREADS", "1")))


@st.cache_resource(show_spinner="Loading MNIST...")
def mnist() -> data.ImageSet:
    """The MNIST set (the shipped test set offline)."""
    return data.load_mnist()


@st.cache_resource(show_spinner="Loading CIFAR-10...")
def cifar10() -> data.ImageSet:
    """The CIFAR-10 set (the shipped test set offline)."""
    return data.load_cifar10()


def dataset(name: str) -> data.ImageSet:
    """``mnist`` or ``cifar10``."""
    return {"mnist": mnist, "cifar10": cifar10}[name]()
