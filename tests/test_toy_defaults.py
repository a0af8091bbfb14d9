"""The pages' default toy models are shipped for exactly the current default settings."""

from dataclasses import replace

import torch

from core.data import sample_toy
from core.flow import wasserstein2
from core.flow.toy import flow_samples
from core.live.defaults import shipped_flows, shipped_reference
from core.live.toy_diffusion import ToyConfig, sample_toy_model
from core.live.toy_flow import ToyFlowConfig


def test_shipped_models_match_the_defaults_and_work():
    # if this fails after changing a default, re-run `python -m core.live.defaults`
    ref = shipped_reference(ToyConfig())
    assert ref is not None and ref.steps_done == ToyConfig().steps
    samples = sample_toy_model(ref, 500, steps=50, seed=0).samples
    assert samples.shape == (500, 2) and torch.isfinite(samples).all()

    flows = shipped_flows(ToyFlowConfig())
    assert flows is not None and set(flows) == {"random", "ot"}
    target = sample_toy("moons", 1000, seed=1)
    for how, res in flows.items():
        assert res.config.pairing == how
        w2 = wasserstein2(flow_samples(res.model, ToyFlowConfig().source, 1000, "rk4", 10, seed=0).final, target)
        assert w2 < 0.6


def test_other_settings_are_not_served_from_the_shipped_files():
    assert shipped_reference(ToyConfig(dataset="spiral")) is None
    assert shipped_reference(replace(ToyConfig(), steps=10)) is None
    assert shipped_flows(ToyFlowConfig(target="checkerboard")) is None
