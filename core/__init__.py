"""Diffusion Playground's library: the lecture's math, with no Streamlit in sight.

Time conventions (stated once, used everywhere)
-----------------------------------------------
* **Diffusion** uses integer steps ``t = 0, 1, ..., T``. ``t = 0`` is the clean
  image ``I_0``; ``t = T`` is (almost) pure noise. One forward step is

      I_{t+1} = sqrt(a_t) I_t + sqrt(1 - a_t) eps,      a_t = 1 - beta_t,

  so ``Schedule.betas[t]`` is the noise variance added when going from ``t`` to
  ``t + 1`` (``betas`` has length ``T``) and
  ``Schedule.alpha_bars[t] = prod_{s < t} a_s`` (length ``T + 1``,
  ``alpha_bars[0] = 1``), which gives the closed form

      I_t = sqrt(abar_t) I_0 + sqrt(1 - abar_t) eps.

  (DDPM's 1-indexed ``beta_t`` is our ``betas[t - 1]``.)
* **Flow matching** uses continuous time ``t in [0, 1]``. ``t = 0`` is the noise
  ``X``, ``t = 1`` is the image ``Y``, and the straight path is
  ``I_t = (1 - t) X + t Y`` with velocity ``Y - X``.

The two meet in :func:`core.flow.diffusion_to_flow` and
:func:`core.flow.flow_to_diffusion`, which match points of equal signal-to-noise
ratio; nothing converts silently.

Images live in ``[-1, 1]`` inside models (``core.data.to_model_range``) and in
``uint8`` on disk and on screen. Networks take ``(x, t[, y])`` with ``t`` a float
tensor of shape ``(B,)`` in ``[0, 1]`` and know nothing of any schedule.

Packages (the tree is the architecture; each depends only on those above it):

* ``paths``: every file location, one environment override each;
* ``diffusion``: schedules, forward noising, prediction targets, posterior, DDPM/DDIM samplers,
  the two-pixel view; ``flow``: straight paths, pairing (random, OT), straightness, W2;
  ``solvers``: ODE integrators (Euler, Heun, RK4, Dopri5); ``images``: image grids;
* ``data``: image data sets, toy distributions, mini-batches; ``nets``: the networks and their
  registry by kind; ``io``: one atomic writer, checkpoints, resume state;
* ``training``: the one loop, the objectives, the recipes of the shipped models;
  ``sampling``: from a checkpoint to images (latent models included);
  ``evaluation``: judging images, loss by ``t``, the manifest;
* ``forensics``: power spectra and up-sampling traces (what gives a generated image away);
* ``live``: the pages' small live trainers, thin configurations of the one loop;
* ``train``, ``sample``, ``evaluate``: the command lines (``python -m core.train`` ...).

Nothing in ``core`` imports Streamlit.
"""
