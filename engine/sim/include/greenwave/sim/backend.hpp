// The simulator backend interface: what the env layer reads and drives. The native simulator
// implements it; the libsumo backend implements it too, so every agent and reward runs on either.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "greenwave/networks/road_network.hpp"

namespace greenwave {

/// Network-wide metrics at the current time (definitions in docs/metrics.md).
struct Metrics {
  double time = 0;                       ///< simulated seconds since the start
  std::int64_t served_vehicles = 0;      ///< entered the network so far, finished ones included
  double delay_index = 1.0;              ///< mean (TT + TT_rest_freeflow) / TT_freeflow over served
  double average_travel_time = 0;        ///< CityFlow's ATT over every vehicle whose departure passed
  double average_travel_time_finished = 0;  ///< mean travel time of finished vehicles only
  std::int64_t throughput = 0;           ///< vehicles that finished their route
  std::int64_t vehicles_scheduled = 0;   ///< departures scheduled within the horizon
  std::int64_t departed = 0;             ///< scheduled departure time has passed
  std::int64_t running = 0;              ///< on a lane or inside an intersection
  std::int64_t waiting_to_enter = 0;     ///< departed but queued outside a full entry lane
  std::int64_t queued = 0;               ///< running with speed < 0.1 m/s
  double mean_speed = 0;                 ///< over running vehicles, m/s
  double horizon = 0;                    ///< episode length, seconds
};

/// The signal state of one intersection.
struct SignalState {
  std::int32_t phase = 0;          ///< local index of the current (or upcoming, in clearance) green
  bool in_clearance = false;       ///< true during the clearance interval before `phase`
  double time_in_phase = 0;        ///< seconds since the last switch started (clearance included)
};

/// Where one running vehicle is, for drawing (replays, docs/replay.md).
struct VehiclePose {
  std::int32_t id = 0;  ///< the vehicle, stable within an episode (native: its index in Demand::departures)
  double x = 0;         ///< metres, the scenario's coordinates, at the vehicle's front
  double y = 0;         ///< metres
  double heading = 0;   ///< radians, direction of travel counter-clockwise from +x
};

/// Result of asking an intersection for a phase.
enum class PhaseRequest : std::uint8_t {
  Kept,        ///< the requested phase is the current one; nothing changes
  Switched,    ///< a clearance interval started, then the requested phase follows
  TooEarly,    ///< ignored: min_green has not elapsed since the last switch
  InClearance, ///< ignored: a clearance interval is running
};

/// What the env layer needs from a traffic simulator.
class TrafficBackend {
 public:
  virtual ~TrafficBackend() = default;
  /// The compiled scenario this backend simulates.
  virtual const CompiledScenario& scenario() const = 0;
  /// Restarts the episode from t = 0 with the given seed.
  virtual void reset(std::uint64_t seed) = 0;
  /// Advances one simulation step of scenario().settings.dt seconds.
  virtual void step() = 0;
  /// Simulated seconds since reset.
  virtual double time() const = 0;
  /// True when every scheduled vehicle has departed and left the network.
  virtual bool demand_done() const = 0;
  /// Asks intersection i for its local phase (0-based); applies the switching rules.
  virtual PhaseRequest request_phase(IntersectionId i, std::int32_t phase) = 0;
  /// As request_phase, with a clearance of `clearance` seconds instead of the scenario's (0 =
  /// the green changes at once; > 0 with the current phase runs the clearance and returns to
  /// it): a fixed-time plan's own clearance stages (CityFlow's lightphases).
  virtual PhaseRequest switch_phase(IntersectionId i, std::int32_t phase, double clearance) = 0;
  /// The signal state of intersection i.
  virtual SignalState signal(IntersectionId i) const = 0;
  /// Vehicles on each lane (indexed by LaneId).
  virtual std::span<const std::int32_t> lane_vehicle_counts() const = 0;
  /// Vehicles on each lane with speed < 0.1 m/s.
  virtual std::span<const std::int32_t> lane_queue_counts() const = 0;
  /// Sum of vehicle speeds on each lane, m/s.
  virtual std::span<const double> lane_speed_sums() const = 0;
  /// Accumulated waiting (queued) seconds of the vehicles now on each lane.
  virtual std::span<const double> lane_waiting_times() const = 0;
  /// Vehicles that have left each lane into an intersection, cumulative since reset.
  virtual std::span<const std::int64_t> lane_departures() const = 0;
  /// Network-wide metrics now.
  virtual Metrics metrics() const = 0;
  /// Replaces `out` with the pose of every running vehicle (in no particular order).
  virtual void vehicle_poses(std::vector<VehiclePose>& out) const = 0;
};

}  // namespace greenwave
