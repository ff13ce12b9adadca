// The grid searches and MoeConfigEnv on a grid small enough to solve by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "greenwave/core/error.hpp"
#include "greenwave/search/moe/moe_env.hpp"
#include "greenwave/search/moe/moe_search.hpp"

namespace greenwave::moe {
namespace {

// Two layers, no dense layer, d_model 2048, d_expert 512 (G = 8), E in {8, 64}, E_a in {1, 8}.
// Total parameters by hand: 2 * (2.5 * 2048^2 + 2048 E + E * 3 * 2048 * 512):
// E = 8: 71,335,936; E = 64: 423,886,848. The 4 valid points: (8,1), (8,8), (64,1), (64,8).
SearchProblem tiny(double budget) {
  SearchProblem p;
  p.compute = 1e22;
  p.max_total_params = budget;
  p.layers = 2;
  p.dense_layers = 0;
  p.grid = {{8, 64}, {1, 8}, {0}, {512}};
  return p;
}

TEST(MoeSearch, ExhaustiveFindsTheHandOptimum) {
  EXPECT_EQ(valid_points(tiny(1e8)), 4);
  // Budget 1e8 admits only E = 8; the lower activation (E_a 1, A = 1/8) wins.
  SearchResult r = search_exhaustive(tiny(1e8));
  ASSERT_TRUE(r.found);
  EXPECT_EQ(r.evaluations, 4);
  EXPECT_EQ(r.config.experts, 8);
  EXPECT_EQ(r.config.active_experts, 1);
  EXPECT_DOUBLE_EQ(r.evaluation.params.total, 71335936.0);
  // Budget 1e9 admits E = 64: A = 1/64.
  r = search_exhaustive(tiny(1e9));
  EXPECT_EQ(r.config.experts, 64);
  EXPECT_EQ(r.config.active_experts, 1);
  // Budget 1e7 admits nothing.
  EXPECT_FALSE(search_exhaustive(tiny(1e7)).found);
}

TEST(MoeSearch, EvaluationsCountDistinctConfigurations) {
  EvaluationLog log(tiny(1e9));
  EXPECT_FALSE(log.seen(GridPoint{1, 0, 0, 0}));
  const double el = log.evaluate(GridPoint{1, 0, 0, 0}).efficiency_leverage;
  EXPECT_EQ(log.evaluate(GridPoint{1, 0, 0, 0}).efficiency_leverage, el);  // looked up, not counted
  EXPECT_TRUE(log.seen(GridPoint{1, 0, 0, 0}));
  EXPECT_EQ(log.evaluations(), 1);
  log.evaluate(GridPoint{0, 0, 0, 0});
  EXPECT_EQ(log.evaluations(), 2);
  EXPECT_EQ(log.result().config.experts, 64);  // A = 1/64 beats A = 1/8, both within 1e9
}

TEST(MoeSearch, RandomAndEvolutionSpendExactlyTheirEvaluations) {
  for (const std::int64_t n : {1, 3}) {
    EXPECT_EQ(search_random(tiny(1e9), n, 3).evaluations, n);
    EXPECT_EQ(search_evolution(tiny(1e9), n, 3, 4, 2).evaluations, n);
  }
  // Never evaluating a point twice, 4 evaluations cover the 4 valid points: the optimum, and
  // more evaluations than points stop at 4.
  for (const std::int64_t n : {4, 40}) {
    const SearchResult r = search_random(tiny(1e9), n, 3);
    EXPECT_EQ(r.evaluations, 4);
    EXPECT_EQ(r.config.experts, 64);
    EXPECT_EQ(r.config.active_experts, 1);
    const SearchResult e = search_evolution(tiny(1e9), n, 5, 2, 2);
    EXPECT_EQ(e.evaluations, 4);
    EXPECT_EQ(e.config.experts, 64);
    EXPECT_EQ(e.config.active_experts, 1);
  }
}

TEST(MoeSearch, BadProblemsNameTheirField) {
  const auto field_of = [](auto&& f) {
    try {
      f();
    } catch (const ConfigError& e) {
      return e.field();
    }
    return std::string("no error");
  };
  SearchProblem p = tiny(1e9);
  p.compute = -1;
  EXPECT_EQ(field_of([&] { search_exhaustive(p); }), "compute");
  p = tiny(0);
  EXPECT_EQ(field_of([&] { search_exhaustive(p); }), "max_total_params");
  p = tiny(1e9);
  p.grid.experts = {64, 8};
  EXPECT_EQ(field_of([&] { search_exhaustive(p); }), "experts");
  p = tiny(1e9);
  p.layers = 0;
  EXPECT_EQ(field_of([&] { search_exhaustive(p); }), "layers");
  EXPECT_EQ(field_of([] { search_random(tiny(1e9), 0, 1); }), "evaluations");
  EXPECT_EQ(field_of([] { search_evolution(tiny(1e9), 10, 1, 4, 5); }), "sample");
}

struct EnvHarness {
  explicit EnvHarness(SearchProblem p, std::int32_t steps = 24) : env(std::move(p), MoeEnvConfig{steps}) {}
  MoeConfigEnv env;
  std::vector<float> obs = std::vector<float>(44);
  std::vector<float> reward = std::vector<float>(1);
  StepInfo info;
  std::vector<std::uint8_t> mask() const {
    std::vector<std::uint8_t> m(9);
    env.action_mask(m);
    return m;
  }
  void step(MoeAction a) {
    const std::int32_t action = static_cast<std::int32_t>(a);
    env.step(std::span<const std::int32_t>(&action, 1), obs, reward, info);
  }
};

TEST(MoeConfigEnv, SpecMasksAndRewardByHand) {
  EnvHarness h(tiny(1e9));
  EXPECT_EQ(h.env.spec().num_agents(), 1);
  EXPECT_EQ(h.env.spec().max_actions, 9);
  EXPECT_EQ(h.env.spec().observation.size(), 44);
  // Find a seed that starts at (E 8, E_a 8).
  std::uint64_t seed = 0;
  for (;; ++seed) {
    h.env.reset(seed, h.obs, h.info);
    if (h.env.point() == GridPoint{0, 1, 0, 0}) break;
  }
  // Allowed: stop, E up (64 >= 8), E_a down; not E down, E_a up (off the grid), E_s, d_expert.
  EXPECT_EQ(h.mask(), (std::vector<std::uint8_t>{1, 1, 0, 0, 1, 0, 0, 0, 0}));
  EXPECT_FLOAT_EQ(h.obs[1], 0.0f);  // log10 A / 4 with A = 8 / 8
  EXPECT_FLOAT_EQ(h.obs[2], 3.0f / 8.0f);  // log2 G / 8 with G = 8
  // log2(71,335,936 / 1e9) / 4 = -3.80923 / 4; no active budget: -2.
  EXPECT_NEAR(h.obs[4], -0.952307f, 1e-5);
  EXPECT_FLOAT_EQ(h.obs[5], -2.0f);
  // The outlook of E up (obs 12..15) is (E 64, E_a 8): log10(8/64) / 4 = -0.225772, G unchanged,
  // log2(423,886,848 / 1e9) / 4 = -0.309562, -2.
  EXPECT_NEAR(h.obs[12], -0.225772f, 1e-5);
  EXPECT_FLOAT_EQ(h.obs[13], 3.0f / 8.0f);
  EXPECT_NEAR(h.obs[14], -0.309562f, 1e-5);
  EXPECT_FLOAT_EQ(h.obs[15], -2.0f);
  // E down (obs 16..19) is masked: it repeats the current point's four.
  EXPECT_FLOAT_EQ(h.obs[16], h.obs[1]);
  EXPECT_FLOAT_EQ(h.obs[17], h.obs[2]);
  EXPECT_FLOAT_EQ(h.obs[18], h.obs[4]);
  EXPECT_FLOAT_EQ(h.obs[19], h.obs[5]);
  EXPECT_EQ(h.env.target(static_cast<std::int32_t>(MoeAction::ExpertsUp)), (GridPoint{1, 1, 0, 0}));
  h.step(MoeAction::ActiveDown);
  // Both points are within budget, so the reward is ln EL(1/8, 8) - ln EL(1, 8) at 1e22:
  // exponent -0.4442 + 0.0167 * 9 - 0.117 * 3 = -0.6449; ln A^: ln 0.1413 = -1.9568 and
  // ln 1.0163 = 0.0162; reward = -0.6449 * (-1.9568 - 0.0162) = 1.2724.
  EXPECT_NEAR(h.reward[0], 1.2724, 1e-3);
  EXPECT_FALSE(h.info.terminated);
  // E_a 1 at E 8 now may go up again, and E may still grow.
  EXPECT_EQ(h.mask(), (std::vector<std::uint8_t>{1, 1, 0, 1, 0, 0, 0, 0, 0}));
  EXPECT_THROW(h.step(MoeAction::ExpertsDown), ActionError);
  h.step(MoeAction::Stop);
  EXPECT_TRUE(h.info.terminated);
  EXPECT_FLOAT_EQ(h.reward[0], 0.0f);
  const auto& names = h.env.metric_names();
  const auto metric = [&](const std::string& n) {
    return h.info.metric_values[static_cast<std::size_t>(std::find(names.begin(), names.end(), n) - names.begin())];
  };
  EXPECT_EQ(metric("evaluations"), 2);
  EXPECT_EQ(metric("within_budget"), 1);
  EXPECT_EQ(metric("active_experts"), 1);
  EXPECT_EQ(metric("best_feasible_efficiency_leverage"), metric("efficiency_leverage"));
  EXPECT_THROW(h.step(MoeAction::Stop), ActionError);
}

TEST(MoeConfigEnv, TruncatesAfterItsSteps) {
  EnvHarness h(tiny(1e9), 3);
  h.env.reset(1, h.obs, h.info);
  for (int k = 0; k < 3; ++k) {
    const std::vector<std::uint8_t> m = h.mask();
    const auto a = static_cast<MoeAction>(std::find(m.begin() + 1, m.end(), 1) - m.begin());
    h.step(a);
  }
  EXPECT_TRUE(h.info.truncated);
  EXPECT_FALSE(h.info.terminated);
  EXPECT_FLOAT_EQ(h.obs[7], 0.0f);  // no steps left
}

TEST(MoeConfigEnv, BudgetOvershootIsPenalised) {
  // Budget 1e8: moving from (8, 1) to (64, 1) overshoots 423,886,848 / 1e8 = 4.2389 times, so
  // the reward is ln EL(1/64) - ln EL(1/8) - 3 ln 4.2389. At 1e22, G = 8 the exponent is
  // -0.6449; A^(1/64) = 1/64 + 0.0163 = 0.031925 and A^(1/8) = 0.1413, so
  // ln EL(1/64) - ln EL(1/8) = -0.6449 (ln 0.031925 - ln 0.1413) = 0.95929, less 3 * 1.44430:
  // -3.3736.
  EnvHarness h(tiny(1e8));
  std::uint64_t seed = 0;
  for (;; ++seed) {
    h.env.reset(seed, h.obs, h.info);
    if (h.env.point() == GridPoint{0, 0, 0, 0}) break;
  }
  h.step(MoeAction::ExpertsUp);
  EXPECT_NEAR(h.reward[0], -3.3736f, 2e-3);
}

TEST(MoeConfigEnv, ResetAtStartsWhereAsked) {
  EnvHarness h(tiny(1e9));
  h.env.reset_at(GridPoint{1, 0, 0, 0}, h.obs, h.info);
  EXPECT_EQ(h.env.point(), (GridPoint{1, 0, 0, 0}));
  EXPECT_FLOAT_EQ(h.obs[7], 1.0f);  // every step left
  EXPECT_THROW(h.env.reset_at(GridPoint{0, 2, 0, 0}, h.obs, h.info), ConfigError);  // off the grid
}

}  // namespace
}  // namespace greenwave::moe
