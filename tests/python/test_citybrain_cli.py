"""`greenwave eval --score citybrain` over several episodes (REFERENCE.md §1): a disqualified
episode scores 0 served vehicles and is counted in `citybrain_disqualified`."""

import json
import subprocess

import pytest

from conftest import BUILD, ROOT

CLI = BUILD / "tools" / "greenwave"
DEMO = ROOT / "scenarios" / "demo_grid_2x2.pbtxt"


def eval_json(*args):
    command = [CLI, "eval", DEMO, "--agent", "maxpressure", "--horizon", 600, "--episodes", 3,
               "--score", "citybrain", *args, "--json"]
    r = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_every_episode_disqualified_scores_zero():
    # A trip's delay index is at least 1 (no vehicle beats free flow), so no sample is <= 0.5.
    j = eval_json("--citybrain-threshold", 0.5)
    assert j["citybrain_disqualified"] == 3
    assert j["citybrain_served"] == 0
    assert j["citybrain_delay_index"] is None
    assert j["served_vehicles"] > 0


def test_no_episode_disqualified_under_a_loose_threshold():
    # Every sample meets a threshold of 1000, so each episode scores its last sample, at the
    # 600 s horizon (a multiple of the 120 s metric period): its served vehicles at the end.
    j = eval_json("--citybrain-threshold", 1000)
    assert j["citybrain_disqualified"] == 0
    # served_vehicles is the episodes' mean rounded to a whole vehicle.
    assert j["citybrain_served"] == pytest.approx(j["served_vehicles"], abs=0.5)
    assert j["citybrain_delay_index"] == pytest.approx(j["delay_index"], rel=1e-12)
