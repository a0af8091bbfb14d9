"""Networks: shapes on MNIST and CIFAR-10 sizes, conditioning, parameter counts, the registry."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch

from core import nets
from core.nets import (
    MLP,
    VAE,
    Classifier,
    ClassifierConfig,
    ConvAutoencoder,
    ConvAutoencoderConfig,
    MLPConfig,
    UNet,
    UNetConfig,
    VAEConfig,
    VAEOutput,
    build,
    count_params,
    timestep_embedding,
    vae_loss,
)

IMAGE_SHAPES = [(1, 28), (3, 32)]  # (channels, size): MNIST, CIFAR-10


def _images(c: int, s: int, b: int = 2, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.rand(b, c, s, s, generator=g) * 2 - 1


def _times(b: int = 2) -> torch.Tensor:
    return torch.linspace(0.0, 1.0, b)


# --------------------------------------------------------------------------- time embedding


def test_timestep_embedding_closed_form() -> None:
    emb = timestep_embedding(torch.tensor([0.0, 0.5]), 8, scale=1000.0)
    assert emb.shape == (2, 8)
    torch.testing.assert_close(emb[0], torch.tensor([1.0] * 4 + [0.0] * 4))  # cos 0, sin 0
    # The fastest frequency is 1: at t = 0.5 the first entry is cos(500).
    torch.testing.assert_close(emb[1, 0], torch.tensor(math.cos(500.0)))
    torch.testing.assert_close(emb[1, 4], torch.tensor(math.sin(500.0)))


# --------------------------------------------------------------------------- UNet


@pytest.mark.parametrize("c,s", IMAGE_SHAPES)
@pytest.mark.parametrize("num_classes", [0, 10])
def test_unet_output_has_input_shape(c: int, s: int, num_classes: int) -> None:
    net = UNet(UNetConfig(in_channels=c, base_channels=8, num_classes=num_classes)).eval()
    x = _images(c, s)
    y = torch.tensor([3, num_classes]) if num_classes else None
    assert net(x, _times(), y).shape == x.shape


def test_unet_class_conditioning_and_null_label() -> None:
    torch.manual_seed(0)
    net = UNet(UNetConfig(base_channels=8, num_classes=10)).eval()
    x, t = _images(1, 28), _times()
    with torch.no_grad():
        null = net(x, t, torch.tensor([10, 10]))
        assert torch.equal(net(x, t, None), null)  # y=None is the null label
        assert not torch.allclose(net(x, t, torch.tensor([3, 7])), null)
        assert not torch.allclose(net(x, t, torch.tensor([3, 3])), net(x, t, torch.tensor([4, 4])))


def test_unet_argument_errors() -> None:
    net = UNet(UNetConfig(base_channels=8))
    x = _images(1, 28)
    with pytest.raises(ValueError, match="unconditional"):
        net(x, _times(), torch.tensor([0, 1]))
    with pytest.raises(TypeError, match="divided by T"):
        net(x, torch.tensor([0, 500]))  # integer diffusion steps
    with pytest.raises(ValueError, match=r"t must have shape \(2,\)"):
        net(x, torch.rand(3))
    with pytest.raises(ValueError, match="divisible by 4"):
        net(_images(1, 30), _times())
    with pytest.raises(ValueError, match="shape"):
        net(_images(3, 28), _times())


def test_unet_every_parameter_gets_a_gradient() -> None:
    torch.manual_seed(0)
    net = UNet(UNetConfig(base_channels=8, num_classes=10, num_res_blocks=2))
    net(_images(1, 28), _times(), torch.tensor([1, 2])).square().mean().backward()
    unused = [n for n, p in net.named_parameters() if p.grad is None or not p.grad.abs().sum() > 0]
    assert unused == []


def test_unet_default_size() -> None:
    """The MNIST default: 449,185 parameters (fast on a CPU); any change of architecture shows here."""
    net = UNet(UNetConfig())
    n = count_params(net)
    assert n == 449_185
    assert count_params(net.requires_grad_(False)) == n  # a frozen EMA copy counts the same
    n_cifar = count_params(UNet(UNetConfig(in_channels=3, base_channels=32, channel_mults=(1, 2, 2))))
    assert 500_000 <= n_cifar <= 3_000_000, n_cifar


# --------------------------------------------------------------------------- autoencoder


@pytest.mark.parametrize("c,s", IMAGE_SHAPES)
def test_autoencoder_shapes(c: int, s: int) -> None:
    net = ConvAutoencoder(ConvAutoencoderConfig(in_channels=c, image_size=s, code_dim=16)).eval()
    x = _images(c, s)
    with torch.no_grad():
        z = net.encode(x)
        out = net(x)
    assert z.shape == (2, 16)
    assert out.shape == x.shape
    assert out.abs().max() <= 1.0  # tanh
    shapes = net.layer_shapes((c, s, s))
    assert shapes[0] == ("input", (c, s, s))
    assert shapes[-1][1] == (c, s, s)
    assert ("encoder.code", (16,)) in shapes
    assert len({name for name, _ in shapes}) == len(shapes)
    assert net.layer_shapes() == shapes
    with pytest.raises(ValueError, match="takes images of shape"):
        net.layer_shapes((c, s + 4, s + 4))


@pytest.mark.parametrize("kind", ["autoencoder", "vae", "classifier"])
def test_wrong_image_size_is_a_clear_error(kind: str) -> None:
    net = build(kind, {"in_channels": 3})  # image_size defaults to 28
    with pytest.raises(ValueError, match=r"takes images of shape \(B, 3, 28, 28\).*image_size"):
        net(_images(3, 32))


def test_autoencoder_size() -> None:
    assert count_params(ConvAutoencoder(ConvAutoencoderConfig())) == 259_937


def test_autoencoder_training_lowers_loss() -> None:
    torch.manual_seed(0)
    net = ConvAutoencoder(ConvAutoencoderConfig(channels=(8, 16), code_dim=8))
    x = _images(1, 28, b=8, seed=1)
    x = torch.nn.functional.avg_pool2d(x, 7, stride=1, padding=3)  # smooth blobs, learnable
    x = x / x.flatten(1).abs().amax(1)[:, None, None, None]  # rescaled to fill [-1, 1]
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    losses = []
    for _ in range(40):
        loss = (net(x) - x).square().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0], losses


# --------------------------------------------------------------------------- VAE


@pytest.mark.parametrize("c,s", IMAGE_SHAPES)
@pytest.mark.parametrize("latent", ["flat", "spatial"])
def test_vae_shapes(c: int, s: int, latent: str) -> None:
    net = VAE(VAEConfig(in_channels=c, image_size=s, latent=latent)).eval()
    x = _images(c, s, b=3)
    expected = (3, 2) if latent == "flat" else (3, 4, s // 4, s // 4)
    with torch.no_grad():
        mu, logvar = net.encode(x)
        out = net(x, generator=torch.Generator().manual_seed(0))
    assert mu.shape == logvar.shape == out.z.shape == out.mu.shape == expected
    assert out.recon.shape == x.shape
    assert tuple(net.latent_shape) == expected[1:]


def test_vae_spatial_latent_is_4x7x7_for_mnist() -> None:
    mu, _ = VAE(VAEConfig(latent="spatial", latent_channels=4)).encode(_images(1, 28))
    assert mu.shape == (2, 4, 7, 7)


def test_vae_reparameterize_is_seeded() -> None:
    mu, logvar = torch.zeros(4, 2), torch.full((4, 2), math.log(4.0))
    z1 = VAE.reparameterize(mu, logvar, torch.Generator().manual_seed(3))
    z2 = VAE.reparameterize(mu, logvar, torch.Generator().manual_seed(3))
    eps = torch.randn(4, 2, generator=torch.Generator().manual_seed(3))
    assert torch.equal(z1, z2)
    torch.testing.assert_close(z1, 2.0 * eps)  # sigma = exp(log(4) / 2) = 2


def test_vae_loss_closed_form() -> None:
    x = torch.zeros(2, 1, 2, 2)
    recon = torch.full_like(x, 0.5)
    mu = torch.tensor([[1.0, 0.0], [0.0, 0.0]])
    logvar = torch.zeros(2, 2)
    loss = vae_loss(VAEOutput(recon=recon, mu=mu, logvar=logvar, z=mu), x, beta=2.0)
    torch.testing.assert_close(loss.recon, torch.tensor(4 * 0.25))  # summed over 4 pixels
    torch.testing.assert_close(loss.kl, torch.tensor(0.25))  # (0.5 * 1 + 0) / 2 images
    torch.testing.assert_close(loss.total, torch.tensor(1.0 + 2.0 * 0.25))


# --------------------------------------------------------------------------- MLP, classifier


@pytest.mark.parametrize("dim", [2, 5])
def test_mlp_shapes(dim: int) -> None:
    net = MLP(MLPConfig(dim=dim))
    assert net(torch.randn(7, dim), torch.rand(7)).shape == (7, dim)
    assert 20_000 <= count_params(net) <= 1_000_000
    with pytest.raises(ValueError, match="shape"):
        net(torch.randn(7, dim + 1), torch.rand(7))


def test_mlp_depends_on_time() -> None:
    torch.manual_seed(0)
    net = MLP(MLPConfig())
    x = torch.randn(4, 2)
    assert not torch.allclose(net(x, torch.zeros(4)), net(x, torch.full((4,), 0.5)))


@pytest.mark.parametrize("c,s", IMAGE_SHAPES)
def test_classifier_shapes(c: int, s: int) -> None:
    net = Classifier(ClassifierConfig(in_channels=c, image_size=s)).eval()
    x = _images(c, s, b=3)
    assert net(x).shape == (3, 10)
    assert net.features(x).shape == (3, 128)
    assert count_params(net) == {1: 467_818, 3: 591_274}[c]


# --------------------------------------------------------------------------- registry


@pytest.mark.parametrize("kind", sorted(nets.NETWORKS))
def test_build_round_trips_config(kind: str) -> None:
    cfg_cls, net_cls = nets.NETWORKS[kind]
    net = build(kind, {})
    assert isinstance(net, net_cls) and net.cfg == cfg_cls()
    # JSON turns tuples into lists; the config turns them back.
    as_json = {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(net.cfg).items()}
    assert build(kind, as_json).cfg == net.cfg


def test_build_errors() -> None:
    with pytest.raises(ValueError, match="unknown network kind 'gan'.*unet"):
        build("gan", {})
    with pytest.raises(ValueError, match="unknown config key.*base_chanels"):
        build("unet", {"base_chanels": 8})
    with pytest.raises(ValueError, match="latent must be"):
        build("vae", {"latent": "cube"})
