"""greenwave.Simulator: stepping, lane arrays, vehicles, signals, metrics and snapshots."""

import numpy as np
import pytest

import greenwave as gw


def vehicle_bytes(sim):
    """The vehicle table field by field (the struct's padding bytes are not state)."""
    v = sim.vehicles()
    return [v[name].tobytes() for name in v.dtype.names]


@pytest.fixture(scope="module")
def grid():
    return gw.generate_grid(1, 1, rate=900, horizon=300, seed=1, demand="random")


def test_lane_arrays_are_numpy_and_consistent_with_vehicles(grid):
    sim = gw.Simulator(grid)
    sim.step(60)
    assert sim.time == 60.0 and sim.steps == 60
    counts = sim.lane_vehicle_counts()
    assert counts.dtype == np.int32 and counts.shape == (grid.num_lanes,)
    assert sim.lane_queue_counts().dtype == np.int32
    assert sim.lane_speed_sums().dtype == np.float64 and sim.lane_waiting_times().shape == (grid.num_lanes,)
    vehicles = sim.vehicles()
    assert vehicles.dtype.names == ("slot", "id", "drivable", "distance", "speed", "length", "max_speed", "route")
    assert len(vehicles) == sim.running == sim.metrics()["running"]
    on_lanes = vehicles["drivable"][vehicles["drivable"] < grid.num_lanes]
    assert np.array_equal(np.bincount(on_lanes, minlength=grid.num_lanes), counts)
    queued = vehicles[(vehicles["drivable"] < grid.num_lanes) & (vehicles["speed"] < 0.1)]
    assert np.array_equal(np.bincount(queued["drivable"], minlength=grid.num_lanes), sim.lane_queue_counts())
    speeds = np.bincount(on_lanes, weights=vehicles["speed"][vehicles["drivable"] < grid.num_lanes],
                         minlength=grid.num_lanes)
    assert np.allclose(speeds, sim.lane_speed_sums())


def test_metrics_have_the_cli_keys(grid):
    sim = gw.Simulator(grid)
    sim.step(300)
    m = sim.metrics()
    assert list(m)[:7] == ["served_vehicles", "delay_index", "average_travel_time", "average_travel_time_finished",
                           "throughput", "vehicles_scheduled", "horizon_s"]
    assert isinstance(m["served_vehicles"], int) and m["vehicles_scheduled"] == grid.vehicles_scheduled
    assert m["time"] == 300.0 and m["delay_index"] >= 1.0


def test_request_phase_and_signal(grid):
    sim = gw.Simulator(grid.with_settings(yellow=5, min_green=0))
    node = grid.signalized_intersections[0]
    assert sim.signal(node)["phase"] == 0
    assert sim.request_phase(node, 0) == "kept"
    assert sim.request_phase(node, 3) == "switched"
    assert sim.signal(node) == {"phase": 3, "in_clearance": True, "time_in_phase": 0.0}
    assert sim.request_phase(node, 2) == "in_clearance"
    sim.step(6)
    assert sim.signal(node)["in_clearance"] is False
    index = grid.intersection_ids.index(node)
    assert sim.signal(index)["phase"] == 3
    with pytest.raises(gw.ActionError, match="out of range"):
        sim.request_phase(node, 8)
    with pytest.raises(gw.ConfigError, match="unknown intersection id 'nowhere'"):
        sim.signal("nowhere")


def test_snapshot_round_trip_is_bit_exact(grid):
    sim = gw.Simulator(grid)
    sim.reset(3)
    sim.step(40)
    snap = sim.save_snapshot()
    assert isinstance(snap, bytes) and len(snap) > 0
    sim.step(50)
    after = (sim.lane_speed_sums().tobytes(), vehicle_bytes(sim), sim.metrics())
    other = gw.Simulator(grid, threads=2)
    other.restore_snapshot(snap)
    assert other.time == 40.0
    other.step(50)
    assert (other.lane_speed_sums().tobytes(), vehicle_bytes(other), other.metrics()) == after
    sim.restore_snapshot(snap)
    assert sim.save_snapshot() == snap
    with pytest.raises(gw.ConfigError):
        sim.restore_snapshot(b"not a snapshot")


def test_same_seed_same_state_for_any_thread_count(grid):
    states = []
    for threads in (1, 2):
        sim = gw.Simulator(grid, threads=threads)
        sim.reset(5)
        sim.step(120)
        states.append(vehicle_bytes(sim))
    assert states[0] == states[1]


def test_bad_arguments():
    with pytest.raises(gw.ConfigError, match="threads"):
        gw.Simulator(gw.generate_grid(1, 1, horizon=60), threads=0)
    with pytest.raises(gw.ConfigError, match="scenario"):
        gw.Simulator(42)
