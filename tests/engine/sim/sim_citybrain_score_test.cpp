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

// Three episodes: 300 served at 1.20, 500 at 1.30, one disqualified. Served = (300 + 500 + 0)
// / 3 = 266.67; delay index = (1.20 + 1.30) / 2 = 1.25 over the two that qualified.
TEST(CityBrainScore, SummaryCountsADisqualifiedEpisodeAsZeroServed) {
  const std::vector<CityBrainScore> episodes = {{true, 600, 300, 1.20}, {false, 0, 0, 0}, {true, 480, 500, 1.30}};
  const CityBrainSummary s = summarize_citybrain(episodes);
  EXPECT_DOUBLE_EQ(s.served_vehicles, 800.0 / 3.0);
  EXPECT_DOUBLE_EQ(s.delay_index, 1.25);
  EXPECT_EQ(s.qualified, 2);
  EXPECT_EQ(s.disqualified, 1);
}

TEST(CityBrainScore, SummaryOfOnlyDisqualifiedEpisodesServesNothing) {
  const std::vector<CityBrainScore> episodes = {{false, 0, 0, 0}, {false, 0, 0, 0}};
  const CityBrainSummary s = summarize_citybrain(episodes);
  EXPECT_EQ(s.served_vehicles, 0.0);
  EXPECT_EQ(s.qualified, 0);
  EXPECT_EQ(s.disqualified, 2);
}

}  // namespace
}  // namespace greenwave
