"""Run every benchmark and print the README's table (Markdown).

    python benchmarks/run.py            # full run, about ten minutes on 2 cores
    python benchmarks/run.py --quick    # fewer rounds and a tenth of the images, to try it out

Rivals that are not installed (PyTorch, micrograd, HIPS autograd) are skipped,
and the table says so. Ratios are ours / rival, measured in this one run: the
median of the part-by-part ratios (rivals take turns at each part: a slice of
the epoch, one chain, one training step), and their range.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_cnn_epoch  # noqa: E402
import bench_mlp_epoch  # noqa: E402
import bench_scalar  # noqa: E402
import bench_scaling  # noqa: E402
import bench_tiny_ops  # noqa: E402
from common import fmt_ratio, fmt_timing, machine_description  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    skipped: list[str] = []

    mlp = bench_mlp_epoch.run(rounds=2 if args.quick else 5, limit=6000 if args.quick else None,
                              busy_rounds=1 if args.quick else 3)
    cnn = bench_cnn_epoch.run(rounds=1 if args.quick else 3, limit=6400 if args.quick else None)
    tiny = bench_tiny_ops.run(rounds=3 if args.quick else 11)
    # The scalar engines get a fresh interpreter: Python's garbage collector walks every object
    # in the process, and the PyTorch imported above would more than double what both pay for it.
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        scalar = pool.apply(bench_scalar.run, (2 if args.quick else 5,))
    scaling = bench_scaling.run()
    skipped += mlp["skipped"] + cnn["skipped"] + tiny["skipped"] + scalar["skipped"]

    print("\n".join(machine_description()))
    print()
    print("| workload | autograd-lite | rival | ratio (ours / rival) |")
    print("| --- | --- | --- | --- |")
    for race, where in ((mlp, ""), (mlp.get("busy"), ", a process spinning on one core")):
        t = race["timings"]
        ours = t["autograd-lite"]
        for rival in ("PyTorch eager", "numpy by hand", "autograd-lite, 1 thread", "autograd-lite, 2 threads"):
            if rival in t:  # the last two: our default thread policy against fixed counts
                name = race["pytorch_best"] + ", its faster" if rival == "PyTorch eager" else rival
                print(f"| MLP epoch ({mlp['source']}{where}) | {fmt_timing(ours)} | {name}: {fmt_timing(t[rival])} "
                      f"| {fmt_ratio(ours, t[rival])} |")
    t = cnn["timings"]
    rival = bench_cnn_epoch.fastest_pytorch(t)
    if rival:
        print(f"| CNN epoch ({cnn['source']}; the faster PyTorch of 1 and 2 threads) | {fmt_timing(t['autograd-lite'])} "
              f"| {rival}: {fmt_timing(t[rival])} | {fmt_ratio(t['autograd-lite'], t[rival])} |")
    t = tiny["timings"]
    ours = t["autograd-lite"]
    per_op = 1 / bench_tiny_ops.PER_ROUND
    for rival in ("PyTorch eager", "HIPS autograd", "numpy (forward only)"):
        if rival in t:
            print(f"| tiny-op chain, per op (fwd+bwd) | {fmt_timing(ours, per_op)} | {rival}: "
                  f"{fmt_timing(t[rival], per_op)} | {fmt_ratio(ours, t[rival])} |")
    t = scalar["timings"]
    if "micrograd" in t:
        for ours_name, how in (("autograd-lite", "with Value.dot"), (bench_scalar.PLAIN, "micrograd's code as written")):
            print(f"| micrograd demo, per training step ({how}) | {fmt_timing(t[ours_name])} | micrograd: "
                  f"{fmt_timing(t['micrograd'])} | {fmt_ratio(t[ours_name], t['micrograd'])} |")
    shares = ", ".join(f"{name} {share:.0%}" for name, share in scalar["collector"].items())
    print(f"| share of a micrograd-demo step in Python's garbage collector | {shares} | | |")
    chains = scalar["chains"]
    print(f"| backward through 1,500 scalar ops | {chains['autograd-lite']} | micrograd: "
          f"{chains.get('micrograd', 'n/a')} | |")
    mem = mlp["memory"]
    print(f"| peak traced memory, 50 MLP steps | {mem['autograd-lite'] / 2**20:.1f} MiB | numpy by hand: "
          f"{mem['numpy by hand'] / 2**20:.1f} MiB | {mem['autograd-lite'] / mem['numpy by hand']:.2f} |")
    mem = cnn["memory"]
    if "PyTorch eager" in mem:
        print(f"| peak memory growth, {bench_cnn_epoch.MEMORY_STEPS} CNN steps | {mem['autograd-lite'] / 2**20:.1f} MiB "
              f"| PyTorch eager: {mem['PyTorch eager'] / 2**20:.1f} MiB | "
              f"{mem['autograd-lite'] / mem['PyTorch eager']:.2f} |")
    rss = scaling["resident"]
    print(f"| resident memory over {len(rss)} epochs | first {rss[0] / 2**20:.0f} MiB, last "
          f"{rss[-1] / 2**20:.0f} MiB | | {rss[-1] / rss[0]:.2f} |")
    for kind, secs in scaling["scaling"].items():
        steps = ", ".join(f"{b / a:.1f}x" for a, b in zip(secs, secs[1:]))
        print(f"| backward of a {kind} chain, 10^4 / 10^5 / 10^6 nodes | "
              f"{' / '.join(f'{s:.3f} s' for s in secs)} | | each step {steps} |")
    if skipped:
        print("\nskipped: " + "; ".join(skipped))


if __name__ == "__main__":
    main()
