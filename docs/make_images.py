"""Make the README's pictures under docs/images/ from the README's own code (run from the repository
root: python docs/make_images.py). Needs the Graphviz dot program.

The README's section "Seeing the chain rule" is the source: its ```python blocks run in order, in
docs/images/ as the working folder, with the tutorial's runner (docs/make_tutorial_figures.py), so
each picture is what its block draws (and a block's output must match the ```text under it).
Every ``viz.render`` call also writes the picture's DOT text beside it (``expression.dot``);
tests/test_readme.py runs the same blocks and checks those byte for byte, so a picture cannot
drift from the code the README shows. Everything is seeded.
"""
from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
from pathlib import Path
from typing import Iterator

import viz

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
HERE = DOCS / "images"
SECTION = "Seeing the chain rule"


def _runner():
    spec = importlib.util.spec_from_file_location("make_tutorial_figures", DOCS / "make_tutorial_figures.py")
    if spec.name not in sys.modules:
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up there
        spec.loader.exec_module(module)
    return sys.modules[spec.name]


@contextlib.contextmanager
def dot_beside_each_picture() -> Iterator[list[Path]]:
    """While active, ``viz.render(root, "x.png", ...)`` also writes ``x.dot``; yields the DOT files written."""
    render, written = viz.render, []

    def render_and_keep_dot(root, path, **options):
        result = render(root, path, **options)
        dot = Path(os.path.splitext(os.fspath(path))[0] + ".dot")
        dot.write_text(viz.to_dot(root, **options), encoding="utf-8")
        written.append(dot.resolve())
        return result

    viz.render = render_and_keep_dot
    try:
        yield written
    finally:
        viz.render = render


def run_readme_pictures(folder: Path) -> dict:
    """Run the README's picture blocks with ``folder`` as the working folder; returns their namespace."""
    old = os.getcwd()
    folder.mkdir(parents=True, exist_ok=True)
    os.chdir(folder)
    try:
        return _runner().run_page(ROOT / "README.md", folder, only_sections=(SECTION,))
    finally:
        os.chdir(old)


if __name__ == "__main__":
    with dot_beside_each_picture() as written:
        run_readme_pictures(HERE)
    print(f"wrote {', '.join(p.name for p in written)} and steps/ under {HERE}")
