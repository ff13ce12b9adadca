// Private to engine/sim: all mutable state of one simulation (like MuJoCo's mjData), grouped by
// what it describes. The stages (one file each, docs/simulator.md) are functions over
// (const SimModel&, SimState&). Each group is saved by snapshots (snapshot.cpp) or declared
// derived there: rebuilt from the saved groups by rebuild_step_index, or scratch that is dead
// between steps; snapshot.cpp checks at compile time that every field is one or the other.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

#include <oneapi/tbb/task_arena.h>

#include "greenwave/core/rng.hpp"
#include "greenwave/networks/road_network.hpp"
#include "greenwave/sim/backend.hpp"
#include "greenwave/sim/citybrain_score.hpp"
#include "greenwave/sim/drivable_lists.hpp"
#include "greenwave/sim/part_share.hpp"
#include "greenwave/sim/ring_queue.hpp"
#include "sim_model.hpp"
#include "vehicles.hpp"

namespace greenwave::sim {

/// Time and random draws (saved).
struct Clock {
  std::int64_t step_count = 0;
  Rng rng{0};  // reseeded by reset()
  std::size_t next_departure = 0;  ///< index in Demand::departures of the next to spawn
};

/// Departed vehicles waiting to enter their first lane (saved: the queues; derived: the rest).
struct EntryQueues {
  std::vector<RingQueue<std::int32_t>> queue;  ///< per lane, departed but not entered
  std::vector<std::int32_t> waiting;           ///< per lane: queue[l].size()
  /// Per lane: 1 = its queue holds vehicles, so entering visits only those lanes (scanning every
  /// lane instead: +12.8 M instructions in step(), +2.3%, callgrind, Hangzhou MaxPressure 1 h, cbd3456).
  std::vector<std::uint64_t> queued_bits;
};

/// Signal state (saved).
struct Signals {
  std::vector<std::int32_t> phase;          ///< per intersection, local phase (target in clearance)
  std::vector<std::uint8_t> in_clearance;   ///< per intersection
  std::vector<double> clearance_left;       ///< per intersection, seconds
  std::vector<double> time_in_phase;        ///< per intersection, seconds
  std::vector<std::uint8_t> movement_open;  ///< per movement, this step
};

/// Whether a movement has a crossing claimed this step. A one-byte enum, not std::uint8_t:
/// stores through a character type may alias anything, so the compiler would reload every
/// array's address after each one in the notification loops. Measured gain: none (as
/// std::uint8_t, step() ran 0.09% fewer instructions: callgrind, Hangzhou MaxPressure 1 h, cbd3456).
enum class Claimed : std::uint8_t { kNo, kYes };

/// This step's claims on crossings (conflicts.cpp writes them, the actions read them, the move
/// stage clears them): derived, every entry is empty between steps.
struct Claims {
  std::vector<std::int32_t> vehicle;  ///< per conflict entry: the vehicle on its movement that claims the crossing
  std::vector<double> distance;       ///< per conflict entry: that vehicle's distance to the crossing
  /// Per movement: kYes when a vehicle on a movement that crosses it claims one of its crossings
  /// this step (kNo between steps), so a vehicle on or before an unclaimed movement skips its crossings.
  std::vector<Claimed> movement_claimed;
  /// The first notified_count movements are those whose entries are set this step, any order.
  std::vector<MovementId> notified;
  std::int32_t notified_count = 0;
};

/// Per-lane statistics the env reads, refreshed every step by the leaders pass (saved).
struct LaneStats {
  std::vector<std::int32_t> count, queue;
  std::vector<double> speed_sum, wait_sum;
  std::vector<std::int64_t> departures;  ///< vehicles that left the lane since reset
};

/// Metric accumulators since reset (saved).
struct Accumulators {
  std::int64_t departed = 0, entered = 0, finished = 0, running = 0;
  std::int64_t vehicle_updates = 0;  ///< sum over steps of running vehicles
  std::int64_t lane_changes = 0;
  double finished_travel_time = 0;   ///< sum over finished of (arrival - scheduled departure)
  double finished_delay_index = 0;   ///< sum over finished of their final delay index
  std::vector<MetricSample> samples;
};

/// The step index: which drivables hold vehicles and per-vehicle and per-lane caches of the path
/// and the leaders pass (derived: rebuild_step_index, step_index.cpp).
struct StepIndex {
  std::vector<std::int32_t> next;            ///< per running vehicle slot: the drivable after its current one
  std::vector<std::uint64_t> occupied_bits;  ///< per drivable: 1 = its list is not empty
  std::vector<std::uint64_t> active_bits;    ///< occupied_bits indexed by rank
  /// Per lane: how many movements from it are marked in occupied_bits (0: the leader search
  /// skips them all).
  std::vector<std::int32_t> lane_out_occupied;
  /// Drivables holding vehicles, in rank order (refresh_active): part p's at
  /// [parts.rank_begin[p], active_end[p]).
  std::vector<std::int32_t> active;
  std::vector<std::int32_t> active_end;  ///< per part: the end of its range of active
  std::int32_t active_count = 0;         ///< entries of active in all parts
  bool newly_occupied = false;           ///< a drivable was marked since the last refresh_active
  std::vector<RoadId> lane_hanging;      ///< per lane: tail_hangs_from(lane), refreshed with the leaders
  std::vector<std::int32_t> lane_front_next;  ///< per occupied lane: next of its first vehicle (likewise)
};

/// Where a part's vehicles and list blocks start after a renumbering.
struct RenumberBase {
  std::int32_t first_slot;
  std::int32_t pool_at;
};

/// The threads' parts and their work sharing (derived: compute_parts, locality.cpp).
struct Parts {
  tbb::task_arena* arena = nullptr;  ///< the owner's arena (Simulator::arena_)
  std::int32_t threads = 1;
  std::int32_t parallel_min_items = 2048;  ///< SimOptions::parallel_min_items
  bool split = false;  ///< this step's passes run on the parts' threads (threads > 1, running >= parallel_min_items)
  std::vector<std::int32_t> rank_begin;   ///< per part: its first rank
  std::vector<std::int32_t> slot_begin;   ///< per part: its first vehicle slot
  std::vector<RenumberBase> renumber_bases;  ///< scratch for renumber_slots: per part
  std::unique_ptr<PartShare[]> shares;   ///< per part: its items in a work_shared pass
};

/// A mover's insertion order: farthest along its new drivable first, then by slot.
struct MoverKey {
  double dis;
  std::int32_t slot;
};

/// Scratch of the move stage (and of renumbering), dead between steps (derived).
struct MoveScratch {
  std::vector<std::int32_t> movers;     ///< vehicles changing drivable
  std::vector<std::uint64_t> moving_bits;  ///< movers by slot (zero between steps)
  std::vector<MoverKey> mover_keys;     ///< this step's movers to insert (its capacity: the most in one step)
};

/// All mutable state of one simulation.
struct SimState {
  Clock clock;
  Vehicles vehicles;
  DrivableLists lists;  ///< per drivable, front first (saved)
  EntryQueues entry;
  Signals signals;
  Claims claims;
  LaneStats lane;
  Accumulators acc;
  StepIndex index;
  Parts parts;
  MoveScratch move;
};

namespace detail {
/// Converts to any member type (only in unevaluated aggregate initialisation, by field_count).
struct AnyField {
  template <class T>
  operator T&&() const;  // NOLINT: implicit on purpose
};
/// The number of fields of aggregate T: the most AnyField initialisers T{...} accepts.
template <class T, class... Fields>
consteval std::size_t field_count() {
  if constexpr (requires { T{Fields{}..., AnyField{}}; }) return field_count<T, Fields..., AnyField>();
  else return sizeof...(Fields);
}
}  // namespace detail

/// The number of fields of the state group T (snapshot.cpp checks each group's saved and
/// derived lists against it, so a new field cannot be forgotten silently).
template <class T>
consteval std::size_t field_count() {
  static_assert(std::is_aggregate_v<T>, "a state group is a plain aggregate");
  return detail::field_count<T>();
}
static_assert(field_count<RenumberBase>() == 2, "field_count counts an aggregate's fields");

/// Simulated seconds at the start of the current step.
inline double now(const SimModel& m, const SimState& st) { return static_cast<double>(st.clock.step_count) * m.dt; }

}  // namespace greenwave::sim
