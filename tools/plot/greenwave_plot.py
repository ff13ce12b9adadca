#!/usr/bin/python3
"""Learning curves of greenwave training runs: `greenwave plot DIR... --out FILE`.

Reads DIR/metrics.jsonl of each run (one JSON object per training episode, written by
`greenwave train`) and draws average travel time, delay index, served vehicles and the episode
return against the episode number: one line per DIR (labelled by its name) for the training
episodes, and markers for the greedy evaluations (the "eval" objects). Exit status 1 with a
message naming the file, line or key at fault on bad input; 2 on bad usage.
"""
import argparse
import json
import math
import os
import sys

# (metrics.jsonl key, axis title) of each panel, in order.
PANELS = [
    ("average_travel_time", "average travel time (s)"),
    ("delay_index", "delay index"),
    ("served_vehicles", "served vehicles"),
    ("return", "episode return (reward)"),
]


class PlotError(Exception):
    """Bad input: the message names the file, line or key."""


def read_run(run_dir):
    """Returns the episode rows of run_dir/metrics.jsonl, checked for the keys the panels need."""
    path = os.path.join(run_dir, "metrics.jsonl")
    if not os.path.isfile(path):
        raise PlotError(f"{path}: no such file (is {run_dir} a `greenwave train --out` directory?)")
    rows = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise PlotError(f"{path}:{number}: not JSON ({e.msg})") from None
            if not isinstance(row, dict):
                raise PlotError(f"{path}:{number}: expected a JSON object")
            for key in ["episode"] + [k for k, _ in PANELS]:
                value = row.get(key)
                if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
                    raise PlotError(f"{path}:{number}: key '{key}' is missing or not a finite number")
            rows.append(row)
    if not rows:
        raise PlotError(f"{path}: no episodes")
    return rows


def main(argv):
    parser = argparse.ArgumentParser(prog="greenwave plot", description=__doc__.split("\n\n")[1])
    parser.add_argument("dirs", nargs="+", metavar="DIR", help="training output directories")
    parser.add_argument("--out", required=True, metavar="FILE", help="the image to write: .png, .svg or .pdf")
    parser.add_argument("--title", default="", help="figure title")
    args = parser.parse_args(argv)
    try:
        runs = [(os.path.basename(os.path.normpath(d)) or d, read_run(d)) for d in args.dirs]
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            raise PlotError("matplotlib is missing for " + sys.executable +
                            " (Debian: apt-get install python3-matplotlib)") from None
        fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), sharex=True)
        for axis, (key, title) in zip(axes.flat, PANELS):
            for label, rows in runs:
                line, = axis.plot([r["episode"] for r in rows], [r[key] for r in rows], label=label, linewidth=1.2)
                evals = [(r["episode"], r["eval"][key]) for r in rows
                         if isinstance(r.get("eval"), dict) and isinstance(r["eval"].get(key), (int, float))]
                if evals:
                    axis.plot(*zip(*evals), "o--", color=line.get_color(), markersize=4, linewidth=0.8,
                              label=f"{label} (greedy eval)")
            axis.set_title(title)
            axis.grid(alpha=0.3)
        for axis in axes[1]:
            axis.set_xlabel("episode")
        axes[0][0].legend(fontsize=8)
        if args.title:
            fig.suptitle(args.title)
        fig.tight_layout()
        try:
            fig.savefig(args.out, format=os.path.splitext(args.out)[1][1:].lower(), dpi=100)
        except OSError as e:
            raise PlotError(f"{args.out}: cannot write ({e.strerror})") from None
    except PlotError as e:
        print(f"greenwave plot: {e}", file=sys.stderr)
        return 1
    print(f"wrote {args.out} ({len(runs)} run{'s' if len(runs) != 1 else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
