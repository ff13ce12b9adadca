// Private to engine/sim: the step pipeline's functions over (const SimModel&, SimState&), one
// section per source file, in the order Simulator::step() calls them (docs/simulator.md).
#pragma once

#include <atomic>
#include <cstdint>

#include "sim_state.hpp"

namespace greenwave::sim {

// ---- locality.cpp: renumbering (stage 0) and the threads' parts
/// Renumbers the vehicle slots in rank order, dropping free slots, then recomputes the parts.
void renumber_slots(const SimModel& model, SimState& st);
/// Cuts the ranks (and the slots, as numbered at the last renumbering) into one part per
/// thread, with equal shares of the running vehicles; then refresh_active.
void compute_parts(const SimModel& model, SimState& st);

// ---- spawn.cpp: spawn (stage 1) and enter (stage 2)
/// Departures due by now join the entry queue of their first lane.
void spawn(const SimModel& model, SimState& st);
/// Moves the first waiting vehicle of each entry lane with room onto it (lanes in ascending order).
void enter_waiting(const SimModel& model, SimState& st);

// ---- conflicts.cpp: claims on crossings (stage 3)
/// Sets this step's claims (Claims) of the vehicles on or about to enter each movement.
void notify_conflicts(const SimModel& model, SimState& st);

// ---- car_following.cpp: actions (stage 4)
/// Every running vehicle's next speed, distance and drivable into the next-state buffer.
void compute_actions(const SimModel& model, SimState& st);

// ---- move.cpp: move and commit (stage 5)
/// Clears the claims, takes leavers off their drivables, finishes vehicles, inserts movers and
/// commits every vehicle's next state.
void move_vehicles(const SimModel& model, SimState& st);

// ---- lane_change.cpp: lane changes (stage 6)
/// The serial lane-change pass (a no-op unless settings.lane_change).
void change_lanes(const SimModel& model, SimState& st);

// ---- leaders.cpp: leaders, lane statistics and signal timers (stage 7)
/// Every running vehicle's leader and gap, the per-lane caches and the lane statistics, in
/// one parallel pass over the occupied drivables, which also advances the signal timers.
void update_leaders_stats_and_signals(const SimModel& model, SimState& st);
/// Sets vehicle v's leader and gap: the vehicle ahead on its drivable, else the nearest tail
/// along its path within its reach.
void leader_of(const SimModel& model, SimState& st, std::int32_t v, std::int32_t ahead_on_same);
/// The road lane l's last vehicle came from while its tail is still in the intersection (it
/// hangs out over the movement it came through), else kNone.
RoadId tail_hangs_from(const SimModel& model, const SimState& st, LaneId l);

// ---- signals.cpp: signal state (stage 7's timers, and the controllers' requests)
/// Refreshes Signals::movement_open for every intersection.
void update_signals(const SimModel& model, SimState& st);
/// Refreshes Signals::movement_open for the movements of intersection i.
void update_signals_at(const SimModel& model, SimState& st, IntersectionId i);
/// One step of the signal timers of intersections [first, last): clearance ends, phases open.
void advance_signal_timers(const SimModel& model, SimState& st, IntersectionId first, IntersectionId last);
/// Asks intersection i for its local phase; applies the switching rules.
PhaseRequest request_phase(const SimModel& model, SimState& st, IntersectionId i, std::int32_t phase);
/// As request_phase with a clearance of `clearance` seconds (Simulator::switch_phase).
PhaseRequest switch_phase(const SimModel& model, SimState& st, IntersectionId i, std::int32_t phase, double clearance);

// ---- metrics.cpp: metric samples (stage 8) and the metrics object
/// The delay index now over every served vehicle.
double delay_index_now(const SimModel& model, const SimState& st);
/// Appends a delay-index sample when a metric period ends with this step.
void sample_metrics(const SimModel& model, SimState& st);
/// Network-wide metrics now.
Metrics metrics_now(const SimModel& model, const SimState& st);

// ---- step_index.cpp: the occupied drivables (read by every per-drivable pass)
/// Marks drivable d as holding vehicles (serial phases only).
inline void mark_occupied(const SimModel& model, SimState& st, std::int32_t d) {
  StepIndex& ix = st.index;
  std::uint64_t& word = ix.occupied_bits[static_cast<std::size_t>(d) >> 6];
  const std::uint64_t bit = std::uint64_t{1} << (d & 63);
  if ((word & bit) == 0) {
    ix.newly_occupied = true;
    const std::int32_t lanes = model.net->num_lanes();
    if (d >= lanes) ++ix.lane_out_occupied[model.net->movement_from_lane[d - lanes]];
  }
  word |= bit;
  const std::int32_t r = model.rank_of[d];
  ix.active_bits[static_cast<std::size_t>(r) >> 6] |= std::uint64_t{1} << (r & 63);
}
/// True when drivable d holds vehicles (its list is not empty).
inline bool occupied(const SimState& st, std::int32_t d) {
  return ((st.index.occupied_bits[static_cast<std::size_t>(d) >> 6] >> (d & 63)) & 1) != 0;
}
/// m/s: a lane whose last vehicle moves this fast can be entered whatever the gap.
inline constexpr double kEnterSpeedFree = 2.0;
/// CityFlow's Lane::canEnter: a vehicle `length` long may enter lane l when it is empty, its last
/// vehicle's front is further than both lengths from the lane start, or that vehicle moves at
/// kEnterSpeedFree or more (the car-following stage's rule at an open movement).
inline bool lane_has_room(const SimModel& model, const SimState& st, LaneId l, double length) {
  const auto list = st.lists[l];
  if (!occupied(st, l) || list.empty()) return true;
  const std::int32_t tail = list.back();
  const Vehicles& s = st.vehicles;
  return s.dis[tail] > model.demand->vehicle_types[s.type[tail]].length + length || s.speed[tail] >= kEnterSpeedFree;
}
/// Unmarks drivable d, whose list the leaver pass just emptied, and zeroes an emptied lane's
/// statistics (safe on different drivables at once).
inline void unmark_emptied(const SimModel& model, SimState& st, std::int32_t d) {
  StepIndex& ix = st.index;
  // Both bitmaps' words are shared: by drivable id between parts, and by rank between the
  // chunks of one part's range that another part takes over.
  const std::int32_t r = model.rank_of[d];
  std::atomic_ref<std::uint64_t>(ix.active_bits[static_cast<std::size_t>(r) >> 6]).fetch_and(~(std::uint64_t{1} << (r & 63)), std::memory_order_relaxed);
  std::atomic_ref<std::uint64_t>(ix.occupied_bits[static_cast<std::size_t>(d) >> 6]).fetch_and(~(std::uint64_t{1} << (d & 63)), std::memory_order_relaxed);
  const std::int32_t lanes = model.net->num_lanes();
  if (d < lanes) {
    st.lane.count[d] = st.lane.queue[d] = 0;
    st.lane.speed_sum[d] = st.lane.wait_sum[d] = 0;
    ix.lane_hanging[d] = kNone;
  } else {
    // Movements from one lane may be emptied by different parts.
    std::atomic_ref<std::int32_t>(ix.lane_out_occupied[model.net->movement_from_lane[d - lanes]]).fetch_sub(1, std::memory_order_relaxed);
  }
}
/// refresh_active for part p's ranks only (then count_active).
void refresh_part(const SimModel& model, SimState& st, std::int32_t p);
/// Sets active_count from the parts' ends after refresh_part.
void count_active(SimState& st);
/// Turns the occupied bitmap into StepIndex::active (in rank order, cut into the threads'
/// parts); on the parts' threads when `split`.
void refresh_active(const SimModel& model, SimState& st, bool split);
/// Rebuilds the derived groups (StepIndex, the parts, Claims, EntryQueues::queued_bits) from the
/// saved ones (reset, restore).
void rebuild_step_index(const SimModel& model, SimState& st);

// ---- capacity.cpp: the growable state's memory
/// Empties the growable state (vehicle slots, drivable lists, entry queues, samples), keeping
/// its capacity from earlier episodes.
void clear_growable_state(const SimModel& model, SimState& st);
/// Raises next, movers and moving_bits to the vehicle slots' capacity (they are indexed by slot).
void grow_slot_scratch(SimState& st);
/// Heap bytes of the state that grows with the vehicles held at once.
std::size_t vehicle_state_bytes(const SimState& st);
/// Heap bytes of the whole state (and of the model's per-drivable tables).
std::size_t state_bytes(const SimModel& model, const SimState& st);

}  // namespace greenwave::sim
