// Private to engine/sim: path planning, used by several stages. Reads the model and a vehicle's
// route position; refresh_next writes StepIndex::next of that vehicle only. Inline: the action
// and leader stages call it per vehicle.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <limits>

#include "sim_state.hpp"

namespace greenwave::sim {

/// A position along a vehicle's planned path.
struct Cursor {
  std::int32_t drivable;
  std::int32_t route_pos;
};

/// The drivable after `at` on vehicle v's path ({kNone, ...} at the end of its route).
inline Cursor next_drivable(const SimModel& model, const SimState& st, std::int32_t v, Cursor at) {
  const RoadNetwork& net = *model.net;
  const std::int32_t lanes = net.num_lanes();
  if (at.drivable >= lanes) return {net.movement_to_lane[at.drivable - lanes], at.route_pos + 1};
  const auto route = model.demand->route(st.vehicles.route[v]);
  const std::int32_t p = at.route_pos;
  if (p + 1 >= static_cast<std::int32_t>(route.size())) return {kNone, p};
  const RoadId next_road = route[p + 1];
  const RoadId after = p + 2 < static_cast<std::int32_t>(route.size()) ? route[p + 2] : kNone;
  // CityFlow's choice: among links to the next road (preferring those whose end lane continues
  // to the road after), the one whose end lane index is closest to the current lane index.
  MovementId best = kNone, best_any = kNone;
  int best_diff = std::numeric_limits<int>::max(), best_any_diff = best_diff;
  const int cur_index = net.lane_index[at.drivable];
  for (MovementId m : net.movements_from(at.drivable)) {
    const LaneId to = net.movement_to_lane[m];
    if (net.lane_road[to] != next_road) continue;
    const int diff = std::abs(net.lane_index[to] - cur_index);
    if (diff < best_any_diff) best_any_diff = diff, best_any = m;
    if (after != kNone) {
      bool continues = false;
      for (MovementId m2 : net.movements_from(to)) continues = continues || net.lane_road[net.movement_to_lane[m2]] == after;
      if (!continues) continue;
    }
    if (diff < best_diff) best_diff = diff, best = m;
  }
  if (best == kNone) best = best_any;
  if (best == kNone) return {kNone, p};
  return {lanes + best, p};
}

/// next_drivable from v's current position, from the per-vehicle cache StepIndex::next.
inline Cursor next_of(const SimModel& model, const SimState& st, std::int32_t v) {
  const std::int32_t n = st.index.next[v];
  return {n, st.vehicles.route_pos[v] + (n != kNone && n < model.net->num_lanes() ? 1 : 0)};
}

/// Recomputes StepIndex::next[v] after v's drivable or route position changed (v's own slot only).
inline void refresh_next(const SimModel& model, SimState& st, std::int32_t v) {
  st.index.next[v] = next_drivable(model, st, v, {st.vehicles.drivable[v], st.vehicles.route_pos[v]}).drivable;
}

}  // namespace greenwave::sim
