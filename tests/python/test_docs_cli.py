"""docs/cli.md against the program: one section per subcommand of `greenwave --help`, the same
options as the command's --help (both ways), and the JSON keys it lists equal to the keys the
command prints with --json."""

import json
import random
import re
import subprocess

import pytest

from conftest import BUILD, ROOT

CLI = BUILD / "tools" / "greenwave"
DEMO = str(ROOT / "scenarios" / "demo_grid_2x2.pbtxt")
OPTION = re.compile(r"--[a-z][a-z0-9-]*")


def greenwave(*args, cwd=None):
    assert CLI.exists(), f"build the greenwave target first ({CLI} is missing)"
    r = subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=600)
    assert r.returncode == 0, f"greenwave {' '.join(map(str, args))}: {r.stderr}"
    return r.stdout


def sections():
    """{command: section text} of docs/cli.md ("## greenwave NAME" headings)."""
    text = (ROOT / "docs" / "cli.md").read_text()
    parts = re.split(r"^## greenwave (\S+)\n", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def commands():
    """The subcommands `greenwave --help` lists."""
    out = greenwave("--help")
    listing = out.split("commands:\n", 1)[1].split("\n\n", 1)[0]
    return [line.split()[0] for line in listing.splitlines() if line.strip()]


def test_every_command_has_a_section():
    assert sorted(sections()) == sorted(commands())


@pytest.mark.parametrize("command", ["version", "info", "convert", "generate", "run", "bench", "train", "eval", "merge",
                                     "inspect", "plot", "view", "nas", "moe"])
def test_section_options_match_the_help(command):
    if command not in commands():
        pytest.skip(f"this build has no {command} command")
    help_text = greenwave("--help") if command == "version" else greenwave(command, "--help")
    documented = set(OPTION.findall(sections()[command]))
    offered = set(OPTION.findall(help_text))
    assert documented - offered == set(), f"docs/cli.md documents options that `{command} --help` does not have"
    assert offered - documented == set(), f"`{command} --help` has options docs/cli.md does not document"


def documented_keys(command, label):
    """The keys of the line "JSON keys (LABEL): `a`, `b`, ..." in the command's section."""
    match = re.search(rf"^JSON keys \({re.escape(label)}\): (.*)$", sections()[command], re.M)
    assert match, f"docs/cli.md: no 'JSON keys ({label})' line under greenwave {command}"
    return set(re.findall(r"`([^`]+)`", match.group(1)))


@pytest.fixture(scope="module")
def nas_files(tmp_path_factory):
    """A small synthetic NAS data set (24 architectures of 6 genes), a model fitted on it, archs."""
    d = tmp_path_factory.mktemp("nas")
    rng = random.Random(5)
    data = {}
    for i in range(24):
        arch = [rng.randrange(3) for _ in range(6)]
        data[f"a{i}"] = {"arch": arch, "acc": 0.5 + 0.1 * arch[0] - 0.05 * arch[3] + 0.01 * rng.random()}
    (d / "data.json").write_text(json.dumps(data))
    (d / "archs.json").write_text(json.dumps({"x": {"arch": [1, 2, 0, 1, 2, 0]}}))
    return d


def json_cases(tmp, nas):
    """(command, label, arguments) of each documented JSON object."""
    h5 = tmp / "t.h5"
    greenwave("run", DEMO, "--controller", "fixed", "--horizon", "60", "--trajectory", h5)
    cases = [
        ("info", "default", ["info", DEMO, "--json"]),
        ("info", "--timing", ["info", DEMO, "--json", "--timing"]),
        ("run", "default", ["run", DEMO, "--controller", "maxpressure", "--horizon", "60", "--json"]),
        ("bench", "default", ["bench", DEMO, "--horizon", "60", "--repeat", "1", "--json"]),
        ("inspect", "default", ["inspect", h5, "--json"]),
        ("nas", "cv", ["nas", "cv", nas / "data.json", "--target", "acc", "--model", "ridge", "--folds", "3", "--json"]),
        ("nas", "fit", ["nas", "fit", nas / "data.json", "--target", "acc", "--model", "ridge", "--out",
                        tmp / "model.json", "--json"]),
        ("nas", "predict", ["nas", "predict", tmp / "model.json", nas / "archs.json", "--json"]),
        ("nas", "search", ["nas", "search", tmp / "model.json", "--budget", "10", "--json"]),
        ("moe", "el", ["moe", "el", "--activation-ratio", "0.1", "--granularity", "8", "--compute", "1e21", "--json"]),
        ("moe", "config", ["moe", "config", "--experts", "64", "--active", "8", "--shared", "1", "--d-model", "2048",
                           "--d-expert", "512", "--json"]),
        ("moe", "optimal", ["moe", "optimal", "--compute", "1e21", "--json"]),
        ("moe", "search", ["moe", "search", "--compute", "1e22", "--max-total-params", "1e10", "--json"]),
    ]
    if "eval" in commands():
        cases += [
            ("eval", "default", ["eval", DEMO, "--agent", "maxpressure", "--horizon", "60", "--json"]),
            ("eval", "--score citybrain", ["eval", DEMO, "--agent", "fixed", "--horizon", "60", "--score", "citybrain",
                                           "--json"]),
            ("merge", "--weights-only", ["merge", "--shape", "cosine", "--weights-only", "--count", "3", "--json"]),
            ("train", "default", ["train", DEMO, "--agent", "dqn", "--episodes", "1", "--horizon", "60", "--device",
                                  "cpu", "--no-progress", "--out", tmp / "train", "--json"]),
        ]
    return cases


def test_json_keys_match_the_output(tmp_path, nas_files):
    for command, label, args in json_cases(tmp_path, nas_files):
        printed = json.loads(greenwave(*args, cwd=tmp_path))
        assert set(printed) == documented_keys(command, label), f"greenwave {command} ({label})"
