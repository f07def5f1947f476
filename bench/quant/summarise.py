#!/usr/bin/env python3
"""Tables of docs/results.md ("Quantized rewiring") from the CSV rows of bench/quant/sweep.sh.

usage: bench/quant/summarise.py SWEEP.csv [SWEEP.csv ...]   (one file per seed; standard library only)

One markdown row per point: the array's accuracy without noise (mean ± sd over seeds, and per seed), with
5 % programming noise, the loss to the noise (quantised: from its own no-noise accuracy; post-training:
from the unconstrained network), and NT devices per seed. Also checks that the array without noise equals
the trainer's evaluation for every trained network, and says how many do not.
"""
import csv
import statistics
import sys


def pct(x):
    return 100.0 * float(x)


def mean_sd(xs):
    if not xs:
        return "–"
    if len(xs) == 1:
        return f"{xs[0]:.1f}"
    return f"{statistics.mean(xs):.1f} ± {statistics.stdev(xs):.1f}"


def main(paths):
    rows = []
    for p in paths:
        with open(p, newline="") as f:
            rows += list(csv.DictReader(f))
    seeds = sorted({r["seed"] for r in rows}, key=int)
    plain = {r["seed"]: pct(r["array_acc_no_noise"]) for r in rows if r["kind"] == "unconstrained"}
    points, order = {}, []
    for r in rows:
        key = (r["kind"], int(r["levels"]), int(r["fanin"]), r["fanin_mode"])
        if key not in points:
            points[key] = {}
            order.append(key)
        points[key][r["seed"]] = r
    mismatch = 0
    trained = 0
    for r in rows:
        if r["kind"] == "post-training" or r["array_acc_no_noise"] == "unmappable":
            continue
        trained += 1
        if abs(float(r["trainer_acc_pct"]) - pct(r["array_acc_no_noise"])) > 1e-9 + 0.005:
            mismatch += 1
    print(f"seeds {' / '.join(seeds)}; array without noise == trainer evaluation for "
          f"{trained - mismatch} of {trained} trained networks")
    print()
    print("| network | L | fan-in | no noise | per seed (" + " / ".join(seeds) + ") | 5 % programming noise "
          "| loss to the noise | NT devices (" + " / ".join(seeds) + ") |")
    print("|---|---|---|---|---|---|---|---|")
    for key in order:
        kind, L, F, mode = key
        by = points[key]
        clean, noisy, loss, per, dev = [], [], [], [], []
        for s in seeds:
            r = by.get(s)
            if r is None or r["array_acc_no_noise"] == "unmappable":
                per.append("–" if r is None else "unmappable")
                dev.append("–")
                continue
            a = pct(r["array_acc_no_noise"])
            clean.append(a)
            per.append(f"{a:.1f}")
            dev.append(r["nt_devices"])
            if r["array_acc_noise5"] not in ("-", "unmappable"):
                n = pct(r["array_acc_noise5"])
                noisy.append(n)
                loss.append(n - (plain[s] if kind == "post-training" else a))
        fan = "–" if kind != "quantised" else ("none" if F == 0 else
                                                 (f"{F} per side" if mode == "lines_per_side" else str(F)))
        lv = "–" if L == 0 else str(L)
        ls = mean_sd(loss) if loss else "–"
        if kind == "post-training" and loss:
            ls += " (from unconstrained)"
        print(f"| {kind} | {lv} | {fan} | {mean_sd(clean)} | {' / '.join(per)} | {mean_sd(noisy)} | {ls} "
              f"| {' / '.join(dev)} |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
