"""Expensive defaults, computed once per server process and warmed up in the background at start-up.

The toy models that pages show before any click (a DDPM reference model per toy data set, the
two default flow-matching models) take a few seconds of CPU to train; those of the default
settings are shipped (``core.live.defaults``), the others are trained on first use. ``warm_up()`` starts a
thread, the first time the app runs, that trains the defaults (and pays PyTorch's one-time
optimiser import) while the student reads the home page, then computes what the heaviest pages
show before any click (each page module's ``warm()``), so that their first visit reads caches.
Pages ask for the models through the functions below, which wait for a computation already in
progress instead of starting a second; Streamlit's caches do the same for the pages' data.
"""

from __future__ import annotations

import atexit
import functools
import importlib
import logging
import os
import threading
from collections import defaultdict

import torch

from core.live.defaults import shipped_flows, shipped_reference
from core.live.toy_diffusion import ToyConfig, ToyModel, train_toy
from core.live.toy_flow import ToyFlowConfig, ToyFlowResult, train_both
from core.training import StepInfo

_locks: defaultdict[tuple, threading.Lock] = defaultdict(threading.Lock)
_guard = threading.Lock()
_started = False
_exiting = threading.Event()  # set at interpreter exit: training loops stop at their next step
THREAD = "warm-up"
ENV = "DIFFUSION_PLAYGROUND_WARM_UP"  # "0": no warm-up thread (the test suite's own process: each test computes what it reads)
PAGES = ("ui.figures.autoencoder", "ui.figures.flow_matching", "ui.figures.prediction_targets", "ui.figures.latent_diffusion",
         "ui.figures.spotting", "ui.figures.reverse")  # modules whose warm() computes a page's default view
SEED_BANK = range(1, 16)
"""After every page's default view, the seeds a student steps to first (seed 0 is the default): a page's ``bank(seed)``
computes that seed's view at the default settings into the shared results (:func:`ui.resources.cache.shared`), so that
stepping the seed reads it, in every process of the server and after a restart."""
log = logging.getLogger(__name__)


class _NoContextWarning(logging.Filter):
    """Streamlit warns once per cached call made outside a script run; the warm-up thread does so on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName != THREAD


def _stop_at_exit(info: StepInfo) -> bool:
    return _exiting.is_set()


def _once(fn):
    """Like ``functools.cache``, but a second caller of the same arguments waits for the first."""
    cached = functools.lru_cache(maxsize=16)(fn)

    @functools.wraps(fn)
    def wrapper(*args):
        with _guard:
            lock = _locks[(fn.__name__, *args)]
        with lock:
            return cached(*args)

    return wrapper


@_once
def reference_toy_model(dataset: str) -> ToyModel:
    """A DDPM toy model trained with the default settings on ``dataset`` (read-only, shared; shipped for the default)."""
    cfg = ToyConfig(dataset=dataset)
    return shipped_reference(cfg) or train_toy(cfg, on_step=_stop_at_exit)


@_once
def default_flows(source: str, target: str) -> dict[str, ToyFlowResult]:
    """The random- and OT-pairing flow models trained with the default settings (read-only, shared; shipped for the default)."""
    cfg = ToyFlowConfig(source=source, target=target)
    return shipped_flows(cfg) or train_both(cfg, _stop_at_exit)


def work() -> None:
    """What the warm-up thread does: the default toy models, each page's ``warm()`` in :data:`PAGES`, then the seeds of
    :data:`SEED_BANK`, one after the other, on every page that has a ``bank``."""
    torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))])  # PyTorch imports its compiler stack here, once
    default = ToyFlowConfig()
    default_flows(default.source, default.target)
    reference_toy_model(ToyConfig().dataset)

    for name in PAGES:
        if _exiting.is_set():
            return
        try:
            importlib.import_module(name).warm()
        except Exception:  # a page that cannot warm up computes on its first visit and reports there
            log.warning("warm-up of %s failed", name, exc_info=True)
    banks = [module.bank for module in map(importlib.import_module, PAGES) if hasattr(module, "bank")]
    for seed in SEED_BANK:
        for bank in banks:
            if _exiting.is_set():
                return
            try:
                bank(seed)
            except Exception:
                log.warning("warm-up of seed %d failed", seed, exc_info=True)


def warm_up() -> None:
    """Start (once per process) a background thread that prepares the defaults (not where ``$DIFFUSION_PLAYGROUND_WARM_UP``
    is ``0``)."""
    global _started
    with _guard:
        if _started or os.environ.get(ENV) == "0":
            return
        _started = True

    for name in ("streamlit.runtime.scriptrunner_utils.script_run_context", "streamlit.runtime.caching.cache_data_api"):
        logging.getLogger(name).addFilter(_NoContextWarning())
    thread = threading.Thread(target=work, daemon=True, name=THREAD)
    thread.start()

    def finish() -> None:  # a torch thread still running while Python shuts down aborts the process
        _exiting.set()
        thread.join(timeout=10)

    atexit.register(finish)
