"""A student's drawing as data (core.data.drawn): its code round-trips, hostile codes are refused, and it samples like
a toy distribution on every live trainer."""

import math

import pytest
import torch

from core.data import EXTENT, check_toy, drawn_name, is_drawn, sample_toy
from core.data.drawn import EXAMPLE, GRID, JITTER, MAX_POINTS, decode, drawn_points, encode
from core.live.targets import TargetToyConfig
from core.live.toy_diffusion import ToyConfig
from core.live.toy_flow import ToyFlowConfig

STEP = 2 * EXTENT / (GRID - 1)


def test_round_trip_on_the_grid():
    points = torch.tensor([[0.0, 0.0], [-4.0, 4.0], [4.0, -4.0], [1.0, -2.5]])
    back, second = decode(encode([points]))
    assert back.shape == (4, 2) and second.shape == (0, 2)  # always two sets: the second one empty here
    assert torch.allclose(back[:3], points[:3])  # the centre and the corners are on the grid
    assert (back - points).abs().max() <= STEP / 2 + 1e-6  # any other point moves by at most half a step
    assert encode([back]) == encode([points])  # a decoded drawing encodes to the same code
    assert len(encode([points])) == 2 * len(points)  # one character per coordinate


def test_two_sets_either_may_be_empty_and_clipping():
    a, b = torch.tensor([[9.0, -9.0]]), torch.tensor([[0.5, 0.5], [1.0, 1.0]])
    code = encode([a, b])
    assert code.count(".") == 1
    sa, sb = decode(code)
    assert sa.tolist() == [[EXTENT, -EXTENT]]  # outside the box: on its edge
    assert sb.shape == (2, 2)
    assert encode([a, torch.zeros(0, 2)]) == encode([a])  # an empty second set is left out
    empty_first = encode([torch.zeros(0, 2), b])
    assert empty_first.startswith(".") and decode(empty_first)[0].shape == (0, 2)
    assert encode([torch.zeros(0, 2)]) == encode([torch.zeros(0, 2)] * 2) == "."  # nothing drawn yet
    assert [s.shape for s in decode(".")] == [(0, 2), (0, 2)]
    assert drawn_points(drawn_name(code, 1)).shape == (2, 2)
    with pytest.raises(ValueError, match="second set is empty"):
        drawn_points(drawn_name(encode([a]), 1))
    with pytest.raises(ValueError, match="first set is empty"):
        sample_toy(drawn_name("."), 10, seed=0)


@pytest.mark.parametrize("code", ["", "A", "ABC", "A!", "AA.B", ".A", "..", "AA.BB.CC", "__", "AA BB", "é" * 2,
                                  "AA" * (MAX_POINTS + 1), "AA\nBB", "AA%2e", "<script>"])
def test_hostile_codes_are_refused(code):
    with pytest.raises(ValueError):
        decode(code)
    with pytest.raises(ValueError):
        check_toy(drawn_name(code))
    with pytest.raises(ValueError):
        ToyConfig(dataset=drawn_name(code))


def test_encode_refuses_what_is_not_a_drawing():
    with pytest.raises(ValueError):
        encode([torch.zeros(MAX_POINTS + 1, 2)])
    with pytest.raises(ValueError):
        encode([torch.zeros(3, 3)])
    with pytest.raises(ValueError):
        encode([torch.zeros(1, 2)] * 3)


def test_sampling_a_drawing():
    anchors = torch.tensor([[-2.0, 0.0], [2.0, 0.0]])
    name = drawn_name(encode([anchors]))
    assert is_drawn(name) and not is_drawn("moons") and not is_drawn("drawnish")
    x = sample_toy(name, 20_000, seed=3)
    assert x.shape == (20_000, 2) and x.dtype == torch.float32
    assert torch.equal(x, sample_toy(name, 20_000, seed=3))  # seeded
    left = x[:, 0] < 0
    assert abs(left.float().mean().item() - 0.5) < 0.02  # each drawn point equally likely
    spread = (x[left] - anchors[0]).std(0)
    assert torch.allclose(spread, torch.full((2,), JITTER), rtol=0.05)  # plus N(0, JITTER^2 I)


def test_the_example_is_a_face_and_a_heart_in_the_box():
    face, heart = decode(EXAMPLE)
    assert 50 <= len(face) <= MAX_POINTS and 30 <= len(heart) <= MAX_POINTS
    radius = face[:60].norm(dim=1)  # the face's outline: a circle of radius 3
    assert (radius - 3).abs().max() < STEP
    assert heart.abs().max() <= EXTENT and math.isclose(float(heart[:, 0].mean()), 0.0, abs_tol=0.1)


def test_every_live_trainer_takes_a_drawing():
    name = drawn_name(EXAMPLE)
    ToyConfig(dataset=name)
    ToyFlowConfig(source=drawn_name(EXAMPLE, 1), target=name)
    TargetToyConfig(dataset=name)
    with pytest.raises(ValueError, match="unknown toy dataset"):
        ToyConfig(dataset="drawing")
