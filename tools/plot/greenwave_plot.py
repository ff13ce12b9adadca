#!/usr/bin/python3
"""Plots of greenwave results: `greenwave plot INPUT... --out FILE`.

Each call draws one kind of figure, picked by its inputs (all of one kind):

- training directories (DIR/metrics.jsonl, written by `greenwave train`): learning curves of
  average travel time, delay index, served vehicles and the episode return against the episode,
  one line per DIR (labelled by its name), markers for the greedy evaluations ("eval" objects);
- metrics files (.json: the object `greenwave run|eval --json` prints, or a greenwave.sweep table
  as .json or .csv): bars of average travel time, served vehicles and delay index per input
  (labelled by the file's name) or, for a sweep, per agent (and scenario), the mean over its rows
  with the lowest and highest as whiskers;
- replays (.gwr, written by `run|eval --replay`): served vehicles, delay index and average
  travel time against simulated time, one line per replay.

Exit status 1 with a message naming the file, line or key at fault on bad input; 2 on bad usage.
"""
import argparse
import csv
import json
import math
import os
import struct
import sys
import zlib

# (metrics key, axis title) of each comparison and replay panel, in order.
METRIC_PANELS = [
    ("average_travel_time", "average travel time (s)"),
    ("served_vehicles", "served vehicles"),
    ("delay_index", "delay index"),
]

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


def number(value):
    """`value` as a finite float, or None (CSV cells are strings)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, (int, float)) and math.isfinite(value):
        return float(value)
    return None


def read_metrics(path):
    """[(label, [row, ...])] of a metrics file: one `run|eval --json` object (labelled by the file's
    name), or a sweep table (.json list or .csv) grouped by agent (and scenario when several)."""
    stem = os.path.splitext(os.path.basename(path))[0]
    try:
        with open(path, encoding="utf-8", newline="") as f:
            if path.endswith(".csv"):
                data = list(csv.DictReader(f))
            else:
                data = json.load(f)
    except OSError as e:
        raise PlotError(f"{path}: cannot read ({e.strerror})") from None
    except json.JSONDecodeError as e:
        raise PlotError(f"{path}:{e.lineno}: not JSON ({e.msg})") from None
    rows = [data] if isinstance(data, dict) else data
    if not isinstance(rows, list) or not rows:
        raise PlotError(f"{path}: expected a metrics object (run/eval --json) or a non-empty sweep table")
    for i, row in enumerate(rows):
        where = path if isinstance(data, dict) else f"{path}: row {i + 1}"
        if not isinstance(row, dict):
            raise PlotError(f"{where}: expected a JSON object")
        for key, _ in METRIC_PANELS:
            if number(row.get(key)) is None:
                raise PlotError(f"{where}: key '{key}' is missing or not a finite number")
    if isinstance(data, dict):
        return [(stem, rows)]
    scenarios = {str(r.get("scenario", "")) for r in rows}
    groups = {}
    for r in rows:
        label = str(r.get("agent", stem))
        if len(scenarios) > 1:
            label += " @ " + os.path.splitext(os.path.basename(str(r.get("scenario", ""))))[0]
        groups.setdefault(label, []).append(r)
    return list(groups.items())


def read_replay(path):
    """(label, times, {metric: values}) of a replay file (docs/replay.md, version 1)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise PlotError(f"{path}: cannot read ({e.strerror})") from None
    if len(data) < 12 or data[:8] != b"GWREPLAY":
        raise PlotError(f"{path}: not a greenwave replay (no GWREPLAY header)")
    (version,) = struct.unpack_from("<I", data, 8)
    if version != 1:
        raise PlotError(f"{path}: replay format version {version}, this plot reads version 1")
    try:
        body = zlib.decompress(data[12:])
    except zlib.error as e:
        raise PlotError(f"{path}: the compressed body is damaged ({e})") from None
    (meta_len,) = struct.unpack_from("<I", body, 0)
    meta = json.loads(body[4:4 + meta_len].rstrip(b"\0"))
    names = meta["metrics"]
    missing = [k for k, _ in METRIC_PANELS if k not in names]
    if missing:
        raise PlotError(f"{path}: the replay has no metric '{missing[0]}'")
    times, series = [], {k: [] for k, _ in METRIC_PANELS}
    off = (4 + meta_len + 3) // 4 * 4
    while off + 16 <= len(body):
        (size,) = struct.unpack_from("<I", body, off)
        if size < 16 or off + size > len(body):
            raise PlotError(f"{path}: frame {len(times)} is truncated")
        (t,) = struct.unpack_from("<d", body, off + 8)
        values = struct.unpack_from(f"<{len(names)}f", body, off + 16)
        times.append(t)
        for k in series:
            series[k].append(values[names.index(k)])
        off += size
    if not times:
        raise PlotError(f"{path}: the replay has no frames")
    return os.path.splitext(os.path.basename(path))[0], times, series


def kind_of(path):
    """'train', 'metrics' or 'replay' by what the input is."""
    if os.path.isdir(path):
        return "train"
    if path.endswith(".gwr"):
        return "replay"
    if path.endswith((".json", ".csv")):
        return "metrics"
    if not os.path.exists(path):
        raise PlotError(f"{path}: no such file or directory")
    raise PlotError(f"{path}: expected a training directory, a .json/.csv metrics file or a .gwr replay")


def draw_curves(plt, inputs):
    """Learning curves of training directories; returns (figure, what was drawn)."""
    runs = [(os.path.basename(os.path.normpath(d)) or d, read_run(d)) for d in inputs]
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
    return fig, f"{len(runs)} run{'s' if len(runs) != 1 else ''}"


def draw_comparison(plt, inputs):
    """Bars of the metrics per input or sweep group; returns (figure, what was drawn)."""
    groups = [g for path in inputs for g in read_metrics(path)]
    labels = [label for label, _ in groups]
    fig, axes = plt.subplots(1, 3, figsize=(max(11, 1.2 * len(groups) * 3), 4.5))
    for axis, (key, title) in zip(axes, METRIC_PANELS):
        values = [[number(r[key]) for r in rows] for _, rows in groups]
        means = [sum(v) / len(v) for v in values]
        low = [m - min(v) for m, v in zip(means, values)]
        high = [max(v) - m for m, v in zip(means, values)]
        bars = axis.bar(range(len(groups)), means, yerr=[low, high] if any(len(v) > 1 for v in values) else None,
                        color=[f"C{i}" for i in range(len(groups))], capsize=4)
        axis.bar_label(bars, labels=[f"{m:.3g}" if key == "delay_index" else f"{m:.0f}" for m in means], fontsize=8)
        axis.set_xticks(range(len(groups)), labels, rotation=20 if len(groups) > 3 else 0, ha="right" if len(groups) > 3 else "center")
        axis.set_title(title)
        axis.grid(alpha=0.3, axis="y")
        if key == "delay_index":
            axis.set_ylim(bottom=min(1.0, min(means)) - 0.05 * max(means))
    return fig, f"{len(groups)} result{'s' if len(groups) != 1 else ''}"


def draw_series(plt, inputs):
    """Metric time series of replays; returns (figure, what was drawn)."""
    replays = [read_replay(p) for p in inputs]
    fig, axes = plt.subplots(1, 3, figsize=(13, 4.2), sharex=True)
    for axis, (key, title) in zip(axes, METRIC_PANELS):
        for label, times, series in replays:
            axis.plot(times, series[key], label=label, linewidth=1.2)
        axis.set_title(title)
        axis.set_xlabel("simulated time (s)")
        axis.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    return fig, f"{len(replays)} replay{'s' if len(replays) != 1 else ''}"


def main(argv):
    parser = argparse.ArgumentParser(prog="greenwave plot", description=__doc__.split("\n\n")[1])
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="training directories, .json/.csv metrics files, or .gwr replays (one kind)")
    parser.add_argument("--out", required=True, metavar="FILE", help="the image to write: .png, .svg or .pdf")
    parser.add_argument("--title", default="", help="figure title")
    args = parser.parse_args(argv)
    try:
        kinds = {p: kind_of(p) for p in args.inputs}
        if len(set(kinds.values())) > 1:
            listing = ", ".join(f"{p} ({k})" for p, k in kinds.items())
            raise PlotError(f"inputs of one kind per plot (training directories, metrics files or replays); got {listing}")
        kind = next(iter(kinds.values()))
        try:
            import matplotlib
            matplotlib.use("Agg")
            matplotlib.rcParams["svg.fonttype"] = "none"  # SVG text stays text (searchable, editable)
            import matplotlib.pyplot as plt
        except ImportError:
            raise PlotError("matplotlib is missing for " + sys.executable +
                            " (Debian: apt-get install python3-matplotlib)") from None
        draw = {"train": draw_curves, "metrics": draw_comparison, "replay": draw_series}[kind]
        fig, drawn = draw(plt, args.inputs)
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
    print(f"wrote {args.out} ({drawn})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
