"""Cached data sets, and the app-wide thread budget (:func:`configure_threads`, called by ``app.py``).

Datasets are read-only tensors shared by every session, so they are cached as
resources (``st.cache_resource``: one copy, no pickling on each access). Small
derived arrays for figures use ``st.cache_data``.
"""

from __future__ import annotations

import os

import streamlit as st
import torch

from core import data

THREADS_ENV = "DIFFUSION_PLAYGROUND_THREADS"


def configure_threads() -> None:
    """One torch thread per computation (``$DIFFUSION_PLAYGROUND_THREADS`` to change it).

    One server often serves a whole classroom: a few students at once must not oversubscribe the
    cores (two jobs at two threads each on two cores run many times slower than at one each).
    """
    torch.set_num_threads(max(1, int(os.environ.get(THREADS_ENV, "1"))))


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




@st.cache_resource(show_spinner=False)
def mnist_split() -> tuple[data.ImageSet, data.ImageSet]:
    """(training part, held-out part) of MNIST, as the shipped models were trained (:func:`core.data.split`)."""
    return data.split(mnist())
