// The step index (StepIndex, derived): which drivables hold vehicles, in rank order per part,
// and the per-vehicle and per-lane caches the stages read. Reads the lists, vehicles and model;
// writes StepIndex (and, in rebuild_step_index, every derived group: the parts, Claims and
// EntryQueues' bitmap).
#include <bit>

#include "for_each_part.hpp"
#include "route.hpp"
#include "sim_state.hpp"
#include "stages.hpp"

namespace greenwave::sim {

void rebuild_step_index(const SimModel& model, SimState& st) {
  const RoadNetwork& net = *model.net;
  const std::int32_t drivables = st.lists.count();
  const Vehicles& s = st.vehicles;
  StepIndex& ix = st.index;
  grow_slot_scratch(st);
  ix.next.assign(static_cast<std::size_t>(s.size()), kNone);
  for (std::int32_t v = 0; v < s.size(); ++v)
    if (s.drivable[v] >= 0) refresh_next(model, st, v);
  st.entry.queued_bits.assign((static_cast<std::size_t>(net.num_lanes()) + 63) / 64, 0);
  for (const LaneId l : model.entry_lanes)
    if (!st.entry.queue[l].empty()) st.entry.queued_bits[static_cast<std::size_t>(l) >> 6] |= std::uint64_t{1} << (l & 63);
  ix.lane_hanging.assign(static_cast<std::size_t>(net.num_lanes()), kNone);
  ix.lane_front_next.assign(static_cast<std::size_t>(net.num_lanes()), kNone);
  for (LaneId l = 0; l < net.num_lanes(); ++l) {
    ix.lane_hanging[l] = tail_hangs_from(model, st, l);
    if (!st.lists[l].empty()) ix.lane_front_next[l] = ix.next[st.lists[l].front()];
  }
  ix.occupied_bits.assign((static_cast<std::size_t>(drivables) + 63) / 64, 0);
  ix.active_bits.assign(ix.occupied_bits.size(), 0);
  ix.lane_out_occupied.assign(static_cast<std::size_t>(net.num_lanes()), 0);
  for (std::int32_t d = 0; d < drivables; ++d)
    if (!st.lists[d].empty()) mark_occupied(model, st, d);
  ix.active.assign(static_cast<std::size_t>(drivables), kNone);
  ix.active_count = 0;
  compute_parts(model, st);  // and refresh_active
  // No conflict claims between steps (the leaver pass clears them once the actions read them).
  Claims& cl = st.claims;
  cl.vehicle.assign(net.conflicts.size(), kNone);
  cl.movement_claimed.assign(static_cast<std::size_t>(net.num_movements()), Claimed::kNo);
  cl.distance.assign(net.conflicts.size(), 0);
  cl.notified.assign(static_cast<std::size_t>(net.num_movements()), kNone);
  cl.notified_count = 0;
}

void refresh_part(const SimModel& model, SimState& st, std::int32_t p) {
  StepIndex& ix = st.index;
  const auto& rank_begin = st.parts.rank_begin;
  const auto parts = static_cast<std::int32_t>(rank_begin.size());
  const auto words = static_cast<std::int32_t>(ix.active_bits.size());
  // Part p owns the bitmap words of its ranks (cuts are multiples of 64 ranks, or the end), and
  // active from its first rank on.
  auto first_word = [&](std::int32_t q) { return q < parts ? (rank_begin[q] + 63) / 64 : words; };
  std::int32_t k = rank_begin[p];
  for (std::int32_t w = first_word(p); w < first_word(p + 1); ++w)
    for (std::uint64_t bits = ix.active_bits[w]; bits != 0; bits &= bits - 1) ix.active[k++] = model.rank_order[w * 64 + std::countr_zero(bits)];
  ix.active_end[p] = k;
}

void count_active(SimState& st) {
  StepIndex& ix = st.index;
  ix.newly_occupied = false;
  ix.active_count = 0;
  for (std::size_t p = 0; p < ix.active_end.size(); ++p) ix.active_count += ix.active_end[p] - st.parts.rank_begin[p];
}

void refresh_active(const SimModel& model, SimState& st, bool split) {
  for_each_part(st.parts, split, [&](std::int32_t p) { refresh_part(model, st, p); });
  count_active(st);
}

}  // namespace greenwave::sim
