"""The code behind a figure is the live source of the function, with its real file and line."""

import inspect

from core.diffusion import q_sample
from core.training import train
from ui.components.code import source_of


def test_the_source_shown_is_the_module_s_own():
    name, file, line, source = source_of(q_sample)
    assert name == "core.diffusion.process.q_sample" and file == "core/diffusion/process.py"
    assert source == inspect.getsource(q_sample)
    with open(inspect.getsourcefile(q_sample), encoding="utf-8") as f:
        assert f.read().splitlines()[line - 1].startswith("def q_sample(")
    assert source_of(train)[1] == "core/training/loop.py"
