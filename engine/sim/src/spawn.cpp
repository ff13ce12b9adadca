// Stages 1 and 2, spawn and enter (docs/simulator.md, "Step pipeline"): departures due by now
// pick their first lane and join its entry queue; the head of each queue enters when its lane
// has room. Reads the model's demand; writes Clock (next departure, RNG), Vehicles (the new
// slots), EntryQueues, the lists, StepIndex (occupied, next, lane_front_next) and Accumulators.
#include <bit>

#include "route.hpp"
#include "sim_state.hpp"
#include "stages.hpp"

namespace greenwave::sim {
namespace {

/// Enters the first waiting vehicle of entry lane l, whose queue is not empty, if the lane has room.
void enter_first_waiting(const SimModel& model, SimState& st, LaneId l, double t) {
  Vehicles& s = st.vehicles;
  const auto& types = model.demand->vehicle_types;
  auto& queue = st.entry.queue[l];
  const std::int32_t v = queue.front();
  const VehicleType& vt = types[s.type[v]];
  const std::int32_t tail = st.lists.empty(l) ? kNone : st.lists.back(l);
  if (tail != kNone && !(s.dis[tail] > types[s.type[tail]].length + vt.min_gap)) return;
  queue.pop_front();
  --st.entry.waiting[l];
  if (queue.empty()) st.entry.queued_bits[static_cast<std::size_t>(l) >> 6] &= ~(std::uint64_t{1} << (l & 63));
  s.drivable[v] = l;
  refresh_next(model, st, v);
  s.enter[v] = t;
  st.lists.push_back(l, v);
  if (tail == kNone) st.index.lane_front_next[l] = st.index.next[v];
  mark_occupied(model, st, l);
  ++st.acc.entered;
  ++st.acc.running;
  leader_of(model, st, v, tail);
}
}  // namespace

void spawn(const SimModel& model, SimState& st) {
  const RoadNetwork& net = *model.net;
  const Demand& demand = *model.demand;
  const double t = now(model, st);
  const auto& deps = demand.departures;
  std::size_t& next_departure = st.clock.next_departure;
  while (next_departure < deps.size() && deps[next_departure].time <= t + kEps) {
    const Departure& d = deps[next_departure++];
    const auto route = demand.route(d.route);
    // First lane: uniformly among the lanes of the first road that lead to the second.
    LaneId candidates[64];
    int n = 0;
    for (LaneId l : net.lanes_of(route[0])) {
      bool ok = route.size() == 1;
      for (MovementId mv : net.movements_from(l)) ok = ok || net.lane_road[net.movement_to_lane[mv]] == route[1];
      if (ok && n < 64) candidates[n++] = l;
    }
    if (n == 0) for (LaneId l : net.lanes_of(route[0])) if (n < 64) candidates[n++] = l;
    const LaneId lane = candidates[st.clock.rng.below(static_cast<std::uint64_t>(n))];
    Vehicles& s = st.vehicles;
    const std::int32_t v = s.allocate();
    grow_slot_scratch(st);
    if (st.index.next.size() < static_cast<std::size_t>(s.size())) st.index.next.resize(static_cast<std::size_t>(s.size()), kNone);
    s.drivable[v] = kWaiting;
    s.route_pos[v] = 0;
    s.route[v] = d.route;
    s.id[v] = static_cast<std::int32_t>(next_departure - 1);
    s.type[v] = d.vehicle_type;
    s.enter[v] = t;
    s.dis[v] = 0;
    s.speed[v] = 0;
    s.wait[v] = 0;
    s.priority[v] = static_cast<std::uint32_t>(st.clock.rng.next() >> 32);
    s.enter_link_step[v] = kNotOnLink;
    s.leader[v] = s.blocker[v] = kNone;
    s.n_drivable[v] = lane;  // remembers the chosen entry lane while waiting
    st.entry.queue[lane].push_back(v);
    ++st.entry.waiting[lane];
    st.entry.queued_bits[static_cast<std::size_t>(lane) >> 6] |= std::uint64_t{1} << (lane & 63);
    ++st.acc.departed;
  }
}

void enter_waiting(const SimModel& model, SimState& st) {
  const double t = now(model, st);
  const auto& queued_bits = st.entry.queued_bits;
  for (std::size_t w = 0; w < queued_bits.size(); ++w) {
    for (std::uint64_t bits = queued_bits[w]; bits != 0; bits &= bits - 1) {
      const LaneId l = static_cast<LaneId>(w * 64) + std::countr_zero(bits);
      enter_first_waiting(model, st, l, t);
    }
  }
}

}  // namespace greenwave::sim
