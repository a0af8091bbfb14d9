"""The measured tables of ``docs/MODELS.md``, generated from the manifest, so that a retrain rewrites them instead of a
hand copying numbers (``python -m core.evaluation.report``; a test checks that the document is up to date).

A generated table sits in the document between ``<!-- generated: NAME -->`` and ``<!-- end generated -->``; the
prose around it is the document's own.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable

from core import paths
from core.evaluation.manifest import read_manifest
from core.io.atomic import write_bytes

BLOCK = re.compile(r"(<!-- generated: ([\w-]+) -->\n)(.*?)(<!-- end generated -->)", re.S)
SAMPLERS = {"ddpm": "DDPM", "ddim": "DDIM", "euler": "Euler", "heun": "Heun", "rk4": "RK4", "dopri5": "Dopri5"}


def _sampling(q: dict) -> str:
    """``DDIM 20, class asked, w = 3`` / ``Euler 10, unconditional``: a measurement's setting, read from its fields."""
    asked = "class asked" if q["conditional"] else "unconditional"
    guided = f", w = {q['guidance']:g}" if q["conditional"] and q["guidance"] != 1 else ""
    return f"{SAMPLERS.get(q['method'], q['method'])} {q['steps']}, {asked}{guided}"


def _pct(share: float) -> str:
    return f"{100 * share:.1f} %"


def quality_table(manifest: dict) -> str:
    """Every generator's every measured sampling setting (not the training snapshots): the judge's confident share,
    the rarest and commonest class, and the Fréchet distance over the real-vs-real floor."""
    rows = ["| generator | sampling | images | confident | classes (min-max) | Fréchet / floor |", "|---|---|---|---|---|---|"]
    for name in sorted(manifest):
        if name.startswith("snapshots/"):
            continue
        measured = [q for q in manifest[name].get("quality", {}).values() if isinstance(q, dict) and "frechet_ratio" in q]
        for q in sorted(measured, key=lambda q: (not q["conditional"], q["method"], q["steps"], q["guidance"])):
            hist = q["class_histogram"]
            rows.append(f"| `{name}` | {_sampling(q)} | {q['n']:,} | {_pct(q['confident_share'])} | "
                        f"{_pct(min(hist))}-{_pct(max(hist))} | {q['frechet_ratio']:.2f} |")
    return "\n".join(rows) + "\n"


def judges_table(manifest: dict) -> str:
    """The classifiers' accuracy on their held-out images."""
    rows = ["| judge | held-out accuracy |", "|---|---|"]
    rows += [f"| `{name}` | {_pct(e['quality']['heldout_accuracy'])} |" for name, e in sorted(manifest.items())
             if "heldout_accuracy" in e.get("quality", {})]
    return "\n".join(rows) + "\n"


TABLES: dict[str, Callable[[dict], str]] = {"quality": quality_table, "judges": judges_table}


def render(document: str, manifest: dict) -> str:
    """``document`` with each generated block written anew from ``manifest`` (an unknown block name: ``KeyError``)."""
    return BLOCK.sub(lambda m: m.group(1) + TABLES[m.group(2)](manifest) + m.group(4), document)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--doc", default=str(paths.MODELS_DOC), help="the document to rewrite (default: docs/MODELS.md)")
    args = parser.parse_args(argv)
    with open(args.doc, encoding="utf-8") as f:
        before = f.read()
    after = render(before, read_manifest())
    if after != before:
        write_bytes(args.doc, after.encode("utf-8"))
    print(f"{args.doc}: {'rewritten' if after != before else 'up to date'}")


if __name__ == "__main__":
    main()
