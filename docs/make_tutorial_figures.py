"""Run the tutorial's code and make its pictures under docs/tutorial/ (from the repository root:
python docs/make_tutorial_figures.py). Needs the Graphviz dot program and matplotlib.

The tutorial (docs/tutorial.md) is the source of every picture and number in it:

* its ```python blocks run in order, in one namespace per page, as a learner would run them;
* a ```text block right after a python block is that block's expected output: what the block
  prints must match it (``...`` stands for any text, as in doctest, for timings);
* the blocks write their pictures into the folder named by ``$TUTORIAL_FIGURES`` (the tutorial's
  first block reads it into ``FIGURES``): graphs as DOT text (``name.dot``), plots as PNG.

This script points ``FIGURES`` at docs/tutorial/, runs the pages, then turns each ``.dot`` into
``.svg`` with Graphviz; with ``--update-outputs`` it also rewrites the output blocks that no longer
match (read the diff: the prose around them may need to follow). Without $AUTOGRAD_LITE_DATA it
uses the MNIST test split in ../shared/data when there, as CI does. tests/test_tutorial.py runs the same pages into a temporary folder,
checks every output block, and checks that each ``.dot`` comes out byte for byte as committed.
"""
from __future__ import annotations

import argparse
import contextlib
import doctest
import io
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

DOCS = Path(__file__).resolve().parent
PAGES = [DOCS / "tutorial.md", DOCS / "micrograd_demo.md", DOCS / "micrograd_trace_graph.md"]
FIGURES = DOCS / "tutorial"
ENV_VAR = "TUTORIAL_FIGURES"
SHARED_DATA = DOCS.parent.parent / "shared" / "data"  # where CI keeps the MNIST test split, beside the repository

_FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
_HEADING = re.compile(r"^## (.+)$", re.M)
_TIMING = re.compile(r"^(\d+/\d+) - \S+ - \S+/step", re.M)  # fit's "16/16 - 0s - 4ms/step" changes every run


@dataclass(frozen=True)
class Block:
    """One ```python block: its code, the output it must print (None: not checked), where it is."""

    code: str
    expected: str | None
    line: int
    section: str
    span: tuple[int, int] | None = None  # where the expected output is in the page's text


def blocks(page: Path) -> list[Block]:
    """The page's python blocks in order, each with the ```text block that follows it, if any."""
    text = page.read_text(encoding="utf-8")
    fences = list(_FENCE.finditer(text))
    headings = [(m.start(), m.group(1)) for m in _HEADING.finditer(text)]
    found = []
    for k, fence in enumerate(fences):
        if fence.group(1) != "python":
            continue
        following = fences[k + 1] if k + 1 < len(fences) else None
        expected, span = None, None
        if following is not None and following.group(1) == "text" \
                and not text[fence.end():following.start()].strip():
            expected, span = following.group(2), following.span(2)
        section = next((title for start, title in reversed(headings) if start < fence.start()), "")
        found.append(Block(fence.group(2), expected, text.count("\n", 0, fence.start()) + 2, section, span))
    return found


class OutputMismatch(AssertionError):
    """A block printed something other than the output shown under it in the page."""


def run_page(page: Path, figures: Path, skip_sections: tuple[str, ...] = (), update: bool = False,
             only_sections: tuple[str, ...] | None = None) -> dict:
    """Run the page's blocks in one namespace, pictures going to ``figures``; check each shown output.

    Blocks under a ``## `` heading that starts with one of ``skip_sections`` are left out;
    with ``only_sections``, so are all blocks under headings that start with none of those.
    ``update=True`` rewrites each output block that no longer matches with what its code
    printed (progress-line timings as ``...``) instead of failing. Returns the namespace.
    """
    changes: list[tuple[tuple[int, int], str]] = []
    figures.mkdir(parents=True, exist_ok=True)
    checker = doctest.OutputChecker()
    namespace: dict = {"__name__": "__tutorial__"}
    old = os.environ.get(ENV_VAR)
    os.environ[ENV_VAR] = str(figures)
    try:
        for block in blocks(page):
            if block.section.startswith(skip_sections) or \
                    (only_sections is not None and not block.section.startswith(only_sections)):
                continue
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(block.code, f"{page.name}:{block.line}", "exec"), namespace)  # our own docs
            got = out.getvalue()
            if block.expected is not None and not checker.check_output(block.expected, got, doctest.ELLIPSIS):
                if update:
                    changes.append((block.span, _TIMING.sub(r"\1 - ...s/step", got)))
                    continue
                raise OutputMismatch(f"{page.name}, the block at line {block.line} printed\n{got}\n"
                                     f"but the page shows\n{block.expected}")
    finally:
        if old is None:
            os.environ.pop(ENV_VAR, None)
        else:
            os.environ[ENV_VAR] = old
    if changes:
        text = page.read_text(encoding="utf-8")
        for (start, end), new in reversed(changes):
            text = text[:start] + new + text[end:]
        page.write_text(text, encoding="utf-8")
        print(f"updated {len(changes)} output block(s) of {page.name}: read them before committing")
    return namespace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--update-outputs", action="store_true",
                        help="rewrite the output blocks that no longer match what the code prints")
    update = parser.parse_args().update_outputs
    if "AUTOGRAD_LITE_DATA" not in os.environ and (SHARED_DATA / "mnist").is_dir():
        os.environ["AUTOGRAD_LITE_DATA"] = str(SHARED_DATA)  # else ag.data.mnist downloads into its cache
    for page in PAGES:
        run_page(page, FIGURES, update=update)
    for dot in sorted(FIGURES.glob("*.dot")):
        subprocess.run(["dot", "-Tsvg", str(dot), "-o", str(dot.with_suffix(".svg"))], check=True)
    print(f"ran {', '.join(p.name for p in PAGES)}; pictures under {FIGURES}")


if __name__ == "__main__":
    main()
