"""The runnable examples in the docstrings of the newer modules print what they show."""
import doctest

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import creation, dtypes, random, transforms


@pytest.fixture(autouse=True)
def unseeded():
    saved = random._State.generator, random._State.seed
    yield
    random._State.generator, random._State.seed = saved


@pytest.mark.parametrize("module", [creation, dtypes, random, transforms], ids=lambda m: m.__name__)
def test_examples_run(module):
    result = doctest.testmod(module, extraglobs={"ag": ag, "np": np}, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
