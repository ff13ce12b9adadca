"""What a new user meets at the command line: seeds checked alike by every command, JSON
counts as integers, plot formats by extension."""

import json
import subprocess

import pytest

from conftest import BUILD, ROOT

CLI = BUILD / "tools" / "greenwave"
DEMO = ROOT / "scenarios" / "demo_grid_2x2.pbtxt"


def cli(*args, cwd=None):
    assert CLI.exists(), f"build the greenwave target first ({CLI} is missing)"
    return subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=600)


@pytest.mark.parametrize("seed", ["-1", "1.5", "x", "18446744073709551616"])
def test_every_command_refuses_a_bad_seed_with_the_same_message(tmp_path, seed):
    commands = [["run", DEMO, "--controller", "fixed"],
                ["eval", DEMO, "--agent", "maxpressure", "--episodes", "1"],
                ["train", DEMO, "--episodes", "1", "--out", tmp_path / "run"],
                ["generate", "grid", "--rows", "1", "--cols", "1", "--out", tmp_path / "g.pbtxt"]]
    for command in commands:
        r = cli(*command, f"--seed={seed}")
        assert r.returncode != 0 and f"--seed: expected a non-negative integer below 2^64, got '{seed}'" in r.stderr, \
            (command, r.stderr)


def test_the_largest_seed_is_accepted():
    r = cli("run", DEMO, "--controller", "fixed", "--horizon", "60", "--seed", str(2**64 - 1), "--json")
    assert r.returncode == 0, r.stderr


def test_vehicle_counts_are_json_integers_in_every_output(tmp_path):
    outputs = [json.loads(cli("run", DEMO, "--controller", "maxpressure", "--horizon", "300", "--json").stdout),
               json.loads(cli("eval", DEMO, "--agent", "maxpressure", "--episodes", "2", "--horizon", "300", "--json").stdout)]
    r = cli("train", DEMO, "--episodes", "2", "--eval-every", "1", "--eval-episodes", "2", "--horizon", "300",
            "--out", tmp_path / "run", "--no-progress", "--json", "--device", "cpu")
    assert r.returncode == 0, r.stderr
    outputs.append(json.loads(r.stdout))
    for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines():
        row = json.loads(line)
        outputs += [row, row["eval"]]
    for out in outputs:
        for key in ("served_vehicles", "throughput", "vehicles_scheduled"):
            assert type(out[key]) is int, (key, out)


def test_writing_commands_refuse_to_replace_results_without_force(tmp_path):
    first = tmp_path / "first.pbtxt"
    assert cli("convert", DEMO, first).returncode == 0
    written = first.read_bytes()
    cases = [["convert", DEMO, first],
             ["generate", "grid", "--rows", "1", "--cols", "1", "--out", first],
             ["run", DEMO, "--controller", "fixed", "--horizon", "60", "--trajectory", first]]
    for command in cases:
        r = cli(*command)
        assert r.returncode != 0 and f"'{first}' exists; pass --force to replace it" in r.stderr, (command, r.stderr)
        assert first.read_bytes() == written
    r = cli("generate", "grid", "--rows", "1", "--cols", "1", "--out", first, "--force")
    assert r.returncode == 0 and first.read_bytes() != written


def train(out, *extra):
    return cli("train", DEMO, "--episodes", "1", "--horizon", "120", "--out", out, "--no-progress", "--device", "cpu",
               "--json", *extra)


def test_train_refuses_to_replace_a_run_and_resume_refuses_conflicts(tmp_path):
    out = tmp_path / "run"
    assert train(out).returncode == 0
    r = train(out)
    assert r.returncode != 0 and "holds a training run; pass --resume to continue it or --force to replace it" in r.stderr
    r = train(out, "--resume")  # 1 episode asked, 1 done
    assert r.returncode == 0 and "has trained 1 episodes already (--episodes 1); nothing to do" in r.stderr
    r = cli("train", DEMO, "--episodes", "2", "--horizon", "60", "--out", out, "--resume", "--no-progress")
    assert r.returncode != 0 and "was trained on" in r.stderr and "hash" in r.stderr
    r = train(out, "--resume", "--hidden", "32")
    assert r.returncode != 0 and "holds a network with hidden [128,128]" in r.stderr
    r = train(out, "--resume", "--reward", "pressure")
    assert r.returncode != 0 and "was trained with reward 'queue', not 'pressure'" in r.stderr
    r = train(out, "--resume", "--lr", "0.1")
    assert r.returncode != 0 and "--resume keeps the checkpoint's own settings; drop --lr" in r.stderr
    assert train(out, "--force").returncode == 0


def test_a_missing_shared_data_path_says_what_shared_data_is(tmp_path):
    r = cli("run", "../shared/data/cityflow/not_there/config.json", "--controller", "fixed")
    assert r.returncode != 0 and "no such file (shared/data is the data folder beside the checkout" in r.stderr
    r = cli("run", tmp_path / "mine.json", "--controller", "fixed")
    assert r.returncode != 0 and r.stderr.strip().endswith("mine.json: no such file")
