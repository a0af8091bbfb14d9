"""Flow matching: straight paths and their loss (:mod:`~core.flow.paths`), pairing noise with
images (:mod:`~core.flow.pairing`), and how straight and how accurate a flow is
(:mod:`~core.flow.metrics`). The ODE solvers are in :mod:`core.solvers`.

Convention (see ``core``): ``t in [0, 1]``, ``t = 0`` is the noise ``X``, ``t = 1`` the image ``Y``.
"""

from core.flow.metrics import straightness, wasserstein2
from core.flow.pairing import (
    PAIRINGS,
    block_ot_permutation,
    block_pair,
    count_crossings,
    ot_permutation,
    pair,
    pairing_cost,
    random_permutation,
    total_cost,
)
from core.flow.paths import (
    FLOW_PREDICTIONS,
    GAP,
    PathSample,
    VelocityField,
    diffusion_to_flow,
    flow_matching_loss,
    flow_to_diffusion,
    straight_path,
    velocity_from,
)

__all__ = [
    "FLOW_PREDICTIONS",
    "GAP",
    "PAIRINGS",
    "PathSample",
    "VelocityField",
    "block_ot_permutation",
    "block_pair",
    "count_crossings",
    "diffusion_to_flow",
    "flow_matching_loss",
    "flow_to_diffusion",
    "ot_permutation",
    "pair",
    "pairing_cost",
    "random_permutation",
    "straight_path",
    "straightness",
    "total_cost",
    "velocity_from",
    "wasserstein2",
]
