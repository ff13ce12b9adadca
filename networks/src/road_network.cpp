#include "greenwave/networks/road_network.hpp"

#include <algorithm>

#include "greenwave/core/rng.hpp"

namespace greenwave {
namespace {
std::int32_t find_id(const std::vector<std::string>& ids, const std::string& id) {
  const auto it = std::find(ids.begin(), ids.end(), id);
  return it == ids.end() ? kNone : static_cast<std::int32_t>(it - ids.begin());
}
}  // namespace

RoadId RoadNetwork::find_road(const std::string& id) const { return find_id(road_ids, id); }

IntersectionId RoadNetwork::find_intersection(const std::string& id) const {
  return find_id(intersection_ids, id);
}

}  // namespace greenwave

namespace greenwave {

std::vector<Departure> jitter_departures(std::span<const Departure> departures, double jitter, double horizon,
                                         double dt, std::uint64_t seed) {
  std::vector<Departure> out(departures.begin(), departures.end());
  if (jitter <= 0) return out;
  Rng rng(mix_seed(seed, kDemandJitterStream));
  const double last = std::max(0.0, horizon - dt);
  for (Departure& d : out) d.time = std::clamp(d.time + jitter * (2 * rng.uniform() - 1), 0.0, last);
  std::stable_sort(out.begin(), out.end(), [](const Departure& a, const Departure& b) { return a.time < b.time; });
  return out;
}

}  // namespace greenwave
