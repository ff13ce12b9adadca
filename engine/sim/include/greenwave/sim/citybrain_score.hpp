// The City Brain Challenge scoring rule over a delay-index time series.
#pragma once

#include <cstdint>
#include <span>

namespace greenwave {

/// One metric-period sample of a run: served vehicles and delay index at time t.
struct MetricSample {
  double time = 0;
  std::int64_t served_vehicles = 0;
  double delay_index = 1.0;
};

/// The result of the City Brain rule: the last sample whose delay index is <= threshold.
struct CityBrainScore {
  bool valid = false;              ///< false when no sample met the threshold
  double time = 0;                 ///< time of the scoring sample
  std::int64_t served_vehicles = 0;
  double delay_index = 0;
};

/// Applies the City Brain Challenge rule (REFERENCE.md §1): scan the samples in time order and
/// keep the last one with delay_index <= threshold (1.40 final round, 1.60 qualification).
/// The evaluator stops at the first sample above the threshold, so later samples never count.
CityBrainScore citybrain_score(std::span<const MetricSample> samples, double threshold);

/// The City Brain score of several episodes.
struct CityBrainSummary {
  double served_vehicles = 0;       ///< mean over all episodes, a disqualified one counting 0
  double delay_index = 0;           ///< mean over the qualified episodes (0 when none qualified)
  std::int64_t qualified = 0;       ///< episodes with a scoring sample
  std::int64_t disqualified = 0;    ///< episodes whose first sample was above the threshold
};

/// Summarises per-episode scores: a disqualified episode serves 0 vehicles, as the challenge
/// scores a run disqualified at its first sample.
CityBrainSummary summarize_citybrain(std::span<const CityBrainScore> episodes);

}  // namespace greenwave
