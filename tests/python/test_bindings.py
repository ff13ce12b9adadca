"""Scenario loading, conversion and generation; C++ errors as distinct Python exceptions."""

import errno
import resource
import subprocess

import pytest

import greenwave as gw
from conftest import BUILD, ROOT

DEMO = ROOT / "scenarios" / "demo_grid_2x2.pbtxt"


def test_load_scenario_exposes_the_compiled_network():
    sc = gw.load_scenario(DEMO)
    assert isinstance(sc, gw.Scenario)
    assert sc.num_intersections == len(sc.intersection_ids)
    assert len(sc.signalized_intersections) == 4
    assert sc.phase_counts == [8, 8, 8, 8]
    assert sc.num_lanes == len(sc.lane_ids) == len(sc.lane_roads) == len(sc.lane_speed_limits)
    assert sc.num_roads == len(sc.road_ids) and sc.num_movements > 0
    assert sc.horizon == 1800 and sc.vehicles_scheduled > 0
    assert sc.lane_ids[0].startswith(sc.road_ids[sc.lane_roads[0]] + "_")


def test_horizon_override_and_with_settings_copy():
    full = gw.load_scenario(str(DEMO))
    short = gw.load_scenario(DEMO, horizon=300)
    assert short.horizon == 300 and full.horizon == 1800
    assert short.vehicles_scheduled < full.vehicles_scheduled
    tuned = full.with_settings(action_interval=5, yellow=3, min_green=10, seed=9)
    assert (tuned.action_interval, tuned.yellow, tuned.min_green, tuned.seed) == (5, 3, 10, 9)
    assert full.action_interval == 10  # the original is untouched


def test_the_horizon_is_applied_before_compiling_and_never_raised_afterwards():
    full = gw.load_scenario(DEMO)
    short = gw.load_scenario(DEMO, horizon=600)
    assert short.departures < full.departures  # flows were expanded only up to 600 s
    assert full.with_settings(horizon=600).vehicles_scheduled == short.vehicles_scheduled
    # Raising a compiled scenario's horizon would silently lose the demand after the old one.
    with pytest.raises(gw.ConfigError, match="horizon"):
        short.with_settings(horizon=1800)


def test_generate_grid_mirrors_the_cli_and_writes_a_loadable_file(tmp_path):
    out = tmp_path / "g.pbtxt"
    sc = gw.generate_grid(2, 3, out, demand="random", rate=500, horizon=600, seed=4)
    assert len(sc.signalized_intersections) == 6 and sc.horizon == 600 and sc.seed == 4
    again = gw.load_scenario(out)
    assert again.content_hash == sc.content_hash and again.source == str(out)
    cli = BUILD / "tools" / "greenwave"
    if cli.exists():
        ref = tmp_path / "ref.pbtxt"
        subprocess.run([str(cli), "generate", "grid", "--rows", "2", "--cols", "3", "--demand", "random", "--rate",
                        "500", "--horizon", "600", "--seed", "4", "--out", str(ref)], check=True, capture_output=True)
        assert gw.load_scenario(ref).content_hash == sc.content_hash


def test_generate_arterial():
    sc = gw.generate_arterial(3, horizon=120, side_rate_ratio=0.25)
    assert len(sc.signalized_intersections) == 3 and sc.name == "arterial_3"


def test_convert_round_trips_to_binary(tmp_path):
    out = tmp_path / "demo.pb"
    gw.convert(DEMO, out)
    assert gw.load_scenario(out).content_hash == gw.load_scenario(DEMO).content_hash


def test_io_errors_are_oserrors_naming_the_file_and_reason(tmp_path):
    missing = tmp_path / "no-such-dir" / "demo.pb"
    with pytest.raises(FileNotFoundError) as info:
        gw.convert(DEMO, missing)
    assert info.value.errno == errno.ENOENT and info.value.filename == str(missing)
    assert str(missing) + ": cannot create a file in its directory: No such file or directory" in str(info.value)


def test_a_full_disk_keeps_the_previous_file(tmp_path):
    out = tmp_path / "demo.pb"
    gw.convert(DEMO, out)
    previous = out.read_bytes()
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024, hard))  # Python ignores SIGXFSZ: writes fail with EFBIG
    try:
        with pytest.raises(OSError) as info:
            gw.convert(DEMO, tmp_path / "demo.pbtxt")  # the text form is larger than 1 KiB
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert info.value.errno == errno.EFBIG and "cannot write: File too large" in str(info.value)
    assert out.read_bytes() == previous and sorted(p.name for p in tmp_path.iterdir()) == ["demo.pb"]


def test_scenario_error_names_the_file(tmp_path):
    bad = tmp_path / "broken.pbtxt"
    bad.write_text("intersections { id: ")
    with pytest.raises(gw.ScenarioError, match="broken.pbtxt"):
        gw.load_scenario(bad)
    with pytest.raises(gw.ScenarioError, match="missing.pbtxt"):
        gw.load_scenario(tmp_path / "missing.pbtxt")


def test_config_errors_carry_the_field_and_value():
    with pytest.raises(gw.ConfigError, match="demand: expected uniform, random or peak, got 'zigzag'"):
        gw.generate_grid(1, 1, demand="zigzag")
    with pytest.raises(gw.ConfigError, match="horizon"):
        gw.generate_grid(1, 1, horizon=100).with_settings(horizon=-5)
    with pytest.raises(gw.ConfigError, match="unknown reward 'nope'"):
        gw.make(gw.generate_grid(1, 1, horizon=100), reward="nope")
    with pytest.raises(gw.ConfigError, match="unknown observation|nope_obs"):
        gw.make(gw.generate_grid(1, 1, horizon=100), observation="nope_obs")


def test_error_types_are_distinct():
    kinds = [gw.ScenarioError, gw.ConfigError, gw.ActionError, gw.RewardError]
    assert len(set(kinds)) == 4
    assert not issubclass(gw.ActionError, gw.ConfigError) and not issubclass(gw.ConfigError, gw.ScenarioError)


def test_torch_and_greenwave_share_one_process():
    # python3-torch and libtorch-dev are the same LibTorch; greenwave (imported above) loads it
    # first, then torch imports in the same process and both work.
    torch = pytest.importorskip("torch")
    assert torch.ones(2).sum().item() == 2.0
    assert gw.evaluate(gw.generate_grid(1, 1, horizon=60), "fixed")["horizon_s"] == 60.0
