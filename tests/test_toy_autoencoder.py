"""Auto-encoders (part 1): layer descriptions (core.nets.autoencoder), live training (core.live.autoencoder), damage
(core.images), fitted-Gaussian codes and the 2-D latent grid (core.sampling.latent)."""

import math

import pytest
import torch

from core.images import add_noise, apply_mask, psnr
from core.live import autoencoder as tae
from core.nets import VAE, ConvAutoencoder, ConvAutoencoderConfig, VAEConfig
from core.nets.autoencoder import Op, decode, describe_layers
from core.sampling.latent import fit_code_gaussian, latent_grid, sample_codes


def test_describe_layers_follows_layer_shapes():
    model = ConvAutoencoder(ConvAutoencoderConfig(code_dim=16))
    layers = describe_layers(model)
    assert [(layer.name, layer.shape) for layer in layers] == model.layer_shapes()
    assert [layer.part for layer in layers].count("code") == 1
    code = next(layer for layer in layers if layer.part == "code")
    assert code.name == "encoder.code" and code.shape == (16,) and code.op == "linear"
    by_name = {layer.name: layer for layer in layers}
    assert by_name["encoder.down1"].op.startswith("conv 3x3, stride 2, ")  # then the activation
    assert by_name["encoder.down1"].shape_text == "32×14×14"
    assert by_name["decoder.up2"].op.startswith("upsample to 14x14, conv 3x3")
    assert layers[-1].part == "output" and layers[-1].op == "conv 3x3, tanh" and layers[-1].shape == (1, 28, 28)
    assert by_name["decoder.up2"].ops[:2] == (Op("upsample", 14), Op("conv", 3))  # data, written by the page in its language
    assert layers[0].ops == (Op("image"),)


def _digits(n=64, seed=0):
    """Blobby fake digits: uint8 (n, 1, 28, 28) with a bright square at a random place."""
    g = torch.Generator().manual_seed(seed)
    x = torch.zeros(n, 1, 28, 28, dtype=torch.uint8)
    for i, (r, c) in enumerate(torch.randint(4, 18, (n, 2), generator=g).tolist()):
        x[i, 0, r : r + 8, c : c + 8] = 255
    return x


def test_train_live_lowers_the_loss_and_reports_previews():
    seen = []
    preview = _digits(4, seed=1).float() / 127.5 - 1
    cfg = tae.LiveConfig(code_dim=4, steps=60, batch_size=16, preview_every=25, seed=0)
    res = tae.train_live(_digits(), cfg, preview=preview, on_preview=lambda s, r: seen.append((s, r.shape)))
    assert res.steps_done == 60 and len(res.losses) == 60
    assert sum(res.losses[-10:]) / 10 < sum(res.losses[:10]) / 10
    assert [s for s, _ in seen] == [1, 25, 50, 60]
    assert all(shape == (4, 1, 28, 28) for _, shape in seen)
    assert res.preview.shape == (4, 1, 28, 28) and not res.model.training


def test_train_live_is_reproducible_and_stops_when_asked():
    cfg = tae.LiveConfig(code_dim=2, steps=50, batch_size=8)
    a = tae.train_live(_digits(), cfg, on_step=lambda info: info.step == 7)
    b = tae.train_live(_digits(), cfg, on_step=lambda info: info.step == 7)
    assert a.steps_done == 7 and a.losses == b.losses


def test_train_live_rejects_float_images():
    with pytest.raises(ValueError, match="uint8"):
        tae.train_live(torch.zeros(8, 1, 28, 28), tae.LiveConfig(steps=1))


def test_add_noise_is_clamped_seeded_and_leaves_the_input():
    x = torch.zeros(2, 1, 28, 28)
    y = add_noise(x, 0.5, generator=torch.Generator().manual_seed(0))
    eps = torch.randn(x.shape, generator=torch.Generator().manual_seed(0))
    assert torch.equal(y, (0.5 * eps).clamp(-1, 1)) and torch.equal(x, torch.zeros_like(x))
    assert torch.equal(add_noise(x, 0.0), x)
    assert add_noise(x, 100.0).abs().max() <= 1.0
    with pytest.raises(ValueError):
        add_noise(x, -0.1)


def test_apply_mask_hides_exactly_a_centred_square():
    x = -torch.ones(1, 1, 28, 28)
    y = apply_mask(x, 10)
    assert (y == 0).sum() == 100 and torch.all(y[0, 0, 9:19, 9:19] == 0)
    assert torch.equal(x, -torch.ones_like(x))
    assert torch.equal(apply_mask(x, 0), x)
    corner = apply_mask(x, 6, top=25, left=-3, fill=1.0)  # clipped into the image
    assert torch.all(corner[0, 0, 22:28, 0:6] == 1.0) and (corner == 1.0).sum() == 36


def test_fitted_gaussian_recovers_mean_and_covariance():
    g = torch.Generator().manual_seed(0)
    mean = torch.tensor([1.0, -2.0, 0.5])
    a = torch.tensor([[1.0, 0.0, 0.0], [0.8, 0.6, 0.0], [0.0, -0.5, 0.3]])
    codes = mean + torch.randn(50_000, 3, generator=g) @ a.T
    fit = fit_code_gaussian(codes)
    assert torch.allclose(fit.mean, mean, atol=0.02)
    assert torch.allclose(fit.cov, a @ a.T, atol=0.03)
    assert torch.allclose(fit.chol @ fit.chol.T, fit.cov, atol=1e-4)
    drawn = sample_codes(fit, 50_000, generator=torch.Generator().manual_seed(1))
    assert torch.allclose(drawn.mean(0), mean, atol=0.03)
    assert torch.allclose(torch.cov(drawn.T), a @ a.T, atol=0.04)
    same = sample_codes(fit, 5, generator=torch.Generator().manual_seed(2))
    assert torch.equal(same, sample_codes(fit, 5, generator=torch.Generator().manual_seed(2)))


def test_latent_grid_puts_high_z2_on_top():
    torch.manual_seed(0)
    vae = VAE(VAEConfig(channels=(4, 8), latent="flat", latent_dim=2)).eval()
    coords, images = latent_grid(vae, n=5, extent=2.0)
    assert torch.allclose(coords, torch.linspace(-2, 2, 5)) and images.shape == (25, 1, 28, 28)
    expected = decode(vae, torch.tensor([[-2.0, 2.0], [2.0, -2.0], [1.0, 0.0]]))
    assert torch.allclose(images[[0, 24, 13]], expected, atol=1e-6)  # top-left, bottom-right, row 2 col 3
    spatial = VAE(VAEConfig(channels=(4, 8), latent="spatial"))
    with pytest.raises(ValueError, match="needs a 2-D code"):
        latent_grid(spatial)


def test_latent_grid_of_a_2d_autoencoder_is_centred_where_asked():
    ae = ConvAutoencoder(ConvAutoencoderConfig(channels=(4, 8), code_dim=2)).eval()
    coords, images = latent_grid(ae, n=3, extent=1.0, centre=(5.0, -2.0))
    assert torch.allclose(images[4], decode(ae, torch.tensor([[5.0, -2.0]]))[0], atol=1e-6)  # the middle cell
    assert torch.allclose(images[0], decode(ae, torch.tensor([[4.0, -1.0]]))[0], atol=1e-6)  # top-left


def test_psnr_closed_form():
    x = torch.zeros(1, 1, 4, 4)
    assert psnr(x, x) == math.inf
    assert psnr(x + 0.2, x) == pytest.approx(10 * math.log10(4 / 0.04))
