// Reservations that keep the steady-state step free of heap allocations (docs/simulator.md,
// "No allocation in the steady-state step").
#include <algorithm>
#include <cmath>
#include <limits>

#include "greenwave/sim/simulator.hpp"
#include "vehicles.hpp"

namespace greenwave {

void Simulator::reserve_capacity() {
  const RoadNetwork& net = *net_;
  const std::int32_t lanes = net.num_lanes();
  const std::int32_t drivables = lanes + net.num_movements();
  double min_length = std::numeric_limits<double>::infinity();
  for (const VehicleType& t : demand_->vehicle_types) min_length = std::min(min_length, t.length);
  if (!(min_length > 0) || !std::isfinite(min_length)) min_length = 1.0;  // no demand: any bound works
  // Vehicles on a lane never overlap, so a drivable holds at most length / shortest vehicle + 1;
  // one more absorbs vehicles held at a movement's end.
  if (static_cast<std::int32_t>(drivable_list_.size()) != drivables) drivable_list_.assign(drivables, {});
  std::size_t network_capacity = 0;
  for (std::int32_t d = 0; d < drivables; ++d) {
    const double length = d < lanes ? net.lane_length[d] : net.movement_length[d - lanes];
    const auto cap = static_cast<std::size_t>(std::floor(length / min_length)) + 2;
    drivable_list_[d].clear();
    drivable_list_[d].reserve(cap);
    network_capacity += cap;
  }
  // Vehicle slots: never more than the departures, nor (while no entry queue backs up) more than
  // the network holds.
  const std::size_t slots = std::min(demand_->departures.size(), network_capacity);
  veh_->clear(slots);
  movers_.clear();
  movers_.reserve(slots);
  // Entry queues: at most every departure whose first road holds the lane.
  if (static_cast<std::int32_t>(lane_entry_queue_.size()) != lanes) lane_entry_queue_.assign(lanes, {});
  std::vector<std::size_t> per_road(static_cast<std::size_t>(net.num_roads()), 0);
  for (const Departure& dep : demand_->departures) ++per_road[demand_->route(dep.route)[0]];
  for (LaneId l = 0; l < lanes; ++l) {
    lane_entry_queue_[l].clear();
    lane_entry_queue_[l].reserve(per_road[net.lane_road[l]]);
  }
  // One delay-index sample per metric period up to the horizon.
  const RunSettings& st = scenario_->settings;
  samples_.clear();
  samples_.reserve(static_cast<std::size_t>(std::ceil(st.horizon / std::max(st.metric_period, st.dt))) + 2);
}

}  // namespace greenwave
