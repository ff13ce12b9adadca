#include "greenwave/env/agent_topology.hpp"

namespace greenwave {

std::vector<AgentTopology> agent_topologies(const RoadNetwork& net) {
  std::vector<AgentTopology> agents;
  agents.reserve(net.signalized.size());
  for (const IntersectionId i : net.signalized) {
    AgentTopology a;
    a.intersection = i;
    for (RoadId r = 0; r < net.num_roads(); ++r) {
      for (const LaneId l : net.lanes_of(r)) {
        if (net.road_to[r] == i) a.incoming_lanes.push_back(l);
        if (net.road_from[r] == i) a.outgoing_lanes.push_back(l);
      }
    }
    for (MovementId m = net.intersection_movement_begin[i]; m < net.intersection_movement_begin[i + 1]; ++m)
      a.movements.push_back(m);
    a.first_phase = net.intersection_phase_begin[i];
    a.phase_count = net.phase_count(i);
    agents.push_back(std::move(a));
  }
  return agents;
}

}  // namespace greenwave
