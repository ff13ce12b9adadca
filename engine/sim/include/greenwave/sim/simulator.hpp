// The native traffic simulator: one SimState stepped against a shared CompiledScenario.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <oneapi/tbb/task_arena.h>

#include "greenwave/core/rng.hpp"
#include "greenwave/networks/road_network.hpp"
#include "greenwave/sim/backend.hpp"
#include "greenwave/sim/citybrain_score.hpp"
#include "greenwave/sim/drivable_lists.hpp"
#include "greenwave/sim/part_share.hpp"
#include "greenwave/sim/ring_queue.hpp"

namespace greenwave {

/// Options of one simulation that are not part of the scenario.
struct SimOptions {
  int threads = 1;  ///< TBB worker threads for this simulation (results do not depend on it)
  /// A step with fewer running vehicles runs its passes on the calling thread, and renumbering
  /// moves fewer slots there: splitting small work costs more than it saves (results do not
  /// depend on it).
  std::int32_t parallel_min_items = 2048;
};

/// A read-only view of one running vehicle, for tests, invariant checks and bindings.
struct VehicleView {
  std::int32_t slot;        ///< index of its state now (slots are renumbered every 50 steps)
  std::int32_t id;          ///< the vehicle's index in Demand::departures: stable, unique
  std::int32_t drivable;    ///< lane id, or num_lanes + movement id inside an intersection
  double distance;          ///< metres from the start of the drivable to the vehicle's front
  double speed;             ///< m/s
  double length;            ///< metres
  double max_speed;         ///< the vehicle type's max speed
  std::int32_t route;       ///< route index in Demand
};

/// The simulator. Holds all mutable state (vehicles in struct-of-arrays, per-drivable order,
/// signals, RNG, metric accumulators); reads the immutable scenario. Not thread-safe itself:
/// one caller steps it, TBB parallelises inside the step.
class Simulator final : public TrafficBackend {
 public:
  /// Builds a simulation of `scenario` and resets it with the scenario's seed.
  explicit Simulator(std::shared_ptr<const CompiledScenario> scenario, SimOptions options = {});
  ~Simulator() override;
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  const CompiledScenario& scenario() const override { return *scenario_; }
  void reset(std::uint64_t seed) override;
  void step() override;
  double time() const override { return static_cast<double>(step_count_) * dt_; }
  bool demand_done() const override;
  PhaseRequest request_phase(IntersectionId i, std::int32_t phase) override;
  SignalState signal(IntersectionId i) const override;
  std::span<const std::int32_t> lane_vehicle_counts() const override { return lane_count_; }
  std::span<const std::int32_t> lane_queue_counts() const override { return lane_queue_; }
  std::span<const double> lane_speed_sums() const override { return lane_speed_sum_; }
  std::span<const double> lane_waiting_times() const override { return lane_wait_sum_; }
  std::span<const std::int64_t> lane_departures() const override { return lane_departures_; }
  Metrics metrics() const override;

  /// Changes the number of worker threads (results are bit-identical for any value).
  void set_threads(int threads);
  /// Steps taken since reset.
  std::int64_t steps() const { return step_count_; }
  /// Vehicle updates so far: the sum over steps of running vehicles (benchmark unit).
  std::int64_t vehicle_updates() const { return vehicle_updates_; }
  /// Running vehicles now.
  std::int64_t running() const { return running_; }
  /// Lane changes since reset (always 0 unless settings.lane_change).
  std::int64_t lane_changes() const { return lane_changes_; }
  /// Vehicles waiting to enter each lane (departed, entry lane full).
  std::span<const std::int32_t> lane_entry_waiting() const { return lane_entry_waiting_; }
  /// Every running vehicle, in drivable order (front first).
  std::vector<VehicleView> vehicles() const;
  /// Vehicles on each drivable (lanes, then movements), front first.
  std::span<const std::int32_t> drivable_vehicles(std::int32_t drivable) const { return lists_[drivable]; }
  /// Delay-index samples taken every settings.metric_period seconds since reset.
  const std::vector<MetricSample>& metric_samples() const { return samples_; }
  /// True when movement m may be entered this step (its phase is green, or it is always green).
  bool movement_open(MovementId m) const { return movement_open_[m] != 0; }
  /// Approximate bytes of mutable state per vehicle slot (benchmark report).
  static std::size_t bytes_per_vehicle();
  /// Heap bytes of mutable state held now (allocated capacity of vehicle arrays, drivable lists,
  /// entry queues, signal, conflict and lane arrays, step index; the scenario excluded).
  std::size_t state_bytes() const;
  /// The part of state_bytes() that grows with the vehicles held at once: the slot columns and
  /// slot-indexed scratch, the drivable lists' and entry queues' storage (their high-water marks).
  std::size_t vehicle_state_bytes() const;

  /// The whole mutable state as binary Protobuf (greenwave.v1.Snapshot); see docs/simulator.md.
  std::string save_snapshot() const;
  /// Replaces the whole state with a snapshot from save_snapshot() of the same scenario; throws
  /// ConfigError on bytes that are not a valid snapshot, ScenarioError on another scenario's.
  /// On error the state is unchanged.
  void restore_snapshot(std::string_view bytes);
  /// Writes save_snapshot() to `path` (via a temporary file and a rename); throws IoError.
  void save_snapshot_file(const std::string& path) const;
  /// Reads a snapshot file written by save_snapshot_file() and restores it.
  void restore_snapshot_file(const std::string& path);

 private:
  /// The car-following terms of a follower's deceleration d that no_collision_speed uses:
  /// a = 0.5 / d and 0.5 / a, computed once per vehicle type by the same operations.
  struct FollowerBrake {
    double a, half_over_a;
    /// The terms of deceleration d.
    static FollowerBrake of(double d) {
      const double a = 0.5 / d;
      return {a, 0.5 / a};
    }
  };
  /// CityFlow's collision-free speed: the largest speed that still lets the follower, braking
  /// as `brake` says, stop behind a leader braking at dL, keeping target_gap; `gap_term` is
  /// 2 * (gap - target_gap) / interval.
  static double no_collision_speed(double vL, double dL, double vF, FollowerBrake brake, double gap, double interval,
                                   double target_gap, double gap_term);
  struct Vehicles;  // struct-of-arrays, defined in vehicles.hpp
  struct Cursor {   // a position along a vehicle's planned path
    std::int32_t drivable;
    std::int32_t route_pos;
  };

  Cursor next_drivable(std::int32_t v, Cursor at) const;
  /// next_drivable from v's current position, from the per-vehicle cache next_.
  Cursor next_of(std::int32_t v) const;
  /// Recomputes next_[v] after v's drivable or route position changed (v's own slot only).
  void refresh_next(std::int32_t v);
  void spawn();
  /// Moves the first waiting vehicle of each entry lane with room onto it (lanes in ascending order).
  void enter_waiting();
  /// enter_waiting for entry lane l, whose queue is not empty.
  void enter_first_waiting(LaneId l, double now);
  void update_signals();
  /// Refreshes movement_open_ for the movements of intersection i.
  void update_signals_at(IntersectionId i);
  void notify_conflicts();
  void compute_actions();
  /// Vehicle v's next speed, distance and drivable into the next-state buffer.
  void compute_action(std::int32_t v);
  /// Commits vehicle v's next state (after the movers joined their drivables).
  void commit(std::int32_t v);
  /// The step number stored in enter_link_step (capped below kNotOnLink).
  std::int32_t link_step() const;
  double next_speed(std::int32_t v);
  double intersection_speed(std::int32_t v, double interval, Cursor next);
  bool can_pass(std::int32_t v, std::int32_t conflict, double distance_to_link_start) const;
  void move_vehicles();
  /// Every running vehicle's leader and gap, the per-lane caches and the lane statistics, in
  /// one parallel pass over the occupied drivables, which also advances the signal timers.
  void update_leaders_stats_and_signals();
  /// The road lane l's last vehicle came from while its tail is still in the intersection (it
  /// hangs out over the movement it came through), else kNone.
  RoadId tail_hangs_from(LaneId l) const;
  /// Sets vehicle v's leader and gap: the vehicle ahead on its drivable, else leader_beyond(v).
  void leader_of(std::int32_t v, std::int32_t ahead_on_same);
  /// Leader search for the first vehicle of a drivable: the nearest tail along its path, within
  /// its reaction distance (kNone beyond it).
  void leader_beyond(std::int32_t v);
  /// One step of the signal timers of intersections [first, last): clearance ends, phases open.
  void advance_signal_timers(IntersectionId first, IntersectionId last);
  /// The serial lane-change pass (lane_change.cpp; a no-op unless settings.lane_change).
  void change_lanes();
  /// Moves vehicle v (list index index_in_lane on lane `from`) to a neighbour if the rule allows.
  bool try_lane_change(std::int32_t v, LaneId from, std::int32_t index_in_lane);
  /// Empties the growable state (vehicle slots, drivable lists, entry queues, samples), keeping
  /// its capacity from earlier episodes (capacity.cpp).
  void clear_growable_state();
  /// Raises next_, movers_ and moving_bits_ to the vehicle slots' capacity (they are indexed by slot).
  void grow_slot_scratch();
  double delay_index_now() const;
  /// Marks drivable d as holding vehicles (serial phases only).
  void mark_occupied(std::int32_t d) {
    std::uint64_t& word = occupied_bits_[static_cast<std::size_t>(d) >> 6];
    const std::uint64_t bit = std::uint64_t{1} << (d & 63);
    if ((word & bit) == 0) {
      newly_occupied_ = true;
      const std::int32_t lanes = net_->num_lanes();
      if (d >= lanes) ++lane_out_occupied_[net_->movement_from_lane[d - lanes]];
    }
    word |= bit;
    const std::int32_t r = rank_of_[d];
    active_bits_[static_cast<std::size_t>(r) >> 6] |= std::uint64_t{1} << (r & 63);
  }
  /// Unmarks drivable d, whose list the leaver pass just emptied, and zeroes an emptied lane's
  /// statistics (safe on different drivables at once).
  void unmark_emptied(std::int32_t d);
  /// True when drivable d holds vehicles (its list is not empty).
  bool occupied(std::int32_t d) const { return ((occupied_bits_[static_cast<std::size_t>(d) >> 6] >> (d & 63)) & 1) != 0; }
  /// Turns the occupied bitmap into active_ (in rank order, cut into the threads' parts); on the
  /// parts' threads when `split`.
  void refresh_active(bool split);
  /// refresh_active for part p's ranks only (then count_active).
  void refresh_part(std::int32_t p);
  /// Sets active_count_ from the parts' ends after refresh_part.
  void count_active();
  /// Orders the drivables spatially (rank_order_, rank_of_; locality.cpp).
  void build_rank_order();
  /// Renumbers the vehicle slots in rank order, dropping free slots, then recomputes the parts.
  void renumber_slots();
  /// Reorders column[0, n) so that column'[i] = column[order[i]] (n = order.size()), through
  /// the raw bytes of `scratch` (at least n * sizeof(T) bytes), in parallel over the parts;
  /// then keeps the first n entries.
  template <class T>
  void gather(std::vector<T>& column, const std::vector<std::int32_t>& order, std::vector<double>& scratch);
  /// Cuts the ranks (and the slots, as numbered at the last renumbering) into one part per
  /// thread, with equal shares of the running vehicles.
  void compute_parts();
  /// Rebuilds next_, the per-lane caches, the occupied bitmaps, the parts, active_ and notified_
  /// from the state (reset, restore).
  void rebuild_step_index();
  /// Runs fn(p) for every part p: one task per part and thread when `split`, else in order on
  /// the calling thread.
  template <class Fn>
  void for_each_part(bool split, Fn&& fn);
  /// Inside part p's task of for_each_part: offers its items [begin, end) in chunks of `chunk`,
  /// runs fn(first, last) over its own chunks from the start, then over chunks taken from the
  /// ends of the other parts' ranges. For work whose result does not depend on the thread.
  template <class Fn>
  void work_shared(std::int32_t p, std::int32_t begin, std::int32_t end, std::int32_t chunk, Fn&& fn);
  /// work_shared that runs before() once its items are offered, before its own chunks (other
  /// parts may take them meanwhile).
  template <class Before, class Fn>
  void work_shared(std::int32_t p, std::int32_t begin, std::int32_t end, std::int32_t chunk, Before&& before, Fn&& fn);
  /// Part p's equal share [first, last) of n items (for work not tied to the parts' ranges).
  std::pair<std::int64_t, std::int64_t> equal_share(std::int64_t n, std::int32_t p) const;
  /// Part p's block of vehicle slots, [first, last).
  std::pair<std::int32_t, std::int32_t> part_slots(std::int32_t p) const;

  std::shared_ptr<const CompiledScenario> scenario_;
  const RoadNetwork* net_;
  const Demand* demand_;
  double dt_;
  std::vector<double> type_reach_;  ///< per vehicle type: how far ahead it reacts (braking distance + 2 steps)
  /// x / dt_, as x times 1 / dt_ when dt_ is a power of two (then the two are equal, and a
  /// multiplication does not wait on the divider).
  double over_dt(double x) const { return dt_power_of_two_ ? x * inverse_dt_ : x / dt_; }
  bool dt_power_of_two_ = false;
  double inverse_dt_ = 1;  ///< 1 / dt_
  /// Per vehicle type, the car-following terms of its maximum and its usual deceleration.
  std::vector<FollowerBrake> type_max_brake_, type_usual_brake_;
  /// Per drivable (lanes, then movements): its length and speed limit, one array each so that
  /// the step reads them without testing which kind a drivable is.
  std::vector<double> drivable_length_, drivable_speed_limit_;
  std::unique_ptr<tbb::task_arena> arena_;
  int threads_ = 1;
  std::int32_t parallel_min_items_;
  bool split_ = false;  ///< this step's passes run on the parts' threads (threads > 1, running >= parallel_min_items_)

  // time and RNG
  std::int64_t step_count_ = 0;
  Rng rng_;
  std::size_t next_departure_ = 0;

  // vehicles
  std::unique_ptr<Vehicles> veh_;
  DrivableLists lists_;                                        ///< per drivable, front first
  std::vector<RingQueue<std::int32_t>> lane_entry_queue_;     ///< per lane, departed but not entered
  std::vector<std::int32_t> lane_entry_waiting_;
  std::vector<std::uint64_t> entry_queued_bits_;              ///< per lane: 1 = its entry queue holds vehicles (derived)
  std::vector<std::int32_t> movers_;                           ///< scratch: vehicles changing drivable
  std::vector<std::uint64_t> moving_bits_;                     ///< scratch: movers_ by slot (zero between steps)
  /// A mover's insertion order: farthest along its new drivable first, then by slot.
  struct MoverKey {
    double dis;
    std::int32_t slot;
  };
  std::vector<MoverKey> mover_keys_;  ///< scratch: this step's movers to insert (its capacity: the most in one step)
  // step index (derived from the lists; rebuilt by rebuild_step_index, never saved)
  std::vector<std::uint64_t> occupied_bits_;  ///< per drivable: 1 = its list is not empty
  std::vector<std::uint64_t> active_bits_;    ///< occupied_bits_ indexed by rank
  /// Per lane: how many movements from it are marked in occupied_bits_ (0: the leader search
  /// skips them all).
  std::vector<std::int32_t> lane_out_occupied_;
  /// Drivables holding vehicles, in rank order (refresh_active): part p's at
  /// [part_rank_begin_[p], active_end_[p]).
  std::vector<std::int32_t> active_;
  std::int32_t active_count_ = 0;             ///< entries of active_ in all parts
  bool newly_occupied_ = false;               ///< a drivable was marked since the last refresh_active
  // locality (locality.cpp; derived, never saved)
  std::vector<std::int32_t> rank_order_;        ///< drivables in spatial order
  std::vector<std::int32_t> rank_of_;           ///< per drivable: its index in rank_order_
  std::vector<std::int32_t> part_rank_begin_;   ///< per thread's part: its first rank
  std::vector<std::int32_t> part_slot_begin_;   ///< per part: its first vehicle slot
  std::vector<std::int32_t> active_end_;       ///< per part: the end of its range of active_
  /// Where a part's vehicles and list blocks start after a renumbering.
  struct RenumberBase {
    std::int32_t first_slot;
    std::int32_t pool_at;
  };
  std::vector<RenumberBase> renumber_bases_;  ///< scratch for renumber_slots: per part
  std::unique_ptr<PartShare[]> shares_;          ///< per part: its items in a work_shared pass
  std::vector<MovementId> notified_;          ///< per movement: the first notified_count_ are those whose
                                              ///< conflict entries are set this step, any order
  std::int32_t notified_count_ = 0;
  std::vector<LaneId> entry_lanes_;           ///< lanes a departure may enter, ascending
  std::vector<std::int32_t> next_;            ///< per running vehicle slot: the drivable after its current one
  std::vector<RoadId> lane_hanging_;          ///< per lane: tail_hangs_from(lane), refreshed with the leaders
  std::vector<std::int32_t> lane_front_next_; ///< per occupied lane: next_ of its first vehicle (likewise)

  // signals
  std::vector<std::int32_t> phase_;           ///< per intersection, local phase (target in clearance)
  std::vector<std::uint8_t> in_clearance_;
  std::vector<double> clearance_left_;
  std::vector<double> time_in_phase_;
  std::vector<std::uint8_t> movement_open_;   ///< per movement, this step

  // conflicts: per conflict entry, the vehicle on this movement that claims the crossing
  std::vector<std::int32_t> conflict_mirror_;
  std::vector<std::int32_t> notify_vehicle_;
  std::vector<double> notify_distance_;
  /// Whether a movement has a crossing claimed this step. A one-byte enum, not std::uint8_t:
  /// stores through a character type may alias anything, so the compiler would reload every
  /// array's address after each one in the notification loops.
  enum class Claimed : std::uint8_t { kNo, kYes };
  /// Per movement: kYes when a vehicle on a movement that crosses it claims one of its crossings
  /// this step (kNo between steps), so a vehicle on or before an unclaimed movement skips its crossings.
  std::vector<Claimed> movement_claimed_;

  // lane statistics (refreshed every step)
  std::vector<std::int32_t> lane_count_, lane_queue_;
  std::vector<double> lane_speed_sum_, lane_wait_sum_;
  std::vector<std::int64_t> lane_departures_;

  // metric accumulators
  std::int64_t departed_ = 0, entered_ = 0, finished_ = 0, running_ = 0;
  std::int64_t vehicle_updates_ = 0;
  std::int64_t lane_changes_ = 0;
  double finished_travel_time_ = 0;     ///< sum over finished of (arrival - scheduled departure)
  double finished_delay_index_ = 0;     ///< sum over finished of their final delay index
  std::int64_t scheduled_in_horizon_ = 0;
  std::vector<MetricSample> samples_;
};

}  // namespace greenwave
