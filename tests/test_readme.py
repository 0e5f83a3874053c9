"""The README's Python examples run and print what the README shows (with the tutorial's runner)."""
import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("make_tutorial_figures", ROOT / "docs" / "make_tutorial_figures.py")
runner = sys.modules.get(_spec.name) or importlib.util.module_from_spec(_spec)
if _spec.name not in sys.modules:
    sys.modules[_spec.name] = runner  # dataclasses look their module up there
    _spec.loader.exec_module(runner)


@pytest.mark.skipif(shutil.which("dot") is None, reason="the README's pictures need the Graphviz dot program")
def test_readme_examples_run_and_print_what_the_readme_shows(tmp_path, monkeypatch):
    import autograd_lite as ag
    try:
        ag.data.fashion_mnist("train", download=False)
    except ag.data.DatasetNotFoundError:
        pytest.skip("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)")
    monkeypatch.chdir(tmp_path)  # the examples write their pictures into the working folder
    namespace = runner.run_page(ROOT / "README.md", tmp_path)
    assert namespace["w"].grad.shape == (3, 1)
    assert (tmp_path / "expression.png").stat().st_size > 0
    assert (tmp_path / "mlp_loss.png").stat().st_size > 0
    assert (tmp_path / "steps" / "index.html").exists()
