// The native traffic simulator: one SimState stepped against a shared CompiledScenario.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <oneapi/tbb/task_arena.h>

#include "greenwave/networks/road_network.hpp"
#include "greenwave/sim/backend.hpp"
#include "greenwave/sim/citybrain_score.hpp"

namespace greenwave {

class NetworkGeometry;

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

namespace sim {
struct SimModel;
struct SimState;
}  // namespace sim

/// Running vehicles that stand (speed < 0.1 m/s, the queue threshold) by what holds them; see
/// docs/simulator.md, "Why vehicles stand". The six reasons add up to `standing`.
struct StandingCounts {
  std::int64_t running = 0;          ///< running vehicles
  std::int64_t standing = 0;         ///< of them, speed < 0.1 m/s
  std::int64_t queued = 0;           ///< behind another vehicle on its lane, or first with one just ahead
  std::int64_t red_light = 0;        ///< first at a stop line whose movement is closed (its end lane has room)
  std::int64_t end_lane_full = 0;    ///< first at a stop line, no room on its movement's end lane (any signal)
  std::int64_t yielding = 0;         ///< yielding to a crossing vehicle (before or inside an intersection)
  std::int64_t in_intersection = 0;  ///< inside an intersection behind a vehicle (its end lane is backed up)
  std::int64_t other = 0;            ///< none of the above (e.g. just starting to move)
  /// Standing vehicles on drivables whose wait chain (each drivable's standing first vehicle
  /// waits for the drivable that holds it: the end lane, the leader's, the blocker's; red
  /// lights end a chain) runs into a cycle: a gridlock, which no signal change can undo.
  std::int64_t gridlocked = 0;
};

/// The simulator: a thin owner of the scenario, its derived model, the mutable state (SimState:
/// vehicles in struct-of-arrays, per-drivable order, signals, RNG, metric accumulators) and the
/// worker threads; step() runs the pipeline's stages over (model, state). Not thread-safe
/// itself: one caller steps it, TBB parallelises inside the step.
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
  double time() const override;
  bool demand_done() const override;
  PhaseRequest request_phase(IntersectionId i, std::int32_t phase) override;
  PhaseRequest switch_phase(IntersectionId i, std::int32_t phase, double clearance) override;
  SignalState signal(IntersectionId i) const override;
  std::span<const std::int32_t> lane_vehicle_counts() const override;
  std::span<const std::int32_t> lane_queue_counts() const override;
  std::span<const double> lane_speed_sums() const override;
  std::span<const double> lane_waiting_times() const override;
  std::span<const std::int64_t> lane_departures() const override;
  Metrics metrics() const override;
  /// Poses from the lanes' and movements' centre lines (NetworkGeometry, built on the first call).
  void vehicle_poses(std::vector<VehiclePose>& out) const override;

  /// Changes the number of worker threads (results are bit-identical for any value).
  void set_threads(int threads);
  /// Steps taken since reset.
  std::int64_t steps() const;
  /// Vehicle updates so far: the sum over steps of running vehicles (benchmark unit).
  std::int64_t vehicle_updates() const;
  /// Running vehicles now.
  std::int64_t running() const;
  /// Lane changes since reset (always 0 unless settings.lane_change).
  std::int64_t lane_changes() const;
  /// Vehicles waiting to enter each lane (departed, entry lane full).
  std::span<const std::int32_t> lane_entry_waiting() const;
  /// Every running vehicle, in drivable order (front first).
  std::vector<VehicleView> vehicles() const;
  /// Vehicles on each drivable (lanes, then movements), front first.
  std::span<const std::int32_t> drivable_vehicles(std::int32_t drivable) const;
  /// Delay-index samples taken every settings.metric_period seconds since reset, up to the horizon.
  const std::vector<MetricSample>& metric_samples() const;
  /// Running and standing vehicles now, by what holds the standing ones (standing.cpp).
  StandingCounts standing() const;
  /// True when movement m may be entered this step (its phase is green, or it is always green).
  bool movement_open(MovementId m) const;
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
  std::shared_ptr<const CompiledScenario> scenario_;
  std::unique_ptr<sim::SimModel> model_;  ///< the scenario's derived tables (engine/sim/src/sim_model.hpp)
  std::unique_ptr<sim::SimState> state_;  ///< all mutable state (engine/sim/src/sim_state.hpp)
  std::unique_ptr<tbb::task_arena> arena_;  ///< the step's worker threads
  /// With settings.demand_jitter > 0: the scenario's demand with this episode's departure times
  /// (jitter_departures at each reset); the model reads it instead of the scenario's.
  std::unique_ptr<Demand> jittered_;
  /// The centre lines vehicle_poses() reads, built when first asked (drawing only).
  mutable std::unique_ptr<const NetworkGeometry> geometry_;
};

}  // namespace greenwave
