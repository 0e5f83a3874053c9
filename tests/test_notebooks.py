"""docs/notebooks/: written from the Markdown pages by docs/make_notebooks.py, stored without outputs, and they run."""
import importlib.util
import json
import os
import shutil
import subprocess
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



@pytest.mark.skipif(shutil.which("dot") is None, reason="the notebooks draw with the Graphviz dot program")
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_notebook_runs_from_top_to_bottom(notebook, tmp_path):
    for package in ("nbformat", "nbclient", "ipykernel", "matplotlib"):
        if importlib.util.find_spec(package) is None:  # looked up, not imported, in this process
            pytest.skip(f"running notebooks needs {package} (in the test extras)")
    env = dict(os.environ, TUTORIAL_FIGURES=str(tmp_path),
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    shared = ROOT.parent / "shared" / "data"
    if "AUTOGRAD_LITE_DATA" not in env and (shared / "mnist").is_dir():
        env["AUTOGRAD_LITE_DATA"] = str(shared)
    if notebook.stem == "tutorial":
        found = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, 'tests'); "
                                "from helpers import mnist_at_hand; sys.exit(not mnist_at_hand())"],
                               cwd=ROOT, env=env)
        if found.returncode:
            pytest.skip("the tutorial notebook trains on MNIST, whose test split is not at hand")
    ran = tmp_path / notebook.name
    result = subprocess.run([sys.executable, str(ROOT / "docs" / "make_notebooks.py"), "--execute", str(notebook),
                             "--out", str(ran), "--cwd", str(tmp_path)], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    code = [c for c in json.loads(ran.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
    assert all(c["execution_count"] for c in code)
    assert not [o for c in code for o in c["outputs"] if o["output_type"] == "error"]
    if notebook.stem == "micrograd_trace_graph":  # viz.draw and viz.stepper show inline
        shown = [key for c in code for o in c["outputs"] if o["output_type"] == "execute_result" for key in o["data"]]
        assert "image/svg+xml" in shown and "text/html" in shown
