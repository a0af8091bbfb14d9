"""The pages' small live trainers, each a thin configuration of the one training loop
(:func:`core.training.train`):

* :mod:`~core.live.toy_diffusion`: an MLP denoiser on 2-D toy data (parts 3-5);
* :mod:`~core.live.toy_flow`: flow matching between 2-D toy distributions (part 8);
* :mod:`~core.live.autoencoder`: a small conv auto-encoder on images (part 1);
* :mod:`~core.live.defaults`: the default toy models, shipped in ``assets/toys``.

Every run draws all its random numbers from a ``torch.Generator`` of its own: two students who
train at once on one server never disturb each other, and the same seed gives the same model.
"""
