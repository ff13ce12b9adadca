"""The car-following model from Python (docs/simulator.md, "Vehicle model"):
load_scenario/make(vehicle_model=...) selects CityFlow's model or IDM; the speeds are worked out
by hand from each model's rule."""

import pathlib
import pickle

import pytest

import greenwave as gw

# One 1 km road (limit 20 m/s); one car: maxSpeed 16, maxPosAcc = usualPosAcc = 2 m/s², at t = 0.
ONE_ROAD = """
name: "one_road"
intersections { id: "A" boundary: true position { x: 0 y: 0 } }
intersections { id: "B" boundary: true position { x: 1000 y: 0 } }
roads { id: "AB" from_intersection: "A" to_intersection: "B" length: 1000 lanes { speed_limit: 20 } }
demand {
  vehicle_types { id: "car" length: 5 max_speed: 16 max_pos_acc: 2 usual_pos_acc: 2 usual_neg_acc: 4.5 min_gap: 2.5 headway_time: 1 }
  trips { id: "v" vehicle_type: "car" route: "AB" depart: 0 }
}
settings { horizon: 100 }
"""
DEMO = pathlib.Path(__file__).resolve().parents[2] / "scenarios" / "demo_grid_2x2.pbtxt"


@pytest.fixture
def one_road(tmp_path):
    path = tmp_path / "one_road.pbtxt"
    path.write_text(ONE_ROAD)
    return path


@pytest.mark.parametrize("model, second_speed", [
    # CityFlow's model: min(maxSpeed 16, v + maxPosAcc 2, limit 20): 2, then 4.
    ("cityflow", 4.0),
    # IDM without a leader: v + a (1 - (v/v0)^4), v0 = min(16, 20): 2, then 2 + 2 (1 - (2/16)^4) = 4 - 2/4096.
    ("idm", 4.0 - 2.0 / 4096.0),
])
def test_free_road_speeds_per_model(one_road, model, second_speed):
    scenario = gw.load_scenario(one_road, vehicle_model=model)
    assert scenario.vehicle_model == model
    sim = gw.Simulator(pickle.loads(pickle.dumps(scenario)))  # the model survives pickling
    sim.step(1)
    assert sim.lane_speed_sums()[0] == 2.0
    sim.step(1)
    assert sim.lane_speed_sums()[0] == second_speed


def test_make_takes_the_model_for_a_path_and_refuses_it_for_a_compiled_scenario(one_road):
    assert gw.load_scenario(DEMO).vehicle_model == "cityflow"
    assert gw.make(DEMO, vehicle_model="idm").scenario.vehicle_model == "idm"
    with pytest.raises(gw.ConfigError, match="vehicle_model.*load_scenario"):
        gw.make(gw.load_scenario(DEMO), vehicle_model="idm")
    with pytest.raises(gw.ConfigError, match="vehicle_model.*'krauss'"):
        gw.load_scenario(one_road, vehicle_model="krauss")
