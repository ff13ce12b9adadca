#include <gtest/gtest.h>

#include <numeric>

#include "greenwave/agents/wsm.hpp"
#include "greenwave/core/error.hpp"

namespace greenwave {
namespace {

TEST(WsmWeights, CosineTenCheckpointsMatchesPaper) {
  // REFERENCE.md §5: the published cosine weights for 10 checkpoints.
  const double expected[] = {0.024, 0.071, 0.111, 0.139, 0.155, 0.155, 0.139, 0.111, 0.071, 0.024};
  const auto c = wsm_merge_weights(DecayShape::Cosine, 10);
  ASSERT_EQ(c.size(), 10u);
  for (int j = 0; j < 10; ++j) EXPECT_NEAR(c[j], expected[j], 5e-4) << "checkpoint " << j;
}

TEST(WsmWeights, LinearIsUniform) {
  const auto c = wsm_merge_weights(DecayShape::Linear, 10);
  for (double x : c) EXPECT_NEAR(x, 0.1, 1e-12);
}

class WsmWeightsAllShapes : public ::testing::TestWithParam<DecayShape> {};

TEST_P(WsmWeightsAllShapes, NonNegativeAndSumToOne) {
  for (int n : {1, 2, 3, 10, 37}) {
    const auto c = wsm_merge_weights(GetParam(), n);
    ASSERT_EQ(static_cast<int>(c.size()), n);
    for (double x : c) EXPECT_GE(x, 0.0);
    EXPECT_NEAR(std::accumulate(c.begin(), c.end(), 0.0), 1.0, 1e-12);
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, WsmWeightsAllShapes,
                         ::testing::Values(DecayShape::Linear, DecayShape::Cosine,
                                           DecayShape::OneMinusSqrt, DecayShape::Ema));

TEST(WsmWeights, RejectsBadInput) {
  EXPECT_THROW(wsm_merge_weights(DecayShape::Cosine, 0), ConfigError);
  EXPECT_THROW(parse_decay_shape("step"), ConfigError);
  EXPECT_EQ(parse_decay_shape("1-sqrt"), DecayShape::OneMinusSqrt);
}

}  // namespace
}  // namespace greenwave
