// The metrics of docs/metrics.md on scenarios small enough to derive every figure by hand, on
// 1, 2 and 4 threads. Each expected value is worked out in the comment above its check, from the
// vehicle model of docs/simulator.md (no leader and no intersection ahead: speed' = min(maxSpeed,
// speed + maxPosAcc·dt, speed limit), position' = position + (speed + speed')·dt/2) and the
// metric definitions, never read back from a run.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

#include "greenwave/core/error.hpp"
#include "greenwave/networks/scenario_io.hpp"
#include "greenwave/sim/simulator.hpp"
#include "../../scenario_text.hpp"
#include "sim_scenarios.hpp"

namespace greenwave {
namespace {

using testing::compile_text;

// One 100 m road between two boundary nodes, speed limit 10 m/s; one car (maxSpeed 10 m/s,
// maxPosAcc 2 m/s²) departing at t = 0; dt = 1 s.
constexpr const char* kOneRoad = R"pb(
  name: "one_road"
  intersections { id: "A" boundary: true position { x: 0 y: 0 } }
  intersections { id: "B" boundary: true position { x: 100 y: 0 } }
  roads { id: "AB" from_intersection: "A" to_intersection: "B" length: 100 lanes { speed_limit: 10 } }
  demand {
    vehicle_types { id: "car" length: 5 max_speed: 10 max_pos_acc: 2 }
    trips { id: "v" vehicle_type: "car" route: "AB" depart: 0 }
  }
  settings { horizon: 20 }
)pb";

class MetricsByHand : public ::testing::TestWithParam<int> {};

TEST_P(MetricsByHand, OneVehicleOnOneRoad) {
  Simulator sim(compile_text(kOneRoad), testing::split_options(GetParam()));
  // Step k (from t = k-1 to k) enters the car at t = 0 (its lane is empty) and moves it:
  // speeds 2, 4, 6, 8, 10, 10, ...; positions 1, 4, 9, 16, 25 after steps 1-5, then +10 a step.
  for (int k = 0; k < 5; ++k) sim.step();
  Metrics m = sim.metrics();
  // t = 5, position 25: ATT = 5 - 0 = 5 (running vehicles count up to now); nothing finished;
  // delay index = (TT + rest of the road at the limit) / free-flow time = (5 + 75/10) / (100/10) = 1.25.
  EXPECT_EQ(m.served_vehicles, 1);
  EXPECT_EQ(m.throughput, 0);
  EXPECT_DOUBLE_EQ(m.average_travel_time, 5.0);
  EXPECT_DOUBLE_EQ(m.average_travel_time_finished, 0.0);
  EXPECT_DOUBLE_EQ(m.delay_index, 1.25);
  // A vehicle still running at a horizon of 8 s: position 55, ATT 8, delay index (8 + 4.5) / 10.
  for (int k = 5; k < 8; ++k) sim.step();
  m = sim.metrics();
  EXPECT_EQ(m.throughput, 0);
  EXPECT_DOUBLE_EQ(m.average_travel_time, 8.0);
  EXPECT_DOUBLE_EQ(m.delay_index, 1.25);
  // Position 95 after step 12 and 105 > 100 in step 13 (from t = 12): the car finishes in that
  // step, and its arrival is the step's start time, 12 s (CityFlow's convention). From then on
  // ATT = ATT over finished = 12 and the delay index is (12 - 0) / 10 = 1.2, at any later time.
  for (int k = 8; k < 12; ++k) sim.step();
  EXPECT_EQ(sim.metrics().throughput, 0);
  sim.step();
  for (int k = 13; k < 20; ++k) sim.step();
  m = sim.metrics();
  EXPECT_EQ(m.served_vehicles, 1);
  EXPECT_EQ(m.throughput, 1);
  EXPECT_DOUBLE_EQ(m.average_travel_time, 12.0);
  EXPECT_DOUBLE_EQ(m.average_travel_time_finished, 12.0);
  EXPECT_DOUBLE_EQ(m.delay_index, 1.2);
}

// A 21 m lane into a signalized node whose only phase (phase 0) gives no green, so nothing
// leaves it; cars 5 m long keeping minGap 2.5 m; five cars depart at t = 0, 20, 40, 60, 80.
constexpr const char* kFullEntryLane = R"pb(
  name: "full_entry"
  intersections { id: "A" boundary: true position { x: 0 y: 0 } }
  intersections { id: "M" signalized: true position { x: 21 y: 0 }
    movements { from_road: "AM" from_lane: 0 to_road: "MB" to_lane: 0 turn: TURN_STRAIGHT length: 10 }
    phases { name: "red" }
    phases { name: "green" movements: 0 }
  }
  intersections { id: "B" boundary: true position { x: 131 y: 0 } }
  roads { id: "AM" from_intersection: "A" to_intersection: "M" length: 21 lanes { speed_limit: 10 } }
  roads { id: "MB" from_intersection: "M" to_intersection: "B" length: 100 lanes { speed_limit: 10 } }
  demand {
    vehicle_types { id: "car" length: 5 min_gap: 2.5 max_speed: 10 }
    flows { id: "f" vehicle_type: "car" route: "AM" route: "MB" start: 0 end: 80 interval: 20 }
  }
  settings { horizon: 120 }
)pb";

TEST_P(MetricsByHand, EntryLaneTooFullToEnter) {
  Simulator sim(compile_text(kFullEntryLane), testing::split_options(GetParam()));
  for (int k = 0; k < 100; ++k) sim.step();
  const Metrics m = sim.metrics();
  // A car enters only when the last one on the lane is further in than its length + minGap
  // (7.5 m). Under red the queue stands at the stop line with minGap between cars: fronts at
  // about 21, 13.5 and 6 m (each car had 20 s to get there before the next departs, so cars 0-2
  // enter at their departures, 0, 20 and 40 s), and 6 < 7.5, so cars 3 and 4 cannot enter.
  EXPECT_EQ(m.departed, 5);
  EXPECT_EQ(m.served_vehicles, 3);
  EXPECT_EQ(m.waiting_to_enter, 2);
  EXPECT_EQ(m.throughput, 0);
  // ATT counts every departed car up to now, the waiting ones included:
  // ((100-0) + (100-20) + (100-40) + (100-60) + (100-80)) / 5 = 60.
  EXPECT_DOUBLE_EQ(m.average_travel_time, 60.0);
  // The delay index averages over the 3 served cars only: TT = 100 - its entry (= departure,
  // 20·id), plus the rest of its route at the limit ((21 - position) / 10 + 100 / 10), over the
  // route's free-flow time (21 + 100) / 10 = 12.1 s.
  double sum = 0;
  const auto vehicles = sim.vehicles();
  ASSERT_EQ(vehicles.size(), 3u);
  for (const VehicleView& v : vehicles) {
    EXPECT_LT(v.speed, 0.1);  // queued
    const double rest = (21 - v.distance) / 10 + 100.0 / 10;
    sum += (100 - 20.0 * v.id + rest) / 12.1;
  }
  EXPECT_NEAR(m.delay_index, sum / 3, 1e-9);
  EXPECT_EQ(m.queued, 3);
}

// The same node with a car held at red for a known time: phase 0 (red) until t = 30, then
// phase 1 (green) after the 5 s clearance.
TEST_P(MetricsByHand, RedLightForAKnownTime) {
  std::string text = kFullEntryLane;
  text.replace(text.find("end: 80"), std::string("end: 80").size(), "end: 0");
  Simulator sim(compile_text(text), testing::split_options(GetParam()));
  const IntersectionId node = 1;  // "M"
  for (int k = 0; k < 30; ++k) sim.step();
  // Red for 30 s: the car stands at the stop line, not finished: ATT = 30.
  const auto held = sim.vehicles();
  ASSERT_EQ(held.size(), 1u);
  EXPECT_LT(held[0].speed, 0.1);
  const double stop = held[0].distance;
  EXPECT_GT(stop, 21 - 5.0);  // within the last 5 m before the line
  EXPECT_DOUBLE_EQ(sim.metrics().average_travel_time, 30.0);
  EXPECT_EQ(sim.request_phase(node, 1), PhaseRequest::Switched);
  // Clearance t = 30-35 (no movement open), green from t = 35: the car starts from rest at
  // `stop` and covers 1, 4, 9, 16, 25 m in the first 5 steps, then 10 m a step (the movement and
  // the next road allow 10 m/s, straight: no turning speed). It must cover (21 - stop) + 10 +
  // 100 m; it finishes in the first step whose distance exceeds that, and arrives at that step's
  // start time.
  const double to_go = (21 - stop) + 10 + 100;
  int steps = 0;
  for (double covered = 0; covered <= to_go;) {
    ++steps;
    covered = steps <= 5 ? steps * steps : 25 + 10.0 * (steps - 5);
  }
  const double arrival = 35 + (steps - 1);
  for (int k = 30; k < 100; ++k) sim.step();
  const Metrics m = sim.metrics();
  EXPECT_EQ(m.throughput, 1);
  EXPECT_DOUBLE_EQ(m.average_travel_time_finished, arrival);
  EXPECT_DOUBLE_EQ(m.average_travel_time, arrival);
  EXPECT_DOUBLE_EQ(m.delay_index, arrival / 12.1);
}

INSTANTIATE_TEST_SUITE_P(Threads, MetricsByHand, ::testing::Values(1, 2, 4));

// Demand jitter on kOneRoad with the car's departure moved to t = 50 and J = 30: each reset
// draws its departure time t' in [20, 80]. The step that starts at ceil(t') spawns it (steps
// start at t = 0, 1, ...), so served_vehicles first reads 1 after ceil(t') + 1 steps, i.e.
// after 21 to 81 steps; it then needs the 12 s of OneVehicleOnOneRoad, and its travel time
// counts from t': ATT = ceil(t') + 12 - t', in [12, 13). Without jitter: 51 steps and 12 s.
struct JitterOutcome {
  int steps_to_depart = 0;  ///< steps until served_vehicles reads 1
  double att = 0;           ///< ATT at the horizon
  bool operator==(const JitterOutcome&) const = default;
};

JitterOutcome run_jittered(Simulator& sim, std::uint64_t seed) {
  sim.reset(seed);
  JitterOutcome out;
  while (sim.metrics().served_vehicles == 0) {
    sim.step();
    ++out.steps_to_depart;
  }
  while (sim.time() < 200) sim.step();
  out.att = sim.metrics().average_travel_time;
  return out;
}

std::shared_ptr<const CompiledScenario> one_road_departing_at_50(double jitter) {
  v1::Scenario s;
  google::protobuf::TextFormat::ParseFromString(kOneRoad, &s);
  s.mutable_demand()->mutable_trips(0)->set_depart(50);
  s.mutable_settings()->set_horizon(200);
  s.mutable_settings()->set_demand_jitter(jitter);
  return std::make_shared<const CompiledScenario>(compile_scenario(s, "inline"));
}

TEST(DemandJitter, DepartureShiftedWithinTheJitterAndTimedFromIt) {
  Simulator plain(one_road_departing_at_50(0));
  EXPECT_EQ(run_jittered(plain, 1), (JitterOutcome{51, 12.0}));
  Simulator sim(one_road_departing_at_50(30));
  std::set<int> steps;
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    const JitterOutcome o = run_jittered(sim, seed);
    EXPECT_GE(o.steps_to_depart, 21) << "seed " << seed;
    EXPECT_LE(o.steps_to_depart, 81) << "seed " << seed;
    EXPECT_GE(o.att, 12.0) << "seed " << seed;
    EXPECT_LT(o.att, 13.0) << "seed " << seed;
    steps.insert(o.steps_to_depart);
    EXPECT_EQ(run_jittered(sim, seed), o) << "seed " << seed << " is not reproducible";
  }
  // Ten draws of ceil(t') from 61 values: all equal with probability < 1e-15.
  EXPECT_GT(steps.size(), 1u) << "every seed gave the same departure";
  // A snapshot cannot record the seed the departures came from: refused.
  EXPECT_THROW(sim.save_snapshot(), ConfigError);
}

}  // namespace
}  // namespace greenwave
