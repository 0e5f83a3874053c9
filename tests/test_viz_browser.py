"""The HTML stepper of viz.render_steps in a real browser: headless Chromium driven by Playwright."""
import shutil

import pytest

import autograd_lite as ag
import viz

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (Debian: apt-get install chromium)"),
    pytest.mark.skipif(shutil.which("dot") is None, reason="the stepper's pictures need the Graphviz dot program"),
]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (in the browser extra)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield launched
        launched.close()


def shown(page):
    """(counter text, the visible figure's step, the highlighted line) as a reader sees them."""
    figure = page.locator("figure:not([hidden])")
    return (page.inner_text("#counter"), figure.get_attribute("data-step"), page.text_content("#steps li.current"))


def test_arrow_keys_step_through_the_pictures_and_the_lines_of_explain(browser, tmp_path):
    a, b = ag.Value(2.0, label="a"), ag.Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    lines = str(viz.explain(c + a)).splitlines()
    index = viz.render_steps(c + a, tmp_path)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"file://{index}")
    assert shown(page) == ("step 1 of 5", "1", lines[0])
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert shown(page) == ("step 3 of 5", "3", lines[2])
    page.keyboard.press("ArrowRight")
    assert shown(page) == ("step 4 of 5", "4", lines[3])   # a's gradient accumulates: += ... → dL/da = -2.0
    page.keyboard.press("ArrowLeft")
    assert shown(page) == ("step 3 of 5", "3", lines[2])
    for _ in range(6):
        page.keyboard.press("ArrowRight")
    assert shown(page) == ("step 5 of 5", "5", lines[4])   # stops at the last step
    assert page.locator("#next").is_disabled()
    page.close()


def test_the_picture_fits_the_page(browser, tmp_path):
    x = ag.Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True, name="x")
    w = ag.Tensor([[0.5], [-1.0], [2.0]], requires_grad=True, name="w")
    index = viz.render_steps(((x @ w).tanh() * 2).sum(), tmp_path)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"file://{index}")
    body = page.evaluate("document.body.getBoundingClientRect().width")
    img = page.evaluate("(() => { const r = document.querySelector('figure:not([hidden]) img')"
                        ".getBoundingClientRect(); return [r.width, r.height]; })()")
    assert img[0] == pytest.approx(body, abs=2)  # as wide as the page: a small graph is scaled up to read
    assert img[1] <= 0.78 * 900 + 1              # and never taller than most of the window
    page.close()
