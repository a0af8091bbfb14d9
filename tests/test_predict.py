"""Predict, then reveal (ui.components.predict): every question is asked by its page, the reveal works in the session, and
every answer is what the page's own computation shows at its default settings."""

from __future__ import annotations

import json
import re

import numpy as np
import torch
from page_support import open_page

from core import paths
from core.diffusion.schedules import make_schedule, step_budget
from ui.components.predict import questions

QUESTIONS = questions("en")


def test_every_question_is_well_formed_and_asked_by_its_page():
    assert len(QUESTIONS) >= 8
    for key, q in QUESTIONS.items():
        assert 2 <= len(q.options) <= 4 and 0 <= q.answer < len(q.options), key
        assert q.why.count(". ") >= 1 and q.figure, key  # two sentences, and the figure that shows it
        assert f'ask("{key}"' in (paths.VIEWS / f"{q.page}.py").read_text(), key


def test_the_french_questions_match_the_english_ones():
    french = questions("fr")
    assert set(french) == set(QUESTIONS)
    math = re.compile(r"\$[^$]*\$")
    for key, q in QUESTIONS.items():
        f = french[key]
        assert (f.page, f.answer, len(f.options)) == (q.page, q.answer, len(q.options)), key
        assert sorted(math.findall(f.prompt + f.why)) == sorted(math.findall(q.prompt + q.why)), key


def test_commit_then_reveal_then_ask_again():
    at = open_page("views/reverse.py")
    q = QUESTIONS["rev_oneshot"]
    assert at.button(key="pq_rev_oneshot_commit").proto.disabled  # nothing chosen yet
    at.radio(key="pq_rev_oneshot_choice").set_value(0).run()
    at.button(key="pq_rev_oneshot_commit").click().run()
    shown = [m.value for m in at.info] + [m.value for m in at.success]
    assert any(q.options[0] in s and q.options[q.answer] in s and q.why[:40] in s for s in shown), shown
    at.button(key="pq_rev_oneshot_again").click().run()
    assert at.radio(key="pq_rev_oneshot_choice").value is None
    at.radio(key="pq_rev_oneshot_choice").set_value(q.answer).run()
    at.button(key="pq_rev_oneshot_commit").click().run()
    assert any(q.why[:40] in s.value for s in at.success)
    assert not at.exception


# ---------------------------------------------------------------- each answer, from the page's own computation

def test_ae_mask_a_grey_square_lowers_the_psnr_slightly():
    import ui.figures.autoencoder as fig
    from ui.resources.models import shipped

    ckpt = shipped("mnist-autoencoder")
    shown = (fig.DEFAULT_VIEW["digit"], *fig.one_per_class()[:7])  # the rows the page and the reveal show
    *_, before, after = fig.damage_and_restore(ckpt, shown, "mask", 10.0, 0)
    assert -3 < after - before < 0
    assert f"{before:.1f} dB before, {after:.1f} dB after" in QUESTIONS["ae_mask"].why


def test_fn_corr_the_cloud_loses_its_correlation():
    import ui.figures.forward_noising as fig

    c = fig.cloud("images", "mnist", (14, 14), (14, 15), 0, "cosine", 1000, 250, 500, 0)  # the page's defaults
    assert c["corr"][0] > 0.6 and abs(c["corr"][-1]) < 0.1 and c["ts"][-1] == 1000


def test_sc_budget_the_linear_schedule_spends_a_third_on_noise():
    linear = step_budget(make_schedule("linear", 1000), 0.01)
    cosine = step_budget(make_schedule("cosine", 1000), 0.01)
    assert 0.25 < linear.noise_fraction < 0.42 and cosine.noise_fraction < 0.1


def test_train_floor_the_loss_levels_off_above_zero():
    from core.live.toy_diffusion import ToyConfig, train_toy

    losses = np.asarray(train_toy(ToyConfig()).losses)  # the training page's default run
    first, last = losses[: len(losses) // 10].mean(), losses[-len(losses) // 10 :].mean()
    middle = losses[len(losses) // 2 : len(losses) // 2 + len(losses) // 10].mean()
    assert last > 0.2 * first and last > 0.1  # well above zero
    assert last > 0.85 * middle  # and flat: the second half gains little


def test_rev_oneshot_the_first_estimate_is_a_blur_of_digits():
    from core.evaluation.quality import heldout
    from core.io.checkpoints import load
    from core.sampling import generate
    from ui.figures.reverse import MODELS

    steps = []
    gen = generate(load(MODELS["any"]), 8, steps=50, method="ddpm", seed=0, on_diffusion_step=steps.append)
    early, final = steps[3].x0, gen.images  # step 4 of 50, t = 940: the page's defaults
    assert steps[3].t == 940
    mean_digit = heldout("mnist")[0][:2000].mean(0, keepdim=True)
    far = lambda a, b: ((a - b) ** 2).mean().item()
    assert far(early, mean_digit) < 0.5 * far(final, mean_digit)  # a blend: near the average digit
    assert far(early, final) > 2 * far(early, mean_digit)  # not yet its final digit
    assert early.std() < 0.8 * torch.randn(1000).clamp(-1, 1).std()  # and not noise


def test_pt_dim_predicting_the_noise_breaks_down_at_512():
    from core.live.targets import load_grid

    grid = load_grid()
    w2 = {t: grid[(t, 512)].w2 for t in ("eps", "x", "v")}
    assert w2["eps"] > 10 * w2["x"] and w2["eps"] > 10 * w2["v"] and min(w2, key=w2.get) == "x"


def _forensics() -> dict:
    return json.loads(paths.forensics().read_text())


def test_ld_detail_the_latent_model_is_the_smoothest():
    curves = _forensics()["spectra"]["mnist"]

    def high(c):
        f, p = np.asarray(c["freqs"]), np.asarray(c["power"])
        return p[(f >= 0.4) & (f <= 0.5)].mean()

    latent = next(high(c) for name, c in curves.items() if name.startswith("mnist-latent-flow"))
    assert latent < 0.75 * high(curves["real"])
    assert latent == min(high(c) for name, c in curves.items() if name != "real")


def test_fm_one_step_random_pairing_gives_blurry_digits():
    from core.io.checkpoints import load
    from core.sampling import generate

    torch.manual_seed(0)
    ck = load("mnist-flow-random")
    one, ten = (generate(ck, 32, steps=k, method="euler", seed=0).images for k in (1, 10))
    sharp = lambda x: (x[..., 1:] - x[..., :-1]).abs().mean().item()
    assert sharp(one) < 0.6 * sharp(ten)  # blurry
    assert one.std() > 0.2 and sharp(one) < 0.5 * sharp(torch.randn_like(one).clamp(-1, 1))  # shapes, not noise


def test_sp_guidance_samples_become_more_alike():
    rows = {r["w"]: r["spread"] for r in _forensics()["guidance"]["rows"]}
    ws = sorted(w for w in rows if w >= 1)
    assert all(rows[a] > rows[b] for a, b in zip(ws, ws[1:]))
