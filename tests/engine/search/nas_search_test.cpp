// greenwave::nas search: NasSearchEnv's spec, masks, rewards and episode ends, and the search
// methods, on a predictor whose score is the sum of the genes (worked by hand).
#include <gtest/gtest.h>

#include <memory>

#include "greenwave/core/error.hpp"
#include "greenwave/nas/nas_search_env.hpp"
#include "greenwave/nas/search.hpp"

namespace greenwave::nas {
namespace {

// Predicts the sum of the genes.
class SumModel final : public Model {
 public:
  void fit(const Eigen::MatrixXd&, const Eigen::VectorXd&) override {}
  Eigen::VectorXd predict(const Eigen::MatrixXd& genes) const override { return genes.rowwise().sum(); }
  nlohmann::json to_json() const override { return {}; }
  std::string name() const override { return "sum"; }
};

// Genes 0 and 2 take 1, 2 or 3; gene 1 is fixed at 7.
std::shared_ptr<Predictor> sum_predictor(bool lower_is_better) {
  auto p = std::make_shared<Predictor>();
  p->model = std::make_unique<SumModel>();
  p->lower_is_better = lower_is_better;
  p->domains = {{1, 2, 3}, {7}, {1, 2, 3}};
  p->reference = Eigen::Vector3d(1, 7, 1);
  return p;
}

TEST(NasSearchEnv, SpecMaskRewardAndEnds) {
  NasSearchEnv env(sum_predictor(false), {3, 0.5});
  const EnvSpec& spec = env.spec();
  ASSERT_EQ(spec.observation.size(), 3 + 3 + 1);
  ASSERT_EQ(spec.max_actions, 3 + 3 + 1);  // (gene 0, value), (gene 2, value), stop
  std::vector<float> obs(7);
  StepInfo info;
  env.reset(5, obs, info);
  const double g0 = env.genes()[0], g2 = env.genes()[2];
  EXPECT_EQ(env.genes()[1], 7);
  // The one-hot marks the held values; nothing of the budget is used yet.
  EXPECT_EQ(obs[static_cast<std::size_t>(g0 - 1)], 1.0f);
  EXPECT_EQ(obs[static_cast<std::size_t>(3 + g2 - 1)], 1.0f);
  EXPECT_EQ(obs[6], 0.0f);
  std::vector<std::uint8_t> mask(7);
  env.action_mask(mask);
  for (int a = 0; a < 3; ++a) EXPECT_EQ(mask[static_cast<std::size_t>(a)], a + 1 == g0 ? 0 : 1);
  EXPECT_EQ(mask[6], 1);
  // Set gene 0 to a value it does not hold: reward = 0.5 * (new - old).
  const int target = g0 == 3 ? 1 : 3;
  std::vector<float> reward(1);
  std::vector<std::int32_t> action = {target - 1};
  env.step(action, obs, reward, info);
  EXPECT_FLOAT_EQ(reward[0], static_cast<float>(0.5 * (target - g0)));
  EXPECT_EQ(info.metric_values[0], target + 7 + g2);  // score
  EXPECT_EQ(info.metric_values[3], 2);                // predictor calls: reset + one change
  EXPECT_FALSE(info.terminated || info.truncated);
  std::vector<std::int32_t> again = {target - 1};
  EXPECT_THROW(env.step(again, obs, reward, info), ActionError);  // masked now
  std::vector<std::int32_t> stop = {6};
  env.step(stop, obs, reward, info);
  EXPECT_TRUE(info.terminated);
  EXPECT_EQ(reward[0], 0.0f);
  EXPECT_THROW(env.step(stop, obs, reward, info), ActionError);
  // Three changes truncate the episode.
  env.reset(6, obs, info);
  for (int k = 0; k < 3; ++k) {
    env.action_mask(mask);
    std::vector<std::int32_t> change = {mask[3] ? 3 : 4};  // gene 2 to 1 (or 2)
    env.step(change, obs, reward, info);
  }
  EXPECT_TRUE(info.truncated);
}

TEST(NasSearchEnv, LowerIsBetterNegatesTheScore) {
  NasSearchEnv env(sum_predictor(true), {});
  std::vector<float> obs(7);
  StepInfo info;
  env.reset(1, obs, info);
  const double sum = env.genes().sum();
  EXPECT_EQ(info.metric_values[0], -sum);  // score
  EXPECT_EQ(info.metric_values[1], sum);   // prediction
}

TEST(NasSearch, MethodsFindTheMaximumOfNineArchitectures) {
  auto p = sum_predictor(false);
  SearchSpace space = SearchSpace::of(*p);
  EXPECT_EQ(space.free_genes, (std::vector<int>{0, 2}));
  ScoreRecorder random(*p);
  random_search(space, random, 200, 3);
  EXPECT_EQ(random.best_score(), 3 + 7 + 3);
  ScoreRecorder evolution(*p);
  regularized_evolution(space, evolution, 200, 5, 2, 3);
  EXPECT_EQ(evolution.best_score(), 3 + 7 + 3);
  EXPECT_EQ(evolution.best_genes(), Eigen::Vector3d(3, 7, 3));
  for (std::size_t i = 1; i < evolution.best_after().size(); ++i)
    EXPECT_GE(evolution.best_after()[i], evolution.best_after()[i - 1]);
  // A recorder with a limit counts every call but records only the first ones.
  ScoreRecorder limited(*p, 4);
  random_search(space, limited, 10, 3);
  EXPECT_EQ(limited.calls(), 10);
  EXPECT_EQ(limited.best_after().size(), 4u);
}

}  // namespace
}  // namespace greenwave::nas
