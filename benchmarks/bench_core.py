"""Core math on the CPU: forward noising, one reverse step, OT pairing, ODE solvers."""

from __future__ import annotations

import torch

from benchmarks.timing import measure, row, table
from core.data import load_mnist, to_model_range
from core.diffusion import make_schedule, sample_ddim, sample_ddpm
from core.flow import ot_permutation
from core.solvers import solve


def main(threads: int = 1) -> None:
    torch.set_num_threads(threads)
    g = torch.Generator().manual_seed(0)
    sch = make_schedule("cosine", 1000)
    x0 = to_model_range(load_mnist().images[:256])
    rows = []

    eps = torch.randn(x0.shape, generator=g)
    t = torch.randint(0, 1001, (256,), generator=g)
    from core.diffusion import q_sample

    rows.append(row("forward noising, 256 MNIST images (closed form)", measure(lambda: q_sample(x0, t, sch, eps))))

    x = torch.randn(64, 1, 28, 28, generator=g)
    out = torch.randn(64, 1, 28, 28, generator=g)
    model = lambda x_t, t: out  # a fixed "model output": measures the step itself
    rows.append(row("one DDPM step, 64 images", measure(lambda: sample_ddpm(model, x, sch, steps=1, generator=g))))
    rows.append(row("one DDIM step, 64 images", measure(lambda: sample_ddim(model, x, sch, steps=1))))

    for n in (64, 256, 1024):
        a, b = torch.randn(n, 784, generator=g), torch.randn(n, 784, generator=g)
        rows.append(row(f"exact OT pairing, batch {n} (784-D)", measure(lambda: ot_permutation(a, b), repeats=10 if n < 1024 else 3, warmup=1)))

    pts = torch.randn(2000, 2, generator=g)
    field = lambda x, t: torch.stack([-x[:, 1], x[:, 0]], 1) * (1 + t[:, None])
    for method, steps in (("euler", 20), ("heun", 20), ("rk4", 20), ("dopri5", 20)):
        sol = solve(field, pts, method, steps=steps)
        rows.append(row(f"{method}, 2000 points on a 2-D field, {steps} steps", measure(lambda: solve(field, pts, method, steps=steps), repeats=10), f"NFE {sol.nfe}"))

    print(table(f"core, {threads} thread(s)", rows))


if __name__ == "__main__":
    main()
