// ProcessEnv: an env in a worker process gives exactly what the same env gives in this one, and
// its errors come back with their types.
#include <gtest/gtest.h>

#include "greenwave/core/error.hpp"
#include "greenwave/env/process_env.hpp"
#include "greenwave/env/traffic_env.hpp"
#include "greenwave/networks/scenario_io.hpp"
#include "greenwave/sim/simulator.hpp"

namespace greenwave {
namespace {

std::unique_ptr<Env> make_demo() {
  auto scenario = load_scenario(std::string(GREENWAVE_SOURCE_DIR) + "/scenarios/demo_grid_2x2.pbtxt");
  return std::make_unique<TrafficEnv>(std::make_unique<Simulator>(scenario, SimOptions{1}));
}

TEST(ProcessEnv, MatchesTheSameEnvInThisProcess) {
  ProcessEnv remote(make_demo);
  auto local = make_demo();
  ASSERT_EQ(remote.spec().agent_ids, local->spec().agent_ids);
  ASSERT_EQ(remote.spec().observation.size(), local->spec().observation.size());
  ASSERT_EQ(remote.spec().observation.components.size(), local->spec().observation.components.size());
  EXPECT_EQ(remote.metric_names(), local->metric_names());
  const auto n = static_cast<std::size_t>(local->spec().num_agents());
  const auto size = n * static_cast<std::size_t>(local->spec().observation.size());
  std::vector<float> obs_a(size), obs_b(size), rew_a(n), rew_b(n);
  std::vector<std::uint8_t> mask_a(n * static_cast<std::size_t>(local->spec().max_actions)), mask_b(mask_a.size());
  StepInfo info_a, info_b;
  remote.reset(7, obs_a, info_a);
  local->reset(7, obs_b, info_b);
  EXPECT_EQ(obs_a, obs_b);
  for (int k = 0; k < 30; ++k) {
    std::vector<std::int32_t> actions(n);
    for (std::size_t a = 0; a < n; ++a) actions[a] = static_cast<std::int32_t>((k / 3 + a) % 2);
    remote.step(actions, obs_a, rew_a, info_a);
    local->step(actions, obs_b, rew_b, info_b);
    ASSERT_EQ(obs_a, obs_b) << "step " << k;
    ASSERT_EQ(rew_a, rew_b) << "step " << k;
    ASSERT_EQ(info_a.metric_values, info_b.metric_values) << "step " << k;
    ASSERT_EQ(info_a.ignored, info_b.ignored);
    ASSERT_EQ(info_a.time, info_b.time);
    remote.action_mask(mask_a);
    local->action_mask(mask_b);
    ASSERT_EQ(mask_a, mask_b);
  }
}

TEST(ProcessEnv, ErrorsComeBackWithTheirTypes) {
  ProcessEnv remote(make_demo);
  const auto n = static_cast<std::size_t>(remote.spec().num_agents());
  std::vector<float> obs(n * static_cast<std::size_t>(remote.spec().observation.size())), rewards(n);
  StepInfo info;
  std::vector<std::int32_t> actions(n, 0);
  EXPECT_THROW(remote.step(actions, obs, rewards, info), ActionError);  // before reset
  remote.reset(1, obs, info);
  actions[0] = 999;
  EXPECT_THROW(remote.step(actions, obs, rewards, info), ActionError);
  actions[0] = 0;
  remote.step(actions, obs, rewards, info);  // still serving after an error
  EXPECT_THROW(ProcessEnv([]() -> std::unique_ptr<Env> { throw ConfigError("--x", "bad"); }), ConfigError);
}

}  // namespace
}  // namespace greenwave
