"""The tutorial (docs/tutorial.md) stays true: its code runs, prints what the page shows, and draws the committed graphs.

The runner lives in docs/make_tutorial_figures.py, which also makes the committed pictures.
"""
import importlib.util
import os
import sys
from pathlib import Path

import pytest
from helpers import mnist_at_hand

ROOT = Path(__file__).resolve().parent.parent
MNIST_SECTIONS = ("11. Dead ReLUs", "12. Training on MNIST")  # the blocks that read MNIST

_spec = importlib.util.spec_from_file_location("make_tutorial_figures", ROOT / "docs" / "make_tutorial_figures.py")
tutorial = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = tutorial  # dataclasses look their module up there
_spec.loader.exec_module(tutorial)



def stale_gradients(root) -> list[str]:
    """The leaves whose ``.grad``, as a picture of ``root`` would show it, is not d(root)/d(leaf) of this
    graph: what an earlier backward() left in ``.grad`` (it accumulates) shows up here."""
    import numpy as np

    import viz
    from viz.graph import walk
    if not root.requires_grad or np.size(root.data) != 1:
        return []
    graph = walk(root)
    final = {s.edge[0]: s.gradient for s in viz.backward_steps(root) if s.gradient is not None}
    stale = []
    for i, node in enumerate(graph.nodes):
        shown = node.grad.data if isinstance(node.grad, ag_node()) else node.grad
        if node.grad_fn is None and i in final and shown is not None \
                and not np.allclose(shown, final[i], rtol=1e-5, atol=1e-7):
            stale.append(f"{graph.names[i]}: .grad {shown} but d{graph.names[-1]}/d{graph.names[i]} = {final[i]}")
    return stale


def ag_node():
    from autograd_lite.engine import Node
    return Node


@pytest.fixture(scope="module")
def ran_pages(tmp_path_factory):
    """Run every page once into a temporary folder: (figures folder, sections left out and why, and the
    gradients that a picture would have shown wrong)."""
    pytest.importorskip("matplotlib", reason="the tutorial's plots need matplotlib (in the test extras)")
    import viz
    figures = tmp_path_factory.mktemp("tutorial")
    old = os.environ.get("AUTOGRAD_LITE_DATA")
    if old is None and (tutorial.SHARED_DATA / "mnist").is_dir():
        os.environ["AUTOGRAD_LITE_DATA"] = str(tutorial.SHARED_DATA)
    render, wrong = viz.render, []

    def render_and_check(root, path, **options):
        if options.get("show_grad", True):
            wrong.extend(f"{os.path.basename(path)}: {problem}" for problem in stale_gradients(root))
        return render(root, path, **options)

    viz.render = render_and_check
    try:
        skipped = () if mnist_at_hand() else MNIST_SECTIONS
        for page in tutorial.PAGES:
            tutorial.run_page(page, figures, skip_sections=skipped)
    finally:
        viz.render = render
        if old is None:
            os.environ.pop("AUTOGRAD_LITE_DATA", None)
    return figures, skipped, wrong


def test_every_code_block_runs_and_prints_the_output_shown_under_it(ran_pages):
    _, skipped, _ = ran_pages
    if skipped:
        pytest.skip(f"ran every section but {', '.join(skipped)}: the MNIST test split is not at hand "
                    f"(set $AUTOGRAD_LITE_DATA or let ag.data.mnist download it)")


def test_every_committed_graph_comes_out_of_the_tutorial_byte_for_byte(ran_pages):
    figures, skipped, _ = ran_pages
    committed = sorted(tutorial.FIGURES.glob("*.dot"))
    assert committed, "docs/tutorial/ has no .dot files: run python docs/make_tutorial_figures.py"
    for dot in committed:
        made = figures / dot.name
        if skipped and dot.name.startswith(("mnist", "seed_001")):
            continue
        assert made.exists(), f"the tutorial no longer draws {dot.name}; remove it from docs/tutorial/"
        assert made.read_bytes() == dot.read_bytes(), \
            f"{dot.name} changed: run python docs/make_tutorial_figures.py and look at the picture"
    stray = {p.name for p in figures.glob("*.dot")} - {p.name for p in committed}
    assert not stray, f"the tutorial draws {sorted(stray)}, not committed: run python docs/make_tutorial_figures.py"


def test_every_gradient_a_picture_shows_is_the_gradient_of_the_graph_it_draws(ran_pages):
    *_, wrong = ran_pages
    assert not wrong, "a picture shows gradients left over from an earlier backward():\n" + "\n".join(wrong)


def test_a_gradient_left_over_from_an_earlier_backward_is_caught():
    import autograd_lite as ag
    x = ag.Tensor([1.0, 2.0], requires_grad=True, name="x")
    (x * x).sum().backward()
    z = (x * 3).sum()
    z.backward(retain_graph=True)
    assert stale_gradients(z) == ["x: .grad [5. 7.] but dL/dx = [3. 3.]"]


PAGE_WIDTH_PX = 900  # about GitHub's column for a Markdown page; a wider picture is scaled down to it


def test_every_graph_picture_is_readable_at_page_width():
    import re
    for svg in sorted(tutorial.FIGURES.glob("*.svg")):
        text = svg.read_text(encoding="utf-8")
        width_px = float(re.search(r'<svg width="([\d.]+)pt"', text).group(1)) * 4 / 3
        smallest = min(float(size) for size in re.findall(r'font-size="([\d.]+)"', text))
        on_page = smallest * min(1.0, PAGE_WIDTH_PX / width_px)
        assert on_page >= 11, f"{svg.name}: its smallest text is {on_page:.1f} pt at page width"


def test_every_picture_the_page_shows_is_committed():
    import re
    for page in tutorial.PAGES:
        for target in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", page.read_text(encoding="utf-8")):
            assert (page.parent / target).is_file(), f"{page.name} shows {target}, which is not committed"


def test_a_block_that_prints_something_else_fails(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# t\n\n```python\nprint(1 + 1)\n```\n\n```text\n3\n```\n", encoding="utf-8")
    with pytest.raises(tutorial.OutputMismatch, match="page.md, the block at line 4 printed\n2"):
        tutorial.run_page(page, tmp_path / "figures")


def test_dots_in_an_output_block_stand_for_any_text_and_blocks_share_one_namespace(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("```python\nx = 41\n```\n\n```python\nprint(f'took 3ms, x = {x + 1}')\n```\n\n"
                    "```text\ntook ...ms, x = 42\n```\n", encoding="utf-8")
    tutorial.run_page(page, tmp_path / "figures")


def test_update_rewrites_only_the_outputs_that_changed_with_timings_as_dots(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("```python\nprint('a')\n```\n\n```text\na\n```\n\n"
                    "```python\nprint('16/16 - 0s - 4ms/step - loss: 0.5')\n```\n\n```text\nold\n```\n",
                    encoding="utf-8")
    tutorial.run_page(page, tmp_path / "figures", update=True)
    assert page.read_text(encoding="utf-8").endswith("```text\n16/16 - ...s/step - loss: 0.5\n```\n")
    tutorial.run_page(page, tmp_path / "figures")  # now it matches
