"""Every file location of the project, in one place.

Nothing else in the code spells a path to ``assets/``, ``lessons/`` or ``runs/``: it asks here.
Environment overrides (each optional):

* ``DIFFUSION_PLAYGROUND_CHECKPOINTS``: a folder of checkpoints to use instead of the shipped
  ``assets/checkpoints`` (e.g. your own trained models);
* ``DIFFUSION_PLAYGROUND_DATA``: a torchvision data root holding the full training sets
  (read by :mod:`core.data`);
* ``DIFFUSION_PLAYGROUND_CACHE``: where decoded data sets are cached
  (default ``~/.cache/diffusion-playground``);
* ``DIFFUSION_PLAYGROUND_STORE``: where the server keeps the results its processes share
  (default ``CACHE/results``);
* ``DIFFUSION_PLAYGROUND_CLASSES``: class mode's store, ``sqlite:///PATH`` or ``redis://HOST:PORT/DB``
  (default ``sqlite:///CACHE/classes.sqlite3``).

The functions read the environment when called, so a test (or a lecturer) can point the app at
another folder without re-importing anything.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
"""The repository (or installed project) root."""

ASSETS = ROOT / "assets"
DATA = ASSETS / "data"
"""The offline copies of the data sets shipped with the app."""
SHIPPED_CHECKPOINTS = ASSETS / "checkpoints"
"""The shipped checkpoints and their ``manifest.json``."""
TOYS = ASSETS / "toys"
"""The pages' default toy models (see :mod:`core.live.defaults`)."""
FONT = ASSETS / "fonts" / "SourceSans3-Upright.woff2"
"""The app's own type (Source Sans 3, SIL Open Font License) for text drawn into exported GIFs: accents included."""
SPOTTING = ASSETS / "spotting"
"""The spotting page's quiz pools and default view, computed once from the shipped models
(``python -m core.forensics.shipped``)."""
APP = ROOT / "app.py"
"""The Streamlit script (what AppTest runs)."""
SERVER = ROOT / "server.py"
"""What ``make run`` serves: ``streamlit run server.py`` (Streamlit serving ``app.py``, nested addresses fixed)."""
LESSONS = ROOT / "lessons"
MESSAGES = ROOT / "ui" / "messages"
"""The catalogues of interface strings, English and French side by side (:mod:`ui.i18n`)."""
VIEWS = ROOT / "views"
RUNS = ROOT / "runs"
MODELS_DOC = ROOT / "docs" / "MODELS.md"
"""The shipped models' documentation: its measured tables are generated from the manifest (:mod:`core.evaluation.report`)."""
"""Resume state of command-line training runs (not shipped)."""

CHECKPOINTS_ENV = "DIFFUSION_PLAYGROUND_CHECKPOINTS"
DATA_ENV = "DIFFUSION_PLAYGROUND_DATA"
CACHE_ENV = "DIFFUSION_PLAYGROUND_CACHE"
STORE_ENV = "DIFFUSION_PLAYGROUND_STORE"


def checkpoints() -> Path:
    """The checkpoint folder: ``$DIFFUSION_PLAYGROUND_CHECKPOINTS``, else the shipped ``assets/checkpoints``."""
    return Path(os.environ.get(CHECKPOINTS_ENV) or SHIPPED_CHECKPOINTS).expanduser()


def checkpoint(name: str) -> Path:
    """``checkpoints() / NAME.safetensors``: where the checkpoint called ``name`` lives."""
    return checkpoints() / f"{name}.safetensors"


def manifest() -> Path:
    """The manifest of the checkpoint folder (recipe, sha256 and measured quality of every model)."""
    return checkpoints() / "manifest.json"


def forensics() -> Path:
    """Figures measured offline on the checkpoints for the spotting page (``python -m core.forensics.measure``)."""
    return checkpoints() / "forensics.json"


def data_root() -> str | None:
    """``$DIFFUSION_PLAYGROUND_DATA`` (a torchvision root with the full training sets), if set."""
    return os.environ.get(DATA_ENV) or None


def cache() -> Path:
    """``$DIFFUSION_PLAYGROUND_CACHE``, else ``~/.cache/diffusion-playground``."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "diffusion-playground").expanduser()


def store() -> Path:
    """Where the server keeps the results it computed, shared by its processes (:mod:`core.io.store`):
    ``$DIFFUSION_PLAYGROUND_STORE``, else ``cache()/results``."""
    return Path(os.environ.get(STORE_ENV) or cache() / "results").expanduser()


def classes() -> Path:
    """Class mode's SQLite store (:mod:`core.classroom.backends`), under ``cache()``, unless
    ``$DIFFUSION_PLAYGROUND_CLASSES`` names another store."""
    return cache() / "classes.sqlite3"


def lesson(name: str, language: str = "en") -> Path:
    """``lessons/NAME.md``, or its translation ``lessons/LANGUAGE/NAME.md``."""
    return LESSONS / f"{name}.md" if language == "en" else LESSONS / language / f"{name}.md"
