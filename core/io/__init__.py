"""Files: one atomic writer (:mod:`~core.io.atomic`), model checkpoints (:mod:`~core.io.checkpoints`)
and training-resume state (:mod:`~core.io.state`). Nothing here unpickles."""

from core.io.atomic import write_bytes, write_files, write_json
from core.io.checkpoints import (
    Checkpoint,
    CheckpointError,
    load,
    load_checkpoint,
    read_sidecar,
    save_checkpoint,
)
from core.io.state import TrainingState, load_state, save_state

__all__ = [
    "Checkpoint",
    "CheckpointError",
    "TrainingState",
    "load",
    "load_checkpoint",
    "load_state",
    "read_sidecar",
    "save_checkpoint",
    "save_state",
    "write_bytes",
    "write_files",
    "write_json",
]
