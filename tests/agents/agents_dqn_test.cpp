#include <gtest/gtest.h>

#include <cerrno>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "file_size_limit.hpp"
#include "greenwave/agents/baselines.hpp"
#include "greenwave/agents/dqn.hpp"
#include "greenwave/agents/trainer.hpp"
#include "greenwave/agents/wsm.hpp"
#include "greenwave/core/error.hpp"
#include "toy_env.hpp"

namespace greenwave {
namespace {

using toy::ToyBandit;
namespace fs = std::filesystem;

DqnConfig small_config() {
  DqnConfig c;
  c.hidden_sizes = {32, 32};
  c.batch_size = 32;
  c.learning_starts = 32;
  c.epsilon_decay_steps = 200;
  c.target_update_interval = 50;
  c.gamma = 0.5;
  c.buffer_size = 1000;
  c.seed = 1;
  return c;
}

const DqnShape kToyShape{4, 3, 2};

fs::path temp_dir(const std::string& name) {
  const fs::path dir = fs::path(GREENWAVE_BINARY_DIR) / "test_tmp" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Trains for `episodes` episodes; returns the mean loss of each episode that had updates.
std::vector<double> train(Env& env, DqnAgent& agent, int episodes, int first_seed = 0) {
  std::vector<double> losses;
  for (int e = 0; e < episodes; ++e) {
    const EpisodeResult r = run_episode(env, agent, static_cast<std::uint64_t>(first_seed + e), true, true);
    if (r.train.updates > 0) losses.push_back(r.train.loss);
  }
  return losses;
}

double mean(const std::vector<double>& v, std::size_t first, std::size_t count) {
  return std::accumulate(v.begin() + static_cast<std::ptrdiff_t>(first),
                         v.begin() + static_cast<std::ptrdiff_t>(first + count), 0.0) / static_cast<double>(count);
}

struct Variant {
  const char* name;
  void (*apply)(DqnConfig&);
  bool terminal;
};

class DqnLearns : public ::testing::TestWithParam<Variant> {};

TEST_P(DqnLearns, LossFallsGreedyBeatsRandomAndTheCheckpointReloadsIdentically) {
  DqnConfig c = small_config();
  GetParam().apply(c);
  ToyBandit env(8, GetParam().terminal);
  DqnAgent agent(c, kToyShape);
  const std::vector<double> losses = train(env, agent, 80);
  ASSERT_GE(losses.size(), 20u);
  const double early = mean(losses, 0, 5);
  const double late = mean(losses, losses.size() - 5, 5);
  EXPECT_LT(late, 0.5 * early) << "early " << early << " late " << late;

  RandomAgent random(3);
  const double random_return = evaluate(env, random, 99, 10).total_reward;
  const double greedy_return = evaluate(env, agent, 99, 10).total_reward;
  // Perfect play earns 16 per episode, random about 6.7.
  EXPECT_GT(greedy_return, random_return + 5.0) << "greedy " << greedy_return << " random " << random_return;

  // The trained network of this variant (dueling head, etc.) reloads to the same Q-values.
  const fs::path path = temp_dir(std::string("dqn_learns_") + GetParam().name) / "last.pt";
  agent.save(path.string());
  std::vector<float> obs(40);
  Rng rng(4);
  for (auto& x : obs) x = static_cast<float>(rng.uniform());
  EXPECT_EQ(DqnAgent::load(path.string())->q_values(obs), agent.q_values(obs));
}

INSTANTIATE_TEST_SUITE_P(
    Variants, DqnLearns,
    ::testing::Values(Variant{"default", [](DqnConfig&) {}, false},
                      Variant{"terminal", [](DqnConfig&) {}, true},
                      Variant{"dueling", [](DqnConfig& c) { c.dueling = true; }, false},
                      Variant{"prioritized", [](DqnConfig& c) { c.prioritized = true; }, false},
                      Variant{"nstep3", [](DqnConfig& c) { c.n_step = 3; }, true},
                      Variant{"polyak", [](DqnConfig& c) { c.tau = 0.05; c.target_update_interval = 1; }, false},
                      Variant{"vanilla_target", [](DqnConfig& c) { c.double_dqn = false; }, false},
                      Variant{"no_clip_two_steps", [](DqnConfig& c) { c.max_grad_norm = 0; c.gradient_steps = 2; c.train_frequency = 2; }, false}),
    [](const ::testing::TestParamInfo<Variant>& p) { return std::string(p.param.name); });

TEST(Dqn, ActNeverChoosesMaskedActions) {
  DqnConfig c = small_config();
  DqnAgent agent(c, {4, 3, 1});
  Rng rng(5);
  std::vector<float> obs(4);
  std::vector<std::uint8_t> mask(3);
  std::vector<std::int32_t> action(1);
  for (int k = 0; k < 2000; ++k) {
    for (auto& x : obs) x = static_cast<float>(rng.uniform() * 4.0 - 2.0);
    do {
      for (auto& m : mask) m = static_cast<std::uint8_t>(rng.below(2));
    } while (mask[0] + mask[1] + mask[2] == 0);
    agent.act(obs, mask, action, /*explore=*/k % 2 == 0);  // epsilon is 1 at step 0: uniform
    ASSERT_EQ(mask[static_cast<std::size_t>(action[0])], 1) << "step " << k;
  }
}

TEST(Dqn, GreedyIsArgmaxOfMaskedQ) {
  DqnAgent agent(small_config(), {4, 3, 1});
  const std::vector<float> obs = {0.5f, -1.0f, 2.0f, 0.25f};
  const std::vector<float> q = agent.q_values(obs);
  ASSERT_EQ(q.size(), 3u);
  std::vector<std::int32_t> action(1);
  for (int masked = 0; masked < 3; ++masked) {
    std::vector<std::uint8_t> mask{1, 1, 1};
    mask[static_cast<std::size_t>(masked)] = 0;
    int best = -1;
    for (int a = 0; a < 3; ++a)
      if (a != masked && (best < 0 || q[static_cast<std::size_t>(a)] > q[static_cast<std::size_t>(best)])) best = a;
    agent.act(obs, mask, action, false);
    EXPECT_EQ(action[0], best);
  }
}

TEST(Dqn, TerminalRowsWithEmptyNextMaskGiveFiniteLoss) {
  DqnConfig c = small_config();
  c.batch_size = 4;
  DqnAgent agent(c, {1, 2, 1});
  const float obs[] = {1.0f}, next_obs[] = {2.0f}, reward[] = {1.0f};
  const std::int32_t action[] = {0};
  const std::uint8_t mask[] = {0, 0}, term[] = {1}, trunc[] = {0};
  agent.observe({obs, action, reward, next_obs, mask, term, trunc});
  EXPECT_TRUE(std::isfinite(agent.update()));
}

// A dueling head with no hidden layer and fixed weights, on obs x = (2, 3):
//   V = 0.5*2 - 1*3 + 2 = 0;  A = (1*2 + 0*3 + 0, 0*2 + 1*3 + 1, 1*2 + 1*3 - 3) = (2, 4, 2).
// All allowed: Q = V + A - (2+4+2)/3 = (-2/3, 4/3, -2/3). Mask (1, 0, 1): the mean is over the
// allowed advantages, (2+2)/2 = 2, so Q = (0, 2, 0); mask (1, 1, 0): mean 3, Q = (-1, 1, -1).
std::unique_ptr<DqnAgent> fixed_dueling_agent() {
  DqnConfig c = small_config();
  c.hidden_sizes = {};
  c.dueling = true;
  c.batch_size = 4;
  auto agent = std::make_unique<DqnAgent>(c, DqnShape{2, 3, 1});
  // Registration order: value (weight 1x2, bias 1), then advantage (weight 3x2, bias 3).
  agent->set_parameters(std::vector<double>{0.5, -1, 2, 1, 0, 0, 1, 1, 1, 0, 1, -3});
  return agent;
}

TEST(Dqn, DuelingAdvantageMeanIsOverAllowedActions) {
  const auto agent_ptr = fixed_dueling_agent();
  const DqnAgent& agent = *agent_ptr;
  const std::vector<float> obs = {2, 3};
  const auto near = [](const std::vector<float>& got, const std::vector<float>& want) {
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6) << "action " << i;
  };
  near(agent.q_values(obs), {-2.0f / 3, 4.0f / 3, -2.0f / 3});
  near(agent.q_values(obs, std::vector<std::uint8_t>{1, 1, 1}), {-2.0f / 3, 4.0f / 3, -2.0f / 3});
  near(agent.q_values(obs, std::vector<std::uint8_t>{1, 0, 1}), {0, 2, 0});
  near(agent.q_values(obs, std::vector<std::uint8_t>{1, 1, 0}), {-1, 1, -1});
}

// The update uses the mask the action was taken under: one terminated transition from x with
// mask (1, 0, 1), action 0, reward 1. Its target is exactly 1 and Q(x, 0) = 0 (above), so the
// Huber loss (delta 1) is 0.5 * 1^2 = 0.5; with the mean over all actions Q(x, 0) = -2/3 and
// the loss would be |-5/3| - 0.5 = 7/6.
TEST(Dqn, DuelingUpdateUsesTheMaskActedUnder) {
  const auto agent = fixed_dueling_agent();
  const float obs[] = {2, 3}, next_obs[] = {0, 0}, reward[] = {1};
  const std::int32_t action[] = {0};
  const std::uint8_t mask[] = {1, 0, 1}, next_mask[] = {1, 1, 1}, term[] = {1}, trunc[] = {0};
  agent->observe({obs, action, reward, next_obs, next_mask, term, trunc, {}, mask});
  EXPECT_NEAR(agent->update(), 0.5, 1e-6);
}

TEST(Dqn, SameSeedSameTrainingOtherSeedOtherTraining) {
  ToyBandit env_a, env_b, env_c;
  DqnConfig other = small_config();
  other.seed += 1;
  DqnAgent a(small_config(), kToyShape), b(small_config(), kToyShape), c(other, kToyShape);
  train(env_a, a, 10);
  train(env_b, b, 10);
  train(env_c, c, 10);
  EXPECT_EQ(a.parameters(), b.parameters());
  EXPECT_NE(a.parameters(), c.parameters());  // the seed reaches initialisation and exploration
}

TEST(DqnCheckpoint, ReloadGivesIdenticalQValues) {
  const fs::path dir = temp_dir("dqn_reload");
  ToyBandit env;
  DqnConfig c = small_config();
  c.prioritized = true;
  DqnAgent agent(c, kToyShape);
  train(env, agent, 10);
  agent.set_metadata(R"({"observation": "lane_count"})");
  agent.save((dir / "full.pt").string());
  agent.save((dir / "weights.pt").string(), CheckpointContents::WeightsOnly);
  std::vector<float> obs(40);
  Rng rng(3);
  for (auto& x : obs) x = static_cast<float>(rng.uniform());
  const std::vector<float> q = agent.q_values(obs);
  for (const char* file : {"full.pt", "weights.pt"}) {
    const auto loaded = DqnAgent::load((dir / file).string());
    EXPECT_EQ(loaded->q_values(obs), q) << file;
    EXPECT_EQ(dqn_config_to_json(loaded->config()), dqn_config_to_json(agent.config())) << file;
    EXPECT_EQ(loaded->metadata(), agent.metadata()) << file;
  }
  const auto full = DqnAgent::load((dir / "full.pt").string());
  EXPECT_EQ(full->counters().steps, agent.counters().steps);
  EXPECT_EQ(full->counters().updates, agent.counters().updates);
}

TEST(DqnCheckpoint, ResumeContinuesIdentically) {
  const fs::path dir = temp_dir("dqn_resume");
  DqnConfig c = small_config();
  c.prioritized = true;
  c.n_step = 3;
  c.tau = 0.5;
  c.target_update_interval = 7;
  ToyBandit env_a(8);
  DqnAgent a(c, kToyShape);
  // Stop mid-episode, with a partly filled n-step window and a non-trivial optimizer state.
  std::vector<float> obs(8), next_obs(8), rewards(2);
  std::vector<std::uint8_t> mask(6), next_mask(6), term(2), trunc(2);
  std::vector<std::int32_t> actions(2);
  StepInfo info;
  env_a.reset(11, obs, info);
  env_a.action_mask(mask);
  const auto step = [&](Env& env, DqnAgent& agent) {
    agent.act(obs, mask, actions, true);
    env.step(actions, next_obs, rewards, info);
    env.action_mask(next_mask);
    std::fill(term.begin(), term.end(), info.terminated);
    std::fill(trunc.begin(), trunc.end(), info.truncated);
    agent.observe({obs, actions, rewards, next_obs, next_mask, term, trunc});
    agent.train();
    obs.swap(next_obs);
    mask.swap(next_mask);
    if (info.terminated || info.truncated) {
      env.reset(static_cast<std::uint64_t>(agent.counters().steps), obs, info);
      env.action_mask(mask);
    }
  };
  for (int t = 0; t < 70; ++t) step(env_a, a);
  ASSERT_GT(a.counters().updates, 0);
  a.save((dir / "mid.pt").string());
  ToyBandit env_b = env_a;
  const std::vector<float> obs_at_save = obs;
  const std::vector<std::uint8_t> mask_at_save = mask;
  for (int t = 0; t < 60; ++t) step(env_a, a);
  const auto b = DqnAgent::load((dir / "mid.pt").string());
  obs = obs_at_save;
  mask = mask_at_save;
  for (int t = 0; t < 60; ++t) step(env_b, *b);
  EXPECT_EQ(b->counters().updates, a.counters().updates);
  EXPECT_EQ(b->parameters(), a.parameters());
}

TEST(DqnCheckpoint, MissingOrForeignFileIsAConfigError) {
  const fs::path dir = temp_dir("dqn_bad");
  EXPECT_THROW(DqnAgent::load((dir / "none.pt").string()), ConfigError);
  {
    std::FILE* f = std::fopen((dir / "junk.pt").c_str(), "w");
    std::fputs("not a checkpoint", f);
    std::fclose(f);
  }
  EXPECT_THROW(DqnAgent::load((dir / "junk.pt").string()), ConfigError);
}

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// LibTorch's archive writer retries a failed write in its destructor and aborts the process
// when that throws; the save must instead report the OS reason and keep the earlier file.
TEST(DqnCheckpoint, AFullDiskKeepsThePreviousCheckpoint) {
  const fs::path dir = temp_dir("dqn_full");
  const std::string path = (dir / "last.pt").string();
  ToyBandit env;
  DqnAgent agent(small_config(), kToyShape);
  train(env, agent, 5);
  agent.save(path);
  const std::string earlier = file_bytes(path);
  train(env, agent, 5);
  try {
    const testing::FileSizeLimit limit(earlier.size() / 2);
    agent.save(path);
    FAIL() << "a checkpoint twice the limit was written";
  } catch (const IoError& e) {
    EXPECT_EQ(e.error_number(), EFBIG);
    EXPECT_STREQ(e.what(), (path + ": cannot write the checkpoint: File too large").c_str());
  }
  EXPECT_EQ(file_bytes(path), earlier);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);  // no temporary left
  EXPECT_NO_THROW(DqnAgent::load(path));
}

TEST(DqnCheckpoint, ATruncatedOrAlteredCheckpointIsRefused) {
  const fs::path dir = temp_dir("dqn_corrupt");
  ToyBandit env;
  DqnAgent agent(small_config(), kToyShape);
  train(env, agent, 5);
  agent.save((dir / "good.pt").string());
  const std::string bytes = file_bytes(dir / "good.pt");
  std::ofstream(dir / "cut.pt", std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  std::string altered = bytes;
  for (std::size_t i = altered.size() / 4; i < altered.size() / 4 + 64; ++i) altered[i] = static_cast<char>(~altered[i]);
  std::ofstream(dir / "altered.pt", std::ios::binary).write(altered.data(), static_cast<std::streamsize>(altered.size()));
  for (const char* name : {"cut.pt", "altered.pt"}) {
    const std::string path = (dir / name).string();
    try {
      DqnAgent::load(path);
      ADD_FAILURE() << name << " was loaded";
    } catch (const ConfigError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("checkpoint: " + path + ": ", 0), 0u) << e.what();
    }
  }
}

TEST(DqnMerge, KnownUpdatesMergeToExpectedParameters) {
  // θ_j = θ_0 + j g for checkpoints j = 0..4: the merge is θ_0 + (Σ_j c_j j) g.
  const fs::path dir = temp_dir("dqn_merge");
  DqnAgent agent(small_config(), kToyShape);
  const std::vector<float> theta0 = agent.parameters();
  std::vector<double> g(theta0.size());
  for (std::size_t i = 0; i < g.size(); ++i) g[i] = static_cast<double>(static_cast<int>(i % 7) - 3) / 64.0;
  std::vector<std::string> paths;
  for (int j = 0; j < 5; ++j) {
    std::vector<double> theta(theta0.size());
    for (std::size_t i = 0; i < theta.size(); ++i) theta[i] = static_cast<double>(theta0[i]) + j * g[i];
    agent.set_parameters(theta);
    paths.push_back((dir / ("ckpt" + std::to_string(j) + ".pt")).string());
    agent.save(paths.back(), CheckpointContents::WeightsOnly);
  }
  for (const DecayShape shape : {DecayShape::Linear, DecayShape::Cosine, DecayShape::Ema}) {
    const std::vector<double> c = wsm_merge_weights(shape, 5);
    merge_checkpoints(paths, c, (dir / "merged.pt").string());
    double s = 0;
    for (int j = 0; j < 5; ++j) s += c[static_cast<std::size_t>(j)] * j;
    const std::vector<float> merged = DqnAgent::load((dir / "merged.pt").string())->parameters();
    ASSERT_EQ(merged.size(), theta0.size());
    for (std::size_t i = 0; i < merged.size(); ++i) {
      // θ_j were stored as float32, so each is exact to float rounding; the sum is in double.
      const float expected = static_cast<float>(static_cast<double>(theta0[i]) + s * g[i]);
      ASSERT_NEAR(merged[i], expected, 1e-6) << "parameter " << i;
    }
  }
  EXPECT_THROW(merge_checkpoints(paths, std::vector<double>{1.0}, (dir / "x.pt").string()), ConfigError);
  DqnConfig wide = small_config();
  wide.hidden_sizes = {16};
  DqnAgent other(wide, kToyShape);
  other.save((dir / "other.pt").string(), CheckpointContents::WeightsOnly);
  const std::vector<std::string> mixed = {paths[0], (dir / "other.pt").string()};
  EXPECT_THROW(merge_checkpoints(mixed, std::vector<double>{0.5, 0.5}, (dir / "x.pt").string()), ConfigError);
}

TEST(DqnDevice, CudaWithoutCudaIsAConfigError) {
  EXPECT_EQ(resolve_device("cpu"), "cpu");
  EXPECT_THROW(resolve_device("tpu"), ConfigError);
  if (resolve_device("auto") == "cuda") GTEST_SKIP() << "this LibTorch sees a GPU";
  try {
    resolve_device("cuda");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.field(), "device");
  }
  DqnConfig c = small_config();
  c.device = "cuda";
  EXPECT_THROW((DqnAgent{c, kToyShape}), ConfigError);
}

TEST(DqnConfigJson, RoundTripsAndRejectsBadInput) {
  DqnConfig c;
  c.hidden_sizes = {7, 9, 11};
  c.dueling = true;
  c.n_step = 4;
  c.device = "auto";
  c.seed = 12345678901ULL;
  const DqnConfig back = dqn_config_from_json(dqn_config_to_json(c));
  EXPECT_EQ(back.hidden_sizes, c.hidden_sizes);
  EXPECT_TRUE(back.dueling);
  EXPECT_EQ(back.n_step, 4);
  EXPECT_EQ(back.seed, c.seed);
  EXPECT_EQ(dqn_config_to_json(back), dqn_config_to_json(c));
  EXPECT_EQ(dqn_config_from_json("{}").buffer_size, 5000);  // LibSignal's defaults
  EXPECT_DOUBLE_EQ(dqn_config_from_json("{}").gamma, 0.95);
  const auto field_of = [](const std::string& json) {
    try {
      dqn_config_from_json(json);
    } catch (const ConfigError& e) {
      return e.field();
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(field_of(R"({"gama": 0.9})"), "gama");
  EXPECT_EQ(field_of(R"({"gamma": 1.5})"), "gamma");
  EXPECT_EQ(field_of(R"({"batch_size": "big"})"), "batch_size");
  EXPECT_EQ(field_of(R"({"device": "tpu"})"), "device");
  EXPECT_EQ(field_of("[1, 2]"), "config");
}

}  // namespace
}  // namespace greenwave
