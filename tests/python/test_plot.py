"""`greenwave plot DIR... --out PNG`: learning curves from metrics.jsonl files."""

import json
import subprocess

import matplotlib.image
import pytest

from conftest import BUILD

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
