#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "greenwave/agents/trainer.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/env/trajectory_summary.hpp"
#include "toy_env.hpp"

namespace greenwave {
namespace {

using toy::ToyBandit;
namespace fs = std::filesystem;
using Json = nlohmann::json;

fs::path temp_dir(const std::string& name) {
  const fs::path dir = fs::path(GREENWAVE_BINARY_DIR) / "test_tmp" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

DqnConfig small_config() {
  DqnConfig c;
  c.hidden_sizes = {16};
  c.batch_size = 16;
  c.learning_starts = 16;
  c.epsilon_decay_steps = 100;
  c.target_update_interval = 20;
  c.gamma = 0.5;
  c.buffer_size = 500;
  c.seed = 2;
  return c;
}

VectorEnv toy_vec(int n) {
  std::vector<std::unique_ptr<Env>> envs;
  for (int i = 0; i < n; ++i) envs.push_back(std::make_unique<ToyBandit>());
  return VectorEnv(std::move(envs), 1);
}

std::vector<Json> read_lines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<Json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(Json::parse(line));
  return lines;
}

TEST(Trainer, WritesConfigMetricsAndCheckpoints) {
  const fs::path dir = temp_dir("trainer_files");
  VectorEnv env = toy_vec(1);
  ToyBandit eval_env;
  DqnAgent agent(small_config(), {4, 3, 2});
  TrainerConfig tc;
  tc.episodes = 6;
  tc.eval_every = 3;
  tc.out_dir = dir.string();
  tc.best_metric = "hits";
  tc.run_json = R"({"scenario": "toy"})";
  Trainer trainer(env, eval_env, agent, tc);
  const TrainResult r = trainer.run();
  const std::vector<Json> lines = read_lines(dir / "metrics.jsonl");
  ASSERT_EQ(lines.size(), 6u);
  for (std::size_t e = 0; e < lines.size(); ++e) {
    EXPECT_EQ(lines[e]["episode"], e);
    EXPECT_TRUE(lines[e].contains("hits"));
    EXPECT_TRUE(lines[e].contains("return"));
    EXPECT_TRUE(lines[e].contains("loss"));
    EXPECT_EQ(lines[e].contains("eval"), e == 2 || e == 5) << e;
  }
  EXPECT_EQ(lines.back()["eval"]["hits"], r.final_eval.metric("hits"));
  const Json cfg = Json::parse(std::ifstream(dir / "config.json"));
  EXPECT_EQ(cfg["run"]["scenario"], "toy");
  EXPECT_EQ(cfg["dqn"]["batch_size"], 16);
  EXPECT_TRUE(fs::exists(r.last_checkpoint));
  EXPECT_TRUE(fs::exists(r.best_checkpoint));
  EXPECT_EQ(DqnAgent::load(r.last_checkpoint)->parameters(), agent.parameters());
  EXPECT_EQ(agent.counters().episodes, 6);
}

TEST(Trainer, LogsEveryTrainingEpisodeOfEachEnvToItsTrajectoryFile) {
  const fs::path dir = temp_dir("trainer_trajectories");
  VectorEnv env = toy_vec(2);
  ToyBandit eval_env;
  DqnAgent agent(small_config(), {4, 3, 4});
  TrainerConfig tc;
  tc.episodes = 6;
  tc.eval_every = 6;
  tc.out_dir = dir.string();
  tc.trajectory_dir = (dir / "traj").string();
  tc.trajectory_meta = {"feedc0de", "hit:1", "{}", 11};
  Trainer(env, eval_env, agent, tc).run();
  const std::vector<Json> lines = read_lines(dir / "metrics.jsonl");
  ASSERT_EQ(lines.size(), 6u);
  for (int e = 0; e < 2; ++e) {
    const TrajectorySummary s = read_trajectory_summary((dir / "traj" / ("train_env" + std::to_string(e) + ".h5")).string());
    EXPECT_EQ(s.scenario_hash, "feedc0de");
    EXPECT_EQ(s.seed, 11u);
    EXPECT_EQ(s.agents, 2);
    ASSERT_EQ(s.episode_steps.size(), 3u) << "three rounds of one episode per env";
    for (std::size_t k = 0; k < 3; ++k) EXPECT_EQ(s.episode_steps[k], lines[2 * k + static_cast<std::size_t>(e)]["steps"]);
  }
  tc.episodes = 8;  // a resume writes new files named after its first episode
  Trainer(env, eval_env, agent, tc).run();
  EXPECT_EQ(read_trajectory_summary((dir / "traj" / "train_env1_from6.h5").string()).episode_steps.size(), 1u);
  EXPECT_EQ(read_trajectory_summary((dir / "traj" / "train_env1.h5").string()).episode_steps.size(), 3u);
}

class TrainerResume : public ::testing::TestWithParam<int> {};

TEST_P(TrainerResume, ResumeFromLastContinuesIdentically) {
  const int n = GetParam();
  const fs::path straight = temp_dir("trainer_straight" + std::to_string(n));
  const fs::path resumed = temp_dir("trainer_resumed" + std::to_string(n));
  TrainerConfig tc;
  tc.episodes = 6 * n;
  tc.eval_every = 2;
  DqnConfig c = small_config();
  c.prioritized = true;
  c.n_step = 2;
  const DqnShape shape{4, 3, 2 * n};

  VectorEnv env_a = toy_vec(n);
  ToyBandit eval_a;
  DqnAgent a(c, shape);
  tc.out_dir = straight.string();
  Trainer(env_a, eval_a, a, tc).run();

  VectorEnv env_b = toy_vec(n);
  ToyBandit eval_b;
  {
    DqnAgent first(c, shape);
    TrainerConfig half = tc;
    half.episodes = 3 * n;
    half.out_dir = resumed.string();
    Trainer(env_b, eval_b, first, half).run();
  }
  const auto b = DqnAgent::load((resumed / "last.pt").string());
  tc.out_dir = resumed.string();
  Trainer(env_b, eval_b, *b, tc).run();
  EXPECT_EQ(b->parameters(), a.parameters());
  EXPECT_EQ(b->counters().episodes, 6 * n);
  const std::vector<Json> x = read_lines(straight / "metrics.jsonl");
  const std::vector<Json> y = read_lines(resumed / "metrics.jsonl");
  ASSERT_EQ(x.size(), static_cast<std::size_t>(6 * n));
  ASSERT_EQ(x.size(), y.size());
  for (std::size_t e = 0; e < x.size(); ++e) {
    EXPECT_EQ(y[e]["episode"], e);
    EXPECT_EQ(x[e]["return"], y[e]["return"]) << e;
    EXPECT_EQ(x[e]["loss"], y[e]["loss"]) << e;
  }
}

INSTANTIATE_TEST_SUITE_P(Envs, TrainerResume, ::testing::Values(1, 3));

TEST(Trainer, WsmScheduleKeepsWindowAndEvaluatesMergedNetwork) {
  const fs::path dir = temp_dir("trainer_wsm");
  VectorEnv env = toy_vec(1);
  ToyBandit eval_env;
  DqnAgent agent(small_config(), {4, 3, 2});
  TrainerConfig tc;
  tc.episodes = 8;
  tc.eval_every = 4;
  tc.out_dir = dir.string();
  tc.wsm.enabled = true;
  tc.wsm.warmup_updates = 10;
  tc.wsm.checkpoint_every = 5;
  tc.wsm.merge_count = 3;
  const TrainResult r = Trainer(env, eval_env, agent, tc).run();
  EXPECT_TRUE(r.has_merged);
  int kept = 0;
  for (const auto& entry : fs::directory_iterator(dir / "wsm"))
    kept += entry.path().stem().string().rfind("update_", 0) == 0 ? 1 : 0;
  EXPECT_EQ(kept, 3);
  const std::vector<Json> lines = read_lines(dir / "metrics.jsonl");
  EXPECT_TRUE(lines.back().contains("eval_merged"));
  EXPECT_TRUE(lines.back()["eval_merged"].contains("hits"));
}

TEST(Trainer, RejectsAgentBuiltForAnotherEnv) {
  VectorEnv env = toy_vec(2);
  ToyBandit eval_env;
  TrainerConfig tc;
  tc.out_dir = temp_dir("trainer_bad").string();
  DqnAgent wrong_obs(small_config(), {5, 3, 4});
  EXPECT_THROW(Trainer(env, eval_env, wrong_obs, tc), ConfigError);
  DqnAgent wrong_rows(small_config(), {4, 3, 2});  // 2 envs x 2 agents = 4 rows
  EXPECT_THROW(Trainer(env, eval_env, wrong_rows, tc), ConfigError);
}

TEST(Evaluate, AveragesMetricsOverEpisodes) {
  ToyBandit env(4);
  DqnAgent agent(small_config(), {4, 3, 2});
  const EpisodeResult one = evaluate(env, agent, 5, 1);
  EXPECT_EQ(one.steps, 4);
  EXPECT_TRUE(one.truncated);
  EXPECT_DOUBLE_EQ(one.metric("hits"), one.total_reward);
  EXPECT_THROW(one.metric("nope"), ConfigError);
}

}  // namespace
}  // namespace greenwave
