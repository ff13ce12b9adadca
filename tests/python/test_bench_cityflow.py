"""bench/bench_cityflow's command line and config copies (the benchmark itself needs a CityFlow
checkout and is not a test; without CITYFLOW_SRC it skips)."""

import importlib.machinery
import importlib.util
import json
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "bench_cityflow"


def load_bench():
    """The script as a module (it has no .py suffix)."""
    loader = importlib.machinery.SourceFileLoader("bench_cityflow", str(SCRIPT))
    spec = importlib.util.spec_from_loader("bench_cityflow", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_default_scenarios_are_hangzhou_and_the_grid(tmp_path):
    bench = load_bench()
    args = bench.parse_args(["gw"], str(tmp_path))
    assert args.configs == [("Hangzhou 4x4", str(tmp_path / "cityflow" / "hangzhou_4x4" / "config.json")),
                            ("grid 10x10", str(tmp_path / "grids" / "grid10x10" / "config.json"))]
    assert (args.steps, args.repeat, args.conflicts) == (3600, 3, "greenwave")


def test_given_configs_replace_the_defaults_with_their_labels(tmp_path):
    bench = load_bench()
    (tmp_path / "hz").mkdir()
    generic = tmp_path / "hz" / "config.json"
    named = tmp_path / "city.json"
    generic.write_text("{}")
    named.write_text("{}")
    args = bench.parse_args(["gw", str(generic), str(named), "--steps", "1200", "--repeat", "1", "--pairs", "2",
                             "--conflicts", "cityflow"], str(tmp_path))
    assert args.configs == [("hz/config.json", str(generic)), ("city.json", str(named))]
    assert (args.steps, args.repeat, args.pairs, args.conflicts) == (1200, 1, 2, "cityflow")


def test_a_missing_config_or_a_bad_count_is_refused_by_name(tmp_path, capsys):
    bench = load_bench()
    with pytest.raises(SystemExit) as exit_info:
        bench.parse_args(["gw", str(tmp_path / "nope.json")], str(tmp_path))
    assert exit_info.value.code == 2
    assert f"CityFlow config not found: {tmp_path / 'nope.json'}" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        bench.parse_args(["gw", "--steps", "0"], str(tmp_path))
    assert "--steps must be a positive integer, got 0" in capsys.readouterr().err


def test_fixed_time_copy_reads_the_same_files_with_the_roadnet_plans(tmp_path):
    bench = load_bench()
    (tmp_path / "scenario" / "files").mkdir(parents=True)
    config = tmp_path / "scenario" / "config.json"
    config.write_text(json.dumps({"interval": 1.0, "seed": 3, "dir": "files/", "roadnetFile": "r.json",
                                  "flowFile": "f.json", "rlTrafficLight": True, "saveReplay": True}))
    out = tmp_path / "out"
    out.mkdir()
    copy = json.loads(pathlib.Path(bench.fixed_time_config(str(config), str(out), "00_scenario")).read_text())
    assert copy == {"interval": 1.0, "seed": 3, "dir": str((tmp_path / "scenario" / "files").resolve()) + os.sep,
                    "roadnetFile": "r.json", "flowFile": "f.json", "rlTrafficLight": False, "saveReplay": False}


def test_a_config_without_its_files_is_refused_naming_the_field(tmp_path):
    bench = load_bench()
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"roadnetFile": "r.json"}))
    with pytest.raises(SystemExit) as exit_info:
        bench.fixed_time_config(str(config), str(tmp_path), "x")
    assert str(exit_info.value) == f"bench_cityflow: {config}: field 'flowFile' is missing or not a string"


def test_without_cityflow_src_it_skips(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "CITYFLOW_SRC"}
    result = subprocess.run([sys.executable, str(SCRIPT), "gw"], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.startswith("skipped: set CITYFLOW_SRC")
