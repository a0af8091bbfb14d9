#!/usr/bin/env bash
# Train every shipped recipe on a GPU in one go, then judge them; the checkpoints come back in OUT.
#
#   bash scripts/train_gpu.sh [OUT]            # OUT defaults to $OUT (the device tool's folder) or ./gpu-out
#   DRY_RUN=1 bash scripts/train_gpu.sh        # print the commands only
#
# Nothing in the app depends on this script: every recipe also trains on a CPU (python -m core.train NAME).
# Order matters: a latent model needs its VAE first. Copy OUT/checkpoints/* into assets/checkpoints to ship.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT_DIR="${1:-${OUT:-gpu-out}}"
PY="${PYTHON:-.venv/bin/python}"
RECIPES=(mnist-classifier mnist-classifier-b cifar10-classifier mnist-autoencoder mnist-autoencoder-2d mnist-vae-2d mnist-vae-spatial
         cifar10-autoencoder mnist-ddpm-eps mnist-ddpm-x0 mnist-ddpm-v mnist-ddpm-v-uncond mnist-ddpm-eps-uncond
         mnist-flow-random mnist-flow-ot mnist-latent-flow cifar10-flow-ot mnist-detector)
# the detector is trained on samples of generators above; mnist-flow-random keeps its training snapshots (Part 9)

run() {
  echo "+ $*"
  if [ -z "${DRY_RUN:-}" ]; then "$@"; fi
}

run mkdir -p "$OUT_DIR/checkpoints" "$OUT_DIR/runs" "$OUT_DIR/logs"
for r in "${RECIPES[@]}"; do
  # the judges and the VAEs are read from the same folder the new models go to
  DIFFUSION_PLAYGROUND_CHECKPOINTS="$OUT_DIR/checkpoints" run "$PY" -m core.train "$r" --device cuda --threads 8 \
    --resume --overwrite --out "$OUT_DIR/checkpoints" --runs "$OUT_DIR/runs" \
    $( [ "$r" = mnist-flow-random ] && echo --snapshots 60,150,400,1000,2000 )
done
run mkdir -p "$OUT_DIR/checkpoints/snapshots"
run cp "$OUT_DIR"/runs/mnist-flow-random/snapshots/* "$OUT_DIR/checkpoints/snapshots/"
export DIFFUSION_PLAYGROUND_CHECKPOINTS="$OUT_DIR/checkpoints"
run "$PY" -m core.evaluate mnist-classifier mnist-classifier-b cifar10-classifier
run "$PY" -m core.evaluate mnist-ddpm-eps mnist-ddpm-x0 mnist-ddpm-v --steps 1 2 5 10 20 50 --method ddim --conditional
run "$PY" -m core.evaluate mnist-ddpm-eps mnist-ddpm-x0 mnist-ddpm-v --loss-curve
run "$PY" -m core.evaluate mnist-ddpm-v-uncond --steps 10 20 50 --method ddim
run "$PY" -m core.evaluate mnist-ddpm-eps-uncond --steps 20 50 --method ddpm
run "$PY" -m core.evaluate mnist-flow-random mnist-flow-ot --steps 1 2 5 10 20 --method euler --conditional
run "$PY" -m core.evaluate mnist-latent-flow --steps 5 10 20 --method euler --conditional
run "$PY" -m core.evaluate cifar10-flow-ot --steps 20 --method euler --conditional --guidance 3
run "$PY" -m core.forensics.measure --threads 8
echo "done: checkpoints and manifest in $OUT_DIR/checkpoints"
