#!/usr/bin/env python3
"""Plots an `esme soak` CSV: RSS, threads and open files (and the throughput) against time.

    python3 benches/soak-plot.py soak.csv soak.png

Needs matplotlib (benches/soak.sh installs it in a venv under target/).
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(src: str, dst: str) -> None:
    with open(src, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.exit(f"{src}: no samples")
    t = [int(r["seconds"]) for r in rows]
    col = lambda k: [float(r[k]) for r in rows]  # noqa: E731
    fig, ax = plt.subplots(4, 1, figsize=(8, 8), sharex=True)
    ax[0].plot(t, [v / 1024 for v in col("rss_kb")], color="tab:blue")
    ax[0].set_ylabel("RSS, MiB")
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
    if len(sys.argv) != 3:
        sys.exit("usage: soak-plot.py SOAK.csv OUT.png")
    main(sys.argv[1], sys.argv[2])
