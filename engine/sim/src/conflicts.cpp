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

namespace {

// Whether movement m crosses any other (only such movements get claims).
bool has_conflicts(const RoadNetwork& net, MovementId m) {
  return net.movement_conflict_begin[m] != net.movement_conflict_begin[m + 1];
}

// Whether movement m is open and the first vehicle of its start lane takes it next.
bool front_enters(const RoadNetwork& net, const SimState& st, MovementId m) {
  const LaneId start = net.movement_from_lane[m];
  const std::int32_t lanes = net.num_lanes();
  return st.signals.movement_open[m] != 0 && occupied(st, start) && st.index.lane_front_next[start] == lanes + m;
}

// Sets the claims on movement m's crossings, walking them from the far end back (CityFlow's
// order), and appends m to `out` when it claimed any. `enters`: the first vehicle of its start
// lane takes it next and it is open. `hanging`: st.index.lane_hanging of m's end lane.
void notify_movement(const SimModel& model, SimState& st, BatchAppender& out, MovementId m, bool enters, RoadId hanging) {
  const RoadNetwork& net = *model.net;
  const Vehicles& s = st.vehicles;
  const std::int32_t c0 = net.movement_conflict_begin[m], c1 = net.movement_conflict_begin[m + 1];
  std::int32_t c = c1 - 1;
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
  for (const std::int32_t v : st.lists[net.num_lanes() + m]) {
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
  if (enters) {
    const LaneId start = net.movement_from_lane[m];
    const std::int32_t front = st.lists[start].front();
    const double d = net.lane_length[start] - s.dis[front];
    while (c >= c0) notify(front, d + net.conflicts[c].distance);
  }
}

// The claims occupied drivable d owns. Only movements next to an occupied drivable can get
// claims; each is set by one owner: itself if occupied, else its start lane if that lane's front
// vehicle enters it, else its end lane if that lane's last vehicle came through it and hangs out
// over its crossings. Forced inline into the pass's loop, as it was when it was a lambda there:
// as a call per occupied drivable it cost 0.9% more instructions on a Hangzhou MaxPressure run
// (callgrind, 958.0M against 949.6M).
[[gnu::always_inline]] inline void notify_drivable(const SimModel& model, SimState& st, BatchAppender& out, std::int32_t d) {
  const RoadNetwork& net = *model.net;
  const std::int32_t lanes = net.num_lanes();
  if (d >= lanes) {
    const MovementId m = d - lanes;
    if (has_conflicts(net, m)) notify_movement(model, st, out, m, front_enters(net, st, m), st.index.lane_hanging[net.movement_to_lane[m]]);
    return;
  }
  const std::int32_t next = st.index.lane_front_next[d];
  if (next >= lanes && st.signals.movement_open[next - lanes] != 0 && !occupied(st, next) && has_conflicts(net, next - lanes))
    notify_movement(model, st, out, next - lanes, true, st.index.lane_hanging[net.movement_to_lane[next - lanes]]);
  const RoadId hanging = st.index.lane_hanging[d];
  if (hanging == kNone) return;
  for (const MovementId m : net.movements_into(d))
    if (net.lane_road[net.movement_from_lane[m]] == hanging && has_conflicts(net, m) && !occupied(st, lanes + m) &&
        !front_enters(net, st, m))
      notify_movement(model, st, out, m, false, hanging);
}

}  // namespace

void notify_conflicts(const SimModel& model, SimState& st) {
  // Every entry is kNone here: the leaver pass cleared the ones set last step.
  std::atomic<std::int32_t> notified{0};
  // Parallel over occupied drivables. Drivables entered since the last refresh join
  // st.index.active first, each part its own (a refresh reads the bitmaps and writes only the
  // part's range of st.index.active).
  const bool refresh = st.index.newly_occupied;
  for_each_part(st.parts, st.parts.split, [&](std::int32_t p) {
    if (refresh) refresh_part(model, st, p);
    BatchAppender out(st.claims.notified.data(), notified);
    work_shared(st.parts, p, st.parts.rank_begin[p], st.index.active_end[p], kDrivableChunk, [&](std::int32_t begin, std::int32_t end) {
      for (std::int32_t k = begin; k < end; ++k) notify_drivable(model, st, out, st.index.active[k]);
    });
  });
  if (refresh) count_active(st);
  st.claims.notified_count = notified.load();
}

}  // namespace greenwave::sim
