import numpy as np
import pytest
import torch
from torch import nn

from core.evaluation import frechet_distance, judge


def test_frechet_distance_closed_forms():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(4000, 3))
    assert frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    shift = np.array([1.0, -2.0, 0.5])
    assert frechet_distance(a, a + shift) == pytest.approx((shift**2).sum(), rel=1e-6)
    # N(0, I) vs N(0, 4 I) in 3-D: Tr(I + 4I - 2 * 2I) = 3
    assert frechet_distance(a, 2 * a) == pytest.approx(3 * a.var(0, ddof=1).mean(), rel=0.05)


class Fixed(nn.Module):
    """Logits that make the first half confident class 3, the second half unsure."""

    def forward(self, x):
        logits = torch.zeros(len(x), 10)
        logits[: len(x) // 2, 3] = 10.0
        return logits


def test_judge_counts_confidence_and_classes():
    v = judge(Fixed(), torch.zeros(10, 1, 28, 28))
    assert v.confident_share == pytest.approx(0.5)
    assert v.histogram[3] == pytest.approx(0.5) and sum(v.histogram) == pytest.approx(1.0)


def test_each_data_set_has_its_judge_and_held_out_images():
    from core.evaluation import CLASSIFIERS, heldout
    from core.io import load
    from core.sampling import image_data

    train, held, labels = heldout("cifar10")
    assert train.shape[1:] == held.shape[1:] == (3, 32, 32) and len(held) == len(labels) == 2000
    assert -1.0 <= float(held.min()) and float(held.max()) <= 1.0
    assert image_data(load("mnist-latent-flow")) == "mnist"  # a latent model is judged on its VAE's images
    assert image_data(load("mnist-classifier")) == "mnist"
    assert set(CLASSIFIERS) == {"mnist", "cifar10"}


def test_two_judges_count_a_sample_only_when_both_are_sure_and_agree():
    from core.evaluation.metrics import Judgement, agreement

    def j(pred, conf):
        return Judgement(0.0, [], torch.tensor(pred), torch.tensor(conf))

    first = j([3, 3, 5, 7, 1], [0.99, 0.95, 0.97, 0.50, 0.92])
    second = j([3, 8, 5, 7, 1], [0.91, 0.99, 0.80, 0.99, 0.93])
    # 0: both sure, agree; 1: disagree; 2: second unsure; 3: first unsure; 4: both sure, agree
    assert agreement(first, second) == 0.4
    assert agreement(first, second, threshold=0.5) == 0.8
