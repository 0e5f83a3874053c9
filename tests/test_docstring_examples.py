"""The runnable examples in the docstrings of the newer modules print what they show."""
import doctest

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import callbacks, creation, dtypes, engine, linalg, losses, random, transforms, value
from autograd_lite.nn import module
from autograd_lite.ops import (activations, arithmetic, conv, einsum, elementwise, gather_scatter, padding,
                               reductions, reorder)


@pytest.fixture(autouse=True)
def unseeded():
    saved = random._State.generator, random._State.seed
    yield
    random._State.generator, random._State.seed = saved


MODULES = [creation, dtypes, random, transforms, linalg, losses, einsum, gather_scatter, padding, reorder,
           engine, value, module, activations, arithmetic, elementwise, reductions, conv]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_examples_run(module):
    result = doctest.testmod(module, extraglobs={"ag": ag, "np": np, "Tensor": ag.Tensor, "Value": ag.Value},
                             optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_learning_rate_scheduler_example_runs():
    # callbacks.py's other examples sketch a fit on the reader's data; this one runs as written
    finder = doctest.DocTestFinder()
    [example] = finder.find(callbacks.LearningRateScheduler, globs=dict(vars(callbacks)))
    result = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE).run(example)
    assert result.attempted > 0 and result.failed == 0
