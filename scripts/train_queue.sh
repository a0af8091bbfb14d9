#!/usr/bin/env bash
# Train the shipped MNIST checkpoints one after another, one thread, resumable.
cd "$(dirname "$0")/.." && mkdir -p runs
for r in "$@"; do
  .venv/bin/python -m core.train "$r" --resume --threads 1 > "runs/$r.log" 2>&1 || echo "FAILED $r" >> runs/queue.log
  echo "done $r $(date +%T)" >> runs/queue.log
done
