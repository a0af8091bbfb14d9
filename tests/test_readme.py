"""The README's code runs as written (a learner copies it first)."""

import re

from core import paths


def test_the_core_example_runs():
    text = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## The core at a glance", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)
    assert scope["x"].shape == (8, 1, 28, 28) and scope["digits"].shape == (16, 1, 28, 28)
    assert scope["sol"].nfe == 40 and scope["images"].shape == (64, 784)
