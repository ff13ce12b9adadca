// The model (sim_model.hpp), built once per simulation: reads the compiled scenario, writes
// every SimModel table (the spatial rank order in locality.cpp).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "greenwave/core/error.hpp"
#include "sim_model.hpp"

namespace greenwave::sim {

SimModel make_model(const CompiledScenario& scenario) {
  SimModel m;
  m.scenario = &scenario;
  m.net = &scenario.network;
  m.demand = &scenario.demand;
  m.settings = &scenario.settings;
  m.dt = scenario.settings.dt;
  const RoadNetwork& net = scenario.network;
  const Demand& demand = scenario.demand;
  m.lanes = net.num_lanes();
  m.drivables = net.num_lanes() + net.num_movements();
  m.drivable_length.reserve(static_cast<std::size_t>(m.drivables));
  m.drivable_speed_limit.reserve(m.drivable_length.capacity());
  for (LaneId l = 0; l < net.num_lanes(); ++l) {
    m.drivable_length.push_back(net.lane_length[l]);
    m.drivable_speed_limit.push_back(net.lane_speed_limit[l]);
  }
  for (MovementId mv = 0; mv < net.num_movements(); ++mv) {
    m.drivable_length.push_back(net.movement_length[mv]);
    m.drivable_speed_limit.push_back(net.movement_speed_limit[mv]);
  }
  // Mirror of each conflict entry: the entry on the other movement that describes the same crossing.
  m.conflict_mirror.assign(net.conflicts.size(), kNone);
  for (MovementId mv = 0; mv < net.num_movements(); ++mv) {
    for (std::int32_t c = net.movement_conflict_begin[mv]; c < net.movement_conflict_begin[mv + 1]; ++c) {
      const Conflict& cf = net.conflicts[c];
      for (std::int32_t d = net.movement_conflict_begin[cf.other]; d < net.movement_conflict_begin[cf.other + 1]; ++d)
        if (net.conflicts[d].other == mv && net.conflicts[d].distance == cf.other_distance) m.conflict_mirror[c] = d;
      GW_CHECK(m.conflict_mirror[c] != kNone, "conflict without mirror");
    }
  }
  // Lanes a departure may enter: the lanes of every route's first road (enter_waiting visits only these).
  std::vector<std::uint8_t> entry(static_cast<std::size_t>(net.num_lanes()), 0);
  for (const Departure& d : demand.departures) {
    m.scheduled_in_horizon += d.time < scenario.settings.horizon;
    for (const LaneId l : net.lanes_of(demand.route(d.route)[0])) entry[l] = 1;
  }
  for (LaneId l = 0; l < net.num_lanes(); ++l)
    if (entry[l]) m.entry_lanes.push_back(l);
  for (const VehicleType& vt : demand.vehicle_types) {
    const double reach = vt.max_speed * vt.max_speed / vt.usual_neg_acc / 2 + vt.max_speed * m.dt * 2;
    const bool idm = scenario.settings.vehicle_model == VehicleModel::IDM;
    m.type_reach.push_back(idm ? std::max(reach, idm_desired_gap(vt, vt.max_speed, vt.max_speed)) : reach);
    m.type_max_brake.push_back(FollowerBrake::of(vt.max_neg_acc));
    m.type_usual_brake.push_back(FollowerBrake::of(vt.usual_neg_acc));
  }
  int exponent = 0;
  m.dt_power_of_two = std::frexp(m.dt, &exponent) == 0.5;
  m.inverse_dt = 1 / m.dt;
  m.metric_period_steps = std::max<std::int64_t>(1, std::llround(scenario.settings.metric_period / m.dt));
  build_rank_order(m);
  return m;
}

}  // namespace greenwave::sim
