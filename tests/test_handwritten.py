"""A student's handwritten digit (core.data.handwritten): made MNIST-style as MNIST's were (20 x 20 box, centre of
mass at the centre), written as a code that round-trips, hostile codes refused; and MNIST's own judge reads a real
digit redrawn large and off-centre, once made MNIST-style, as it reads the digit itself."""

import pytest
import torch
import torch.nn.functional as F

from core.data import load_images, split, to_model_range
from core.data.handwritten import BOX, LEVELS, SIZE, decode_digit, encode_digit, mnist_style
from core.io import load


def centre_of_mass(image: torch.Tensor) -> tuple[float, float]:
    ys, xs = torch.arange(SIZE, dtype=torch.float32), torch.arange(SIZE, dtype=torch.float32)
    mass = image.sum()
    return float((image.sum(1) * ys).sum() / mass), float((image.sum(0) * xs).sum() / mass)


def test_a_bar_drawn_anywhere_becomes_a_centred_20_pixel_bar():
    pad = torch.zeros(56, 56)
    pad[5:45, 40:46] = 1.0  # a tall bar, far right, 40 x 6
    out = mnist_style(pad)
    assert out.shape == (SIZE, SIZE) and 0 <= out.min() and out.max() <= 1
    rows, cols = torch.nonzero(out > 0.05, as_tuple=True)
    assert rows.max() - rows.min() + 1 == BOX  # the longer side fills the box
    assert cols.max() - cols.min() + 1 == 3  # the aspect ratio kept: 6 * 20 / 40
    cy, cx = centre_of_mass(out)
    assert abs(cy - 13.5) <= 0.5 and abs(cx - 13.5) <= 0.5  # the centre of mass at the centre (within a pixel)


def test_a_small_dot_is_enlarged_and_a_blank_pad_refused():
    pad = torch.zeros(56, 56)
    pad[10:12, 10:14] = 1.0
    assert mnist_style(pad).max() > 0.9
    with pytest.raises(ValueError, match="no ink"):
        mnist_style(torch.zeros(56, 56))
    with pytest.raises(ValueError):
        mnist_style(torch.zeros(2, 56, 56))


def test_the_code_round_trips_at_16_levels():
    image = torch.rand(SIZE, SIZE, generator=torch.Generator().manual_seed(0))
    code = encode_digit(image)
    assert len(code) == SIZE * SIZE and set(code) <= set("0123456789abcdef")
    back = decode_digit(code)
    assert (back - image).abs().max() <= 0.5 / (LEVELS - 1) + 1e-6
    assert encode_digit(back) == code


@pytest.mark.parametrize("code", [None, "", "0" * 784, "0" * 783, "0" * 785, "g" * 784, "0" * 783 + "A", "0" * 783 + "\n", 7])
def test_hostile_codes_are_refused(code):
    with pytest.raises(ValueError):
        decode_digit(code)


def test_the_judge_reads_a_redrawn_digit_as_it_reads_the_digit():
    """Held-out digits drawn again as a student might (four times larger, in a corner of a bigger pad) and made
    MNIST-style: the shipped judge reads them as it reads the originals (the pipeline undoes the size and the place)."""
    judge = load("mnist-classifier").model.eval()
    held = split(load_images("mnist"))[1]
    digits = held.images[:200, 0].float() / 255  # (200, 28, 28) in [0, 1]
    redrawn = []
    for k, digit in enumerate(digits):
        big = F.interpolate(digit[None, None], scale_factor=4, mode="bilinear", align_corners=False)[0, 0]  # 112 x 112
        pad = torch.zeros(160, 160)
        top, left = (k * 7) % 48, (k * 13) % 48  # anywhere on the pad
        pad[top : top + 112, left : left + 112] = big
        redrawn.append(mnist_style(F.interpolate(pad[None, None], size=(56, 56), mode="area")[0, 0]))
    with torch.no_grad():
        original = judge(to_model_range(held.images[:200])).argmax(-1)
        again = judge(torch.stack(redrawn)[:, None] * 2 - 1).argmax(-1)
    agree = float((original == again).float().mean())
    assert agree >= 0.95, f"the judge reads {agree:.0%} of the redrawn digits as it reads the originals"
