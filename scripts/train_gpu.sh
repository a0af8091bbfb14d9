#!/usr/bin/env bash
# Train every shipped recipe on a GPU in one go; the checkpoints come back in OUT/checkpoints.
#
#   bash scripts/train_gpu.sh [OUT]        # OUT defaults to $OUT (the device tool's folder) or ./gpu-out
#   DRY_RUN=1 bash scripts/train_gpu.sh    # print the commands only
#
# Three stages:
#   1. the supporting models, one after the other: the judges, the auto-encoders, the VAEs (a latent model needs its VAE);
#   2. the generators the pages show, all at once on the one GPU (a few processes keep it busier than one),
#      each fitted to MINUTES of training (core.train --minutes: the warm-up is timed, the total chosen to fit);
#   3. the detector, trained on samples of the new generators (Part 9).
# SUPPORT=0 or DETECTOR=0 skips stage 1 or 3 (the shipped models of that stage are used instead).
# Nothing in the app depends on this script: every recipe also trains on a CPU (python -m core.train NAME),
# and core.train records in each checkpoint the number of steps it ran, so `--steps N` reproduces it.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT_DIR="${1:-${OUT:-gpu-out}}"
PY="${PYTHON:-.venv/bin/python}"
MINUTES="${MINUTES:-30}"
SUPPORT_RECIPES=(mnist-classifier mnist-classifier-b cifar10-classifier mnist-autoencoder mnist-autoencoder-2d mnist-vae-2d
                 mnist-vae-spatial cifar10-autoencoder)
# all at once: each run times its warm-up while the others share the GPU (a run that times it alone, before the others
# have loaded their data, overestimates its speed: on 2026-11-30 two such runs took 8 minutes of a 5.5-minute budget)
GENERATORS=(cifar10-flow-ot mnist-latent-flow mnist-latent-flow-uncond mnist-ddpm-eps-uncond mnist-ddpm-v-uncond mnist-flow-ot-uncond mnist-flow-random-uncond mnist-flow-random mnist-flow-ot
            mnist-ddpm-eps mnist-ddpm-x0 mnist-ddpm-v)
ONLY="${ONLY:-}"  # a space-separated subset of GENERATORS (default: all)
DEVICE="${DEVICE:-cuda}"  # DEVICE=cpu EXTRA="--batch-size 16" MINUTES=0.5: a quick rehearsal on a machine without a GPU
read -r -a EXTRA <<<"${EXTRA:-}"
export DIFFUSION_PLAYGROUND_CHECKPOINTS="$OUT_DIR/checkpoints"  # the judges and VAEs are read where the new models go

run() {
  echo "+ $*"
  if [ -z "${DRY_RUN:-}" ]; then "$@"; fi
}

train() {  # train NAME [extra core.train arguments]
  local name="$1"; shift
  run "$PY" -m core.train "$name" --device "$DEVICE" --threads 2 --every 1000 --resume --overwrite \
    --out "$OUT_DIR/checkpoints" --runs "$OUT_DIR/runs" ${EXTRA[@]+"${EXTRA[@]}"} "$@"
}

# OUT/trained.txt lists what this run made (OUT/checkpoints also holds the shipped models, copied in below):
# bring back only those, e.g. tar czf new.tgz -C OUT -T OUT/trained.txt
record() {
  if [ -z "${DRY_RUN:-}" ]; then printf '%s\n' "$@" >>"$OUT_DIR/trained.txt"; fi
}

run mkdir -p "$OUT_DIR/checkpoints" "$OUT_DIR/logs"
if [ -z "${DRY_RUN:-}" ]; then : >"$OUT_DIR/trained.txt"; fi
run cp -rn assets/checkpoints/. "$OUT_DIR/checkpoints/"  # the shipped models, for the stages skipped
if [ "${SUPPORT:-1}" != 0 ]; then
  for r in "${SUPPORT_RECIPES[@]}"; do train "$r"; done
fi

pids=()
for r in "${GENERATORS[@]}"; do
  if [ -n "$ONLY" ] && [[ " $ONLY " != *" $r "* ]]; then continue; fi
  extra=(--steps 1000000 --minutes "$MINUTES")
  [ "$r" = mnist-flow-random ] && extra+=(--snapshots 60,150,400,1000,2000)  # Part 9's film strip
  if [ -n "${DRY_RUN:-}" ]; then
    train "$r" "${extra[@]}"
  else
    train "$r" "${extra[@]}" >"$OUT_DIR/logs/$r.log" 2>&1 &
    pids+=($!)
  fi
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
for r in "${GENERATORS[@]}"; do
  [ -f "$OUT_DIR/logs/$r.log" ] && { echo "== $r"; tr '\r' '\n' <"$OUT_DIR/logs/$r.log" | grep -v '^\s*$' | tail -n 2; }
  [ -f "$OUT_DIR/logs/$r.log" ] && record "checkpoints/$r.safetensors" "checkpoints/$r.json"
done
if [ -d "$OUT_DIR/runs/mnist-flow-random/snapshots" ]; then
  run mkdir -p "$OUT_DIR/checkpoints/snapshots"
  run cp "$OUT_DIR"/runs/mnist-flow-random/snapshots/* "$OUT_DIR/checkpoints/snapshots/"
  record checkpoints/snapshots
fi

if [ "${DETECTOR:-1}" != 0 ]; then
  train mnist-detector
  record checkpoints/mnist-detector.safetensors checkpoints/mnist-detector.json
fi
echo "done ($failed generator run(s) failed): checkpoints in $OUT_DIR/checkpoints; judge them with"
echo "  DIFFUSION_PLAYGROUND_CHECKPOINTS=$OUT_DIR/checkpoints python -m core.evaluate NAME ... (see docs/MODELS.md)"
exit "$failed"
