"""A class's toy runs trained together (core.training.together): the time of one step for K runs at once against one
run alone, for the three live toy trainers (measured, never asserted)."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import torch

from core.live.toy_diffusion import ToyConfig, train_toy
from core.live.toy_flow import ToyFlowConfig, train_toy_flow
from core.training import train
from core.training.together import Together

STEPS = 200
KS = (1, 4, 16, 32)


def _alone(run, cfg) -> float:
    run(cfg, train)  # warm: the first run pays PyTorch's imports
    t0 = time.perf_counter()
    run(cfg, train)
    return (time.perf_counter() - t0) / STEPS


def _together(run, cfgs) -> float:
    group = Together()
    threads = [threading.Thread(target=run, args=(c, group.train)) for c in cfgs]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return (time.perf_counter() - t0) / STEPS


def main() -> None:
    torch.set_num_threads(1)
    trainers = {
        "toy diffusion (page 4: MLP 3x128, batch 128)": (lambda c, tr: train_toy(c, trainer=tr), ToyConfig(steps=STEPS)),
        "toy flow, random pairing (page 8: MLP 3x64, batch 256)": (
            lambda c, tr: train_toy_flow(c, trainer=tr), ToyFlowConfig(steps=STEPS, pairing="random")),
        "toy flow, OT pairing in blocks of 16": (lambda c, tr: train_toy_flow(c, trainer=tr), ToyFlowConfig(steps=STEPS, pairing="ot")),
    }
    print("\n### a class's toy runs trained together, 1 thread: ms per step (all K runs), and per run\n")
    print("| trainer | alone | " + " | ".join(f"K = {k}" for k in KS) + " |")
    print("|---|---|" + "---|" * len(KS))
    for name, (run, cfg) in trainers.items():
        alone = _alone(run, cfg)
        cells = []
        for k in KS:
            per_step = _together(run, [replace(cfg, seed=s) for s in range(k)])
            cells.append(f"{1000 * per_step:.1f} ({1000 * per_step / k:.2f} per run)")
        print(f"| {name} | {1000 * alone:.2f} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
