"""The benchmarks' timing tools: rivals take turns part by part, and ratios pair those parts."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks"))

from common import Timing, epoch_in_slices, paired_ratio, time_in_parts  # noqa: E402


def test_rivals_take_turns_part_by_part_and_a_round_is_the_sum_of_its_parts():
    calls = []
    parts = {name: [lambda name=name, k=k: calls.append((name, k)) for k in range(3)] for name in ("ours", "rival")}
    timings = time_in_parts(parts, rounds=2, warmup=1)
    warmup, timed = calls[:2], calls[2:]
    assert warmup == [("ours", 0), ("rival", 0)]
    assert timed == [("ours", 0), ("rival", 0), ("ours", 1), ("rival", 1), ("ours", 2), ("rival", 2)] * 2
    for t in timings.values():
        assert len(t.samples) == 2 and len(t.parts) == 6
        assert t.samples[0] == pytest.approx(sum(t.parts[:3]))
        assert t.samples[1] == pytest.approx(sum(t.parts[3:]))


def test_paired_ratio_divides_part_by_part_and_its_median_ignores_one_slow_spell():
    ours = Timing(parts=[1.0, 1.0, 1.0, 9.0])   # the machine stalled during our fourth part
    rival = Timing(parts=[2.0, 2.0, 2.0, 2.0])
    ratio = paired_ratio(ours, rival)
    assert ratio.samples == [0.5, 0.5, 0.5, 4.5]
    assert ratio.median == 0.5 and (ratio.low, ratio.high) == (0.5, 4.5)


def test_an_epoch_in_slices_covers_every_example_once_in_whole_batches():
    seen = []
    slices = epoch_in_slices(lambda start, stop: seen.append((start, stop)), n=1000, batch=64, slices=4)
    for part in slices:
        part()
    assert len(seen) == 4 and seen[0][0] == 0 and seen[-1][1] == 1000
    assert all(stop == next_start for (_, stop), (next_start, _) in zip(seen, seen[1:]))
    assert all(start % 64 == 0 for start, _ in seen)


def test_cnn_per_op_times_name_each_op_and_pass_and_add_up_to_the_step():
    import numpy as np

    import bench_cnn_epoch
    from autograd_lite.ops.conv import Conv2dOp
    forward = Conv2dOp.forward
    rng = np.random.default_rng(0)
    x = rng.random((3 * bench_cnn_epoch.BATCH, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, len(x))
    times = bench_cnn_epoch.our_op_times(x, y, steps=2)
    assert {"conv2d forward", "conv2d_weight forward", "conv_transpose2d forward", "max_pool2d forward",
            "max_pool2d_scatter forward", "relu forward", "relu backward"} <= set(times)
    whole = times.pop("(the whole step)")
    # each op's own time, nested calls not counted twice, plus what lies outside them: the step
    assert abs(sum(times.values()) - whole) < 1e-9 * max(1.0, whole) + 1e-6
    assert times["(outside the ops: engine, modules, optimizer)"] > 0 and min(times.values()) >= 0
    assert Conv2dOp.forward is forward  # the timers are gone again
