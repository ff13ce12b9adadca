#include <gtest/gtest.h>

#include <vector>

#include "greenwave/agents/baselines.hpp"
#include "greenwave/core/error.hpp"

namespace greenwave {
namespace {

// One agent with 4 phases; observation = lane_queue (3 lanes), phase_pressure (4), phase (4),
// time_in_phase (1): size 12.
EnvSpec traffic_like_spec() {
  EnvSpec s;
  s.name = "traffic";
  s.agent_ids = {"i0"};
  s.observation.shape = {12};
  s.observation.components = {{"lane_queue", 0, 3, 0.0f, 1e9f},
                              {"phase_pressure", 3, 4, -1e9f, 1e9f},
                              {"phase", 7, 4, 0.0f, 1.0f},
                              {"time_in_phase", 11, 1, 0.0f, 1e9f}};
  s.action_counts = {4};
  s.max_actions = 4;
  return s;
}

std::vector<float> row(std::vector<float> queues, std::vector<float> pressure, int phase, float timer) {
  std::vector<float> r = queues;
  r.insert(r.end(), pressure.begin(), pressure.end());
  for (int k = 0; k < 4; ++k) r.push_back(k == phase ? 1.0f : 0.0f);
  r.push_back(timer);
  return r;
}

std::int32_t act_once(Agent& agent, const std::vector<float>& obs, std::vector<std::uint8_t> mask = {1, 1, 1, 1}) {
  std::vector<std::int32_t> action(1, -1);
  agent.act(obs, mask, action, false);
  return action[0];
}

TEST(MaxPressure, KeepsBeforeMinPhaseTimeThenPicksLargestAllowedPressure) {
  MaxPressureAgent mp(traffic_like_spec(), 10.0);
  const std::vector<float> pressure = {1, 5, 5, 7};
  EXPECT_EQ(act_once(mp, row({0, 0, 0}, pressure, 0, 9.0f)), 0);    // timer < 10 s: keep
  EXPECT_EQ(act_once(mp, row({0, 0, 0}, pressure, 0, 10.0f)), 3);   // largest pressure
  EXPECT_EQ(act_once(mp, row({0, 0, 0}, pressure, 0, 10.0f), {1, 1, 1, 0}), 1);  // masked 3; tie -> lowest
  EXPECT_EQ(act_once(mp, row({0, 0, 0}, pressure, 3, 2.0f), {1, 1, 1, 0}), 1);   // current masked: choose
}

TEST(FixedTime, SwitchesToNextAllowedPhaseAfterPhaseTime) {
  FixedTimeAgent fixed(traffic_like_spec(), 30.0);
  EXPECT_EQ(act_once(fixed, row({0, 0, 0}, {0, 0, 0, 0}, 1, 20.0f)), 1);
  EXPECT_EQ(act_once(fixed, row({0, 0, 0}, {0, 0, 0, 0}, 1, 30.0f)), 2);
  EXPECT_EQ(act_once(fixed, row({0, 0, 0}, {0, 0, 0, 0}, 3, 30.0f)), 0);  // cyclic
  EXPECT_EQ(act_once(fixed, row({0, 0, 0}, {0, 0, 0, 0}, 1, 30.0f), {1, 1, 0, 1}), 3);  // skips masked 2
}

TEST(Sotl, SwitchesWhenGreenIsEmptyAndRedIsLong) {
  // Phase 0 serves lane 0; phase 1 lanes 1 and 2; phases 2, 3 nothing.
  SotlConfig cfg;
  cfg.min_phase_time = 10;
  cfg.max_green_queue = 2;
  cfg.min_red_queue = 5;
  SotlAgent sotl(traffic_like_spec(), PhaseLanes{{{0}, {1, 2}, {}, {}}}, cfg);
  EXPECT_EQ(act_once(sotl, row({1, 3, 3}, {0, 0, 0, 0}, 0, 5.0f)), 0);   // too early
  EXPECT_EQ(act_once(sotl, row({1, 3, 3}, {0, 0, 0, 0}, 0, 10.0f)), 1);  // green 1 <= 2, red 6 > 5
  EXPECT_EQ(act_once(sotl, row({3, 3, 3}, {0, 0, 0, 0}, 0, 10.0f)), 0);  // green queue too long
  EXPECT_EQ(act_once(sotl, row({1, 2, 2}, {0, 0, 0, 0}, 0, 10.0f)), 0);  // red queue too short
  EXPECT_THROW(SotlAgent(traffic_like_spec(), PhaseLanes{{{7}}}, cfg), ConfigError);
  EXPECT_THROW(SotlAgent(traffic_like_spec(), PhaseLanes{}, cfg), ConfigError);
}

TEST(Baselines, MissingComponentNamesTheObservationToUse) {
  EnvSpec s = traffic_like_spec();
  s.observation.components.erase(s.observation.components.begin() + 1);  // no phase_pressure
  try {
    MaxPressureAgent mp(s);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("phase_pressure,phase,time_in_phase"), std::string::npos) << e.what();
  }
  EXPECT_THROW(baseline_observation("greedy"), ConfigError);
}

TEST(RandomAgent, ChoosesAllowedActionsReproducibly) {
  RandomAgent a(4), b(4);
  a.begin_episode(1);
  b.begin_episode(1);
  const std::vector<float> obs(24, 0.0f);
  const std::vector<std::uint8_t> mask = {0, 1, 0, 1, 1, 1, 1, 0};  // two rows of 4
  std::vector<std::int32_t> x(2), y(2);
  std::vector<int> seen(4, 0);
  for (int k = 0; k < 400; ++k) {
    a.act(obs, mask, x, true);
    b.act(obs, mask, y, true);
    ASSERT_EQ(x, y);
    ASSERT_TRUE(x[0] == 1 || x[0] == 3);
    ASSERT_NE(x[1], 3);
    ++seen[static_cast<std::size_t>(x[1])];
  }
  for (int k = 0; k < 3; ++k) EXPECT_GT(seen[static_cast<std::size_t>(k)], 80);
}

}  // namespace
}  // namespace greenwave
