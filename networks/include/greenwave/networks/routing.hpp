// Shortest free-flow-time routes over the road graph (Boost.Graph), for flows given by
// origin/destination or by anchor roads with gaps.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "greenwave/v1/scenario.pb.h"

namespace greenwave {

/// A road-to-road graph of one native scenario: road A -> road B when some movement leads
/// from a lane of A to a lane of B; edge weight = free-flow time of B (length / speed limit).
class RoadGraph {
 public:
  /// Builds the graph; the scenario must already be validated (ids resolve).
  explicit RoadGraph(const v1::Scenario& scenario);
  ~RoadGraph();
  RoadGraph(const RoadGraph&) = delete;
  RoadGraph& operator=(const RoadGraph&) = delete;

  /// Free-flow time of a road (length / highest lane speed limit, seconds), or nullopt when unknown.
  std::optional<double> free_flow_time(const std::string& road) const;
  /// True when a movement connects road `from` directly to road `to`.
  bool connected(const std::string& from, const std::string& to) const;
  /// Shortest route from road `from` to road `to` (both included), or nullopt when unreachable.
  std::optional<std::vector<std::string>> shortest_route(const std::string& from, const std::string& to) const;
  /// Shortest routes from road `from` to each road of `to` with one search (entry k answers
  /// to[k]; nullopt when unreachable or unknown); each equals shortest_route(from, to[k]).
  std::vector<std::optional<std::vector<std::string>>> shortest_routes(const std::string& from,
                                                                       const std::vector<std::string>& to) const;
  /// Expands anchor roads into a full route: consecutive anchors that are not directly
  /// connected are joined by shortest paths. nullopt when some gap cannot be bridged.
  std::optional<std::vector<std::string>> complete_route(const std::vector<std::string>& anchors) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace greenwave
