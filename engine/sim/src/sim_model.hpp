// Private to engine/sim: the immutable side of a simulation (like MuJoCo's mjModel): the
// compiled scenario and the tables the step derives from it once, at construction (model.cpp,
// locality.cpp). Many states could share one model; the stages only read it.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "greenwave/networks/road_network.hpp"

namespace greenwave::sim {

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

/// IDM's desired gap s*(v, dv) = s0 + max(0, v T + v dv / (2 sqrt(a b))) of a vehicle of type
/// vt at speed v closing on its leader at dv (s0 = minGap, T = headwayTime or 1 s when that is
/// 0, a = usualPosAcc, b = usualNegAcc).
inline double idm_desired_gap(const VehicleType& vt, double speed, double approach) {
  const double T = vt.headway_time > 0 ? vt.headway_time : 1.0;
  return vt.min_gap + std::max(0.0, speed * T + speed * approach / (2 * std::sqrt(vt.usual_pos_acc * vt.usual_neg_acc)));
}

/// The scenario and what the step derives from it once; never written after construction.
struct SimModel {
  const CompiledScenario* scenario = nullptr;
  const RoadNetwork* net = nullptr;
  const Demand* demand = nullptr;
  const RunSettings* settings = nullptr;
  double dt = 1;
  bool dt_power_of_two = false;
  double inverse_dt = 1;  ///< 1 / dt
  /// x / dt, as x times 1 / dt when dt is a power of two (then the two are equal, and a
  /// multiplication does not wait on the divider).
  double over_dt(double x) const { return dt_power_of_two ? x * inverse_dt : x / dt; }
  std::int32_t lanes = 0;      ///< net->num_lanes(): drivables below it are lanes
  std::int32_t drivables = 0;  ///< lanes + movements
  /// Per vehicle type: how far ahead it reacts (its braking distance from maxSpeed + 2 steps; with
  /// IDM at least its desired gap at maxSpeed behind a stopped leader).
  std::vector<double> type_reach;
  /// Per vehicle type, the car-following terms of its maximum and its usual deceleration.
  std::vector<FollowerBrake> type_max_brake, type_usual_brake;
  /// Per drivable (lanes, then movements): its length and speed limit, one array each so that
  /// the step reads them without testing which kind a drivable is.
  std::vector<double> drivable_length, drivable_speed_limit;
  /// Per conflict entry: the entry on the other movement that describes the same crossing.
  std::vector<std::int32_t> conflict_mirror;
  std::vector<LaneId> entry_lanes;  ///< lanes a departure may enter, ascending
  std::int64_t scheduled_in_horizon = 0;  ///< departures before the horizon
  std::int64_t metric_period_steps = 1;   ///< steps between two delay-index samples
  // locality (locality.cpp)
  std::vector<std::int32_t> rank_order;  ///< drivables in spatial order
  std::vector<std::int32_t> rank_of;     ///< per drivable: its index in rank_order
};

/// The model of `scenario` (which must outlive it).
SimModel make_model(const CompiledScenario& scenario);
/// Orders the drivables spatially: model.rank_order and model.rank_of (locality.cpp).
void build_rank_order(SimModel& model);

}  // namespace greenwave::sim
