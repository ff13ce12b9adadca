#include "greenwave/networks/road_network.hpp"

#include <algorithm>

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
