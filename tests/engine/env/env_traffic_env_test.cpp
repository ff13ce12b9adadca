#include <gtest/gtest.h>

#include <vector>

#include "fake_backend.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/env/traffic_env.hpp"

namespace greenwave {
namespace {

using testing::FakeBackend;
using testing::make_test_scenario;

RunSettings settings(double min_green, double yellow, double horizon) {
  RunSettings s;
  s.min_green = min_green;
  s.yellow = yellow;
  s.horizon = horizon;
  return s;
}

struct Harness {
  explicit Harness(RunSettings s = {}, std::string obs = "phase,time_in_phase")
      : backend(make_test_scenario(s)), env(backend, {std::move(obs), "queue"}) {
    obs_buf.resize(static_cast<std::size_t>(2 * env.spec().observation.size()));
  }
  void reset() { env.reset(7, obs_buf, info); }
  void step(std::int32_t a, std::int32_t b) { env.step(std::vector<std::int32_t>{a, b}, obs_buf, rewards, info); }
  FakeBackend backend;
  TrafficEnv env;
  std::vector<float> obs_buf;
  std::vector<float> rewards = std::vector<float>(2);
  StepInfo info;
};

TEST(TrafficEnv, SpecHasOneAgentPerSignalizedIntersectionWithPaddedActions) {
  Harness h;
  const EnvSpec& s = h.env.spec();
  EXPECT_EQ(s.name, "traffic");
  EXPECT_EQ(s.agent_ids, (std::vector<std::string>{"C", "X"}));
  EXPECT_EQ(s.action_counts, (std::vector<std::int32_t>{4, 2}));
  EXPECT_EQ(s.max_actions, 4);
  EXPECT_EQ(s.reward_names, (std::vector<std::string>{"queue"}));
  EXPECT_EQ(s.observation.size(), 5);
  EXPECT_EQ(h.env.steps_per_action(), 10);
  std::vector<std::uint8_t> mask(8, 9);
  h.env.action_mask(mask);
  EXPECT_EQ(mask, (std::vector<std::uint8_t>{1, 1, 1, 1, 1, 1, 0, 0}));
}

TEST(TrafficEnv, ResetSeedsTheBackendAndWritesTheFirstObservation) {
  Harness h;
  h.reset();
  EXPECT_EQ(h.backend.last_seed, 7u);
  EXPECT_EQ(h.obs_buf, (std::vector<float>{1, 0, 0, 0, 0, 1, 0, 0, 0, 0}));
  EXPECT_EQ(h.info.time, 0);
  EXPECT_EQ(h.info.ignored, (std::vector<std::uint8_t>{0, 0}));
  EXPECT_EQ(h.info.metric_values.size(), traffic_metric_names().size());
}

TEST(TrafficEnv, IgnoredRequestsAreReportedTooEarlyAndInClearance) {
  Harness h(settings(/*min_green=*/20, /*yellow=*/15, 3600));
  h.reset();
  h.step(1, 0);  // t 0: C too early (0 < 20 s), X keeps
  EXPECT_EQ(h.info.ignored, (std::vector<std::uint8_t>{1, 0}));
  EXPECT_EQ(h.info.time, 10);
  h.step(1, 1);  // t 10: both too early
  EXPECT_EQ(h.info.ignored, (std::vector<std::uint8_t>{1, 1}));
  h.step(1, 0);  // t 20: C switches; its 15 s clearance runs until t 35
  EXPECT_EQ(h.info.ignored, (std::vector<std::uint8_t>{0, 0}));
  EXPECT_TRUE(h.env.in_clearance(0));
  EXPECT_FALSE(h.env.in_clearance(1));
  EXPECT_EQ(h.obs_buf, (std::vector<float>{0, 1, 0, 0, 10, 1, 0, 0, 0, 30}));
  h.step(2, 0);  // t 30: C is in clearance, so the request cannot take effect
  EXPECT_EQ(h.info.ignored, (std::vector<std::uint8_t>{1, 0}));
  EXPECT_FALSE(h.env.in_clearance(0));
  EXPECT_FALSE(h.env.in_clearance(1));
  EXPECT_EQ(h.backend.signal(0).phase, 1);
  h.step(1, 1);  // t 40: C keeps 1; X (40 s in phase) switches
  EXPECT_EQ(h.info.ignored, (std::vector<std::uint8_t>{0, 0}));
  EXPECT_EQ(h.backend.signal(1).phase, 1);
}

TEST(TrafficEnv, TruncatedAtTheHorizonEvenMidInterval) {
  Harness h(settings(0, 5, 95));
  h.reset();
  for (int k = 0; k < 9; ++k) {
    h.step(0, 0);
    ASSERT_FALSE(h.info.truncated || h.info.terminated) << k;
  }
  h.step(0, 0);
  EXPECT_TRUE(h.info.truncated);
  EXPECT_FALSE(h.info.terminated);
  EXPECT_EQ(h.info.time, 95);
}

TEST(TrafficEnv, TerminatedWhenDemandIsDoneAndTerminationWinsATieWithTheHorizon) {
  Harness h(settings(0, 5, 100));
  h.backend.demand_done_at = 35;
  h.reset();
  for (int k = 0; k < 3; ++k) h.step(0, 0);
  EXPECT_FALSE(h.info.terminated);
  h.step(0, 0);
  EXPECT_TRUE(h.info.terminated);
  EXPECT_FALSE(h.info.truncated);
  EXPECT_EQ(h.info.time, 35);

  h.backend.demand_done_at = 100;
  h.reset();
  for (int k = 0; k < 10; ++k) h.step(0, 0);
  EXPECT_TRUE(h.info.terminated);
  EXPECT_FALSE(h.info.truncated);
}

TEST(TrafficEnv, MetricValuesFollowMetricNames) {
  Harness h;
  const std::vector<std::string>& names = h.env.metric_names();
  const std::vector<std::string> cli = {"served_vehicles", "delay_index", "average_travel_time",
                                        "average_travel_time_finished", "throughput", "vehicles_scheduled",
                                        "horizon_s"};
  ASSERT_GE(names.size(), cli.size());
  EXPECT_EQ(std::vector<std::string>(names.begin(), names.begin() + 7), cli);
  h.reset();
  h.backend.queues[3] = 4;
  h.backend.departures[5] = 6;
  h.step(0, 0);
  const auto value = [&](const std::string& n) {
    return h.info.metric_values[static_cast<std::size_t>(std::find(names.begin(), names.end(), n) - names.begin())];
  };
  EXPECT_EQ(value("served_vehicles"), 10);
  EXPECT_EQ(value("throughput"), 6);
  EXPECT_EQ(value("horizon_s"), 3600);
  EXPECT_EQ(value("time"), 10);
  EXPECT_EQ(value("queued"), 4);
}

TEST(TrafficEnv, BadActionsThrowBeforeAnyStateChanges) {
  Harness h;
  EXPECT_THROW(h.step(0, 0), ActionError);  // before reset
  h.reset();
  std::vector<float> rewards(2);
  EXPECT_THROW(h.env.step(std::vector<std::int32_t>{0}, h.obs_buf, rewards, h.info), ActionError);
  EXPECT_THROW(h.env.step(std::vector<std::int32_t>{0, 0, 0}, h.obs_buf, rewards, h.info), ActionError);
  std::vector<float> short_obs(3);
  EXPECT_THROW(h.env.step(std::vector<std::int32_t>{0, 0}, short_obs, rewards, h.info), ActionError);
  std::vector<float> short_rewards(1);
  EXPECT_THROW(h.env.step(std::vector<std::int32_t>{0, 0}, h.obs_buf, short_rewards, h.info), ActionError);
  EXPECT_THROW(h.step(-1, 0), ActionError);
  EXPECT_THROW(h.step(4, 0), ActionError);
  try {
    h.step(0, 2);
    FAIL() << "expected ActionError";
  } catch (const ActionError& e) {
    EXPECT_NE(std::string(e.what()).find("masked"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'X'"), std::string::npos) << e.what();
  }
  EXPECT_EQ(h.backend.time(), 0);
  EXPECT_EQ(h.backend.signal(0).phase, 0);
  std::vector<std::uint8_t> short_mask(7);
  EXPECT_THROW(h.env.action_mask(short_mask), ActionError);
}

TEST(TrafficEnv, SteppingAFinishedEpisodeNeedsReset) {
  Harness h(settings(0, 5, 20));
  h.reset();
  h.step(0, 0);
  h.step(0, 0);
  ASSERT_TRUE(h.info.truncated);
  EXPECT_THROW(h.step(0, 0), ActionError);
  EXPECT_EQ(h.backend.time(), 20);
  h.reset();
  h.step(0, 0);
  EXPECT_EQ(h.info.time, 10);
}

TEST(TrafficEnv, ConfigErrors) {
  RunSettings s;
  s.action_interval = 2.5;
  FakeBackend odd(make_test_scenario(s));
  EXPECT_THROW(TrafficEnv(odd, {}), ConfigError);
  FakeBackend b(make_test_scenario());
  EXPECT_THROW(TrafficEnv(b, {"lane_count", "nope"}), ConfigError);
  EXPECT_THROW(TrafficEnv(b, {"nope", "queue"}), ConfigError);
  EXPECT_THROW(TrafficEnv(std::unique_ptr<TrafficBackend>(), {}), ConfigError);
  auto none = make_test_scenario();
  none->network.signalized.clear();
  FakeBackend unsignalized(none);
  EXPECT_THROW(TrafficEnv(unsignalized, {}), ConfigError);
}

TEST(TrafficEnv, OwnsABackendAndReportsItsConfigAsJson) {
  TrafficEnv env(std::make_unique<FakeBackend>(make_test_scenario()), {"lane_count,phase", "pressure:1,queue:0.25"});
  EXPECT_EQ(env.config().to_json(), R"({"observation":"lane_count,phase","reward":"pressure:1,queue:0.25"})");
  EXPECT_EQ(env.reward().text(), "pressure:1,queue:0.25");
  EXPECT_EQ(env.backend().scenario().name, "two_intersections");
}

}  // namespace
}  // namespace greenwave
