"""docs/notebooks/: written from the Markdown pages by docs/make_notebooks.py, stored without outputs, and they run."""
import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("make_notebooks", ROOT / "docs" / "make_notebooks.py")
make_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_notebooks)
NOTEBOOKS = [make_notebooks.target(page) for page in make_notebooks.PAGES]


@pytest.mark.parametrize("page", make_notebooks.PAGES, ids=lambda p: p.stem)
def test_each_committed_notebook_is_what_the_script_writes_from_its_page(page):
    committed = make_notebooks.target(page)
    assert committed.exists(), f"{committed.name} is missing: run python docs/make_notebooks.py"
    assert committed.read_text(encoding="utf-8") == make_notebooks.notebook(page), \
        f"{committed.name} differs from {page.name}: run python docs/make_notebooks.py"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_are_stored_without_outputs(notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert code and all(c["outputs"] == [] and c["execution_count"] is None for c in code)


def test_the_conversion_keeps_code_drops_expected_outputs_and_leaves_answers_collapsed():
    page = ("# t\n\nSome prose ![p](tutorial/p.svg).\n\n```python\nprint(1)\n```\n\n```text\n1\n```\n\n"
            "<details><summary>Answer</summary>\n\n```python\nprint(2)\n```\n\n</details>\n\n```bash\nls\n```\n")
    cells = make_notebooks.cells_of(page)
    assert [(c["cell_type"], "".join(c["source"])) for c in cells] == [
        ("markdown", "# t\n\nSome prose ![p](../tutorial/p.svg)."),
        ("code", "print(1)"),
        ("markdown", "<details><summary>Answer</summary>\n\n```python\nprint(2)\n```\n\n</details>\n\n```bash\nls\n```"),
    ]


def _mnist_at_hand() -> bool:
    import autograd_lite as ag
    try:
        ag.data.mnist("test", download=False)
    except ag.data.DatasetNotFoundError:
        return False
    return True


@pytest.mark.skipif(shutil.which("dot") is None, reason="the notebooks draw with the Graphviz dot program")
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_notebook_runs_from_top_to_bottom(notebook, tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason="running notebooks needs nbformat (in the test extras)")
    nbclient = pytest.importorskip("nbclient", reason="running notebooks needs nbclient (in the test extras)")
    pytest.importorskip("ipykernel", reason="running notebooks needs ipykernel (in the test extras)")
    pytest.importorskip("matplotlib")
    shared = ROOT.parent / "shared" / "data"
    if "AUTOGRAD_LITE_DATA" not in os.environ and (shared / "mnist").is_dir():
        monkeypatch.setenv("AUTOGRAD_LITE_DATA", str(shared))
    if notebook.stem == "tutorial" and not _mnist_at_hand():
        pytest.skip("the tutorial notebook trains on MNIST, whose test split is not at hand")
    monkeypatch.setenv("TUTORIAL_FIGURES", str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    document = nbformat.read(notebook, as_version=4)
    client = nbclient.NotebookClient(document, timeout=300, kernel_name="python3",  # python3: this interpreter
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    code = [c for c in document.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors
    if notebook.stem == "micrograd_trace_graph":  # viz.draw and viz.stepper show inline
        shown = [key for c in code for o in c.outputs if o.output_type == "execute_result" for key in o.data]
        assert "image/svg+xml" in shown and "text/html" in shown
