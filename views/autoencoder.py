"""Part 1. Auto-encoders: squeeze a digit into a code and rebuild it; train one live; restore; generate."""

from __future__ import annotations

import streamlit as st

from core.export import png_bytes, stacked
from core.live import autoencoder as tae
from core.nets.autoencoder import describe_layers
from core.training import reconstruction_objective
from ui import jobs, keys
from ui.components import digit_pad
from ui.components.chart import chart
from ui.components.code import show_code
from ui.components.export import download_png, slug
from ui.components.lessons import lesson
from ui.components.predict import ask
from ui.components.tables import markdown_table
from ui.figures import autoencoder as fig
from ui.i18n import decimal, percent, tr
from ui.resources.models import preloaded, shipped
from ui.share import URL

JOB = "ae_live_job"  # the background run (ui.jobs)
MASK = 10  # the grey square's default side (pixels), the one the question asks about

st.title(f"1. {tr('part.1')}")
st.caption(tr("autoencoder.caption"))

# ------------------------------------------------------------------ the architecture
left, right = st.columns([3, 2], gap="large")
with left:
    lesson("autoencoder")
with right:
    lesson("autoencoder", "architecture")

ae_ckpt = shipped("mnist-autoencoder")  # None (with a message on the page) when missing: never random weights
if ae_ckpt is not None:
    layers = describe_layers(ae_ckpt.model)
    chart(fig.architecture(layers), width="stretch", key="ae_arch")
    with st.expander(tr("autoencoder.layers")):
        st.markdown(markdown_table({tr("autoencoder.layers.layer"): [layer.name for layer in layers],
                                    tr("autoencoder.layers.operation"): [fig.operation(layer) for layer in layers],
                                    tr("autoencoder.layers.shape"): [layer.shape_text for layer in layers]}))

# ------------------------------------------------------------------ encode and decode one digit
st.subheader(tr("autoencoder.encode"))
left, right = st.columns([2, 3], gap="large")
with left:
    lesson("autoencoder", "encode")
    n_held = len(fig.split().heldout)
    index = st.slider(tr("autoencoder.digit"), 0, n_held - 1, fig.DEFAULT_VIEW["digit"], key="ae_digit", bind=URL,
                      help=tr("autoencoder.digit.help", n=n_held))
with right:
    if ae_ckpt is not None:
        code, recon = fig.reconstruct(ae_ckpt, index)
        a, b, c = st.columns([1, 2, 1], vertical_alignment="center")
        a.image(fig.picture(fig.heldout_digits([index]), scale=8), caption=tr("autoencoder.input"), width="stretch")
        with b:
            chart(fig.code_bars(code, fig.code_range(ae_ckpt)), width="stretch",
                  key="ae_code_chart")
        c.image(fig.picture(recon[None, None], scale=8), caption=tr("autoencoder.reconstruction"), width="stretch")

st.markdown(f"##### {tr('autoencoder.photos')}")
left, right = st.columns([2, 3], gap="large")
with left:
    lesson("autoencoder", "photos")
with right:
    if (photo_ckpt := shipped("cifar10-autoencoder")) is not None:
        originals, rebuilt, psnr = fig.photo_reconstructions(photo_ckpt)
        code = photo_ckpt.model.cfg.code_dim
        st.image(originals, caption=tr("autoencoder.photos.originals"), width="stretch")
        st.image(rebuilt, caption=tr("autoencoder.photos.rebuilt", code=code, psnr=decimal(psnr)),
                 width="stretch")
        download_png("PNG", f"cifar10-autoencoder-code{code}.png", lambda: png_bytes(stacked(originals, rebuilt)),
                     key="ae_photos_png")

# ------------------------------------------------------------------ live training
def live_view(job: jobs.Job | None) -> None:
    """The loss curve and the preview digits' reconstructions, redrawn while the run lasts."""
    originals = fig.picture(fig.heldout_digits(fig.one_per_class()), scale=4, ncols=len(fig.one_per_class()), pad=2)
    if job is None:
        chart(fig.loss_curve([], fig.mean_digit_loss(), 300), width="stretch", key="ae_loss")
        st.image(originals, caption=tr("autoencoder.live.before"), width="stretch")
        return
    live: fig.LiveAutoencoder = job.config
    losses = list(job.progress.losses)
    chart(fig.loss_curve(losses, fig.mean_digit_loss(), live.cfg.steps, title=tr("autoencoder.live.title", code=live.cfg.code_dim)),
          width="stretch", key="ae_loss")
    st.image(originals, caption=tr("autoencoder.live.originals"), width="stretch")
    if live.recon is not None:
        st.image(fig.picture(live.recon, scale=4, ncols=len(fig.one_per_class()), pad=2),
                 caption=tr("autoencoder.live.rebuilt", step=live.step), width="stretch")
    if not job.running and losses:
        st.caption(tr("autoencoder.live.done", loss=decimal(losses[-1], 3)))


st.subheader(tr("autoencoder.train"))
left, right = st.columns([2, 3], gap="large")
with left:
    lesson("autoencoder", "train")
    c1, c2, c3 = st.columns([3, 3, 2])
    code_dim = c1.select_slider(tr("autoencoder.code_size"), tae.CODE_SIZES, value=8, key="ae_code", bind=URL)
    steps = c2.select_slider(tr("autoencoder.steps"), (100, 200, 300, 400, 600), value=300, key="ae_steps", bind=URL)
    seed = c3.number_input(tr("common.seed"), 0, 999, 0, key="ae_seed", bind=URL)
    cfg = tae.LiveConfig(code_dim=code_dim, steps=steps, seed=int(seed))
    jobs.controls(JOB, lambda: fig.live_run(cfg), keys=("ae_train", "ae_stop"))
with right:
    jobs.live(JOB, live_view)
show_code(tae.train_live, reconstruction_objective, label=tr("autoencoder.live.code"))

# ------------------------------------------------------------------ restoration
def mask_reveal(ckpt) -> None:
    """The question's experiment: the same digits behind a 10-pixel grey square, before and after."""
    if ckpt is None:
        return
    shown = fig.default_rows()
    _, damaged, restored, before, after = fig.damage_and_restore(ckpt, shown, "mask", float(MASK), 0)
    for row, name in ((damaged, "damaged"), (restored, "restored")):
        st.image(fig.picture(row, scale=3, ncols=len(shown), pad=2), caption=tr(f"autoencoder.row.{name}"), width="stretch")
    st.markdown(tr("autoencoder.mask.psnr", before=decimal(before), after=decimal(after)))


# The sections below are fragments: moving one of their widgets reruns and redraws that section only.
@st.fragment
def restore_section(index: int) -> None:
    left, right = st.columns([2, 3], gap="large")
    with left:
        ask("ae_mask", reveal=lambda: mask_reveal(ae_ckpt))
        lesson("autoencoder", "restore", facts=fig.facts(ae_ckpt) if ae_ckpt is not None else None)
        kind = st.radio(tr("autoencoder.damage"), ("noise", "mask"), horizontal=True, key="ae_damage", bind=URL,
                        format_func={"noise": tr("autoencoder.damage.noise"), "mask": tr("autoencoder.damage.mask")}.get)
        c1, c2 = st.columns(2)
        sigma = c1.slider(tr("autoencoder.sigma"), 0.0, 1.5, fig.DEFAULT_VIEW["sigma"], 0.05, key="ae_sigma", bind=URL, disabled=kind != "noise")
        mask = c2.slider(tr("autoencoder.mask"), 0, 20, MASK, key="ae_mask", bind=URL, disabled=kind != "mask")
        noise_seed = st.number_input(tr("common.noise_seed"), 0, 999, fig.DEFAULT_VIEW["noise_seed"], key="ae_noise_seed", bind=URL, disabled=kind != "noise")
    with right:
        if ae_ckpt is not None:
            level = sigma if kind == "noise" else mask
            shown = (index, *fig.one_per_class()[:7])
            clean, damaged, restored, psnr_in, psnr_out = fig.damage_and_restore(
                ae_ckpt, shown, kind, float(level), int(noise_seed))
            rows = [fig.picture(row, scale=4, ncols=len(shown), pad=2) for row in (clean, damaged, restored)]
            for row, name in zip(rows, ("clean", "damaged", "restored")):
                st.image(row, caption=tr(f"autoencoder.row.{name}"), width="stretch")
            damage = f"sigma{sigma:g}-seed{noise_seed}" if kind == "noise" else f"square{mask}"
            download_png("PNG", slug("autoencoder-restore", damage) + ".png", lambda: png_bytes(stacked(*rows)),
                         key="ae_restore_png")
            m1, m2 = st.columns(2)
            m1.metric(tr("autoencoder.psnr.damaged"), fig.decibels(psnr_in))
            m2.metric(tr("autoencoder.psnr.restored"), fig.decibels(psnr_out), delta=fig.decibels(psnr_out - psnr_in, sign=True))


@st.fragment
def generate_section() -> None:
    left, right = st.columns([2, 3], gap="large")
    with left:
        lesson("autoencoder", "generate")
        gen_seed = st.number_input(tr("autoencoder.gen_seed"), 0, 999, fig.DEFAULT_VIEW["gen_seed"], key="ae_gen_seed", bind=URL)
    with right:
        a, b = st.columns(2, gap="medium")
        with a:
            st.markdown(f"**{tr('autoencoder.generate.ae')}**")
            if ae_ckpt is not None:
                ae_grid = fig.picture(fig.ae_samples(ae_ckpt, fig.DEFAULT_VIEW["samples"], int(gen_seed)), scale=4, ncols=6, pad=2)
                st.image(ae_grid, width="stretch")
                download_png("PNG", slug("autoencoder-decoded-codes", f"seed{gen_seed}") + ".png", lambda: png_bytes(ae_grid),
                             key="ae_png")
        with b:
            st.markdown(f"**{tr('autoencoder.generate.vae')}**")
            if vae_ckpt is not None:
                vae_grid = fig.picture(fig.vae_samples(vae_ckpt, fig.DEFAULT_VIEW["samples"], int(gen_seed)), scale=4, ncols=6, pad=2)
                st.image(vae_grid, width="stretch")
                download_png("PNG", slug("vae-2d-samples", f"seed{gen_seed}") + ".png", lambda: png_bytes(vae_grid), key="vae_png")


@st.fragment
def latent_section() -> None:
    left, mid, right = st.columns([2, 2.2, 2.4], gap="large")
    with left:
        lesson("autoencoder", "latent")
        extent = st.slider(tr("autoencoder.extent"), 1.0, 4.0, fig.DEFAULT_VIEW["extent"], 0.5, key="ae_extent", bind=URL)
        n_grid = st.slider(tr("autoencoder.grid"), 8, 24, fig.DEFAULT_VIEW["grid"], key="ae_grid", bind=URL)
    if vae_ckpt is not None:
        if vae_ckpt.model.latent_shape != (2,):
            st.error(tr("autoencoder.latent.not_2d", shape=vae_ckpt.model.latent_shape))
        else:
            with mid:
                latent_map = fig.vae_map(vae_ckpt, n_grid, extent)
                st.image(latent_map, caption=tr("autoencoder.latent.map", n=n_grid, low=f"{-extent:g}", high=f"{extent:g}"),
                         width="stretch")
                download_png("PNG", slug("vae-2d-latent-map", f"{n_grid}x{n_grid}", f"extent{extent:g}") + ".png",
                             lambda: png_bytes(latent_map), key="vae_map_png")
            with right:
                mu, labels = fig.vae_codes(vae_ckpt)
                chart(fig.latent_scatter(mu, labels, extent), width="stretch", key="ae_latent_scatter")


@st.fragment
def own_digit_section() -> None:
    left, mid, right = st.columns([2, 1.5, 2.8], gap="medium")
    with left:
        lesson("autoencoder", "own", facts={"code_dim": ae_ckpt.model.cfg.code_dim} if ae_ckpt is not None else None)
    with mid:
        mine = digit_pad.pad("ae_digit_pad")
    with right:
        if ae_ckpt is None:
            return
        if mine is None:
            st.info(tr("autoencoder.own.draw"), icon=":material/draw:")
            return
        ss = st.session_state
        kind = ss.get("ae_damage", "noise")
        level = float(ss.get("ae_sigma", fig.DEFAULT_VIEW["sigma"]) if kind == "noise" else ss.get("ae_mask", MASK))
        seed = int(ss.get("ae_noise_seed", fig.DEFAULT_VIEW["noise_seed"]))
        judges = tuple(c for c in (preloaded("mnist-classifier"), preloaded("mnist-classifier-b")) if c is not None)
        own = fig.own_digit(ss[keys.DIGIT], ae_ckpt, judges, preloaded("mnist-detector"), kind, level, seed)
        damage = tr("autoencoder.own.noise", sigma=decimal(level, 2)) if kind == "noise" else \
            tr("autoencoder.own.mask", size=int(level))
        for col, image, name in zip(st.columns(4), (own.image, own.reconstruction, own.damaged, own.restored),
                                    ("image", "reconstruction", "damaged", "restored")):
            col.image(fig.picture(image[None], scale=6), caption=tr(f"autoencoder.own.{name}", damage=damage),
                      width="stretch")
        st.caption(tr("autoencoder.own.psnr", damaged=fig.decibels(own.psnr_damaged), restored=fig.decibels(own.psnr_restored)))
        st.image(fig.picture(own.noised, scale=4, ncols=len(fig.NOISE_STEPS), pad=2), width="stretch",
                 caption=tr("autoencoder.own.noised", ts=", ".join(map(str, fig.NOISE_STEPS))))
        if len(own.readings) == 2:
            (d1, p1), (d2, p2) = own.readings
            unsure = f" {tr('autoencoder.own.unsure')}" if min(p1, p2) < 0.9 else ""  # the judges' confidence threshold
            st.markdown(tr("autoencoder.own.judges", first=d1, p1=percent(p1), second=d2, p2=percent(p2)) + unsure)
        if own.generated is not None:
            verdict = tr("autoencoder.own.generated" if own.generated >= 0.5 else "autoencoder.own.real")
            st.markdown(tr("autoencoder.own.detector", p=percent(own.generated), verdict=verdict))


vae_ckpt = shipped("mnist-vae-2d")
st.subheader(tr("autoencoder.restore"))
restore_section(index)
st.subheader(tr("autoencoder.own"))
own_digit_section()

# ------------------------------------------------------------------ decoders as generators
st.subheader(tr("autoencoder.generate"))
generate_section()
st.subheader(tr("autoencoder.latent"))
latent_section()
