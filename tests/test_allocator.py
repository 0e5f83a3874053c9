"""allocator.py: glibc's malloc keeps the memory a training step frees, so the next step does not fault it in again."""
import os
import subprocess
import sys

import pytest

from autograd_lite import allocator

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# A step's worth of activations: ten 1.6 MB arrays (a conv layer's output at batch 64), written,
# then all freed; twenty steps. Prints the page faults of steps 2-20.
STEPS = """
import resource
import numpy as np
import autograd_lite

def step():
    arrays = [np.ones((64, 8, 28, 28), dtype=np.float32) for _ in range(10)]
    del arrays

step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(19):
    step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def page_faults(**variables: str) -> int:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MALLOC_")}
    env.update(variables, PYTHONPATH=ROOT)
    return int(subprocess.run([sys.executable, "-c", STEPS], env=env, capture_output=True, text=True,
                              check=True).stdout)


needs_glibc = pytest.mark.skipif(not allocator._glibc(), reason="the thresholds are glibc's")


@needs_glibc
def test_steps_reuse_freed_memory_instead_of_faulting_it_in_again():
    # 19 steps x 16 MB would be ~75,000 pages faulted in if each step's memory went back to the system
    assert page_faults() < 500
    assert page_faults(AUTOGRAD_LITE_NO_MALLOPT="1") > 20_000


@needs_glibc
@pytest.mark.parametrize("variable", ["MALLOC_TRIM_THRESHOLD_", "AUTOGRAD_LITE_NO_MALLOPT"])
def test_a_user_choice_of_malloc_settings_is_left_alone(monkeypatch, variable):
    monkeypatch.setenv(variable, "131072")
    assert allocator.keep_freed_memory() is False


def test_glibc_tunables_for_malloc_count_as_a_user_choice(monkeypatch):
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=131072")
    assert allocator.keep_freed_memory() is False
