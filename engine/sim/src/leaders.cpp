// Stage 7, leaders, lane statistics and signal timers (docs/simulator.md, "Step pipeline"): one
// parallel pass over the occupied drivables sets every running vehicle's leader and gap (the
// vehicle ahead, else the nearest tail along its path within its reach), the per-lane caches and
// the lane statistics; each part then advances the signal timers of its share of the
// intersections. Reads the committed Vehicles, the lists and the model; writes Vehicles' leader
// and gap, StepIndex's per-lane caches, LaneStats and Signals.
#include "for_each_part.hpp"
#include "route.hpp"
#include "sim_state.hpp"
#include "stages.hpp"

namespace greenwave::sim {
namespace {

/// Leader search for the first vehicle of a drivable: the nearest tail along its path, within
/// its reach (kNone beyond it).
void leader_beyond(const SimModel& model, SimState& st, std::int32_t v) {
  Vehicles& s = st.vehicles;
  const RoadNetwork& net = *model.net;
  const std::int32_t lanes = net.num_lanes();
  s.leader[v] = kNone;
  const double horizon = model.type_reach[s.type[v]];
  Cursor at{s.drivable[v], s.route_pos[v]};
  double dis = model.drivable_length[at.drivable] - s.dis[v];
  for (int hop = 0; hop < 64; ++hop) {
    const Cursor next = hop == 0 ? next_of(model, st, v) : next_drivable(model, st, v, at);
    if (next.drivable == kNone) return;
    if (next.drivable >= lanes) {
      // Movements from one lane may overlap: the nearest tail on any of them leads.
      const LaneId start = net.movement_from_lane[next.drivable - lanes];
      if (st.index.lane_out_occupied[start] != 0) {  // else none of them holds a vehicle
        for (const MovementId m : net.movements_from(start)) {
          if (!occupied(st, lanes + m)) continue;  // the bitmap is exact and cheaper than the list
          const std::int32_t cand = st.lists.back(lanes + m);
          const double gap = dis + s.dis[cand] - model.demand->vehicle_types[s.type[cand]].length;
          if (s.leader[v] == kNone || gap < s.gap[v]) {
            s.leader[v] = cand;
            s.gap[v] = gap;
          }
        }
        if (s.leader[v] != kNone) return;
      }
    } else {
      const auto list = st.lists[next.drivable];
      if (!list.empty()) {
        const std::int32_t cand = list.back();
        s.leader[v] = cand;
        s.gap[v] = dis + s.dis[cand] - model.demand->vehicle_types[s.type[cand]].length;
        return;
      }
    }
    dis += model.drivable_length[next.drivable];
    if (dis > horizon) return;
    at = next;
  }
}
}  // namespace

void leader_of(const SimModel& model, SimState& st, std::int32_t v, std::int32_t ahead_on_same) {
  if (ahead_on_same == kNone) return leader_beyond(model, st, v);
  Vehicles& s = st.vehicles;
  s.leader[v] = ahead_on_same;
  s.gap[v] = s.dis[ahead_on_same] - model.demand->vehicle_types[s.type[ahead_on_same]].length - s.dis[v];
}

void update_leaders_stats_and_signals(const SimModel& model, SimState& st) {
  const Vehicles& s = st.vehicles;
  const std::int32_t lanes = model.net->num_lanes();
  // One pass over each occupied drivable's list (lanes off st.index.active are empty, their statistics
  // already zero); then each part advances the signal timers of an equal share of the
  // intersections (nothing in this pass reads which movements are open).
  for_each_part(st.parts, st.parts.split, [&](std::int32_t p) {
    work_shared(st.parts, p, st.parts.rank_begin[p], st.index.active_end[p], kDrivableChunk, [&](std::int32_t begin, std::int32_t end) {
      for (std::int32_t k = begin; k < end; ++k) {
        const std::int32_t d = st.index.active[k];
        const auto list = st.lists[d];
        std::int32_t ahead = kNone, queued = 0;
        double speed = 0, wait = 0;
        for (const std::int32_t v : list) {
          leader_of(model, st, v, ahead);
          ahead = v;
          queued += s.speed[v] < kQueueSpeed;
          speed += s.speed[v];
          wait += s.wait[v];
        }
        if (d >= lanes) continue;
        st.index.lane_hanging[d] = tail_hangs_from(model, st, d);
        st.index.lane_front_next[d] = st.index.next[list.front()];
        st.lane.count[d] = static_cast<std::int32_t>(list.size());
        st.lane.queue[d] = queued;
        st.lane.speed_sum[d] = speed;
        st.lane.wait_sum[d] = wait;
      }
    });
    const auto [first, last] = equal_share(st.parts, model.net->num_intersections(), p);
    advance_signal_timers(model, st, static_cast<IntersectionId>(first), static_cast<IntersectionId>(last));
  });
}

RoadId tail_hangs_from(const SimModel& model, const SimState& st, LaneId l) {
  const auto list = st.lists[l];
  if (list.empty()) return kNone;
  const Vehicles& s = st.vehicles;
  const std::int32_t v = list.back();
  if (!(s.dis[v] - model.demand->vehicle_types[s.type[v]].length < 0 && s.route_pos[v] > 0)) return kNone;
  return model.demand->route(s.route[v])[s.route_pos[v] - 1];
}

}  // namespace greenwave::sim
