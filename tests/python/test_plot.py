"""`greenwave plot INPUT... --out FILE`: learning curves from metrics.jsonl files, bars from run/eval
--json outputs and sweep tables, time series from replays."""

import json
import subprocess

import matplotlib.image
import pytest

from conftest import BUILD, ROOT

CLI = BUILD / "tools" / "greenwave"


def write_run(path, episodes=4):
    """A training directory with a small metrics.jsonl (an evaluation on the last episode)."""
    path.mkdir()
    with open(path / "metrics.jsonl", "w") as f:
        for e in range(episodes):
            row = {"episode": e, "average_travel_time": 200.0 - 10 * e, "delay_index": 3.0 - 0.2 * e,
                   "served_vehicles": 1500 + e, "return": -900.0 + 50 * e}
            if e == episodes - 1:
                row["eval"] = dict(row)
            f.write(json.dumps(row) + "\n")
    return path


def plot(*args):
    assert CLI.exists(), f"build the greenwave target first ({CLI} is missing)"
    return subprocess.run([str(CLI), "plot", *map(str, args)], capture_output=True, text=True)


def test_draws_one_png_for_several_runs(tmp_path):
    a, b = write_run(tmp_path / "dqn_a"), write_run(tmp_path / "dqn_b", episodes=6)
    out = tmp_path / "curves.png"
    r = plot(a, b, "--out", out, "--title", "two runs")
    assert r.returncode == 0, r.stderr
    assert "2 runs" in r.stdout
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image = matplotlib.image.imread(out)
    assert image.shape[0] > 300 and image.shape[1] > 400


@pytest.mark.parametrize("content, message", [
    (None, "metrics.jsonl: no such file"),
    ("{not json\n", "metrics.jsonl:1: not JSON"),
    ('{"episode": 0, "delay_index": 1, "served_vehicles": 1, "return": 0}\n', "key 'average_travel_time'"),
    ("", "no episodes"),
])
def test_bad_runs_fail_naming_the_file_and_fault(tmp_path, content, message):
    run = tmp_path / "run"
    run.mkdir()
    if content is not None:
        (run / "metrics.jsonl").write_text(content)
    out = tmp_path / "x.png"
    r = plot(run, "--out", out)
    assert r.returncode == 1
    assert message in r.stderr
    assert str(run) in r.stderr
    assert not out.exists()


def test_out_is_required_and_a_missing_python_is_named(tmp_path):
    run = write_run(tmp_path / "run")
    r = plot(run)
    assert r.returncode != 0 and "--out" in r.stderr
    r = subprocess.run([str(CLI), "plot", str(run), "--out", str(tmp_path / "x.png")], capture_output=True, text=True,
                       env={"GREENWAVE_PYTHON": "/nonexistent/python3"})
    assert r.returncode != 0 and "/nonexistent/python3" in r.stderr


def test_the_extension_picks_the_format(tmp_path):
    run = write_run(tmp_path / "dqn")
    r = plot(run, "--out", tmp_path / "curves.svg")
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "curves.svg").read_text()
    assert text.startswith("<?xml") and "<svg" in text
    r = plot(run, "--out", tmp_path / "curves.jpg")
    assert r.returncode != 0 and "the extension picks the format: .png, .svg or .pdf" in r.stderr
    assert not (tmp_path / "curves.jpg").exists()


def metrics(att, served, delay):
    """A metrics object as `greenwave run|eval --json` prints it."""
    return {"average_travel_time": att, "average_travel_time_finished": att, "delay_index": delay, "horizon_s": 600.0,
            "served_vehicles": served, "throughput": served // 2, "vehicles_scheduled": served}


def svg_texts(path):
    """The text elements of an SVG (matplotlib writes them as <text> with svg.fonttype none)."""
    import re
    return re.findall(r">([^<>]+)</text>", path.read_text())


def test_compares_run_and_eval_json_outputs_as_bars(tmp_path):
    (tmp_path / "fixed.json").write_text(json.dumps(metrics(312.0, 1400, 1.83)))
    (tmp_path / "maxpressure.json").write_text(json.dumps(metrics(205.0, 1480, 1.41)))
    out = tmp_path / "compare.svg"
    r = plot(tmp_path / "fixed.json", tmp_path / "maxpressure.json", "--out", out)
    assert r.returncode == 0, r.stderr
    assert "2 results" in r.stdout
    texts = svg_texts(out)
    # One bar per file, labelled by its name, with its values written on it.
    assert {"fixed", "maxpressure", "312", "205", "1400", "1480", "1.83", "1.41"} <= set(texts)


def test_a_sweep_table_is_grouped_by_agent_with_means(tmp_path):
    rows = [dict(metrics(100.0, 10, 1.2), agent="fixed", seed=0, scenario="a.pbtxt"),
            dict(metrics(120.0, 30, 1.4), agent="fixed", seed=1, scenario="a.pbtxt"),
            dict(metrics(90.0, 50, 1.1), agent="maxpressure", seed=0, scenario="a.pbtxt")]
    table = tmp_path / "sweep.csv"
    with open(table, "w") as f:
        f.write(",".join(rows[0]) + "\n")
        for row in rows:
            f.write(",".join(str(v) for v in row.values()) + "\n")
    out = tmp_path / "sweep.svg"
    r = plot(table, "--out", out)
    assert r.returncode == 0, r.stderr
    assert "2 results" in r.stdout
    # fixed: mean ATT (100 + 120) / 2 = 110, served (10 + 30) / 2 = 20, delay (1.2 + 1.4) / 2 = 1.3.
    assert {"fixed", "maxpressure", "110", "20", "1.3", "90", "50", "1.1"} <= set(svg_texts(out))


def test_replays_draw_metric_time_series(tmp_path):
    scenario = ROOT / "scenarios" / "demo_grid_2x2.pbtxt"
    paths = []
    for controller in ("fixed", "maxpressure"):
        path = tmp_path / f"{controller}.gwr"
        run = subprocess.run([str(CLI), "run", str(scenario), "--controller", controller, "--horizon", "60",
                              "--replay", str(path)], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
        paths.append(path)
    out = tmp_path / "series.png"
    r = plot(*paths, "--out", out)
    assert r.returncode == 0, r.stderr
    assert "2 replays" in r.stdout and out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = tmp_path / "series.svg"
    assert plot(*paths, "--out", svg).returncode == 0
    assert {"fixed", "maxpressure", "simulated time (s)"} <= set(svg_texts(svg))


@pytest.mark.parametrize("write, message", [
    (lambda p: p.write_bytes(b"GWREPLAY\x02\x00\x00\x00"), "replay format version 2"),
    (lambda p: p.write_bytes(b"not a replay"), "not a greenwave replay"),
])
def test_bad_replays_fail_naming_the_file(tmp_path, write, message):
    bad = tmp_path / "bad.gwr"
    write(bad)
    r = plot(bad, "--out", tmp_path / "x.png")
    assert r.returncode == 1 and message in r.stderr and str(bad) in r.stderr


def test_bad_metrics_and_mixed_inputs_fail(tmp_path):
    (tmp_path / "m.json").write_text(json.dumps({"delay_index": 1.0, "served_vehicles": 3}))
    r = plot(tmp_path / "m.json", "--out", tmp_path / "x.png")
    assert r.returncode == 1 and "key 'average_travel_time'" in r.stderr and "m.json" in r.stderr
    (tmp_path / "ok.json").write_text(json.dumps(metrics(1.0, 1, 1.0)))
    run = write_run(tmp_path / "dqn")
    r = plot(tmp_path / "ok.json", run, "--out", tmp_path / "x.png")
    assert r.returncode == 1 and "one kind" in r.stderr
