"""ag.set_num_threads / get_num_threads, with and without threadpoolctl; the default load policy; --threads."""
import os
import sys
import time

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import cli, threads
from autograd_lite.ops.linalg import LinearOp

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks"))

from common import busy_neighbour  # noqa: E402


needs_blas = pytest.mark.skipif(threads._blas() is None, reason="numpy's BLAS is neither OpenBLAS nor one "
                                                                  "threadpoolctl (if installed) can reach")


@pytest.fixture(autouse=True)
def restore_blas_threads(monkeypatch):
    """Every test leaves numpy's BLAS and the default policy as it found them."""
    control = threads._blas()
    before = control and control.get()
    monkeypatch.setattr(threads, "_policy", threads._policy)
    yield
    if control:
        control.set(before)


@pytest.fixture
def without_threadpoolctl(monkeypatch):
    """Pretend threadpoolctl is not installed: the next look for the BLAS finds OpenBLAS's own functions."""
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # `import threadpoolctl` raises ImportError
    monkeypatch.setattr(threads, "_control_found", False)
    monkeypatch.setattr(threads, "_control", None)


def numpy_blas_threads_seen_by_threadpoolctl() -> int:
    """threadpoolctl's count for numpy's own BLAS (SciPy, loaded by other tests, may bring a second one)."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    counts = [pool["num_threads"] for pool in threadpoolctl.threadpool_info()
              if pool["user_api"] == "blas" and "numpy" in pool["filepath"]]
    if len(counts) != 1:
        pytest.skip("threadpoolctl does not show one BLAS under numpy's folder (not a numpy wheel?)")
    return counts[0]


@needs_blas
@pytest.mark.parametrize("n", [1, 2, 3])
def test_set_then_get_round_trips_and_reaches_the_blas_numpy_uses(n):
    ag.set_num_threads(n)
    assert ag.get_num_threads() == n
    assert numpy_blas_threads_seen_by_threadpoolctl() == n
    assert threads._policy is None  # an explicit setting replaces the default policy


@pytest.mark.parametrize("n", [1, 2])
def test_without_threadpoolctl_the_openblas_functions_numpy_loaded_set_and_get(without_threadpoolctl, n):
    control = threads._blas()
    if control is None:
        pytest.skip("numpy here is not built on OpenBLAS")
    ag.set_num_threads(n)
    assert ag.get_num_threads() == n
    assert threads._threadpoolctl_control() is None  # the fallback, not threadpoolctl, did it
    sys.modules.pop("threadpoolctl")  # threadpoolctl itself, looking afterwards, sees the same count
    assert numpy_blas_threads_seen_by_threadpoolctl() == n


def test_without_any_way_to_the_blas_set_warns_and_get_raises_saying_what_to_install(without_threadpoolctl, monkeypatch):
    monkeypatch.setattr(threads, "_openblas_paths", lambda: [])
    with pytest.warns(RuntimeWarning, match=r"set_num_threads\(1\) did nothing: .*pip install 'autograd-lite\[threads\]'"):
        ag.set_num_threads(1)  # code written for one machine still runs on another
    with pytest.raises(RuntimeError, match="cannot reach numpy's BLAS"):
        ag.get_num_threads()
    threads.adapt_to_load()  # the default policy does nothing, and does not raise


@needs_blas
@pytest.mark.parametrize("bad, message", [(0, "a positive integer, got 0"), (-2, "a positive integer, got -2"),
                                          (1.5, "an int, but got float"), ("2", "an int, but got str"),
                                          (True, "an int, but got bool")])
def test_bad_thread_counts_raise_runtime_error_as_pytorch_does(bad, message):
    before = ag.get_num_threads()
    with pytest.raises(RuntimeError, match=message):
        ag.set_num_threads(bad)
    assert ag.get_num_threads() == before


# -- the default policy --------------------------------------------------------
@pytest.mark.parametrize("cores, others, most, expected", [
    (2, 0.1, 2, 2),    # quiet 2-core machine: both cores
    (2, 0.9, 2, 1),    # a job on the other core: one thread
    (2, 0.4, 2, 1),    # a job squeezed to 40% of a core by our own two threads: one thread
    (2, 1.9, 2, 1),    # everything busy: never fewer than one
    (16, 1.0, 16, 15),  # one neighbour on a big machine: the other fifteen cores
    (16, 0.0, 8, 8),   # never more than the BLAS's own default
])
def test_the_policy_gives_blas_the_cores_other_processes_leave_free(monkeypatch, cores, others, most, expected):
    monkeypatch.setattr(threads, "_usable_cores", lambda: cores)
    policy = threads._LoadPolicy()
    policy.most = most
    assert policy.threads_for(others) == expected


@needs_blas
def test_a_look_measures_other_processes_work_as_busy_time_less_this_process_cpu_time(monkeypatch):
    samples = iter([(0.0, 10.0, 100.0),    # at creation: wall clock, own CPU seconds, machine's busy seconds
                    (1.0, 10.5, 101.4)])   # a second later: we worked 0.5 s, everybody 1.4 s: others 0.9
    monkeypatch.setattr(threads._LoadPolicy, "_sample", staticmethod(lambda: next(samples)))
    monkeypatch.setattr(threads, "_usable_cores", lambda: 2)
    ag.set_num_threads(2)
    policy = threads._LoadPolicy()
    policy.look()
    assert policy.most == 2 and ag.get_num_threads() == 1
    assert policy.next_look == pytest.approx(1.0 + threads.CHECK_EVERY)


def test_products_apply_the_policy_at_most_once_a_second(monkeypatch):
    looks = []
    policy = threads._LoadPolicy()
    monkeypatch.setattr(policy, "look", lambda: (looks.append(1), setattr(policy, "next_look", time.monotonic() + 60)))
    monkeypatch.setattr(threads, "_policy", policy)
    x = ag.tensor(np.ones((3, 4)), requires_grad=True)
    w = ag.tensor(np.ones((5, 4)), requires_grad=True)
    for _ in range(3):
        (x @ w.T).sum().backward()
        LinearOp()(x, w).sum().backward()
    assert looks == [1]


def test_a_user_blas_variable_turns_the_policy_off(monkeypatch):
    import importlib
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    fresh = importlib.util.module_from_spec(importlib.util.find_spec("autograd_lite.threads"))
    fresh.__spec__.loader.exec_module(fresh)
    assert fresh._policy is None
    monkeypatch.delenv("OPENBLAS_NUM_THREADS")
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
        monkeypatch.delenv(name, raising=False)
    fresh.__spec__.loader.exec_module(fresh)
    assert fresh._policy is not None


# -- the command line --------------------------------------------------------
@needs_blas
def test_cli_threads_flag_sets_the_blas_threads_before_training(capsys):
    ag.set_num_threads(2)
    assert cli.main(["train", "--threads", "1", "--epochs", "1", "--hidden", "4", "--verbose", "0"]) == 0
    assert ag.get_num_threads() == 1
    assert "final (training data)" in capsys.readouterr().out


def test_cli_threads_flag_parsed_and_bad_values_refused_in_flag_terms(capsys):
    assert cli.build_parser().parse_args(["train", "--threads", "3"]).threads == 3
    assert cli.build_parser().parse_args(["train"]).threads is None  # the default policy
    with pytest.raises(SystemExit) as exit_:
        cli.main(["train", "--threads", "0"])
    assert exit_.value.code == 2
    assert "--threads: must be at least 1, got 0" in capsys.readouterr().err


def test_cli_threads_flag_without_a_reachable_blas_fails_naming_the_flag(without_threadpoolctl, monkeypatch, capsys):
    monkeypatch.setattr(threads, "_openblas_paths", lambda: [])
    assert cli.main(["train", "--threads", "1", "--epochs", "1", "--verbose", "0"]) == 2
    assert "autograd-lite: error: --threads: cannot reach numpy's BLAS" in capsys.readouterr().err


# -- the benchmarks' busy neighbour -------------------------------------------
def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="reads CPU times from Linux's /proc")
def test_busy_neighbour_spins_on_one_core_while_the_body_runs_and_is_gone_after():
    with busy_neighbour(max_seconds=30) as neighbour:
        time.sleep(0.5)
        assert neighbour.poll() is None
        assert _cpu_seconds(neighbour.pid) > 0.1  # it works, it does not sleep
        if hasattr(os, "sched_getaffinity"):
            assert len(os.sched_getaffinity(neighbour.pid)) == 1
    assert neighbour.poll() is not None  # stopped by the benchmark, not left running


def test_busy_neighbour_stops_on_its_own_deadline():
    with busy_neighbour(max_seconds=0.3) as neighbour:
        assert neighbour.wait(timeout=20) == 0  # it ended by itself, before the body did
