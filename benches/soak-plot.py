#!/usr/bin/env python3
"""Plots an `esme soak` CSV: RSS, threads and open files (and the throughput) against time.

    python3 benches/soak-plot.py soak.csv soak.png [LABEL=OTHER.csv ...]

Each LABEL=OTHER.csv adds the rss_kb column of another soak run to the memory panel (for
instance the same soak with MALLOC_ARENA_MAX=1, or the live-heap run of
benches/soak/live-heap.patch, whose rss_kb column holds the bytes allocated and not freed).

Needs matplotlib (benches/soak.sh installs it in a venv under target/).
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read(src: str) -> list:
    with open(src, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.exit(f"{src}: no samples")
    return rows


def main(src: str, dst: str, others: list) -> None:
    rows = read(src)
    t = [int(r["seconds"]) for r in rows]
    col = lambda k: [float(r[k]) for r in rows]  # noqa: E731
    fig, ax = plt.subplots(4, 1, figsize=(8, 8), sharex=True)
    ax[0].plot(t, [v / 1024 for v in col("rss_kb")], color="tab:blue", label="RSS")
    for arg, color in zip(others, ["tab:purple", "tab:red", "tab:brown", "tab:olive"]):
        label, _, path = arg.rpartition("=")
        if not label or not path:
            sys.exit(f"expected LABEL=FILE.csv, not {arg!r}")
        o = read(path)
        ax[0].plot(
            [int(r["seconds"]) for r in o],
            [float(r["rss_kb"]) / 1024 for r in o],
            label=label,
            color=color,
        )
    if others:
        ax[0].legend(loc="lower right", fontsize="small")
    ax[0].set_ylabel("memory, MiB")
    ax[0].set_ylim(bottom=0)
    ax[1].plot(t, col("threads"), color="tab:orange")
    ax[1].set_ylabel("threads")
    ax[1].set_ylim(bottom=0)
    ax[2].plot(t, col("fds"), color="tab:green")
    ax[2].set_ylabel("open files")
    ax[2].set_ylim(bottom=0)
    ax[3].plot(t, [v / 1000 for v in col("msgs_per_s")], color="tab:gray")
    ax[3].set_ylabel("accepted, k msg/s")
    ax[3].set_xlabel("seconds")
    last = rows[-1]
    fig.suptitle(
        f"esme soak: {int(last['submitted']):,} messages, {int(last['receipts']):,} receipts, "
        f"{last['faults']} faults, {last['reconnects']} reconnects"
    )
    fig.tight_layout()
    fig.savefig(dst, dpi=80)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: soak-plot.py SOAK.csv OUT.png [LABEL=OTHER.csv ...]")
    if len(sys.argv) > 7:
        sys.exit("soak-plot.py: at most 4 LABEL=OTHER.csv series")
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
