"""The GPU training script names every shipped recipe, each VAE before the latent model that needs it."""

import os
import subprocess

from core import paths
from core.training.recipes import RECIPES


def test_the_gpu_script_trains_every_recipe_in_a_workable_order(tmp_path):
    out = subprocess.run(["bash", str(paths.ROOT / "scripts" / "train_gpu.sh"), str(tmp_path)], capture_output=True,
                         text=True, env={**os.environ, "DRY_RUN": "1"}, check=True).stdout
    trained = [line.split("-m core.train ")[1].split()[0] for line in out.splitlines() if "-m core.train " in line]
    assert set(trained) == set(RECIPES) - {"tiny-test"}
    for name in trained:
        data = RECIPES[name].data
        if data.startswith("latent:"):
            assert trained.index(data.split(":", 1)[1]) < trained.index(name)
    assert not any(tmp_path.iterdir())  # a dry run writes nothing
