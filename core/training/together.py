"""Many students' small models trained together: the one loop's step (:mod:`core.training.loop`), vectorised.

When a whole class presses Train on the same page, the server would train one model after the other (or many in
parallel threads that fight over two cores). :class:`Together` trains them **at once**: the runs that share a
network architecture become the members of one cohort, stepped by one thread, their weights stacked along a
first axis of size K, so that one batched forward and one batched backward (``torch.baddbmm``) serve all K. Each
member keeps everything that makes its run its own: its data, objective and random generator (every draw comes from
it, in the order the one loop draws them), its learning rate and schedule, its number of steps and its Adam state;
the member's result is the same model the one loop would give, to rounding (tested). A run that arrives while the
cohort trains joins it at the next step boundary; a finished or stopped one leaves at the next. Members whose batches
differ in size (a student chose another batch size) share the weights' stacks and take one forward per size.

``Together().train`` has the signature of :func:`core.training.loop.train` and blocks its caller (a page's training
thread) until its run has ended, so a live trainer takes either (``trainer=``). It serves the pages' time-conditioned
MLPs (:class:`core.nets.MLP`: the toy diffusion, the toy flows, the prediction-target toy); any other model, and any
run with EMA, trains alone through the one loop.

How one objective serves K members without being rewritten: a member's objective ``loss_fn(model, batch, g)`` calls
the model once. The cohort calls it a first time with a *recording* model (it keeps the inputs ``x, t`` and stops the
call), computes every member's output in one batched forward, then calls it again, the generator's state restored
(the same draws), with a *replaying* model that returns the member's slice of the batched output. One backward of
the sum of the members' losses then gives each member the gradient of its own loss (member k's loss depends on
member k's weights only). Then one Adam step per member's slice (the same arithmetic as ``torch.optim.AdamW`` without
weight decay, the pages' setting), at the member's own learning rate and step count.
"""

from __future__ import annotations

import functools
import math
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor

from core.nets.common import timestep_embedding
from core.nets.mlp import ACTIVATIONS, MLP
from core.training.loop import LossFn, Optimisation, StepInfo, TrainState, lr_at
from core.training.loop import train as train_alone

__all__ = ["Together", "fits"]

BETAS, EPS = (0.9, 0.999), 1e-8  # torch.optim.AdamW's defaults, which the one loop uses


def fits(state: TrainState, opt: Optimisation) -> bool:
    """Whether a run can train in a cohort: an :class:`~core.nets.MLP` on the CPU, no EMA, no weight decay."""
    return (isinstance(state.model, MLP) and state.ema is None and opt.ema_decay is None and opt.weight_decay == 0
            and all(p.device.type == "cpu" and p.dtype == torch.float32 for p in state.model.parameters()))


class _Recorded(Exception):
    """Raised by the recording model once it has seen the inputs (the rest of the objective is not needed yet)."""


def _record(seen: list[tuple[Tensor, Tensor]], x: Tensor, t: Tensor, *_: Any) -> Tensor:
    """The recording model: keeps the inputs the objective gives its model, then stops the objective."""
    seen.append((x, t))
    raise _Recorded


@dataclass(eq=False)
class _Member:
    """One run in a cohort: what the one loop would hold for it, and what its caller waits for."""

    state: TrainState
    loss_fn: LossFn
    batches: Iterator[Any]
    opt: Optimisation
    generator: torch.Generator
    on_step: Callable[[StepInfo], bool | None] | None
    exp_avg: list[Tensor] = field(default_factory=list)
    exp_avg_sq: list[Tensor] = field(default_factory=list)
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


class _Cohort:
    """The members of one architecture, their weights and Adam moments stacked (the members' own tensors are views
    into the stacks, so a member's model always holds its current weights)."""

    def __init__(self, cfg) -> None:
        self.cfg = cfg
        self.members: list[_Member] = []
        self.weights: list[Tensor] = []
        self.moments: tuple[list[Tensor], list[Tensor]] = ([], [])

    def restack(self, members: list[_Member]) -> None:
        """Stack the weights and moments of ``members`` (the previous stacks' values, read through the views)."""
        self.members = members
        if not members:
            self.weights, self.moments = [], ([], [])
            return
        params = [list(m.state.model.parameters()) for m in members]
        self.weights = [torch.stack([p[i].detach() for p in params]).requires_grad_(True) for i in range(len(params[0]))]
        self.moments = tuple([torch.stack([getattr(m, name)[i] for m in members]) for i in range(len(params[0]))]
                             for name in ("exp_avg", "exp_avg_sq"))
        for k, (m, p) in enumerate(zip(members, params)):
            for i, q in enumerate(p):
                q.data = self.weights[i].data[k]
            m.exp_avg = [a[k] for a in self.moments[0]]
            m.exp_avg_sq = [a[k] for a in self.moments[1]]

    def forward(self, x: Tensor, t: Tensor, members: list[int] | None = None) -> Tensor:
        """The MLPs of ``members`` (default: all) at once: ``x`` ``(K, B, D)``, ``t`` ``(K, B)`` -> ``(K, B, D)`` (as
        :meth:`MLP.forward`)."""
        cfg = self.cfg
        k, b = t.shape
        weights = self.weights if members is None else [w[members] for w in self.weights]
        emb = timestep_embedding(t.reshape(-1), cfg.time_embed_dim, scale=cfg.time_scale).reshape(k, b, -1)
        h = torch.cat([x, emb.to(x.dtype)], dim=2)
        act = ACTIVATIONS[cfg.activation]()
        layers = len(weights) // 2
        for i in range(layers):
            w, bias = weights[2 * i], weights[2 * i + 1]  # (K, out, in), (K, out): nn.Linear's layout
            h = torch.baddbmm(bias.unsqueeze(1), h, w.transpose(1, 2))
            if i < layers - 1:
                h = act(h)
        return h

    def step(self) -> None:
        """One optimiser step of every member (each as the one loop would take it)."""
        members, inputs, states, batches = self.members, [], [], []
        for m in members:  # 1. each member's batch and the inputs its objective gives its model
            batch = next(m.batches)
            state = m.generator.get_state()
            seen: list[tuple[Tensor, Tensor]] = []
            try:
                m.loss_fn(functools.partial(_record, seen), batch, m.generator)
            except _Recorded:
                pass
            if len(seen) != 1:
                raise RuntimeError("an objective trained together must call its model exactly once")
            inputs.append(seen[0])
            states.append(state)
            batches.append(batch)
        groups: dict[tuple[int, ...], list[int]] = {}  # members whose batches have one shape go through one forward
        for k, (x, _) in enumerate(inputs):
            groups.setdefault(tuple(x.shape), []).append(k)
        out: list[Tensor] = [torch.empty(0)] * len(members)
        for ks in groups.values():
            both = self.forward(torch.stack([inputs[k][0] for k in ks]), torch.stack([inputs[k][1] for k in ks]),
                                None if len(ks) == len(members) else ks)
            for j, k in enumerate(ks):
                out[k] = both[j]
        losses = []
        for k, (m, batch, state) in enumerate(zip(members, batches, states)):  # 2. each objective, on its own output
            m.generator.set_state(state)
            losses.append(m.loss_fn(lambda *_, k=k: out[k], batch, m.generator))
        losses = torch.stack(losses)
        if not torch.isfinite(losses).all():
            bad = next(k for k in range(len(members)) if not torch.isfinite(losses[k]))
            raise FloatingPointError(f"the loss became {losses[bad].item()} at step {members[bad].state.step}; "
                                     "lower the learning rate")
        for w in self.weights:
            w.grad = None
        losses.sum().backward()  # 3. one backward for all: member k's loss reaches only member k's weights
        losses = losses.tolist()
        self._adam([lr_at(m.state.step, m.opt) for m in members], [m.opt.grad_clip for m in members])
        for m, loss in zip(members, losses):
            m.state.step += 1
            m.state.losses.append(loss)

    @torch.no_grad()
    def _adam(self, lrs: list[float], clips: list[float | None]) -> None:
        """AdamW without weight decay on every member's slice, each at its own rate and step (bias corrections)."""
        members, shape = self.members, (len(self.members),)
        if any(c is not None for c in clips):  # each member's gradient clipped by its own norm
            norms = torch.stack([w.grad.flatten(1).pow(2).sum(1) for w in self.weights]).sum(0).sqrt()
            limit = torch.tensor([c if c is not None else math.inf for c in clips])
            scale = (limit / (norms + 1e-6)).clamp(max=1.0)
            for w in self.weights:
                w.grad.mul_(scale.view(-1, *[1] * (w.dim() - 1)))
        steps = torch.tensor([m.state.step + 1 for m in members], dtype=torch.float64)
        (b1, b2) = BETAS
        step_size = (torch.tensor(lrs, dtype=torch.float64) / (1 - b1**steps)).float()
        bc2_sqrt = (1 - b2**steps).sqrt().float()
        for w, m1, m2 in zip(self.weights, *self.moments):
            view = (*shape, *[1] * (w.dim() - 1))
            m1.lerp_(w.grad, 1 - b1)
            m2.mul_(b2).addcmul_(w.grad, w.grad, value=1 - b2)
            denom = (m2.sqrt() / bc2_sqrt.view(view)).add_(EPS)
            w.data.addcdiv_(m1 * step_size.view(view), denom, value=-1.0)


class Together:
    """Runs of the same architecture trained at once, one thread per cohort, at most ``slots`` cohorts stepping at a
    time (the others wait for the next step); ``train`` has the one loop's signature."""

    def __init__(self, slots: int = 1) -> None:
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(slots)  # cohorts (one per architecture) stepping at once
        self._waiting: dict[Any, list[_Member]] = {}
        self._threads: dict[Any, threading.Thread] = {}
        self._counts: dict[Any, int] = {}  # the members of each cohort now
        self.sizes: deque[int] = deque(maxlen=10_000)  # the cohorts' sizes at their last steps (benchmarks, tests)

    def train(self, state: TrainState, loss_fn: LossFn, batches: Iterator[Any], opt: Optimisation, *,
              generator: torch.Generator, on_step: Callable[[StepInfo], bool | None] | None = None) -> TrainState:
        """Train ``state.model`` as :func:`core.training.loop.train` would, in the cohort of its architecture (joined
        at its next step); blocks until the run has ended. A model that cannot train together trains alone."""
        if not fits(state, opt):
            return train_alone(state, loss_fn, batches, opt, generator=generator, on_step=on_step)
        if state.step >= opt.steps:
            return state
        member = _Member(state, loss_fn, batches, opt, generator, on_step,
                         [torch.zeros_like(p) for p in state.model.parameters()],
                         [torch.zeros_like(p) for p in state.model.parameters()])
        key = state.model.cfg
        state.model.train()
        with self._lock:
            self._waiting.setdefault(key, []).append(member)
            if key not in self._threads:
                self._threads[key] = threading.Thread(target=self._run, args=(key,), daemon=True, name="training-together")
                self._threads[key].start()
        member.done.wait()
        state.model.eval()
        if member.error is not None:
            raise member.error
        return state

    def running(self) -> int:
        """How many runs train together now, all cohorts counted (those about to join too)."""
        with self._lock:
            return sum(self._counts.values()) + sum(len(w) for w in self._waiting.values())

    def _run(self, key: Any) -> None:
        """The cohort's thread: take in the new members, step all, let the finished ones go; end when none is left."""
        cohort = _Cohort(key)
        while True:
            with self._lock:
                joining = self._waiting.pop(key, [])
                if not cohort.members and not joining:
                    del self._threads[key]
                    self._counts.pop(key, None)
                    return
            if joining:
                cohort.restack(cohort.members + joining)
            with self._lock:
                self._counts[key] = len(cohort.members)
            try:
                with self._slots:
                    cohort.step()
            except BaseException as err:  # the whole step failed: every member is told, none hangs
                for m in cohort.members:
                    m.error = err
                    m.done.set()
                cohort.restack([])
                continue
            self.sizes.append(len(cohort.members))
            staying = []
            for m in cohort.members:
                stop = False
                if m.on_step is not None:
                    try:
                        stop = bool(m.on_step(StepInfo(m.state.step, m.opt.steps, m.state.losses[-1],
                                                       lr_at(m.state.step - 1, m.opt))))
                    except BaseException as err:  # one member's callback failed: that member ends, the others go on
                        m.error, stop = err, True
                if stop or m.state.step >= m.opt.steps:
                    m.done.set()
                else:
                    staying.append(m)
            if len(staying) != len(cohort.members):
                cohort.restack(staying)
