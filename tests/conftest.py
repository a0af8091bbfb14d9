"""Shared test settings: one thread per test process so tests never oversubscribe the two cores."""

import torch

torch.set_num_threads(1)
