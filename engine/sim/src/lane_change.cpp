// Stage 6, lane changes (RunSettings.lane_change; docs/simulator.md, "Lane changing"): a
// serial, deterministic pass after the commit, so results stay bit-identical for any thread
// count. Reads the committed Vehicles, the lists and the model; writes the lists, Vehicles
// (drivable, n_drivable, last_change, wait), StepIndex (occupied, next) and Accumulators::lane_changes.
#include <algorithm>

#include "route.hpp"
#include "sim_state.hpp"
#include "stages.hpp"

namespace greenwave::sim {
namespace {
constexpr double kLaneChangeCooldown = 5.0;  // s: at most one change per vehicle in this time
constexpr double kSlowRatio = 0.5;           // a leader below this share of the desired speed is slow
constexpr double kLookAheadTime = 3.0;       // s: a slow leader matters within desired speed x this

/// Moves vehicle v (list index index_in_lane on lane `from`) to a neighbour if the rule allows.
bool try_lane_change(const SimModel& model, SimState& st, std::int32_t v, LaneId from, std::int32_t index_in_lane) {
  Vehicles& s = st.vehicles;
  const RoadNetwork& net = *model.net;
  const double t = now(model, st);
  if (t - s.last_change[v] < kLaneChangeCooldown) return false;
  const VehicleType& vt = model.demand->vehicle_types[s.type[v]];
  if (s.dis[v] < vt.length) return false;  // its tail is still inside the intersection
  const std::int32_t ahead = st.lists[from][index_in_lane - 1];
  const double desired = std::min(vt.max_speed, net.lane_speed_limit[from]);
  const double gap = s.dis[ahead] - model.demand->vehicle_types[s.type[ahead]].length - s.dis[v];
  if (s.speed[ahead] >= kSlowRatio * desired || gap > desired * kLookAheadTime + vt.min_gap) return false;
  // It must still be able to stop before the end of the lane (the target's movement may be red).
  const double brake = 0.5 * s.speed[v] * s.speed[v] / vt.usual_neg_acc;
  if (net.lane_length[from] - s.dis[v] < brake + vt.min_gap + s.speed[v] * model.dt) return false;
  const auto route = model.demand->route(s.route[v]);
  const std::int32_t p = s.route_pos[v];
  const RoadId next_road = p + 1 < static_cast<std::int32_t>(route.size()) ? route[p + 1] : kNone;
  const IdRange road_lanes = net.lanes_of(net.lane_road[from]);

  // Candidates: the two neighbouring lanes (lower id first); the one with more room ahead wins.
  LaneId best = kNone;
  std::int32_t best_insert = 0;
  double best_room = 0;
  for (const LaneId to : {from - 1, from + 1}) {
    if (to < road_lanes.first || to >= road_lanes.last) continue;
    if (next_road != kNone) {
      bool serves = false;
      for (const MovementId m : net.movements_from(to)) serves = serves || net.lane_road[net.movement_to_lane[m]] == next_road;
      if (!serves) continue;
    }
    const auto target = st.lists[to];
    // Insertion point: vehicles at or beyond v's position stay ahead of it.
    std::int32_t j = 0;
    while (j < st.lists.size(to) && s.dis[target[j]] >= s.dis[v]) ++j;
    double room = net.lane_length[to] - s.dis[v];  // no vehicle ahead: the rest of the lane
    bool better = true;
    if (j > 0) {
      const std::int32_t a = target[j - 1];
      const VehicleType& at = model.demand->vehicle_types[s.type[a]];
      room = s.dis[a] - at.length - s.dis[v];
      // Safe ahead: v can stop behind it even if it brakes as hard as it can.
      const double need = vt.min_gap + s.speed[v] * model.dt +
                          std::max(0.0, 0.5 * s.speed[v] * s.speed[v] / vt.max_neg_acc - 0.5 * s.speed[a] * s.speed[a] / at.max_neg_acc);
      if (room < need) continue;
      better = s.speed[a] >= kSlowRatio * desired || room >= gap + vt.length + vt.min_gap;
    }
    if (!better) continue;
    if (j < st.lists.size(to)) {
      // Safe behind: the follower on the target lane can stop behind v.
      const std::int32_t b = target[j];
      const VehicleType& bt = model.demand->vehicle_types[s.type[b]];
      const double room_behind = s.dis[v] - vt.length - s.dis[b];
      const double need = bt.min_gap + s.speed[b] * model.dt +
                          std::max(0.0, 0.5 * s.speed[b] * s.speed[b] / bt.max_neg_acc - 0.5 * s.speed[v] * s.speed[v] / vt.max_neg_acc);
      if (room_behind < need) continue;
    }
    if (best == kNone || room > best_room) best = to, best_insert = j, best_room = room;
  }
  if (best == kNone) return false;
  st.lists.erase(from, index_in_lane);
  st.lists.insert(best, best_insert, v);
  mark_occupied(model, st, best);
  s.drivable[v] = best;
  refresh_next(model, st, v);  // its next movement depends on the lane
  s.n_drivable[v] = best;
  s.last_change[v] = t;
  // Waiting counts per lane (sumo-rl's meaning): on its new lane only this step, if it ended it stopped.
  s.wait[v] = s.speed[v] < kQueueSpeed ? model.dt : 0;
  ++st.acc.lane_changes;
  return true;
}
}  // namespace

void change_lanes(const SimModel& model, SimState& st) {
  if (!model.settings->lane_change) return;
  for (LaneId l = 0; l < model.net->num_lanes(); ++l) {
    // Front first; the front vehicle has no leader on its lane and never changes. A change moves
    // lists in the pool, so the list is read afresh each time.
    for (std::int32_t k = 1; k < st.lists.size(l);) {
      if (!try_lane_change(model, st, st.lists[l][k], l, k)) ++k;  // else st.lists[l][k] is the next one
    }
  }
}

}  // namespace greenwave::sim
