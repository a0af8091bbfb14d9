"""Models: sampling latency of 64 MNIST images (1 and 2 threads) and training throughput per recipe.

Latency does not depend on the weights, so the networks are built from the recipes' configs;
the throughput of the shipped checkpoints is read from their manifest (measured while training).
"""

from __future__ import annotations

import torch

from benchmarks.timing import measure, row, table
from core.diffusion import make_schedule, sample_ddim
from core.evaluation import read_manifest
from core.solvers import solve
from core.training.recipes import RECIPES, build_model


def main() -> None:
    recipe = RECIPES["mnist-ddpm-eps"]
    net = build_model(recipe, (1, 28, 28), generator=torch.Generator().manual_seed(0)).eval()
    sch = make_schedule("cosine", 1000)
    x = torch.randn(64, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    null = torch.full((64,), 10)
    denoiser = lambda x_t, t: net(x_t, t.float() / 1000, null)
    velocity = lambda x_t, t: net(x_t, t, null)
    for threads in (1, 2):
        torch.set_num_threads(threads)
        rows = []
        for steps in (1, 5, 20, 50):
            rep = 3 if steps >= 20 else 5
            with torch.no_grad():
                rows.append(row(f"DDIM, {steps} steps", measure(lambda: sample_ddim(denoiser, x, sch, steps=steps), repeats=rep, warmup=1)))
                rows.append(row(f"flow, Euler, {steps} steps", measure(lambda: solve(velocity, x, "euler", steps=steps), repeats=rep, warmup=1)))
        print(table(f"sampling 64 MNIST images, UNet {sum(p.numel() for p in net.parameters()) / 1e6:.2f} M params, {threads} thread(s)", rows))
    manifest = read_manifest()
    if manifest:
        print("\n### training throughput (from the manifest)\n\n| checkpoint | images/s | steps | wall (min) | hardware |\n|---|---|---|---|---|")
        for name, m in manifest.items():
            print(f"| {name} | {m.get('images_per_second')} | {m.get('steps')} | {(m.get('wall_seconds') or 0) / 60:.1f} | {m.get('hardware')} |")


if __name__ == "__main__":
    main()
