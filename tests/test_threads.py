"""ag.set_num_threads / get_num_threads, with and without threadpoolctl; the default load policy; --threads."""
import os
import sys
import threading
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


# -- autograd-lite's own threads (convolution and pooling chunks) ----------------
def test_map_in_threads_runs_items_at_once_on_op_threads_and_keeps_their_order(monkeypatch):
    monkeypatch.setattr(threads, "op_threads", lambda: 2)
    both_running = threading.Barrier(2, timeout=10)  # broken (an error) unless two items run at the same time
    seen = set()

    def work(item):
        if item < 2:
            both_running.wait()
        seen.add(threading.get_ident())
        return item * 10

    assert threads.map_in_threads(work, range(6)) == [0, 10, 20, 30, 40, 50]
    assert len(seen) == 2 and threading.get_ident() in seen  # the calling thread works too


def test_map_in_threads_with_one_thread_is_the_plain_loop_in_the_calling_thread(monkeypatch):
    monkeypatch.setattr(threads, "op_threads", lambda: 1)
    seen = []
    assert threads.map_in_threads(lambda item: seen.append(threading.get_ident()) or -item, [1, 2, 3]) == [-1, -2, -3]
    assert seen == [threading.get_ident()] * 3


def test_map_in_threads_reraises_a_helpers_error_after_all_threads_stopped(monkeypatch):
    monkeypatch.setattr(threads, "op_threads", lambda: 2)
    done = []

    def work(item):
        if item == 3:
            raise ValueError("item 3 is bad")
        time.sleep(0.01)
        done.append(item)

    with pytest.raises(ValueError, match="item 3 is bad"):
        threads.map_in_threads(work, range(8))
    assert sorted(done) == [0, 1, 2, 4, 5, 6, 7]  # the others finished before the error came out


@needs_blas
@pytest.mark.parametrize("n", [1, 2])
def test_op_threads_follows_set_num_threads(n):
    ag.set_num_threads(n)
    assert threads.op_threads() == n


def test_op_threads_is_one_where_the_blas_cannot_be_reached(without_threadpoolctl, monkeypatch):
    monkeypatch.setattr(threads, "_openblas_paths", lambda: [])
    assert threads.op_threads() == 1


def test_relu_on_a_big_batch_is_split_over_op_threads_with_the_same_numbers(monkeypatch):
    x = np.random.default_rng(0).standard_normal((6, 5, 4)).astype(np.float32)
    x[0, 0, :2] = 0.0  # relu'(0) = 0, as in PyTorch

    def relu_and_grad():
        xt = ag.tensor(x, requires_grad=True)
        y = ag.functional.relu(xt)
        (y * 3.0).sum().backward()
        return y.data, xt.grad.data

    alone = relu_and_grad()
    parts = []
    monkeypatch.setattr(threads, "op_threads", lambda: 2)
    monkeypatch.setattr(threads, "SPLIT_BYTES", 0)
    real = threads.map_in_threads
    monkeypatch.setattr(threads, "map_in_threads", lambda work, items: parts.append(list(items)) or real(work, items))
    for got, want in zip(relu_and_grad(), alone):
        np.testing.assert_array_equal(got, want)
    assert parts == [[slice(0, 3), slice(3, 6)]] * 2  # forward and backward, each in two halves
    np.testing.assert_array_equal(alone[1], np.where(x > 0, 3.0, 0.0))


def test_map_in_threads_inside_an_item_of_map_in_threads_does_not_deadlock(monkeypatch):
    monkeypatch.setattr(threads, "op_threads", lambda: 2)
    inner = lambda item: threads.map_in_threads(lambda k: item * 10 + k, range(3))  # noqa: E731
    assert threads.map_in_threads(inner, range(4)) == [[10 * i + k for k in range(3)] for i in range(4)]


def test_ops_stay_in_the_calling_thread_under_the_default_policy(monkeypatch):
    from autograd_lite import threads as policy
    monkeypatch.setattr(policy, "_policy", policy._LoadPolicy())  # as at import, without a user's setting
    assert policy.op_threads() == 1 and len(policy.batch_parts(64, 1 << 24)) == 1
