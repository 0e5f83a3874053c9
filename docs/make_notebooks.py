"""Make the Jupyter notebooks under docs/notebooks/ from the Markdown pages (run from the repository root:
python docs/make_notebooks.py). The pages are the one source; the notebooks are written from them.

* prose becomes markdown cells, each ```python block a code cell, in order;
* a ```text block right after a python block (its expected output, checked by tests/test_tutorial.py)
  is left out: running the cell shows the real output;
* an exercise's answers (a ``<details>`` block) stay collapsed, code included, as a markdown cell:
  the learner predicts first, then opens them (tests/test_tutorial.py runs the answers' code);
* pictures the pages show from ``tutorial/`` are linked from ``../tutorial/``.

Notebooks are written without outputs and with fixed cell ids, so the same page always gives the
same file; tests/test_notebooks.py checks that the committed files are what this script writes, and
runs each notebook with nbclient (``--execute``, in a process of its own).
"""
from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

DOCS = Path(__file__).resolve().parent
OUT = DOCS / "notebooks"
PAGES = [DOCS / "tutorial.md", DOCS / "micrograd_demo.md", DOCS / "micrograd_trace_graph.md"]

_FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```[ \t]*\n?", re.S | re.M)
_DETAILS = re.compile(r"^<details>.*?^</details>[ \t]*\n?", re.S | re.M)


def cells_of(text: str) -> list[dict]:
    """The page as notebook cells: markdown for prose (answers included), code for each python block."""
    cells: list[dict] = []
    prose: list[str] = []

    def flush() -> None:
        joined = "".join(prose).strip("\n")
        if joined:
            cells.append(_cell("markdown", joined))
        prose.clear()

    position, previous_was_code = 0, False
    hidden = [(m.start(), m.end()) for m in _DETAILS.finditer(text)]
    for fence in _FENCE.finditer(text):
        if any(start <= fence.start() < end for start, end in hidden):
            continue  # inside collapsed answers: stays in the prose
        between = text[position:fence.start()]
        if fence.group(1) == "text" and previous_was_code and not between.strip():
            position, previous_was_code = fence.end(), False  # the expected output: running the cell shows it
            continue
        prose.append(between)
        if fence.group(1) == "python":
            flush()
            cells.append(_cell("code", fence.group(2).rstrip("\n")))
            previous_was_code = True
        else:
            prose.append(fence.group(0))
            previous_was_code = False
        position = fence.end()
    prose.append(text[position:])
    flush()
    for k, cell in enumerate(cells):
        cell["id"] = f"cell-{k:03d}"
    return cells


def _cell(kind: str, source: str) -> dict:
    if kind == "markdown":
        source = re.sub(r"\]\(tutorial/", "](../tutorial/", source)
    lines = source.splitlines(keepends=True)
    cell = {"cell_type": kind, "id": "", "metadata": {}, "source": lines}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def notebook(page: Path) -> str:
    """The notebook for ``page`` as JSON text (no outputs, fixed ids: the same page gives the same bytes)."""
    document = {
        "cells": cells_of(page.read_text(encoding="utf-8")),
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def target(page: Path) -> Path:
    return OUT / (page.stem + ".ipynb")


def execute(notebook: Path, out: Path, cwd: Path, timeout: int = 300) -> None:
    """Run ``notebook`` top to bottom in a fresh kernel (this interpreter's ``python3``), working in
    ``cwd``; write the notebook with its outputs to ``out``. Raises on the first cell that fails."""
    import nbclient
    import nbformat
    document = nbformat.read(notebook, as_version=4)
    nbclient.NotebookClient(document, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}}).execute()
    nbformat.write(document, out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--execute", type=Path, metavar="NOTEBOOK",
                        help="run this notebook instead (needs nbclient and ipykernel) and write it with outputs")
    parser.add_argument("--out", type=Path, help="where --execute writes the notebook with its outputs")
    parser.add_argument("--cwd", type=Path, default=Path("."), help="the folder --execute runs the notebook in")
    args = parser.parse_args()
    if args.execute is not None:
        if args.out is None:
            parser.error("--execute needs --out (the committed notebooks stay without outputs)")
        execute(args.execute, args.out, args.cwd)
        return
    OUT.mkdir(exist_ok=True)
    for page in PAGES:
        path = target(page)
        temporary = path.with_suffix(".ipynb.tmp")
        temporary.write_text(notebook(page), encoding="utf-8")
        temporary.replace(path)  # never a half-written notebook
        print(f"wrote {path.relative_to(DOCS.parent)}")


if __name__ == "__main__":
    main()
