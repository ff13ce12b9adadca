#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "fake_backend.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/env/traffic_env.hpp"

namespace greenwave {
namespace {

using testing::FakeBackend;
using testing::make_test_scenario;

// Runs one decision with the "previous" lane state set before reset and the "current" one
// set before step (the fake keeps hand-set arrays in static mode), returning both rewards.
std::vector<float> rewards_for(const std::string& reward,
                               std::shared_ptr<const CompiledScenario> scenario = make_test_scenario()) {
  FakeBackend b(std::move(scenario));
  TrafficEnv env(b, {"lane_count", reward});
  b.waiting[1] = 30;
  b.waiting[13] = 10;
  b.departures[1] = 10;
  b.departures[7] = 4;
  std::vector<float> obs(static_cast<std::size_t>(2 * env.spec().observation.size()));
  StepInfo info;
  env.reset(0, obs, info);
  b.counts = std::vector<std::int32_t>(32, 0);
  for (const auto& [lane, count] : {std::pair{0, 3}, {1, 5}, {2, 1}, {7, 2}, {13, 4}, {16, 2}, {9, 1}, {4, 6}, {28, 7}})
    b.counts[lane] = count;
  b.queues[0] = 2;
  b.queues[1] = 4;
  b.queues[13] = 3;
  b.waiting[1] = 20;
  b.waiting[13] = 25;
  b.waiting[0] = 5;
  b.departures[1] = 13;
  b.departures[13] = 2;
  b.departures[4] = 100;  // an outgoing lane of C: not C's throughput
  b.speed_sums[0] = 6;
  b.speed_sums[1] = 20;
  b.speed_sums[2] = 10;
  b.speed_sums[13] = 8;
  b.speed_sums[9] = 5;
  b.speed_sums[28] = 70;
  std::vector<float> rewards(2);
  env.step(std::vector<std::int32_t>{0, 0}, obs, rewards, info);
  return rewards;
}

TEST(Reward, QueueIsMinusQueuedVehiclesOnIncomingLanes) {
  EXPECT_EQ(rewards_for("queue"), (std::vector<float>{-9, 0}));
}

TEST(Reward, PressureIsMinusAbsoluteMovementPressure) {
  // C: sum over movements of from - to = 2 + 3 + 1 + 2 - 2 = 6; X: 7 - 2 = 5.
  EXPECT_EQ(rewards_for("pressure"), (std::vector<float>{-6, -5}));
}

TEST(Reward, WaitTimeIsPreviousMinusCurrentAccumulatedWaitOver100) {
  // C: (30 + 10) - (20 + 25 + 5) = -10 -> -0.1; X has no waiting on its incoming lanes.
  const std::vector<float> r = rewards_for("wait_time");
  EXPECT_FLOAT_EQ(r[0], -0.1f);
  EXPECT_EQ(r[1], 0.0f);
}

TEST(Reward, DelayIsMinusVehiclesLessNormalisedSpeedSum) {
  // C: (3 - 0.6) + (5 - 2) + (1 - 1) + (2 - 0) + (4 - 0.8) = 10.6; X: (1 - 0.5) + (7 - 3.5) = 4.
  const std::vector<float> r = rewards_for("delay");
  EXPECT_FLOAT_EQ(r[0], -10.6f);
  EXPECT_FLOAT_EQ(r[1], -4.0f);
}

TEST(Reward, ThroughputCountsDeparturesFromIncomingLanesThisInterval) {
  // C: lane 1 13 - 10, lane 13 2 - 0, lane 7 4 - 4 = 5; X: none.
  EXPECT_EQ(rewards_for("throughput"), (std::vector<float>{5, 0}));
}

TEST(Reward, AvgSpeedIsMeanNormalisedSpeedOfIncomingVehicles) {
  // C: (0.6 + 2 + 1 + 0 + 0.8) / 15 vehicles; X: (0.5 + 3.5) / 8.
  const std::vector<float> r = rewards_for("avg_speed");
  EXPECT_FLOAT_EQ(r[0], 4.4f / 15.0f);
  EXPECT_FLOAT_EQ(r[1], 0.5f);
}

TEST(Reward, AvgSpeedIsOneWithoutVehicles) {
  FakeBackend b(make_test_scenario());
  TrafficEnv env(b, {"lane_count", "avg_speed"});
  std::vector<float> obs(static_cast<std::size_t>(2 * env.spec().observation.size()));
  std::vector<float> rewards(2);
  StepInfo info;
  env.reset(0, obs, info);
  env.step(std::vector<std::int32_t>{0, 0}, obs, rewards, info);
  EXPECT_EQ(rewards, (std::vector<float>{1, 1}));
}

// The lane state of rewards_for with demand: one trip on a route of 100 s free flow and three
// on one of 200 s, so the mean trip free-flow time is (100 + 3 x 200) / 4 = 175 s and the
// delay-index budget per vehicle-second (1.40 - 1) x 175 = 70. Over the 10 s interval,
// C: throughput 5, lost 10.6 vehicles/s (the delay test) -> 5 - 10 x 10.6 / 70 = 5 - 106/70;
// X: throughput 0, lost 4 -> -40/70.
TEST(Reward, CitybrainIsThroughputLessTheDelayBudgetUsed) {
  auto scenario = make_test_scenario();
  scenario->demand.vehicle_types = {VehicleType{.id = "car"}};
  scenario->demand.route_free_flow_time = {100, 200};
  scenario->demand.departures = {{0, 0, 0, 0}, {1, 1, 0, 1}, {2, 1, 0, 2}, {3, 1, 0, 3}};
  const std::vector<float> r = rewards_for("citybrain", scenario);
  EXPECT_FLOAT_EQ(r[0], 5.0f - 106.0f / 70.0f);
  EXPECT_FLOAT_EQ(r[1], -40.0f / 70.0f);
}

TEST(Reward, CitybrainWithoutDemandIsThroughput) {
  EXPECT_EQ(rewards_for("citybrain"), (std::vector<float>{5, 0}));
}

TEST(Reward, WeightedSumsCombineTerms) {
  const std::vector<float> r = rewards_for("pressure:1, queue:0.25");
  EXPECT_FLOAT_EQ(r[0], -6.0f - 0.25f * 9.0f);
  EXPECT_FLOAT_EQ(r[1], -5.0f);
}

TEST(RewardSpec, ParsesNamesWeightsAndCanonicalText) {
  const RewardSpec spec(" pressure:1 ,queue:0.25,wait_time:-2e-1");
  EXPECT_EQ(spec.names(), (std::vector<std::string>{"pressure", "queue", "wait_time"}));
  EXPECT_EQ(spec.terms()[2].weight, -0.2);
  EXPECT_EQ(spec.text(), "pressure:1,queue:0.25,wait_time:-0.2");
  EXPECT_EQ(RewardSpec("delay").text(), "delay:1");
}

TEST(RewardSpec, BadSpecsAreConfigErrors) {
  for (const char* bad : {"", "queue,", "speed", "queue:abc", "queue:", "queue:nan", "queue:inf", "queue:1x",
                          "queue,queue:2", ":1"}) {
    EXPECT_THROW(RewardSpec{bad}, ConfigError) << bad;
  }
  try {
    RewardSpec("pressure:1,speeed:2");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("unknown reward 'speeed'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("avg_speed"), std::string::npos) << msg;
  }
}

TEST(RewardRegistry, BuiltinsAreRegistered) {
  const std::vector<std::string> names = RewardRegistry::global().names();
  for (const char* n : {"avg_speed", "citybrain", "delay", "pressure", "queue", "throughput", "wait_time"})
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
}

TEST(RewardRegistry, CustomRewardsAreUsableByNameAndRejectBadRegistrations) {
  RewardRegistry registry;
  registry.register_reward("incoming_vehicles", [](const RewardView& v) {
    double n = 0;
    for (const LaneId l : v.agent.incoming_lanes) n += v.lane_counts[static_cast<std::size_t>(l)];
    return n;
  });
  EXPECT_THROW(registry.register_reward("incoming_vehicles", [](const RewardView&) { return 0.0; }), ConfigError);
  EXPECT_THROW(registry.register_reward("bad name", [](const RewardView&) { return 0.0; }), ConfigError);
  EXPECT_THROW(registry.register_reward("empty", RewardFn()), ConfigError);
  EXPECT_THROW(RewardSpec("queue", registry), ConfigError);  // not in this registry

  FakeBackend b(make_test_scenario());
  b.counts[0] = 3;
  b.counts[28] = 7;
  const std::vector<AgentTopology> agents = agent_topologies(b.scenario().network);
  const RewardSpec spec("incoming_vehicles:0.5", registry);
  const std::vector<double> none(32, 0);
  const std::vector<std::int64_t> none64(32, 0);
  const RewardView view{b.scenario().network, agents[1], b, 10, b.counts, b.queues, b.speed_sums,
                        b.waiting, b.departures, none, none64};
  EXPECT_EQ(spec.evaluate(view), 3.5);
}

TEST(RewardRegistry, NonFiniteCustomRewardIsAnErrorNamingItAndTheEpisodeMustBeReset) {
  RewardRegistry::global().register_reward("test_nan_reward", [](const RewardView& v) {
    return v.agent.intersection == 1 ? std::numeric_limits<double>::quiet_NaN() : 0.0;
  });
  FakeBackend b(make_test_scenario());
  TrafficEnv env(b, {"lane_count", "queue,test_nan_reward"});
  std::vector<float> obs(static_cast<std::size_t>(2 * env.spec().observation.size()));
  std::vector<float> rewards(2);
  StepInfo info;
  env.reset(0, obs, info);
  try {
    env.step(std::vector<std::int32_t>{0, 0}, obs, rewards, info);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("test_nan_reward"), std::string::npos) << msg;
    EXPECT_NE(msg.find("NaN"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'X'"), std::string::npos) << msg;
  }
  EXPECT_THROW(env.step(std::vector<std::int32_t>{0, 0}, obs, rewards, info), ActionError);
}

}  // namespace
}  // namespace greenwave
