#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "fake_backend.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/env/throughput.hpp"
#include "greenwave/env/traffic_env.hpp"
#include "greenwave/env/vector_env.hpp"

namespace greenwave {
namespace {

using testing::FakeBackend;
using testing::make_test_scenario;

constexpr std::int32_t kEnvs = 4;
constexpr const char* kObs = "lane_count,lane_queue,pressure,phase,time_in_phase,phase_pressure";

// Four dynamic fakes with horizon 100 s (10 decisions); env 2 ends early by demand at 60 s.
std::vector<std::unique_ptr<Env>> make_envs(std::int32_t n = kEnvs) {
  RunSettings s;
  s.horizon = 100;
  s.min_green = 10;
  auto scenario = make_test_scenario(s);
  std::vector<std::unique_ptr<Env>> envs;
  for (std::int32_t i = 0; i < n; ++i) {
    auto backend = std::make_unique<FakeBackend>(scenario);
    backend->dynamic = true;
    if (i == 2) backend->demand_done_at = 60;
    envs.push_back(std::make_unique<TrafficEnv>(std::move(backend), TrafficEnvConfig{kObs, "pressure:1,wait_time:0.5,throughput:0.1"}));
  }
  return envs;
}

const FakeBackend& fake(const VectorEnv& v, std::int32_t i) {
  return dynamic_cast<const FakeBackend&>(dynamic_cast<const TrafficEnv&>(v.env(i)).backend());
}

/// Everything a rollout produced, step by step.
struct Rollout {
  std::vector<float> obs, rewards;
  std::vector<std::uint8_t> terminated, truncated;
  std::vector<std::int32_t> actions;
  bool operator==(const Rollout&) const = default;
};

// 25 vector steps with actions = argmax of each agent's phase_pressure (a MaxPressure policy),
// so actions depend on the observations and any divergence would compound.
Rollout roll_out(int threads) {
  VectorEnv v(make_envs(), threads);
  const EnvSpec& spec = v.spec();
  const auto agents = static_cast<std::size_t>(spec.num_agents());
  const auto obs_size = static_cast<std::size_t>(spec.observation.size());
  const std::size_t pp_offset = static_cast<std::size_t>(spec.observation.components.back().offset);
  std::vector<float> obs(kEnvs * agents * obs_size), rewards(kEnvs * agents);
  std::vector<std::uint8_t> term(kEnvs), trunc(kEnvs);
  std::vector<std::int32_t> actions(kEnvs * agents);
  Rollout r;
  v.reset(100, obs);
  r.obs = obs;
  for (int t = 0; t < 25; ++t) {
    for (std::size_t e = 0; e < kEnvs * agents; ++e) {
      const std::size_t a = e % agents;
      std::int32_t best = 0;
      for (std::int32_t k = 1; k < spec.action_counts[a]; ++k)
        if (obs[e * obs_size + pp_offset + static_cast<std::size_t>(k)] > obs[e * obs_size + pp_offset + static_cast<std::size_t>(best)])
          best = k;
      actions[e] = best;
    }
    v.step(actions, obs, rewards, term, trunc);
    r.actions.insert(r.actions.end(), actions.begin(), actions.end());
    r.obs.insert(r.obs.end(), obs.begin(), obs.end());
    r.rewards.insert(r.rewards.end(), rewards.begin(), rewards.end());
    r.terminated.insert(r.terminated.end(), term.begin(), term.end());
    r.truncated.insert(r.truncated.end(), trunc.begin(), trunc.end());
  }
  return r;
}

TEST(VectorEnv, RolloutsAreIdenticalForOneTwoAndFourThreads) {
  const Rollout one = roll_out(1);
  std::size_t episode_ends = 0;
  for (std::size_t k = 0; k < one.terminated.size(); ++k) episode_ends += one.terminated[k] + one.truncated[k];
  EXPECT_GE(episode_ends, 6u);  // autoresets happened inside the compared rollout
  EXPECT_TRUE(one == roll_out(2));
  EXPECT_TRUE(one == roll_out(4));
}

TEST(VectorEnv, SeedsAreSeedPlusEnvIdThenAdvanceByNPerEpisode) {
  VectorEnv v(make_envs(), 2);
  const auto agents = static_cast<std::size_t>(v.spec().num_agents());
  std::vector<float> obs(kEnvs * agents * static_cast<std::size_t>(v.spec().observation.size()));
  std::vector<float> rewards(kEnvs * agents);
  std::vector<std::uint8_t> term(kEnvs), trunc(kEnvs);
  const std::vector<std::int32_t> actions(kEnvs * agents, 0);
  v.reset(100, obs);
  for (std::int32_t i = 0; i < kEnvs; ++i) EXPECT_EQ(fake(v, i).last_seed, 100u + static_cast<std::uint64_t>(i));
  for (int t = 0; t < 6; ++t) v.step(actions, obs, rewards, term, trunc);
  EXPECT_EQ(term, (std::vector<std::uint8_t>{0, 0, 1, 0}));  // env 2: demand done at 60 s
  v.step(actions, obs, rewards, term, trunc);  // next-step autoreset of env 2
  EXPECT_EQ(fake(v, 2).last_seed, 100u + 2u + kEnvs);
  EXPECT_EQ(term, (std::vector<std::uint8_t>{0, 0, 0, 0}));
  EXPECT_EQ(trunc, (std::vector<std::uint8_t>{0, 0, 0, 0}));
  EXPECT_EQ(v.info(2).time, 0);
  for (std::size_t a = 0; a < agents; ++a) EXPECT_EQ(rewards[2 * agents + a], 0.0f);
  EXPECT_EQ(v.info(0).time, 70);
}

TEST(VectorEnv, AutoresetObservationEqualsAFreshReset) {
  VectorEnv v(make_envs(1), 1);
  const auto size = static_cast<std::size_t>(v.spec().num_agents() * v.spec().observation.size());
  std::vector<float> obs(size), rewards(2);
  std::vector<std::uint8_t> term(1), trunc(1);
  const std::vector<std::int32_t> actions{0, 0};
  v.reset(5, obs);
  const std::vector<float> first = obs;
  for (int t = 0; t < 10; ++t) v.step(actions, obs, rewards, term, trunc);
  ASSERT_EQ(trunc[0], 1);
  v.step(std::vector<std::int32_t>{-7, 99}, obs, rewards, term, trunc);  // ignored while resetting
  EXPECT_EQ(fake(v, 0).last_seed, 6u);
  EXPECT_EQ(obs, first);  // a dynamic fake's reset state does not depend on the seed
}

TEST(VectorEnv, DisabledAutoresetRefusesToStepAFinishedEnv) {
  VectorEnv v(make_envs(1), 1, AutoresetMode::Disabled);
  EXPECT_EQ(v.autoreset_mode(), AutoresetMode::Disabled);
  std::vector<float> obs(static_cast<std::size_t>(2 * v.spec().observation.size())), rewards(2);
  std::vector<std::uint8_t> term(1), trunc(1);
  const std::vector<std::int32_t> actions{0, 0};
  v.reset(5, obs);
  for (int t = 0; t < 10; ++t) v.step(actions, obs, rewards, term, trunc);
  EXPECT_THROW(v.step(actions, obs, rewards, term, trunc), ActionError);
}

TEST(VectorEnv, BadInputIsRejectedBeforeAnyEnvMoves) {
  VectorEnv v(make_envs(), 2);
  EXPECT_EQ(v.autoreset_mode(), AutoresetMode::NextStep);
  const auto agents = static_cast<std::size_t>(v.spec().num_agents());
  std::vector<float> obs(kEnvs * agents * static_cast<std::size_t>(v.spec().observation.size()));
  std::vector<float> rewards(kEnvs * agents);
  std::vector<std::uint8_t> term(kEnvs), trunc(kEnvs);
  std::vector<std::int32_t> actions(kEnvs * agents, 0);
  EXPECT_THROW(v.step(actions, obs, rewards, term, trunc), ActionError);  // before reset
  v.reset(1, obs);
  actions[3 * agents + 1] = 3;  // env 3, agent X has 2 phases
  EXPECT_THROW(v.step(actions, obs, rewards, term, trunc), ActionError);
  actions[3 * agents + 1] = 0;
  std::vector<std::int32_t> short_actions(kEnvs * agents - 1, 0);
  EXPECT_THROW(v.step(short_actions, obs, rewards, term, trunc), ActionError);
  std::vector<std::uint8_t> short_flags(kEnvs - 1);
  EXPECT_THROW(v.step(actions, obs, rewards, short_flags, trunc), ActionError);
  for (std::int32_t i = 0; i < kEnvs; ++i) EXPECT_EQ(fake(v, i).time(), 0) << i;
  std::vector<std::uint8_t> mask(kEnvs * agents * 4);
  v.action_mask(mask);
  EXPECT_EQ(std::vector<std::uint8_t>(mask.begin() + 4, mask.begin() + 8), (std::vector<std::uint8_t>{1, 1, 0, 0}));
}

TEST(VectorEnv, EnvsMustShareShapesAndThreadCountsAreSettable) {
  std::vector<std::unique_ptr<Env>> envs = make_envs(2);
  envs.push_back(std::make_unique<TrafficEnv>(std::make_unique<FakeBackend>(make_test_scenario()),
                                              TrafficEnvConfig{"lane_count", "queue"}));
  EXPECT_THROW(VectorEnv(std::move(envs)), ConfigError);
  EXPECT_THROW(VectorEnv(std::vector<std::unique_ptr<Env>>{}), ConfigError);
  VectorEnv v(make_envs(2), 3);
  EXPECT_EQ(v.num_threads(), 3);
  v.set_num_threads(1);
  EXPECT_EQ(v.num_threads(), 1);
  EXPECT_THROW(v.set_num_threads(-1), ConfigError);
}

TEST(Throughput, CountsEnvStepsOfTheMeasuredRun) {
  VectorEnv v(make_envs(), 2);
  const Throughput t = measure_throughput(v, 30, 9);
  EXPECT_EQ(t.env_steps, 30 * kEnvs);
  EXPECT_GT(t.env_steps_per_s, 0);
  EXPECT_EQ(fake(v, 0).last_seed, 9u + 2u * kEnvs);  // 30 steps = two autoresets of 10-step episodes
}

}  // namespace
}  // namespace greenwave
