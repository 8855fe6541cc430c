#!/usr/bin/env python3
"""ratios.py [--peer spindle] RESULTS_FILE... — the side-by-side table with a RATIO column.

Reads the "<peer> <test>.<metric> <value>" lines that ../shared/bench/run.sh and compare.sh
write to results.txt ('#' lines ignored; several files => medians), and prints a markdown
table: one column per peer, then RATIO = the peer under test against the fastest reference
peer on that row (nghttpd-ceiling is shown but never ranked). RATIO >= 1.00 means at least as
good as the best reference: rate / best rate for rates, best latency / latency for p50/p99.
Formatting, row order and metric names come from ../shared/bench/table.py.
"""
import math
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "shared", "bench"))
from table import LOWER_IS_BETTER, METRICS, ORDER, fmt  # noqa: E402


def load(paths):
    data, peers = {}, []
    for path in paths:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if line.startswith("#") or len(parts) != 3 or "." not in parts[1]:
                    continue
                peer, key, val = parts
                test, metric = key.split(".", 1)
                if metric not in METRICS:
                    continue
                if peer not in peers:
                    peers.append(peer)
                try:
                    v = float(val)
                except ValueError:
                    v = float("nan")
                data.setdefault((peer, test, metric), []).append(v)
    return data, peers


def ratio(mine, best, metric):
    if mine is None or best is None or math.isnan(mine) or mine == 0 or best == 0:
        return None
    return best / mine if metric in LOWER_IS_BETTER else mine / best


def main(argv):
    me = "spindle"
    if argv[:1] == ["--peer"]:
        me, argv = argv[1], argv[2:]
    if not argv:
        sys.exit(__doc__)
    data, peers = load(argv)
    peers.sort(key=lambda p: (p != me, p.endswith("ceiling"), p))
    refs = [p for p in peers if p != me and not p.endswith("ceiling")]
    tests = [t for t in ORDER if any(k[1] == t for k in data)]
    tests += sorted({k[1] for k in data} - set(tests))
    print("| test | metric | " + " | ".join(peers) + " | RATIO |")
    print("|---|---|" + "---|" * (len(peers) + 1))
    worst = None
    for t in tests:
        for metric in METRICS:
            med = {}
            for p in peers:
                vals = data.get((p, t, metric))
                if vals:
                    med[p] = float("nan") if any(v != v for v in vals) else statistics.median(vals)
            if not med:
                continue
            ranked = {p: v for p, v in med.items() if p in refs and not math.isnan(v)}
            best = (min if metric in LOWER_IS_BETTER else max)(ranked, key=ranked.get) if ranked else None
            cells = []
            for p in peers:
                v = med.get(p)
                cell = "" if v is None else ("FAIL" if math.isnan(v) else fmt(v))
                cells.append(f"**{cell}**" if p == best else cell)
            r = ratio(med.get(me), ranked.get(best), metric)
            if r is not None:
                worst = r if worst is None else min(worst, r)
            rcell = "-" if r is None else f"{r:.2f}x vs {best}"
            print(f"| {t} | {metric} | " + " | ".join(cells) + f" | {rcell} |")
    if worst is not None:
        print(f"\nworst RATIO of {me}: {worst:.2f}x (aim: >= 1.00 on every row)")


if __name__ == "__main__":
    main(sys.argv[1:])
