#include <gtest/gtest.h>

#include <vector>

#include "greenwave/sim/citybrain_score.hpp"

namespace greenwave {
namespace {

TEST(CityBrainScore, KeepsLastSampleBelowThresholdAndStopsAtFirstAbove) {
  const std::vector<MetricSample> samples = {
      {120, 100, 1.10}, {240, 220, 1.35}, {360, 330, 1.45}, {480, 400, 1.30}};
  const auto score = citybrain_score(samples, 1.40);
  ASSERT_TRUE(score.valid);
  EXPECT_EQ(score.time, 240);
  EXPECT_EQ(score.served_vehicles, 220);
  EXPECT_DOUBLE_EQ(score.delay_index, 1.35);
}

TEST(CityBrainScore, ThresholdIsInclusive) {
  const std::vector<MetricSample> samples = {{120, 10, 1.40}};
  EXPECT_TRUE(citybrain_score(samples, 1.40).valid);
}

TEST(CityBrainScore, InvalidWhenFirstSampleFails) {
  const std::vector<MetricSample> samples = {{120, 10, 1.7}, {240, 20, 1.2}};
  EXPECT_FALSE(citybrain_score(samples, 1.60).valid);
}

}  // namespace
}  // namespace greenwave
