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

CityBrainSummary summarize_citybrain(std::span<const CityBrainScore> episodes) {
  CityBrainSummary out;
  for (const CityBrainScore& e : episodes) {
    if (!e.valid) {
      ++out.disqualified;
      continue;
    }
    ++out.qualified;
    out.served_vehicles += static_cast<double>(e.served_vehicles);
    out.delay_index += e.delay_index;
  }
  if (!episodes.empty()) out.served_vehicles /= static_cast<double>(episodes.size());
  if (out.qualified > 0) out.delay_index /= static_cast<double>(out.qualified);
  return out;
}

}  // namespace greenwave
