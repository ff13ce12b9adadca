// The env layer on the native simulator: a generated 2x2 grid, stepped through TrafficEnv and
// VectorEnv.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <vector>

#include "greenwave/env/traffic_env.hpp"
#include "greenwave/env/vector_env.hpp"
#include "greenwave/networks/importers.hpp"
#include "greenwave/networks/scenario_io.hpp"
#include "greenwave/sim/simulator.hpp"

namespace greenwave {
namespace {

constexpr const char* kObs = "lane_count,lane_queue,phase,time_in_phase,phase_pressure,cbengine";

std::shared_ptr<const CompiledScenario> grid_2x2() {
  GridOptions o;
  o.rows = 2;
  o.cols = 2;
  o.demand.rate = 600;
  o.demand.horizon = 300;
  return std::make_shared<const CompiledScenario>(compile_scenario(generate_grid(o)));
}

// MaxPressure over the phase_pressure component: the allowed phase with the largest entry.
void max_pressure(const EnvSpec& spec, std::span<const float> obs, std::span<std::int32_t> actions) {
  const auto size = static_cast<std::size_t>(spec.observation.size());
  const auto pp = static_cast<std::size_t>(spec.observation.components[4].offset);
  for (std::size_t e = 0; e < actions.size(); ++e) {
    const std::size_t a = e % static_cast<std::size_t>(spec.num_agents());
    std::int32_t best = 0;
    for (std::int32_t k = 1; k < spec.action_counts[a]; ++k)
      if (obs[e * size + pp + static_cast<std::size_t>(k)] > obs[e * size + pp + static_cast<std::size_t>(best)]) best = k;
    actions[e] = best;
  }
}

TEST(TrafficEnvOnSimulator, GridEpisodeRunsToTheHorizonWithConsistentObservations) {
  const auto sc = grid_2x2();
  Simulator sim(sc);
  TrafficEnv env(sim, {kObs, "pressure:1,queue:0.25,throughput:0.1"});
  const EnvSpec& spec = env.spec();
  ASSERT_EQ(spec.num_agents(), 4);
  const auto size = static_cast<std::size_t>(spec.observation.size());
  std::vector<float> obs(4 * size), rewards(4);
  std::vector<std::int32_t> actions(4);
  StepInfo info;
  env.reset(1, obs, info);
  const auto& names = env.metric_names();
  const auto throughput = static_cast<std::size_t>(std::find(names.begin(), names.end(), "throughput") - names.begin());
  const std::size_t lane_count = 0;
  const auto cb = static_cast<std::size_t>(spec.observation.components[5].offset);
  int steps = 0;
  while (!info.truncated && !info.terminated) {
    max_pressure(spec, obs, actions);
    env.step(actions, obs, rewards, info);
    ++steps;
    for (std::size_t a = 0; a < 4; ++a) {
      const float* row = obs.data() + a * size;
      float incoming = 0;
      for (std::size_t k = 0; k < static_cast<std::size_t>(spec.observation.components[0].size); ++k)
        incoming += row[lane_count + k];
      float cb_incoming = 0;
      for (std::size_t k = 0; k < 12; ++k) {
        ASSERT_GE(row[cb + k], 0.0f) << "every leg of a grid intersection exists";
        cb_incoming += row[cb + k];
      }
      EXPECT_EQ(cb_incoming, incoming) << "the cbengine slots partition the incoming lanes";
      EXPECT_TRUE(std::isfinite(rewards[a]));
    }
  }
  EXPECT_TRUE(info.truncated);
  EXPECT_EQ(steps, static_cast<int>(sc->settings.horizon / sc->settings.action_interval));
  EXPECT_EQ(info.time, sc->settings.horizon);
  EXPECT_GT(info.metric_values[throughput], 0.0);
}

TEST(VectorEnvOnSimulator, SameResultsForOneAndTwoThreads) {
  const auto sc = grid_2x2();
  const auto roll = [&](int threads) {
    std::vector<std::unique_ptr<Env>> envs;
    for (int i = 0; i < 2; ++i)
      envs.push_back(std::make_unique<TrafficEnv>(std::make_unique<Simulator>(sc), TrafficEnvConfig{kObs, "wait_time"}));
    VectorEnv v(std::move(envs), threads);
    const auto size = static_cast<std::size_t>(2 * 4 * v.spec().observation.size());
    std::vector<float> obs(size), rewards(8), trace;
    std::vector<std::uint8_t> term(2), trunc(2);
    std::vector<std::int32_t> actions(8);
    v.reset(3, obs);
    for (int t = 0; t < 12; ++t) {
      max_pressure(v.spec(), obs, actions);
      v.step(actions, obs, rewards, term, trunc);
      trace.insert(trace.end(), obs.begin(), obs.end());
      trace.insert(trace.end(), rewards.begin(), rewards.end());
    }
    return trace;
  };
  EXPECT_EQ(roll(1), roll(2));
}

// A CBEngine T junction: intersection 0 (signalized) with dead ends east (2), south (3) and west
// (4); the north leg is missing (-1 in the signal line). Every lane line: left, through, right.
constexpr const char* kTeeRoadnet = R"(4
30 120 0 1
30 120.001 2 0
29.999 120 3 0
30 119.999 4 0
3
0 2 400 10 3 3 3 4
1 0 0 0 1 0 0 0 1
1 0 0 0 1 0 0 0 1
0 3 300 20 3 3 5 6
1 0 0 0 1 0 0 0 1
1 0 0 0 1 0 0 0 1
0 4 250 12.5 3 3 7 8
1 0 0 0 1 0 0 0 1
1 0 0 0 1 0 0 0 1
1
0 -1 3 5 7
)";

// CBEngine's phases (REFERENCE.md §1) without a north leg: 1 N+S left keeps S left (to W);
// 2 N+S through loses both (S through would go north); 3 E+W left keeps E left (to S);
// 4 E+W through keeps both; 5 N left+through serves only the missing leg; 6 E left+through;
// 7 S left+through keeps S left; 8 W left+through keeps W through. So phases 2 and 5 are masked.
TEST(TrafficEnvOnSimulator, ThreeLegJunctionMasksPhasesServingOnlyTheMissingLeg) {
  v1::Scenario tee = parse_cbengine_roadnet(kTeeRoadnet, "tee.txt");
  parse_cbengine_flow("1\n0 3600 10\n2\n4 7\n", "flow.txt", tee);  // east to west, every 10 s
  const auto sc = std::make_shared<const CompiledScenario>(compile_scenario(tee));
  Simulator sim(sc);
  TrafficEnv env(sim, {"lane_count,phase", "queue"});
  ASSERT_EQ(env.spec().num_agents(), 1);
  std::vector<std::uint8_t> mask(8);
  env.action_mask(mask);
  EXPECT_EQ(mask, (std::vector<std::uint8_t>{1, 0, 1, 1, 0, 1, 1, 1}));

  std::vector<float> obs(static_cast<std::size_t>(env.spec().observation.size())), rewards(1);
  StepInfo info;
  env.reset(0, obs, info);
  const std::vector<std::int32_t> masked = {1}, through = {3};
  env.step(masked, obs, rewards, info);
  EXPECT_EQ(info.ignored[0], 1) << "a phase serving only a missing leg is rejected";
  EXPECT_EQ(sim.signal(0).phase, 0);
  env.step(through, obs, rewards, info);
  EXPECT_EQ(info.ignored[0], 0);
  EXPECT_EQ(sim.signal(0).phase, 3);
}

}  // namespace
}  // namespace greenwave
