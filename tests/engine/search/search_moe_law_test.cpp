// The EL law against the paper's published figures. Expected values are worked by hand from
// REFERENCE.md §4 (the steps are in the comments), never read back from the code.
#include <gtest/gtest.h>

#include <cmath>

#include "greenwave/core/error.hpp"
#include "greenwave/search/moe/moe_law.hpp"

namespace greenwave::moe {
namespace {

// Ling-mini-beta (REFERENCE.md §4): 20 layers, d_model 2048, d_expert 384, E 384, E_a 12, E_s 1.
MoeConfig ling_mini_beta() { return {384, 12, 1, 2048, 384, 20, 1}; }

TEST(MoeLaw, PublishedOverSevenTimesAtThreePercentActivation) {
  // alpha = 1.23 - 0.0761 * 22 = -0.4442; log2 12 = 3.5850; exponent = -0.4442
  // + 0.0167 * 3.5850^2 (0.2146) - 0.117 * 3.5850 (-0.4194) = -0.6490.
  // A^ = 1 / (1 / (0.031 + 1 / (61.350 - 1.9e-17)) + 1.9e-17) = 0.031 + 0.0163 = 0.0473.
  // EL = 0.0473^-0.6490 = exp(0.6490 * 3.0512) = 7.245 (the paper: "over 7x", 7.25).
  EXPECT_NEAR(efficiency_leverage(0.031, 12.0, 1e22), 7.245, 0.01);
}

TEST(MoeLaw, LingMiniBetaRatiosParametersAndLeverage) {
  const MoeConfig c = ling_mini_beta();
  EXPECT_DOUBLE_EQ(activation_ratio(c), 13.0 / 385.0);  // (12 + 1) / (384 + 1)
  EXPECT_DOUBLE_EQ(sharing_ratio(c), 1.0 / 13.0);
  EXPECT_DOUBLE_EQ(granularity(c), 4096.0 / 384.0);     // 10.667
  // Per expert 3 * 2048 * 384 = 2,359,296; attention 2.5 * 2048^2 = 10,485,760 per layer.
  // Total: 20 * 10.486M + 19 MoE layers * (router 2048 * 384 + 385 * 2.359M) + the dense layer's
  // 13 * 2.359M = 209.7M + 17,272.5M + 30.7M = 17.514B (the paper: 17.5B).
  // Active: 209.7M + 19 * (0.786M + 13 * 2.359M) + 30.7M = 0.838B (the paper: 0.85B).
  const ParamCount p = parameter_count(c);
  EXPECT_NEAR(p.total / 1e9, 17.5, 0.175);   // within 1%
  EXPECT_NEAR(p.active / 1e9, 0.85, 0.017);  // within 2%
  // At C = 1e22: exponent = -0.4442 + 0.0167 * 3.4150^2 - 0.117 * 3.4150 = -0.6489;
  // A^ = 0.03377 + 0.0163 = 0.05007; EL = exp(0.6489 * 2.9943) = 6.98 (the paper: ~7x).
  EXPECT_NEAR(efficiency_leverage(c, 1e22), 6.98, 0.02);
}

TEST(MoeLaw, FullActivationHasNoLeverage) {
  // A = 1: A^ = 1.0163, so EL = 1.0163^exponent with |exponent| < 1: within 2% of 1.
  for (const double g : {1.0, 4.0, 12.0, 32.0})
    for (const double c : {1e18, 1e21, 1e24}) EXPECT_NEAR(efficiency_leverage(1.0, g, c), 1.0, 0.02) << g << " " << c;
}

TEST(MoeLaw, OptimalGranularityIsTheSameForEveryCompute) {
  // d exponent / d log2 G = 2 * 0.0167 * L - 0.117 = 0 at L = 3.5030, G = 2^3.5030 = 11.34.
  EXPECT_NEAR(optimal_granularity(), 11.34, 0.01);
  for (const double c : {1e18, 1e20, 1e22, 1e24}) {
    const double best = efficiency_leverage(0.03, 11.337, c);
    for (const double g : {8.0, 10.0, 10.9, 11.8, 13.0, 16.0}) EXPECT_GT(best, efficiency_leverage(0.03, g, c)) << g << " at " << c;
  }
}

TEST(MoeLaw, LeverageRisesWithComputeAndFallsWithActivation) {
  double previous = 0;
  for (const double c : {1e18, 1e19, 1e20, 1e21, 1e22, 1e23, 1e24}) {
    const double el = efficiency_leverage(0.05, 12.0, c);
    EXPECT_GT(el, previous) << c;
    previous = el;
  }
  previous = 1e9;
  for (const double a : {0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0}) {
    const double el = efficiency_leverage(a, 12.0, 1e22);
    EXPECT_LT(el, previous) << a;
    previous = el;
  }
}

TEST(MoeLaw, ComputeOptimalLaws) {
  // At C = 1e22 by hand: lr = 1.1576 * 10^(-22 * 0.1529) = 1.1576 * 10^-3.3638 = 5.009e-4;
  // B = 0.0694 * 10^8.0168 = 7.214e6 tokens; M_opt = 0.1915 * 10^11.209 = 3.099e10;
  // D_opt = 5.2232 * 10^10.791 = 3.228e11; dense M_opt = 0.0655 * 10^11.9284 = 5.554e10,
  // D_opt = 15.2582 * 10^10.0716 = 1.799e11.
  const ComputeOptimal m = compute_optimal_moe(1e22);
  EXPECT_NEAR(m.learning_rate, 5.009e-4, 0.001e-4);
  EXPECT_NEAR(m.batch_tokens / 1e6, 7.214, 0.005);
  EXPECT_NEAR(m.flops_per_token / 1e10, 3.099, 0.002);
  EXPECT_NEAR(m.tokens / 1e11, 3.228, 0.002);
  const ComputeOptimal d = compute_optimal_dense(1e22);
  EXPECT_NEAR(d.flops_per_token / 1e10, 5.554, 0.002);
  EXPECT_NEAR(d.tokens / 1e11, 1.799, 0.002);
  EXPECT_TRUE(std::isnan(d.learning_rate));
  // M_opt * D_opt = C (0.1915 * 5.2232 = 1.0002; the exponents add to 1).
  EXPECT_NEAR(m.flops_per_token * m.tokens / 1e22, 1.0, 0.001);
}

TEST(MoeLaw, FlopsPerTokenCountsWeightsAndAttention) {
  // 6 * 0.838B + 6 * 20 * 2048 * 4096 = 5.029e9 + 1.007e9 = 6.035e9.
  EXPECT_NEAR(flops_per_token(ling_mini_beta()) / 1e9, 6.035, 0.01);
}

TEST(MoeLaw, BadConfigurationsAndInputsNameTheirField) {
  const auto field_of = [](auto&& f) {
    try {
      f();
    } catch (const ConfigError& e) {
      return e.field();
    }
    return std::string("no error");
  };
  MoeConfig c = ling_mini_beta();
  c.active_experts = 400;
  EXPECT_EQ(field_of([&] { validate(c); }), "active_experts");
  c = ling_mini_beta();
  c.experts = 0;
  EXPECT_EQ(field_of([&] { parameter_count(c); }), "experts");
  c = ling_mini_beta();
  c.shared_experts = -1;
  EXPECT_EQ(field_of([&] { activation_ratio(c); }), "shared_experts");
  c = ling_mini_beta();
  c.dense_layers = 20;
  EXPECT_EQ(field_of([&] { validate(c); }), "dense_layers");
  EXPECT_EQ(field_of([] { efficiency_leverage(0.0, 12, 1e22); }), "activation_ratio");
  EXPECT_EQ(field_of([] { efficiency_leverage(1.5, 12, 1e22); }), "activation_ratio");
  EXPECT_EQ(field_of([] { efficiency_leverage(0.1, -1, 1e22); }), "granularity");
  EXPECT_EQ(field_of([] { efficiency_leverage(0.1, 12, 0); }), "compute");
  EXPECT_EQ(field_of([] { compute_optimal_moe(NAN); }), "compute");
}

}  // namespace
}  // namespace greenwave::moe
