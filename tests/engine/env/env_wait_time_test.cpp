// The wait_time reward with sumo-rl's meaning (docs/rewards.md): a vehicle's waiting time counts
// only since it entered its current lane, and an agent's reward is the decrease of the summed
// waiting time on its incoming lanes, over 100. Two signalized nodes in a row, one car; every
// expected value is worked out by hand in the comment above its check.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "greenwave/env/traffic_env.hpp"
#include "../../scenario_text.hpp"
#include "greenwave/networks/scenario_io.hpp"
#include "greenwave/sim/simulator.hpp"

namespace greenwave {
namespace {

// A -> AM (1 m) -> M -> MN (200 m) -> N -> NB (100 m) -> B. M and N have a red phase (0, no
// movement) and a green one (1); their movements are 10 m straight. Limits 10 m/s; the car:
// maxSpeed 10, maxPosAcc = usualPosAcc 2, usualNegAcc = maxNegAcc 4.5, departing at t = 0.
// Decisions every second (action_interval 1), clearance 5 s.
constexpr const char* kTwoNodes = R"pb(
  name: "two_nodes"
  intersections { id: "A" boundary: true position { x: 0 y: 0 } }
  intersections { id: "M" signalized: true position { x: 1 y: 0 }
    movements { from_road: "AM" from_lane: 0 to_road: "MN" to_lane: 0 turn: TURN_STRAIGHT length: 10 }
    phases { name: "red" }
    phases { name: "green" movements: 0 }
  }
  intersections { id: "N" signalized: true position { x: 211 y: 0 }
    movements { from_road: "MN" from_lane: 0 to_road: "NB" to_lane: 0 turn: TURN_STRAIGHT length: 10 }
    phases { name: "red" }
    phases { name: "green" movements: 0 }
  }
  intersections { id: "B" boundary: true position { x: 321 y: 0 } }
  roads { id: "AM" from_intersection: "A" to_intersection: "M" length: 1 lanes { speed_limit: 10 } }
  roads { id: "MN" from_intersection: "M" to_intersection: "N" length: 200 lanes { speed_limit: 10 } }
  roads { id: "NB" from_intersection: "N" to_intersection: "B" length: 100 lanes { speed_limit: 10 } }
  demand {
    vehicle_types { id: "car" length: 5 min_gap: 2.5 max_speed: 10 max_pos_acc: 2 usual_pos_acc: 2 usual_neg_acc: 4.5 max_neg_acc: 4.5 }
    trips { id: "car" vehicle_type: "car" route: "AM" route: "MN" route: "NB" depart: 0 }
  }
  settings { horizon: 200 action_interval: 1 yellow: 5 }
)pb";

std::shared_ptr<const CompiledScenario> two_nodes() { return testing::compile_text(kTwoNodes); }

TEST(WaitTimeReward, WaitingAtTheFirstNodeIsNotCountedAtTheSecond) {
  const auto sc = two_nodes();
  const RoadNetwork& net = sc->network;
  ASSERT_EQ(net.road_ids[0], "AM");
  ASSERT_EQ(net.road_ids[1], "MN");
  const LaneId am = net.lanes_of(0).first, mn = net.lanes_of(1).first;
  Simulator sim(sc);
  TrafficEnv env(sim, {"lane_count", "wait_time"});
  ASSERT_EQ(env.spec().num_agents(), 2);  // agent 0: M, agent 1: N
  const auto size = static_cast<std::size_t>(env.spec().observation.size());
  std::vector<float> obs(2 * size), rewards(2);
  StepInfo info;
  env.reset(0, obs, info);
  const std::int32_t red = 0, green = 1;
  // One decision (= one second) with M's and N's phases; returns nothing, fills rewards.
  auto second = [&](std::int32_t m_phase, std::int32_t n_phase) {
    const std::vector<std::int32_t> actions{m_phase, n_phase};
    env.step(actions, obs, rewards, info);
  };

  // M red until the request at t = 30, then the clearance t = 30-35 and green from t = 35.
  // The car enters AM at t = 0 with its front 1 m before a red stop line: it cannot move
  // (accelerating at 2 m/s² it could no longer stop in 1 m), so it stands still from the first
  // step: at t = k its waiting time on AM is k s and M's reward each second is (k-1 - k)/100.
  for (int t = 1; t <= 35; ++t) {
    second(t <= 30 ? red : green, red);
    EXPECT_NEAR(rewards[0], -0.01, 1e-6) << "t = " << t;
    EXPECT_EQ(rewards[1], 0.0f) << "t = " << t;
    EXPECT_DOUBLE_EQ(sim.lane_waiting_times()[static_cast<std::size_t>(am)], t);
  }
  // From t = 35 the car accelerates at 2 m/s²: speeds 2, 4, 6, 8, 10 and distances covered
  // from its stop 1, 4, 9, 16, 25 m at t = 36..40. t = 36: still on AM (1 <= 1 m) and moving:
  // no waiting added, reward 0. t = 37: on M's movement (4 > 1): AM is empty, M's reward is
  // (35 - 0)/100 = 0.35. t = 38: on the movement (9 <= 11). t = 39: on MN (16 > 11).
  second(green, red);
  EXPECT_EQ(rewards[0], 0.0f);
  second(green, red);
  EXPECT_NEAR(rewards[0], 0.35, 1e-6);
  EXPECT_DOUBLE_EQ(sim.lane_waiting_times()[static_cast<std::size_t>(am)], 0.0);
  second(green, red);
  second(green, red);
  ASSERT_EQ(sim.vehicles().size(), 1u);
  ASSERT_EQ(sim.vehicles()[0].drivable, mn);
  // The car waited 35 s at M; on MN, N's incoming lane, it has waited 0 s. (Accumulated over the
  // trip, N's waiting would jump to 35 s here and N's reward be -0.35 for M's red.)
  EXPECT_DOUBLE_EQ(sim.lane_waiting_times()[static_cast<std::size_t>(mn)], 0.0);
  for (float r : rewards) EXPECT_EQ(r, 0.0f);

  // It runs on towards N's red and stops before N's line. Until N turns green (request at t = 80,
  // green from t = 85), each second it ends stopped costs N 0.01 and adds 1 s on MN.
  int stopped = 0;
  for (int t = 40; t <= 85; ++t) {
    second(green, t <= 80 ? red : green);
    ASSERT_EQ(sim.vehicles().size(), 1u);
    ASSERT_EQ(sim.vehicles()[0].drivable, mn) << "t = " << t;
    const bool waits = sim.vehicles()[0].speed < 0.1;
    stopped += waits;
    EXPECT_NEAR(rewards[1], waits ? -0.01 : 0.0, 1e-6) << "t = " << t;
    EXPECT_EQ(rewards[0], 0.0f);
    EXPECT_DOUBLE_EQ(sim.lane_waiting_times()[static_cast<std::size_t>(mn)], stopped) << "t = " << t;
  }
  // It stopped before t = 80 (200 m at 10 m/s from t = 39 takes 20 s) and stood through N's green
  // at t = 85: at least 6 s.
  EXPECT_GE(stopped, 6);
  // Green from t = 85: speeds 2, 4, ... again; within 5 m of N's line it is off MN after two
  // seconds (1 + 3 = 4 m, then 9 m), and N's reward is +stopped/100 that second.
  float total = 0;
  for (int t = 86; t <= 88; ++t) {
    second(green, green);
    total += rewards[1];
  }
  EXPECT_NEAR(total, stopped / 100.0, 1e-6);
  EXPECT_DOUBLE_EQ(sim.lane_waiting_times()[static_cast<std::size_t>(mn)], 0.0);
}

}  // namespace
}  // namespace greenwave
