// Stage 5, move and commit (docs/simulator.md, "Step pipeline"): the claims are cleared, every
// occupied drivable drops the vehicles that leave it (in parallel), finished vehicles free their
// slots, movers join their new drivables in a fixed order, and every vehicle's next state is
// committed. Reads the next-state columns written by the actions; writes Vehicles, the lists,
// StepIndex (occupied drivables, next), LaneStats (departures), Accumulators and Claims (cleared).
#include <algorithm>
#include <atomic>
#include <span>

#include "batch_appender.hpp"
#include "for_each_part.hpp"
#include "route.hpp"
#include "sim_state.hpp"
#include "stages.hpp"

namespace greenwave::sim {
namespace {

/// The step number stored in enter_link_step (capped below kNotOnLink).
std::int32_t link_step(const SimState& st) {
  // Beyond 2^31 - 2 steps every later entry ties (then distance and the priority draw decide).
  return static_cast<std::int32_t>(std::min<std::int64_t>(st.clock.step_count, kNotOnLink - 1));
}

/// Clears this step's claims (dead once the actions read them) and takes every vehicle that
/// leaves its drivable off its list, into MoveScratch::movers (in any order); in parallel, each
/// part over its own drivables.
void take_leavers(const SimModel& model, SimState& st) {
  Vehicles& s = st.vehicles;
  const RoadNetwork& net = *model.net;
  const std::int32_t lanes = net.num_lanes();
  st.move.movers.resize(static_cast<std::size_t>(s.size()));
  std::atomic<std::int32_t> leaving{0};
  std::atomic<std::int64_t> freed{0};  // list blocks given up, summed per part
  const std::int64_t notified = st.claims.notified_count;
  for_each_part(st.parts, st.parts.split, [&](std::int32_t p) {
    // Each part clears the entries of an equal share of the movements given entries this step,
    // and an equal share of the claimed flags (none is set when no movement was given entries).
    if (notified > 0) {
      const auto [first_flag, last_flag] = equal_share(st.parts, static_cast<std::int64_t>(st.claims.movement_claimed.size()), p);
      std::fill(st.claims.movement_claimed.begin() + first_flag, st.claims.movement_claimed.begin() + last_flag, Claimed::kNo);
    }
    const auto [first_notified, last_notified] = equal_share(st.parts, notified, p);
    for (std::int64_t k = first_notified; k < last_notified; ++k) {
      const MovementId m = st.claims.notified[static_cast<std::size_t>(k)];
      std::fill(st.claims.vehicle.begin() + net.movement_conflict_begin[m], st.claims.vehicle.begin() + net.movement_conflict_begin[m + 1], kNone);
    }
    BatchAppender out(st.move.movers.data(), leaving);
    std::int64_t part_freed = 0;
    work_shared(st.parts, p, st.parts.rank_begin[p], st.index.active_end[p], kDrivableChunk, [&](std::int32_t begin, std::int32_t end) {
      for (std::int32_t k = begin; k < end; ++k) {
        const std::int32_t d = st.index.active[k];
        const std::span<std::int32_t> list = st.lists.items(d);
        std::int32_t w = 0;
        for (const std::int32_t v : list) {
          if (!s.n_finished[v] && s.n_drivable[v] == d) {
            if (list[w] != v) list[w] = v;  // written only when it moves: no line dirtied in vain
            ++w;
          } else {
            out.push(v);
          }
        }
        if (w == static_cast<std::int32_t>(list.size())) continue;
        if (d < lanes) st.lane.departures[d] += static_cast<std::int64_t>(list.size()) - w;
        part_freed += st.lists.shrink(d, w);
        if (w == 0) unmark_emptied(model, st, d);
      }
    });
    freed.fetch_add(part_freed, std::memory_order_relaxed);
  });
  st.claims.notified_count = 0;
  st.lists.released(freed.load());
  st.move.movers.resize(static_cast<std::size_t>(leaving.load()));
}

/// Moves the finished vehicles to the front of the movers and retires them (serially, by slot):
/// their travel time and delay index join the accumulators and their slots are freed. Returns
/// the other movers, those that join a new drivable.
std::span<const std::int32_t> finish_vehicles(const SimModel& model, SimState& st) {
  Vehicles& s = st.vehicles;
  auto& movers = st.move.movers;
  const double t = now(model, st);
  const auto finishers_end = std::partition(movers.begin(), movers.end(), [&](std::int32_t v) { return s.n_finished[v] != 0; });
  std::sort(movers.begin(), finishers_end);
  for (auto it = movers.begin(); it != finishers_end; ++it) {
    const std::int32_t v = *it;
    const double tt = t - model.demand->departures[s.id[v]].time;
    st.acc.finished_travel_time += tt;
    const double fft = model.demand->route_free_flow_time[s.route[v]];
    st.acc.finished_delay_index += fft > 0 ? (t - s.enter[v]) / fft : 1.0;
    ++st.acc.finished;
    --st.acc.running;
    s.drivable[v] = kFree;
    s.free_slots.push_back(v);
  }
  const auto first = static_cast<std::size_t>(finishers_end - movers.begin());
  return std::span<const std::int32_t>(movers).subspan(first);
}

/// Appends mover v to its new drivable. Vehicles from different movements can merge into one
/// lane in the same step; none may end up inside the one ahead (CityFlow lets them overlap; we
/// hold them at its tail, or at the end of the movement while the one ahead still hangs out of
/// the intersection).
inline void insert_mover(const SimModel& model, SimState& st, std::int32_t v) {
  Vehicles& s = st.vehicles;
  const std::int32_t lanes = model.net->num_lanes();
  const std::int32_t d = s.n_drivable[v];
  if (d < lanes && !st.lists.empty(d)) {
    const std::int32_t ahead = st.lists.back(d);
    const double tail = s.n_dis[ahead] - model.demand->vehicle_types[s.type[ahead]].length;
    if (s.n_dis[v] > tail) {
      s.n_speed[v] = std::min(s.n_speed[v], s.n_speed[ahead]);
      if (tail >= 0) {
        s.n_dis[v] = tail;
      } else {
        // The one ahead still hangs out of the intersection: wait at the movement's end.
        const Cursor here{s.drivable[v], s.route_pos[v]};
        const Cursor link = here.drivable >= lanes ? here : next_of(model, st, v);
        s.n_drivable[v] = link.drivable;
        s.n_route_pos[v] = link.route_pos;
        s.n_dis[v] = model.net->movement_length[link.drivable - lanes];
        if (link.drivable == s.drivable[v]) {
          // Back onto the movement it was dropped from above: at its front, behind any vehicle
          // already held there this step.
          const auto held = st.lists[link.drivable];
          std::int32_t at = 0;
          while (at < static_cast<std::int32_t>(held.size()) && s.n_dis[held[at]] >= s.n_dis[v]) ++at;
          st.lists.insert(link.drivable, at, v);
          mark_occupied(model, st, link.drivable);
          return;
        }
        st.lists.push_back(link.drivable, v);
        mark_occupied(model, st, link.drivable);
        s.enter_link_step[v] = link_step(st);
        return;
      }
    }
  }
  st.lists.push_back(d, v);
  mark_occupied(model, st, d);
  s.enter_link_step[v] = d >= lanes ? link_step(st) : kNotOnLink;
}

/// Serially, in a fixed order: the movers join their new drivables front-most first (ties by slot).
void insert_movers(const SimModel& model, SimState& st, std::span<const std::int32_t> joiners) {
  const Vehicles& s = st.vehicles;
  auto& keys = st.move.mover_keys;
  // Sorted by keys copied out of n_dis, so that the comparisons load no vehicle's slot.
  keys.clear();
  for (const std::int32_t v : joiners) keys.push_back({s.n_dis[v], v});
  std::sort(keys.begin(), keys.end(), [](const MoverKey& a, const MoverKey& b) { return a.dis > b.dis || (a.dis == b.dis && a.slot < b.slot); });
  // The movers' drivables are scattered: their data is prefetched a few movers ahead, in
  // stages that follow the loads (the mover's drivable, that list's header, its last item).
  // Gain not measured: instruction counts cannot show it, and wall-clock pairs on the shared
  // two-core machine vary by up to 45% (docs/benchmarks.md).
  const auto movers = static_cast<std::int32_t>(keys.size());
  for (std::int32_t k = 0; k < movers; ++k) {
    if (k + 8 < movers) __builtin_prefetch(&s.n_drivable[keys[k + 8].slot]);
    if (k + 4 < movers) {
      const std::int32_t ahead_d = s.n_drivable[keys[k + 4].slot];
      st.lists.prefetch_header(ahead_d);
      __builtin_prefetch(&model.rank_of[ahead_d]);
    }
    if (k + 2 < movers) st.lists.prefetch_back(s.n_drivable[keys[k + 2].slot]);
    insert_mover(model, st, keys[k].slot);
  }
}

/// Commits vehicle v's next state (after the movers joined their drivables); a blocker that
/// finished this step no longer blocks.
inline void commit(const SimModel& model, SimState& st, std::int32_t v) {
  Vehicles& s = st.vehicles;
  if (s.drivable[v] < 0) return;
  const bool moved = s.drivable[v] != s.n_drivable[v] || s.route_pos[v] != s.n_route_pos[v];
  // Waiting counts per lane (sumo-rl's meaning): a vehicle that enters a new lane starts at 0.
  if (s.drivable[v] != s.n_drivable[v] && s.n_drivable[v] < model.lanes) s.wait[v] = 0;
  s.drivable[v] = s.n_drivable[v];
  s.route_pos[v] = s.n_route_pos[v];
  if (moved) refresh_next(model, st, v);
  s.dis[v] = s.n_dis[v];
  s.speed[v] = s.n_speed[v];
  const std::int32_t b = s.n_blocker[v];
  s.blocker[v] = b != kNone && !s.n_finished[b] ? b : kNone;
  if (s.speed[v] < kQueueSpeed) s.wait[v] += model.dt;
}

/// The insertion and the commit on the parts' threads. The movers are marked by slot, so that
/// the two passes can tell them from the vehicles that stay (the insertion changes some movers'
/// next drivable, so comparing would race). One pass: part 0 inserts the movers while every part
/// commits the next state of the vehicles that stay on their drivable (the insertion reads only
/// the next-state buffer of vehicles other than the movers). The other parts commit their own
/// block of slots, then help with part 0's block from its end while part 0, done inserting,
/// takes it from its start, so the insertion does not leave the other threads waiting. A second
/// pass: each part refreshes its share of StepIndex::active and commits its movers.
void insert_and_commit_split(const SimModel& model, SimState& st, std::span<const std::int32_t> joiners) {
  auto& bits = st.move.moving_bits;
  bits.resize((static_cast<std::size_t>(st.vehicles.size()) + 63) / 64);
  for (const std::int32_t v : joiners) bits[static_cast<std::size_t>(v) >> 6] |= std::uint64_t{1} << (v & 63);
  auto moving = [&](std::int32_t v) { return ((bits[static_cast<std::size_t>(v) >> 6] >> (v & 63)) & 1) != 0; };
  for_each_part(st.parts, st.parts.split, [&](std::int32_t p) {
    const auto [first, last] = part_slots(st, p);
    auto insert = [&] {
      if (p == 0) insert_movers(model, st, joiners);
    };
    work_shared(st.parts, p, first, last, kSlotChunk, insert, [&](std::int32_t begin, std::int32_t end) {
      for (std::int32_t v = begin; v < end; ++v)
        if (!moving(v)) commit(model, st, v);
    });
  });
  for_each_part(st.parts, st.parts.split, [&](std::int32_t p) {
    const auto [first, last] = part_slots(st, p);
    work_shared(st.parts, p, first, last, kSlotChunk, [&] { refresh_part(model, st, p); }, [&](std::int32_t begin, std::int32_t end) {
      for (std::int32_t v = begin; v < end; ++v)
        if (moving(v)) commit(model, st, v);
    });
  });
  for (const std::int32_t v : joiners) bits[static_cast<std::size_t>(v) >> 6] = 0;
  count_active(st);
}
}  // namespace

void move_vehicles(const SimModel& model, SimState& st) {
  take_leavers(model, st);
  const std::span<const std::int32_t> joiners = finish_vehicles(model, st);
  if (st.parts.split) return insert_and_commit_split(model, st, joiners);
  // Unsplit (one thread, or too few vehicles to split): the insertion, then one pass that
  // commits every running vehicle (the slots still on a drivable: finished ones were freed above).
  insert_movers(model, st, joiners);
  for (std::int32_t v = 0; v < st.vehicles.size(); ++v) commit(model, st, v);
  refresh_active(model, st, false);
}

}  // namespace greenwave::sim
