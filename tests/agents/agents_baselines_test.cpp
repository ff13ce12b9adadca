#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "greenwave/agents/baselines.hpp"
#include "greenwave/agents/trainer.hpp"
#include "greenwave/control/controllers.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/networks/importers.hpp"
#include "greenwave/networks/scenario_io.hpp"
#include "greenwave/sim/simulator.hpp"

namespace greenwave {
namespace {

// A 2x2 grid with 300 s of demand and a 400 s horizon, so every vehicle can finish.
std::shared_ptr<const CompiledScenario> grid_2x2() {
  GridOptions o;
  o.rows = 2;
  o.cols = 2;
  o.demand.rate = 600;
  o.demand.horizon = 300;
  v1::Scenario s = generate_grid(o);
  s.mutable_settings()->set_horizon(900);
  return std::make_shared<const CompiledScenario>(compile_scenario(s));
}

// One implementation per controller: the Agent an evaluation builds (make_baseline_env +
// make_baseline, as `greenwave eval --agent` and Python's evaluate) runs the controller
// `greenwave run --controller` runs, so the episode's metrics are the same.
class OneImplementation : public ::testing::TestWithParam<const char*> {};

TEST_P(OneImplementation, EvaluationGivesRunEpisodesMetrics) {
  const auto sc = grid_2x2();
  Simulator plain(sc);
  auto controller = make_controller(GetParam(), *sc);
  const Metrics run = run_episode(plain, *controller, 3);

  auto env = make_baseline_env(GetParam(), std::make_unique<Simulator>(sc), {baseline_observation(GetParam()), "queue"});
  auto agent = make_baseline(GetParam(), *env, 0);
  EXPECT_EQ(agent->name(), GetParam());
  const EpisodeResult r = run_episode(*env, *agent, 3, false, false);
  ASSERT_GT(run.throughput, 0);
  EXPECT_EQ(r.metric("served_vehicles"), static_cast<double>(run.served_vehicles));
  EXPECT_EQ(r.metric("throughput"), static_cast<double>(run.throughput));
  EXPECT_DOUBLE_EQ(r.metric("average_travel_time"), run.average_travel_time);
  EXPECT_DOUBLE_EQ(r.metric("delay_index"), run.delay_index);
}

INSTANTIATE_TEST_SUITE_P(Controllers, OneImplementation,
                         ::testing::Values("fixed", "maxpressure", "sotl", "sotl-libsignal"));

TEST(Baselines, NamesAndErrors) {
  EXPECT_EQ(baseline_names(), (std::vector<std::string>{"random", "fixed", "maxpressure", "sotl", "sotl-libsignal"}));
  EXPECT_TRUE(is_baseline("sotl-libsignal"));
  EXPECT_FALSE(is_baseline("runs/best.pt"));
  try {
    baseline_observation("greedy");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown baseline 'greedy' (expected random, fixed, maxpressure, sotl, sotl-libsignal)"),
              std::string::npos)
        << e.what();
  }
  // A controller's agent needs the env its controller drives.
  const auto sc = grid_2x2();
  TrafficEnv plain(std::make_unique<Simulator>(sc), {"phase", "queue"});
  EXPECT_THROW(make_baseline("fixed", plain, 0), ConfigError);
  EXPECT_NO_THROW(make_baseline("random", plain, 0));
}

TEST(ControllerAgent, ReportsTheHotPhaseOfEachRow) {
  EnvSpec s;
  s.name = "traffic";
  s.agent_ids = {"a", "b"};
  s.observation.shape = {4};
  s.observation.components = {{"phase", 0, 3, 0.0f, 1.0f}, {"time_in_phase", 3, 1, 0.0f, 1e9f}};
  s.action_counts = {3, 3};
  s.max_actions = 3;
  ControllerAgent agent(s, "fixed");
  const std::vector<float> obs = {0, 0, 1, 12, 0, 1, 0, 3};
  const std::vector<std::uint8_t> mask(6, 1);
  std::vector<std::int32_t> actions(2, -1);
  agent.act(obs, mask, actions, false);
  EXPECT_EQ(actions, (std::vector<std::int32_t>{2, 1}));
  s.observation.components.erase(s.observation.components.begin());
  EXPECT_THROW(ControllerAgent(s, "fixed"), ConfigError);
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
