// The growable state's memory policy (docs/simulator.md, "Memory and allocation"): capacity
// follows the most vehicles held at once and is kept across episodes, so the step allocates
// only while it passes an earlier high-water mark. Reads the model; writes the vehicles, lists,
// entry queues, samples and slot-indexed scratch of the state (their sizes, not their meaning).
#include <algorithm>
#include <cmath>

#include "sim_state.hpp"
#include "stages.hpp"

namespace greenwave::sim {
namespace {
/// Heap bytes a vector holds (its capacity).
template <class V>
std::size_t heap_bytes(const V& v) {
  return v.capacity() * sizeof(typename V::value_type);
}
}  // namespace

void clear_growable_state(const SimModel& model, SimState& st) {
  const std::int32_t lanes = model.net->num_lanes();
  st.lists.reset(model.drivables);
  st.vehicles.clear();
  st.move.movers.clear();
  auto& queues = st.entry.queue;
  if (static_cast<std::int32_t>(queues.size()) != lanes) queues.assign(lanes, {});
  for (auto& queue : queues) queue.clear();
  // One delay-index sample per metric period (in whole steps) up to the horizon, and none after
  // it (sample_metrics), so a step never grows this buffer.
  const double sample_dt = static_cast<double>(model.metric_period_steps) * model.dt;
  st.acc.samples.clear();
  st.acc.samples.reserve(static_cast<std::size_t>(std::floor(model.settings->horizon / sample_dt + 1e-9)) + 1);
}

void grow_slot_scratch(SimState& st) {
  const std::size_t slots = st.vehicles.drivable.capacity();
  if (st.index.next.capacity() < slots) st.index.next.reserve(slots);
  if (st.move.movers.capacity() < slots) st.move.movers.reserve(slots);
  if (st.move.moving_bits.capacity() < (slots + 63) / 64) st.move.moving_bits.reserve((slots + 63) / 64);
}

std::size_t vehicle_state_bytes(const SimState& st) {
  std::size_t n = st.vehicles.allocated_bytes() + heap_bytes(st.move.movers) + heap_bytes(st.move.mover_keys) +
                  heap_bytes(st.move.moving_bits) + heap_bytes(st.index.next);
  n += st.lists.pool_bytes();
  for (const auto& queue : st.entry.queue) n += queue.capacity() * sizeof(std::int32_t);
  return n;
}

std::size_t state_bytes(const SimModel& model, const SimState& st) {
  const StepIndex& ix = st.index;
  const Signals& sg = st.signals;
  const Claims& cl = st.claims;
  const LaneStats& ls = st.lane;
  // The model's per-drivable and per-conflict tables count too (they are per simulation).
  return vehicle_state_bytes(st) + st.lists.index_bytes() + heap_bytes(st.entry.queue) + heap_bytes(st.entry.waiting) +
         heap_bytes(st.entry.queued_bits) + heap_bytes(ix.occupied_bits) + heap_bytes(ix.active_bits) +
         heap_bytes(ix.lane_out_occupied) + heap_bytes(ix.active) + heap_bytes(model.rank_order) + heap_bytes(model.rank_of) +
         heap_bytes(st.parts.rank_begin) + heap_bytes(st.parts.slot_begin) + heap_bytes(ix.active_end) +
         heap_bytes(st.parts.renumber_bases) + heap_bytes(cl.notified) + heap_bytes(model.entry_lanes) + heap_bytes(sg.phase) +
         heap_bytes(sg.in_clearance) + heap_bytes(sg.clearance_left) + heap_bytes(sg.time_in_phase) + heap_bytes(sg.movement_open) +
         heap_bytes(model.conflict_mirror) + heap_bytes(cl.movement_claimed) + heap_bytes(model.drivable_length) +
         heap_bytes(model.drivable_speed_limit) + heap_bytes(cl.vehicle) + heap_bytes(cl.distance) + heap_bytes(ls.count) +
         heap_bytes(ls.queue) + heap_bytes(ls.speed_sum) + heap_bytes(ls.wait_sum) + heap_bytes(ls.departures) +
         heap_bytes(ix.lane_hanging) + heap_bytes(ix.lane_front_next) + heap_bytes(st.acc.samples);
}

}  // namespace greenwave::sim
