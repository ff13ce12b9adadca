// Simulator::standing() on scenarios small enough to know by hand what holds each vehicle
// (docs/simulator.md, "Why vehicles stand"), on 1 and 2 threads.
#include <gtest/gtest.h>
#include <google/protobuf/text_format.h>

#include <memory>
#include <string>

#include "greenwave/networks/scenario_io.hpp"
#include "greenwave/sim/simulator.hpp"
#include "sim_scenarios.hpp"

namespace greenwave {
namespace {

std::shared_ptr<const CompiledScenario> compile_text(const std::string& text) {
  v1::Scenario s;
  if (!google::protobuf::TextFormat::ParseFromString(text, &s)) throw std::runtime_error("bad test scenario");
  return std::make_shared<const CompiledScenario>(compile_scenario(s, "inline"));
}

class Standing : public ::testing::TestWithParam<int> {};

// A -> M -> N -> B. M's movement is always green, N's phase 0 gives no green. MN is 9 m long: a
// car standing at N's stop line has its front at about 9 m, less than two car lengths (10 m),
// so MN has no room for a second car. Limits of 5 m/s let a car stop within MN (braking
// distance 25 / (2 x 4.5) = 2.8 m). Three cars depart at t = 0, 10, 20.
constexpr const char* kBlocked = R"pb(
  name: "blocked"
  intersections { id: "A" boundary: true position { x: 0 y: 0 } }
  intersections { id: "M" position { x: 100 y: 0 }
    movements { from_road: "AM" from_lane: 0 to_road: "MN" to_lane: 0 turn: TURN_STRAIGHT length: 5 always_green: true }
  }
  intersections { id: "N" signalized: true position { x: 114 y: 0 }
    movements { from_road: "MN" from_lane: 0 to_road: "NB" to_lane: 0 turn: TURN_STRAIGHT length: 5 }
    phases { name: "red" }
    phases { name: "green" movements: 0 }
  }
  intersections { id: "B" boundary: true position { x: 219 y: 0 } }
  roads { id: "AM" from_intersection: "A" to_intersection: "M" length: 100 lanes { speed_limit: 5 } }
  roads { id: "MN" from_intersection: "M" to_intersection: "N" length: 9 lanes { speed_limit: 5 } }
  roads { id: "NB" from_intersection: "N" to_intersection: "B" length: 100 lanes { speed_limit: 5 } }
  demand {
    vehicle_types { id: "car" length: 5 min_gap: 2.5 max_speed: 10 }
    flows { id: "f" vehicle_type: "car" route: "AM" route: "MN" route: "NB" start: 0 end: 20 interval: 10 }
  }
  settings { horizon: 200 }
)pb";

TEST_P(Standing, RedLightFullEndLaneAndQueue) {
  Simulator sim(compile_text(kBlocked), testing::split_options(GetParam()));
  for (int k = 0; k < 150; ++k) sim.step();
  // Car 0 waits at N's red light on MN (NB, its end lane, is empty); car 1 waits at M's stop
  // line, its movement green but MN full; car 2 queues behind car 1. The chain AM -> MN ends at
  // a red light, so nothing is gridlocked.
  const StandingCounts c = sim.standing();
  EXPECT_EQ(c.running, 3);
  EXPECT_EQ(c.standing, 3);
  EXPECT_EQ(c.red_light, 1);
  EXPECT_EQ(c.end_lane_full, 1);
  EXPECT_EQ(c.queued, 1);
  EXPECT_EQ(c.yielding + c.in_intersection + c.other, 0);
  EXPECT_EQ(c.gridlocked, 0);
}

// A one-lane ring P -> Q -> R -> S -> P of 9 m roads, each node signalized with phase 0 red and
// phase 1 green; one car starts on each road to drive once around. All four stop at the red
// lights, each front within 10 m of its road's start (the roads are 9 m long), so each car's
// next road holds a standing car too close to its start: every head waits for the next road, a
// cycle, and turning every light green changes nothing.
constexpr const char* kRing = R"pb(
  name: "ring"
  intersections { id: "P" signalized: true position { x: 0 y: 0 }
    movements { from_road: "SP" from_lane: 0 to_road: "PQ" to_lane: 0 turn: TURN_STRAIGHT length: 5 }
    phases { name: "red" } phases { name: "green" movements: 0 } }
  intersections { id: "Q" signalized: true position { x: 14 y: 0 }
    movements { from_road: "PQ" from_lane: 0 to_road: "QR" to_lane: 0 turn: TURN_STRAIGHT length: 5 }
    phases { name: "red" } phases { name: "green" movements: 0 } }
  intersections { id: "R" signalized: true position { x: 14 y: 14 }
    movements { from_road: "QR" from_lane: 0 to_road: "RS" to_lane: 0 turn: TURN_STRAIGHT length: 5 }
    phases { name: "red" } phases { name: "green" movements: 0 } }
  intersections { id: "S" signalized: true position { x: 0 y: 14 }
    movements { from_road: "RS" from_lane: 0 to_road: "SP" to_lane: 0 turn: TURN_STRAIGHT length: 5 }
    phases { name: "red" } phases { name: "green" movements: 0 } }
  roads { id: "PQ" from_intersection: "P" to_intersection: "Q" length: 9 lanes { speed_limit: 10 } }
  roads { id: "QR" from_intersection: "Q" to_intersection: "R" length: 9 lanes { speed_limit: 10 } }
  roads { id: "RS" from_intersection: "R" to_intersection: "S" length: 9 lanes { speed_limit: 10 } }
  roads { id: "SP" from_intersection: "S" to_intersection: "P" length: 9 lanes { speed_limit: 10 } }
  demand {
    vehicle_types { id: "car" length: 5 min_gap: 2.5 max_speed: 10 }
    trips { id: "a" vehicle_type: "car" route: "PQ" route: "QR" route: "RS" route: "SP" depart: 0 }
    trips { id: "b" vehicle_type: "car" route: "QR" route: "RS" route: "SP" route: "PQ" depart: 0 }
    trips { id: "c" vehicle_type: "car" route: "RS" route: "SP" route: "PQ" route: "QR" depart: 0 }
    trips { id: "d" vehicle_type: "car" route: "SP" route: "PQ" route: "QR" route: "RS" depart: 0 }
  }
  settings { horizon: 100 }
)pb";

TEST_P(Standing, RingOfFullLanesIsGridlocked) {
  Simulator sim(compile_text(kRing), testing::split_options(GetParam()));
  for (int k = 0; k < 30; ++k) sim.step();
  const StandingCounts at_red = sim.standing();
  EXPECT_EQ(at_red.standing, 4);
  // A full end lane counts before the signal: already a cycle under red.
  EXPECT_EQ(at_red.end_lane_full, 4);
  EXPECT_EQ(at_red.gridlocked, 4);
  for (IntersectionId i = 0; i < 4; ++i) sim.request_phase(i, 1);
  for (int k = 0; k < 30; ++k) sim.step();  // 5 s clearance, then green
  for (MovementId m = 0; m < 4; ++m) EXPECT_TRUE(sim.movement_open(m)) << m;
  const StandingCounts c = sim.standing();
  EXPECT_EQ(c.running, 4);
  EXPECT_EQ(c.standing, 4);
  EXPECT_EQ(c.end_lane_full, 4);
  EXPECT_EQ(c.gridlocked, 4);
  EXPECT_EQ(sim.metrics().throughput, 0);
}

INSTANTIATE_TEST_SUITE_P(Threads, Standing, ::testing::Values(1, 2));

}  // namespace
}  // namespace greenwave
