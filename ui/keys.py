"""Session-state keys that more than one page reads: named here, once.

A page's own widget keys carry its prefix (``ae_``, ``fn_``, ``sch_``, ``train_``, ``rev_``, ``fm_``)
and stay in the page; a key listed here is a contract between pages.
"""

TOY_DIFFUSION_JOB = "train_job"
"""The student's live toy-diffusion run (a :class:`ui.jobs.Job` whose result is a
:class:`core.live.toy_diffusion.ToyModel`): started on the training page, sampled on the reverse page."""

FILM_URLS = "film_urls"
"""The address parameters of the films this session has shown (:func:`ui.components.film.start_index`): class mode
moves a follower's film by writing its parameter (:mod:`ui.classmode`)."""

DRAWING = "drawing"
"""The session's own 2-D drawing, as its code (:mod:`core.data.drawn`): drawn or pasted on one toy page, the data
of every toy page that offers it (:mod:`ui.components.drawing`)."""

DIGIT = "digit_drawn"
"""The session's own handwritten digit, as its code (:mod:`core.data.handwritten`): drawn on a digit pad, read by
every page that shows one (:mod:`ui.components.digit_pad`)."""
