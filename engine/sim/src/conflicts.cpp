// Stage 3, claims on crossings (docs/simulator.md, "Conflicts inside intersections"): every
// vehicle on a movement, or about to enter one, or whose tail still hangs over one, claims the
// movement's crossings it has not yet cleared. Reads the lists, vehicles, StepIndex and which
// movements are open; writes Claims (and refreshes StepIndex::active when drivables were entered).
#include <atomic>

#include "batch_appender.hpp"
#include "for_each_part.hpp"
#include "sim_state.hpp"
#include "stages.hpp"

namespace greenwave::sim {

void notify_conflicts(const SimModel& model, SimState& st) {
  const RoadNetwork& net = *model.net;
  const std::int32_t lanes = net.num_lanes();
  const Vehicles& s = st.vehicles;
  // Every entry is kNone here: the leaver pass cleared the ones set last step.
  std::atomic<std::int32_t> notified{0};
  // Sets the entries of movement m; `front_enters`: the first vehicle of its start lane takes it
  // next and it is open. `hanging`: st.index.lane_hanging of m's end lane.
  auto notify_movement = [&](BatchAppender& out, MovementId m, bool front_enters, RoadId hanging) {
    const std::int32_t c0 = net.movement_conflict_begin[m], c1 = net.movement_conflict_begin[m + 1];
    std::int32_t c = c1 - 1;  // walk the crossings from the far end back (CityFlow's order)
    auto notify = [&](std::int32_t veh, double distance) {
      if (c == c1 - 1) out.push(m);
      st.claims.vehicle[c] = veh;
      st.claims.distance[c] = distance;
      // Parts may mark the same movement at once (each stores 1).
      std::atomic_ref<Claimed>(st.claims.movement_claimed[net.conflicts[c].other]).store(Claimed::kYes, std::memory_order_relaxed);
      --c;
    };
    const double link_len = net.movement_length[m];
    // 1. the last vehicle on the end lane, if it came through this movement and its tail is still over crossings
    // (it came from this movement when its previous road's lane feeds this movement: approximated by its route)
    if (hanging != kNone && hanging == net.lane_road[net.movement_from_lane[m]]) {
      const std::int32_t v = st.lists[net.movement_to_lane[m]].back();
      const double tail = s.dis[v] - model.demand->vehicle_types[s.type[v]].length;
      while (c >= c0) {
        const double cross_distance = link_len - net.conflicts[c].distance;
        if (cross_distance + tail < net.conflicts[c].leave_distance) notify(v, -(s.dis[v] + cross_distance));
        else break;
      }
    }
    // 2. vehicles on the movement, front first
    for (const std::int32_t v : st.lists[lanes + m]) {
      const double d = s.dis[v];
      const double len = model.demand->vehicle_types[s.type[v]].length;
      while (c >= c0) {
        const double cross_distance = net.conflicts[c].distance;
        if (d > cross_distance) {
          if (d - cross_distance - len <= net.conflicts[c].leave_distance) notify(v, cross_distance - d);
          else break;
        } else {
          notify(v, cross_distance - d);
        }
      }
    }
    // 3. the first vehicle on the start lane, if this movement is its next and it is open
    if (front_enters) {
      const LaneId start = net.movement_from_lane[m];
      const std::int32_t front = st.lists[start].front();
      const double d = net.lane_length[start] - s.dis[front];
      while (c >= c0) notify(front, d + net.conflicts[c].distance);
    }
  };
  // Parallel over occupied drivables. Only movements next to one can get entries; each is set by
  // one owner: itself if occupied, else its start lane if that lane's front vehicle enters it, else
  // its end lane if that lane's last vehicle came through it and hangs out over its crossings.
  auto has_conflicts = [&](MovementId m) { return net.movement_conflict_begin[m] != net.movement_conflict_begin[m + 1]; };
  auto front_enters = [&](MovementId m) {
    const LaneId start = net.movement_from_lane[m];
    return st.signals.movement_open[m] != 0 && occupied(st, start) && st.index.lane_front_next[start] == lanes + m;
  };
  auto visit = [&](BatchAppender& out, std::int32_t d) {
    if (d >= lanes) {
      const MovementId m = d - lanes;
      if (has_conflicts(m)) notify_movement(out, m, front_enters(m), st.index.lane_hanging[net.movement_to_lane[m]]);
      return;
    }
    const std::int32_t next = st.index.lane_front_next[d];
    if (next >= lanes && st.signals.movement_open[next - lanes] != 0 && !occupied(st, next) && has_conflicts(next - lanes))
      notify_movement(out, next - lanes, true, st.index.lane_hanging[net.movement_to_lane[next - lanes]]);
    const RoadId hanging = st.index.lane_hanging[d];
    if (hanging == kNone) return;
    for (const MovementId m : net.movements_into(d))
      if (net.lane_road[net.movement_from_lane[m]] == hanging && has_conflicts(m) && !occupied(st, lanes + m) && !front_enters(m))
        notify_movement(out, m, false, hanging);
  };
  // Drivables entered since the last refresh join st.index.active first, each part its own (a refresh
  // reads the bitmaps and writes only the part's range of st.index.active).
  const bool refresh = st.index.newly_occupied;
  for_each_part(st.parts, st.parts.split, [&](std::int32_t p) {
    if (refresh) refresh_part(model, st, p);
    BatchAppender out(st.claims.notified.data(), notified);
    work_shared(st.parts, p, st.parts.rank_begin[p], st.index.active_end[p], kDrivableChunk, [&](std::int32_t begin, std::int32_t end) {
      for (std::int32_t k = begin; k < end; ++k) visit(out, st.index.active[k]);
    });
  });
  if (refresh) count_active(st);
  st.claims.notified_count = notified.load();
}

}  // namespace greenwave::sim
