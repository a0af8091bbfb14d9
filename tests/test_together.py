"""A class's runs trained together (core.training.together): each member ends with the model the one loop would give
it alone (the same draws, the same Adam arithmetic), whatever the others do; members join late, stop early, fail
alone; and the pages' live runs train with the class, none queued or refused."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest
import torch

from core.data import toy_batches
from core.live.targets import TargetToyConfig, train_target_toy
from core.live.toy_diffusion import ToyConfig, new_toy_model, train_toy
from core.live.toy_flow import ToyFlowConfig, train_toy_flow
from core.nets import build
from core.training import Optimisation, StepInfo, diffusion_objective, new_state, train
from core.training.together import Together, fits


def _same(a: list[float], b: list[float], weights_a, weights_b) -> None:
    assert a == pytest.approx(b, rel=1e-5, abs=1e-7)
    for p, q in zip(weights_a, weights_b):
        torch.testing.assert_close(p, q, rtol=1e-4, atol=1e-6)


def _together(*calls):
    """Run every call (a function of the trainer) in its own thread, all through one Together; their results."""
    group, out = Together(), {}
    threads = [threading.Thread(target=lambda k=k, c=c: out.__setitem__(k, c(group.train))) for k, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return [out[k] for k in range(len(calls))], group


@pytest.mark.parametrize("kind", ["diffusion", "flow-random", "flow-ot", "target-x"])
def test_a_member_of_a_cohort_ends_with_the_model_it_would_train_alone(kind):
    if kind == "diffusion":
        cfgs = [ToyConfig(steps=40, seed=s, dataset=d) for s, d in ((1, "moons"), (2, "spiral"), (3, "8gaussians"))]
        run = lambda cfg, trainer: train_toy(cfg, trainer=trainer)
        result = lambda m: (m.losses, list(m.net.parameters()))
    elif kind.startswith("flow"):
        cfgs = [ToyFlowConfig(steps=40, seed=s, pairing=kind.split("-")[1]) for s in (1, 2, 3)]
        run = lambda cfg, trainer: train_toy_flow(cfg, trainer=trainer)
        result = lambda r: (r.losses, list(r.model.parameters()))
    else:
        cfgs = [TargetToyConfig(steps=40, seed=s, prediction="x", dim=16) for s in (1, 2, 3)]
        run = lambda cfg, trainer: train_target_toy(cfg, trainer=trainer)
        result = lambda r: (r.losses, list(r.model.parameters()))
    together, group = _together(*[lambda trainer, c=c: run(c, trainer) for c in cfgs])
    assert max(group.sizes) == 3  # they did train together
    for cfg, mine in zip(cfgs, together):
        (losses, weights), (my_losses, my_weights) = result(run(cfg, train)), result(mine)
        _same(losses, my_losses, weights, my_weights)


def test_members_with_their_own_rate_and_length_and_a_late_joiner_each_get_their_own_run():
    a, b = ToyConfig(steps=120, lr=1e-3, seed=4), ToyConfig(steps=50, lr=5e-3, seed=5, dataset="spiral")
    late = ToyConfig(steps=30, seed=6, dataset="checkerboard")
    started = threading.Event()

    def first(trainer):
        return train_toy(a, trainer=trainer, on_step=lambda info: started.set() if info.step == 60 else None)

    def joins_late(trainer):
        started.wait(timeout=60)  # the cohort is at step 60 of its longest run when this one joins
        return train_toy(late, trainer=trainer)

    together, group = _together(first, lambda trainer: train_toy(b, trainer=trainer), joins_late)
    for cfg, mine in zip((a, b, late), together):
        alone = train_toy(cfg)
        _same(alone.losses, mine.losses, list(alone.net.parameters()), list(mine.net.parameters()))
    sizes = list(group.sizes)
    assert max(sizes) == 2 and 2 in sizes[60:]  # b left at its step 50, before late joined: late trained beside a


def test_a_member_that_stops_or_fails_leaves_and_the_others_finish():
    def stops(trainer):
        return train_toy(ToyConfig(steps=100, seed=1), trainer=trainer, on_step=lambda info: info.step >= 10)

    def fails(trainer):
        def boom(info: StepInfo) -> None:
            if info.step == 20:
                raise ValueError("a page's callback failed")
        try:
            train_toy(ToyConfig(steps=100, seed=2), trainer=trainer, on_step=boom)
        except ValueError as err:
            return err
        return None

    (stopped, failed, finished), group = _together(stops, fails, lambda trainer: train_toy(ToyConfig(steps=60, seed=3),
                                                                                          trainer=trainer))
    assert stopped.steps_done == 10 and isinstance(failed, ValueError) and finished.steps_done == 60
    alone = train_toy(ToyConfig(steps=60, seed=3))
    _same(alone.losses, finished.losses, list(alone.net.parameters()), list(finished.net.parameters()))


def test_each_member_clips_its_own_gradient_as_the_one_loop_does():
    cfg = ToyConfig(steps=30, seed=7, lr=1e-2)
    opt = replace(cfg.optimisation(), grad_clip=0.05)  # small: every step clips

    def run(trainer, seed):
        g = torch.Generator().manual_seed(seed)
        model = new_toy_model(replace(cfg, seed=seed), g)
        state = new_state(model.net, opt)
        return trainer(state, diffusion_objective(model.schedule), toy_batches("moons", 64, generator=g), opt, generator=g)

    (a, b), _ = _together(lambda t: run(t, 1), lambda t: run(t, 2))
    for seed, mine in ((1, a), (2, b)):
        alone = run(train, seed)
        _same(alone.losses, mine.losses, list(alone.model.parameters()), list(mine.model.parameters()))


def test_what_cannot_train_together_trains_alone():
    net = build("mlp", {"dim": 2, "hidden": 8, "depth": 1})
    opt = Optimisation(steps=3, lr=1e-3, ema_decay=0.9)
    assert not fits(new_state(net, opt), opt)  # an EMA copy: not supported together
    conv = build("autoencoder", {"channels": (4, 8), "code_dim": 2, "in_channels": 1, "image_size": 28})
    assert not fits(new_state(conv, Optimisation(steps=3, lr=1e-3)), Optimisation(steps=3, lr=1e-3))
    state = new_state(net, opt)
    g = torch.Generator().manual_seed(0)
    Together().train(state, diffusion_objective(new_toy_model(ToyConfig()).schedule), toy_batches("moons", 8, generator=g),
                     opt, generator=g)
    assert state.step == 3 and state.ema is not None


def test_the_pages_runs_train_with_the_class_none_queued_or_refused():
    from ui import jobs
    from ui.figures.training import toy_run

    runs = [jobs.start(r.fn, r.total, config=r.config, with_class=r.with_class)
            for r in (toy_run(ToyConfig(steps=400, seed=s)) for s in range(jobs.MAX_JOBS + jobs.MAX_WAITING + 3))]
    try:
        deadline = time.time() + 60
        while not all(j.progress.step > 5 for j in runs):
            assert time.time() < deadline
            time.sleep(0.05)
        assert all(j.status == "running" for j in runs) and not jobs.queue.line  # all at once: no queue, no refusal
        assert "trained together with" in jobs.status_line(runs[0])
    finally:
        for j in runs:
            j.progress.stop.set()
        for j in runs:
            j.thread.join(timeout=60)
    assert all(j.status == "stopped" for j in runs)


def test_members_with_other_batch_sizes_share_a_cohort_and_still_get_their_own_run():
    cfgs = [ToyFlowConfig(steps=30, seed=1, batch_size=64), ToyFlowConfig(steps=30, seed=2, batch_size=256),
            ToyFlowConfig(steps=30, seed=3, batch_size=64)]
    together, group = _together(*[lambda trainer, c=c: train_toy_flow(c, trainer=trainer) for c in cfgs])
    assert max(group.sizes) == 3
    for cfg, mine in zip(cfgs, together):
        alone = train_toy_flow(cfg)
        _same(alone.losses, mine.losses, list(alone.model.parameters()), list(mine.model.parameters()))
