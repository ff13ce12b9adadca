// The libsumo backend: SUMO itself simulates the traffic, greenwave drives its lights and reads
// its lanes, so every controller, agent, reward and metric runs unchanged on SUMO's dynamics.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "greenwave/networks/sumo.hpp"
#include "greenwave/sim/backend.hpp"

namespace greenwave {

/// Where the SUMO network of a compiled scenario is and how greenwave's ids map onto it.
struct SumoNetwork {
  std::string net_file;  ///< the .net.xml SUMO loads
  SumoLinks links;       ///< native road/lane/intersection ids to SUMO's
};

/// The SUMO network of a scenario file: a .sumocfg or .net.xml is its own network; anything else
/// has none (ConfigError naming `path`).
SumoNetwork sumo_network_of(const std::string& path);

/// A TrafficBackend over libsumo. libsumo holds one simulation per process, so at most one
/// SumoBackend may exist in a process at a time (a second one throws ConfigError).
///
/// SUMO loads the network and a route file greenwave writes from the compiled demand (one
/// vehicle per departure, id = its index, its compiled route and scheduled time), so departures,
/// routes and vehicle counts are exactly the native engine's; SUMO's own car-following, lane
/// changing, junction right-of-way and teleporting move them. The lights follow greenwave's
/// switching rules (min_green, clearance = settings.yellow): a green phase sets the links of its
/// movements green (SUMO's 'g' where the program ever used it, else 'G'), a clearance sets the
/// previous phase's green links yellow, everything else is red. docs/sumo.md has the details.
class SumoBackend final : public TrafficBackend {
 public:
  /// Starts SUMO on `network` with `scenario`'s demand and settings (throws ConfigError when
  /// libsumo refuses them).
  SumoBackend(std::shared_ptr<const CompiledScenario> scenario, SumoNetwork network);
  ~SumoBackend() override;
  SumoBackend(const SumoBackend&) = delete;
  SumoBackend& operator=(const SumoBackend&) = delete;

  const CompiledScenario& scenario() const override { return *scenario_; }
  void reset(std::uint64_t seed) override;
  void step() override;
  double time() const override { return static_cast<double>(steps_) * dt_; }
  bool demand_done() const override;
  PhaseRequest request_phase(IntersectionId i, std::int32_t phase) override;
  PhaseRequest switch_phase(IntersectionId i, std::int32_t phase, double clearance) override;
  SignalState signal(IntersectionId i) const override;
  std::span<const std::int32_t> lane_vehicle_counts() const override;
  std::span<const std::int32_t> lane_queue_counts() const override;
  std::span<const double> lane_speed_sums() const override;
  /// Waiting seconds per lane, each vehicle counted since it entered the lane (docs/rewards.md),
  /// tracked from every lane's vehicle list each step; that starts with the first call
  /// (TrafficEnv makes it at reset) and continues across resets.
  std::span<const double> lane_waiting_times() const override;
  /// Departures into intersections per lane. Counting them needs every lane's vehicle list each
  /// step, so it starts with the first call (TrafficEnv makes it at reset; a controller-only run
  /// never does and pays nothing) and continues across resets.
  std::span<const std::int64_t> lane_departures() const override;
  Metrics metrics() const override;
  /// SUMO's own positions (the vehicles' fronts) and angles (turned from SUMO's clockwise-from-north).
  void vehicle_poses(std::vector<VehiclePose>& out) const override;

 private:
  void start(std::uint64_t seed);
  void apply_signal(IntersectionId i);
  void refresh_lane_stats() const;
  /// After the step that started at `step_start`, while counting: lane departures (after
  /// lane_departures()) and waiting (after lane_waiting_times()).
  void track_lanes(double step_start);

  std::shared_ptr<const CompiledScenario> scenario_;
  SumoNetwork network_;
  std::string route_file_;  ///< written in the constructor, removed by the destructor
  double dt_;
  std::int64_t steps_ = 0;
  // ---- ids ----
  std::vector<std::string> lane_sumo_id_;               ///< per native lane
  std::vector<std::string> tls_;                         ///< per intersection ("" = SUMO's own rules)
  std::vector<std::vector<std::int32_t>> link_;          ///< per intersection, per local movement
  std::vector<std::string> permissive_;                  ///< per intersection: 1 where a link is ever 'g'
  // ---- signals (greenwave's rules) ----
  std::vector<std::int32_t> phase_, previous_phase_;
  std::vector<std::uint8_t> in_clearance_, dirty_;
  std::vector<double> clearance_left_, time_in_phase_;
  // ---- vehicles, by departure index ----
  std::vector<double> enter_, arrive_;                   ///< -1 until it happens
  std::vector<std::int32_t> running_;                    ///< departure indices now in SUMO
  std::vector<std::int32_t> running_slot_;               ///< position in running_, -1 when not running
  std::size_t next_departure_ = 0;                       ///< departures whose scheduled time passed
  std::int64_t served_ = 0, finished_ = 0;
  double finished_travel_ = 0;                           ///< sum of arrival - scheduled departure
  double departed_schedule_sum_ = 0;                     ///< sum of scheduled times of departed ones
  double finished_schedule_sum_ = 0;                     ///< the same over finished ones
  double finished_delay_sum_ = 0;                        ///< sum of (arrival - entry) / route free-flow time
  // ---- lanes ----
  mutable bool tracking_ = false;                        ///< lane_departures() has been called
  mutable std::vector<std::vector<std::string>> lane_vehicles_;  ///< last step's vehicle ids per lane
  std::vector<std::int64_t> lane_departures_;
  mutable std::int64_t stats_step_ = -1;
  mutable std::vector<std::int32_t> lane_count_, lane_queue_;
  mutable std::vector<double> lane_speed_sum_;
  // ---- waiting per lane ----
  mutable bool waiting_ = false;                         ///< lane_waiting_times() has been called
  mutable std::vector<std::int32_t> wait_lane_;          ///< per departure: the lane its waiting counts on (-1: none)
  std::vector<double> wait_;                             ///< per departure: seconds waited on that lane
  std::vector<double> lane_wait_;                        ///< per lane: the sum over its vehicles
};

}  // namespace greenwave
