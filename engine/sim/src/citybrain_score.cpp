#include "greenwave/sim/citybrain_score.hpp"

namespace greenwave {

CityBrainScore citybrain_score(std::span<const MetricSample> samples, double threshold) {
  CityBrainScore score;
  for (const MetricSample& s : samples) {
    if (s.delay_index > threshold) break;
    score = {true, s.time, s.served_vehicles, s.delay_index};
  }
  return score;
}

}  // namespace greenwave
