"""The README's Python examples run and print what the README shows (with the tutorial's runner)."""
import importlib.util
import re
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


_images_spec = importlib.util.spec_from_file_location("make_images", ROOT / "docs" / "make_images.py")
make_images = importlib.util.module_from_spec(_images_spec)
_images_spec.loader.exec_module(make_images)

PAGE_WIDTH_PX = 900  # about GitHub's README column; a wider picture is scaled down to it
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("dot") is None, reason="the README's pictures need the Graphviz dot program")
def test_the_readme_pictures_are_what_the_readme_code_draws(tmp_path):
    with make_images.dot_beside_each_picture() as written:
        make_images.run_readme_pictures(tmp_path)
    committed = sorted((ROOT / "docs" / "images").glob("*.dot"))
    assert [p.name for p in committed] == sorted(p.name for p in written)
    for dot in committed:
        assert (tmp_path / dot.name).read_text(encoding="utf-8") == dot.read_text(encoding="utf-8"), \
            f"docs/images/{dot.name} is not what the README's code draws: run python docs/make_images.py"
    assert "x1*w1" in (tmp_path / "expression.dot").read_text(encoding="utf-8")


def _png_width(path: Path) -> int:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return int.from_bytes(header[16:20], "big")


def test_the_readme_pictures_are_readable_at_the_width_the_readme_shows_them():
    import viz.dot
    shown = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)|<img src=\"([^\"]+)\"[^>]*?(?:width=\"(\d+)\")?", README)
    assert len(shown) >= 3
    for markdown, html, width in shown:
        path = ROOT / (markdown or html)
        dot = path.with_suffix(".dot")
        fonts = [float(f) for f in re.findall(r"fontsize=([\d.]+)", dot.read_text(encoding="utf-8"))] \
            if dot.exists() else [float(viz.dot.NODE_FONT), float(viz.dot.EDGE_FONT)]
        natural = _png_width(path)
        scale = min(1.0, int(width or PAGE_WIDTH_PX) / natural)  # Graphviz draws PNGs at 96 px per inch
        assert min(fonts) * scale >= 11, f"{path.name}: its smallest text is {min(fonts) * scale:.1f} pt on the page"


def test_the_readme_says_what_installs_the_graphviz_package_viz_draws_with():
    assert "pip install -e '.[viz,plot]'" in README
    assert '"graphviz>=0.20"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8").split("[project.optional-dependencies]")[1].split("plot")[0]


def test_the_edge_label_the_readme_quotes_is_what_viz_draws():
    import autograd_lite as ag
    import viz
    (quoted,) = re.findall(r"labels edges with `([^`]+)`", README)
    a, b = ag.Value(2.0, label="a"), ag.Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    assert f'label="{quoted}"' in viz.to_dot(c + a, edge_derivatives=True)
