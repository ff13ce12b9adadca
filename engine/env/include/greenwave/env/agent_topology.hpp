// What one traffic agent controls and reads: its intersection's lanes, movements and phases.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "greenwave/networks/road_network.hpp"

namespace greenwave {

/// The lanes, movements and phases of one signalized intersection, precomputed once so that
/// observations and rewards gather from flat id lists.
struct AgentTopology {
  IntersectionId intersection = kNone;  ///< the controlled intersection
  std::vector<LaneId> incoming_lanes;   ///< lanes of roads ending here, ascending lane id
  std::vector<LaneId> outgoing_lanes;   ///< lanes of roads starting here, ascending lane id
  std::vector<MovementId> movements;    ///< the intersection's movements, ascending id
  PhaseId first_phase = 0;              ///< global id of local phase 0
  std::int32_t phase_count = 0;         ///< number of local phases (= discrete actions)
};

/// One topology per signalized intersection, in RoadNetwork::signalized order (the agent order).
std::vector<AgentTopology> agent_topologies(const RoadNetwork& net);

}  // namespace greenwave
