// Simulator::standing(): a diagnostic of why running vehicles stand (docs/simulator.md, "Why
// vehicles stand"). Reads the state between steps; never changes it.
#include <vector>

#include "greenwave/sim/simulator.hpp"
#include "route.hpp"
#include "sim_state.hpp"
#include "stages.hpp"

namespace greenwave {
namespace {

constexpr double kQueuedGap = 10.0;  // m: a first vehicle this close to its leader's tail is queued behind it

/// What holds a standing vehicle.
enum class Reason { Queued, RedLight, EndLaneFull, Yielding, InIntersection, Other };

/// Why a standing vehicle stands, and the drivable that holds it (-1: none, or a red light).
struct Hold {
  Reason reason = Reason::Other;  ///< the cause counted in StandingCounts
  std::int32_t holder = -1;       ///< the drivable it waits for
};

/// Adds one vehicle held for `r` to `out`.
void count(StandingCounts& out, Reason r) {
  switch (r) {
    case Reason::Queued: ++out.queued; break;
    case Reason::RedLight: ++out.red_light; break;
    case Reason::EndLaneFull: ++out.end_lane_full; break;
    case Reason::Yielding: ++out.yielding; break;
    case Reason::InIntersection: ++out.in_intersection; break;
    case Reason::Other: ++out.other; break;
  }
}

/// What holds v, the standing first vehicle of drivable d.
Hold first_vehicle_hold(const sim::SimModel& model, const sim::SimState& st, std::int32_t d, std::int32_t v) {
  const RoadNetwork& net = *model.net;
  const sim::Vehicles& s = st.vehicles;
  const std::int32_t lanes = net.num_lanes();
  const bool has_leader = s.leader[v] != kNone && s.gap[v] < kQueuedGap;
  const std::int32_t leader_at = has_leader ? s.drivable[s.leader[v]] : -1;
  if (s.blocker[v] != kNone) return {Reason::Yielding, s.drivable[s.blocker[v]]};
  if (d >= lanes) return {Reason::InIntersection, has_leader ? leader_at : net.movement_to_lane[d - lanes]};
  const std::int32_t next = st.index.next[v];
  const double length = model.demand->vehicle_types[s.type[v]].length;
  // A full end lane first: it holds the vehicle whatever the signal shows.
  if (next >= lanes && !sim::lane_has_room(model, st, net.movement_to_lane[next - lanes], length))
    return {Reason::EndLaneFull, net.movement_to_lane[next - lanes]};
  if (next >= lanes && !st.signals.movement_open[next - lanes]) return {Reason::RedLight, -1};
  if (has_leader) return {Reason::Queued, leader_at};
  return {};
}

/// The standing vehicles on drivables whose chain of holders (waits[d]: the drivable that holds
/// d's first vehicle, -1: none) reaches a cycle; standing_on[d]: d's standing vehicles.
std::int64_t gridlocked(const std::vector<std::int32_t>& waits, const std::vector<std::int64_t>& standing_on) {
  const auto drivables = static_cast<std::int32_t>(waits.size());
  // Follow each chain (0 unknown, 1 on the current path, 2 done: no cycle, 3 done: reaches a cycle).
  std::vector<std::uint8_t> state(static_cast<std::size_t>(drivables), 0);
  std::vector<std::int32_t> path;
  for (std::int32_t d0 = 0; d0 < drivables; ++d0) {
    if (state[static_cast<std::size_t>(d0)] != 0) continue;
    path.clear();
    std::int32_t d = d0;
    while (d >= 0 && state[static_cast<std::size_t>(d)] == 0) {
      state[static_cast<std::size_t>(d)] = 1;
      path.push_back(d);
      d = waits[static_cast<std::size_t>(d)];
    }
    const std::uint8_t result = d >= 0 && (state[static_cast<std::size_t>(d)] == 1 || state[static_cast<std::size_t>(d)] == 3) ? 3 : 2;
    for (const std::int32_t p : path) state[static_cast<std::size_t>(p)] = result;
  }
  std::int64_t n = 0;
  for (std::int32_t d = 0; d < drivables; ++d)
    if (state[static_cast<std::size_t>(d)] == 3) n += standing_on[static_cast<std::size_t>(d)];
  return n;
}

}  // namespace

StandingCounts Simulator::standing() const {
  const sim::SimModel& model = *model_;
  const sim::SimState& st = *state_;
  const sim::Vehicles& s = st.vehicles;
  const std::int32_t drivables = st.lists.count();
  StandingCounts out;
  // waits[d]: the drivable that holds drivable d's standing first vehicle (-1: none, or a red light).
  std::vector<std::int32_t> waits(static_cast<std::size_t>(drivables), -1);
  std::vector<std::int64_t> standing_on(static_cast<std::size_t>(drivables), 0);
  for (std::int32_t d = 0; d < drivables; ++d) {
    if (!sim::occupied(st, d)) continue;
    const auto list = st.lists[d];
    out.running += static_cast<std::int64_t>(list.size());
    for (std::size_t k = 0; k < list.size(); ++k) {
      const std::int32_t v = list[k];
      if (s.speed[v] >= sim::kQueueSpeed) continue;
      ++out.standing;
      ++standing_on[static_cast<std::size_t>(d)];
      if (k > 0) {
        count(out, Reason::Queued);
        continue;
      }
      const Hold h = first_vehicle_hold(model, st, d, v);
      count(out, h.reason);
      waits[static_cast<std::size_t>(d)] = h.holder >= 0 && h.holder != d ? h.holder : -1;
    }
  }
  out.gridlocked = gridlocked(waits, standing_on);
  return out;
}

}  // namespace greenwave
