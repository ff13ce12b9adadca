// Small scenarios built in code for the snapshot, lane-change and allocation tests.
#pragma once

#include <memory>
#include <string>

#include "greenwave/networks/importers.hpp"
#include "greenwave/networks/scenario_io.hpp"
#include "greenwave/sim/simulator.hpp"

namespace greenwave::testing {

/// A generated size x size grid with random origin/destination demand (congested enough to queue).
inline std::shared_ptr<const CompiledScenario> grid(double rate, bool lane_change = false, std::uint64_t seed = 3, int size = 3) {
  GridOptions o;
  o.rows = size;
  o.cols = size;
  o.demand.pattern = DemandPattern::Random;
  o.demand.rate = rate;
  o.demand.horizon = 900;
  o.demand.seed = seed;
  v1::Scenario s = generate_grid(o);
  s.mutable_settings()->set_lane_change(lane_change);
  return std::make_shared<const CompiledScenario>(compile_scenario(s, "generated-grid"));
}

/// `n` independent corridors W -> M -> E, each road with two lanes that both lead on; slow
/// trucks (3 m/s) and fast cars (15 m/s) enter on a random lane, so cars queue behind trucks
/// unless they change lanes. Tests that need TBB to split the work use n = 120 (720 drivables).
inline std::shared_ptr<const CompiledScenario> corridors(int n, bool lane_change) {
  v1::Scenario s;
  s.set_name("corridors");
  auto* slow = s.mutable_demand()->add_vehicle_types();
  slow->set_id("truck");
  slow->set_length(8);
  slow->set_max_speed(3);
  auto* fast = s.mutable_demand()->add_vehicle_types();
  fast->set_id("car");
  fast->set_length(5);
  fast->set_max_speed(15);
  for (int c = 0; c < n; ++c) {
    const std::string k = std::to_string(c);
    auto node = [&](const std::string& id, double x, bool boundary) {
      auto* i = s.add_intersections();
      i->set_id(id + k);
      i->mutable_position()->set_x(x);
      i->mutable_position()->set_y(60.0 * c);
      i->set_boundary(boundary);
      return i;
    };
    node("W", 0, true);
    auto* mid = node("M", 500, false);
    node("E", 810, true);
    auto road = [&](const std::string& id, const std::string& from, const std::string& to, double length) {
      auto* r = s.add_roads();
      r->set_id(id + k);
      r->set_from_intersection(from + k);
      r->set_to_intersection(to + k);
      r->set_length(length);
      for (int l = 0; l < 2; ++l) r->add_lanes()->set_speed_limit(15);
    };
    road("in", "W", "M", 500);
    road("out", "M", "E", 300);
    for (int l = 0; l < 2; ++l) {
      auto* m = mid->add_movements();
      m->set_from_road("in" + k);
      m->set_from_lane(l);
      m->set_to_road("out" + k);
      m->set_to_lane(l);
      m->set_turn(v1::TURN_STRAIGHT);
      m->set_length(10);
    }
    auto flow = [&](const std::string& type, double start, double interval) {
      auto* f = s.mutable_demand()->add_flows();
      f->set_id(type + k);
      f->set_vehicle_type(type);
      f->add_route("in" + k);
      f->add_route("out" + k);
      f->set_start(start + c % 7);
      f->set_end(400);
      f->set_interval(interval);
    };
    flow("truck", 0, 20);
    flow("car", 1, 4);
  }
  auto* st = s.mutable_settings();
  st->set_horizon(600);
  st->set_seed(1);
  st->set_lane_change(lane_change);
  return std::make_shared<const CompiledScenario>(compile_scenario(s, "corridors"));
}

/// Steps split their passes from this many running vehicles in tests (the default,
/// SimOptions::parallel_min_items, keeps small scenarios on one thread).
inline constexpr std::int32_t kSplitFrom = 64;

/// Options that run the step on `threads` threads and split even a small test scenario's work.
inline SimOptions split_options(int threads) { return {threads, kSplitFrom}; }


/// Drivables holding at least one vehicle now: the step's per-drivable passes split their work
/// over these (a step splits from SimOptions::parallel_min_items running vehicles, kSplitFrom
/// in tests, and there are at least as many running vehicles as occupied drivables).
inline int occupied_drivables(const Simulator& sim) {
  const RoadNetwork& net = sim.scenario().network;
  int n = 0;
  for (std::int32_t d = 0; d < net.num_lanes() + net.num_movements(); ++d) n += !sim.drivable_vehicles(d).empty();
  return n;
}

}  // namespace greenwave::testing
