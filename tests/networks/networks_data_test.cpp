// The shared scenarios (../shared/data) load with independently derived counts, and every
// scenario survives import -> native .pbtxt/.pb -> read -> compile unchanged (round trip).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <tuple>

#include "../engine/sim/sim_test_support.hpp"
#include "cbengine_samples.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/networks/importers.hpp"
#include "greenwave/networks/scenario_io.hpp"

namespace greenwave {
namespace {

namespace fs = std::filesystem;

/// Counts of a compiled scenario. The expected values below were derived with a few lines of
/// /usr/bin/python3 over the JSON files (json.load; virtual intersections excluded from
/// "signalized"; movements = laneLinks of non-virtual intersections; phases = lightphases that are
/// not the one contained in all others; vehicles = startTime + k * interval while <= endTime (-1:
/// no end) and < 3600 s; free-flow time of roads[0] = polyline length minus the widths of its
/// non-virtual ends, over its highest lane maxSpeed), not with greenwave.
struct Counts {
  int intersections, signalized, roads, lanes, movements, phases;
  std::size_t vehicles, plans;
  double yellow;
  const char* first_road;
  double first_road_free_flow_time;
};

void expect_counts(const CompiledScenario& c, const Counts& want) {
  const RoadNetwork& net = c.network;
  EXPECT_EQ(net.num_intersections(), want.intersections);
  EXPECT_EQ(static_cast<int>(net.signalized.size()), want.signalized);
  EXPECT_EQ(net.num_roads(), want.roads);
  EXPECT_EQ(net.num_lanes(), want.lanes);
  EXPECT_EQ(net.num_movements(), want.movements);
  EXPECT_EQ(net.num_phases(), want.phases);
  EXPECT_EQ(c.demand.departures.size(), want.vehicles);
  EXPECT_EQ(c.plans.size(), want.plans);
  EXPECT_DOUBLE_EQ(c.settings.yellow, want.yellow);
  EXPECT_DOUBLE_EQ(c.settings.horizon, 3600);
  EXPECT_EQ(net.road_ids[0], want.first_road);
  EXPECT_NEAR(net.road_free_flow_time[0], want.first_road_free_flow_time, 1e-9);
}

TEST(SharedData, CityFlowExample) {
  GW_REQUIRE_DATA(config, "cityflow/example/config.json");
  // 12 flows from 0 s every 5 s with endTime -1: 720 each before the horizon. rlTrafficLight
  // false: the 4 greens of 30 s form a plan; the 4 right-turn-only phases of 5 s are the clearance.
  expect_counts(*load_scenario(config), {5, 1, 8, 56, 196, 4, 8640, 1, 5, "road_1_0_1", 270 / 16.67});
}

TEST(SharedData, Hangzhou4x4) {
  GW_REQUIRE_DATA(config, "cityflow/hangzhou_4x4/config.json");
  // The figures: 16 signalized intersections, 80 roads, 240 lanes, 2,983 vehicles.
  // rlTrafficLight true: no plans. 785 m at 11.111 m/s.
  expect_counts(*load_scenario(config), {32, 16, 80, 240, 576, 128, 2983, 0, 5, "road_0_1_0", 785 / 11.111});
}

TEST(SharedData, Grid4x4) {
  GW_REQUIRE_DATA(config, "grids/grid4x4/config.json");
  expect_counts(*load_scenario(config), {32, 16, 80, 240, 576, 64, 1000, 16, 5, "road_1_0_1", 270 / 16.67});
}

TEST(SharedData, Grid10x10) {
  GW_REQUIRE_DATA(config, "grids/grid10x10/config.json");
  expect_counts(*load_scenario(config), {140, 100, 440, 1320, 3600, 400, 10000, 100, 5, "road_1_0_1", 270 / 16.67});
}

// ---- round trip ----

// Field-by-field equality of the compiled structures (they have no operator==; a helper here
// keeps the engine's headers untouched). Each comparison names the field that differs.
auto key(const Point& p) { return std::tie(p.x, p.y); }
auto key(const Leg& l) { return std::tie(l.direction, l.incoming, l.outgoing); }
auto key(const Conflict& c) { return std::tie(c.other, c.distance, c.other_distance, c.leave_distance); }
auto key(const Departure& d) { return std::tie(d.time, d.route, d.vehicle_type, d.source); }
auto key(const VehicleType& v) {
  return std::tie(v.id, v.length, v.width, v.max_pos_acc, v.max_neg_acc, v.usual_pos_acc, v.usual_neg_acc, v.min_gap,
                  v.max_speed, v.headway_time);
}
auto key(const SignalPlan& p) { return std::tie(p.intersection, p.phases, p.durations, p.offset); }

template <class T>
bool same(const std::vector<T>& a, const std::vector<T>& b) {
  if constexpr (requires(const T& x) { key(x); }) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const T& x, const T& y) { return key(x) == key(y); });
  } else {
    return a == b;
  }
}

#define GW_EXPECT_SAME(a, b, field) EXPECT_TRUE(same((a).field, (b).field)) << #field " differs"

void expect_same(const CompiledScenario& a, const CompiledScenario& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.content_hash, b.content_hash);
  const RoadNetwork &x = a.network, &y = b.network;
  GW_EXPECT_SAME(x, y, intersection_ids);
  GW_EXPECT_SAME(x, y, intersection_position);
  GW_EXPECT_SAME(x, y, intersection_boundary);
  GW_EXPECT_SAME(x, y, intersection_signalized);
  GW_EXPECT_SAME(x, y, intersection_movement_begin);
  GW_EXPECT_SAME(x, y, intersection_phase_begin);
  GW_EXPECT_SAME(x, y, intersection_leg_begin);
  GW_EXPECT_SAME(x, y, legs);
  GW_EXPECT_SAME(x, y, signalized);
  GW_EXPECT_SAME(x, y, road_ids);
  GW_EXPECT_SAME(x, y, road_from);
  GW_EXPECT_SAME(x, y, road_to);
  GW_EXPECT_SAME(x, y, road_length);
  GW_EXPECT_SAME(x, y, road_free_flow_time);
  GW_EXPECT_SAME(x, y, road_lane_begin);
  GW_EXPECT_SAME(x, y, lane_road);
  GW_EXPECT_SAME(x, y, lane_index);
  GW_EXPECT_SAME(x, y, lane_length);
  GW_EXPECT_SAME(x, y, lane_speed_limit);
  GW_EXPECT_SAME(x, y, lane_width);
  GW_EXPECT_SAME(x, y, lane_out_begin);
  GW_EXPECT_SAME(x, y, lane_out_movements);
  GW_EXPECT_SAME(x, y, lane_in_begin);
  GW_EXPECT_SAME(x, y, lane_in_movements);
  GW_EXPECT_SAME(x, y, movement_intersection);
  GW_EXPECT_SAME(x, y, movement_from_lane);
  GW_EXPECT_SAME(x, y, movement_to_lane);
  GW_EXPECT_SAME(x, y, movement_turn);
  GW_EXPECT_SAME(x, y, movement_length);
  GW_EXPECT_SAME(x, y, movement_speed_limit);
  GW_EXPECT_SAME(x, y, movement_always_green);
  GW_EXPECT_SAME(x, y, movement_conflict_begin);
  GW_EXPECT_SAME(x, y, conflicts);
  GW_EXPECT_SAME(x, y, phase_names);
  GW_EXPECT_SAME(x, y, phase_movement_begin);
  GW_EXPECT_SAME(x, y, phase_movements);
  GW_EXPECT_SAME(x, y, phase_green_begin);
  GW_EXPECT_SAME(x, y, phase_green);
  const Demand &d = a.demand, &e = b.demand;
  GW_EXPECT_SAME(d, e, vehicle_types);
  GW_EXPECT_SAME(d, e, route_begin);
  GW_EXPECT_SAME(d, e, route_roads);
  GW_EXPECT_SAME(d, e, route_free_flow_time);
  GW_EXPECT_SAME(d, e, departures);
  GW_EXPECT_SAME(d, e, source_ids);
  const RunSettings &s = a.settings, &t = b.settings;
  EXPECT_EQ(std::tie(s.dt, s.action_interval, s.yellow, s.min_green, s.horizon, s.seed, s.vehicle_model, s.lane_change,
                     s.metric_period),
            std::tie(t.dt, t.action_interval, t.yellow, t.min_green, t.horizon, t.seed, t.vehicle_model, t.lane_change,
                     t.metric_period));
  EXPECT_TRUE(same(a.plans, b.plans)) << "plans differ";
}

/// import -> write .pbtxt and .pb -> read -> compile equals compiling the import directly.
void expect_round_trip(const v1::Scenario& imported, const std::string& name) {
  const CompiledScenario direct = compile_scenario(imported, name);
  ASSERT_GT(direct.network.num_roads(), 0);
  const fs::path dir = fs::temp_directory_path() / ("gw_round_trip_" + name);
  fs::create_directories(dir);
  for (const char* ext : {".pbtxt", ".pb"}) {
    SCOPED_TRACE(name + ext);
    const std::string file = (dir / (name + ext)).string();
    write_native(imported, file);
    expect_same(direct, compile_scenario(read_scenario(file), name));
  }
  fs::remove_all(dir);
}

TEST(RoundTrip, CityFlowExample) {
  GW_REQUIRE_DATA(config, "cityflow/example/config.json");
  expect_round_trip(read_scenario(config), "example");
}

TEST(RoundTrip, Hangzhou4x4) {
  GW_REQUIRE_DATA(config, "cityflow/hangzhou_4x4/config.json");
  expect_round_trip(read_scenario(config), "hangzhou_4x4");
}

TEST(RoundTrip, Grid4x4) {
  GW_REQUIRE_DATA(config, "grids/grid4x4/config.json");
  expect_round_trip(read_scenario(config), "grid4x4");
}

TEST(RoundTrip, Grid10x10) {
  GW_REQUIRE_DATA(config, "grids/grid10x10/config.json");
  expect_round_trip(read_scenario(config), "grid10x10");
}

// The CBEngine T-junction of cbengine_samples.hpp (empty phases 4 and 8) with a 1800 s horizon.
TEST(RoundTrip, CBEngineTeeJunction) {
  const fs::path dir = fs::temp_directory_path() / "gw_round_trip_cbengine";
  fs::create_directories(dir);
  std::ofstream(dir / "roadnet.txt") << testing::kTeeRoadnet;
  std::ofstream(dir / "flow.txt") << testing::kTeeFlow;
  std::ofstream(dir / "sim.cfg") << "start_time_epoch = 0\nmax_time_epoch = 1800\nroad_file_addr : roadnet.txt\n"
                                    "vehicle_file_addr : flow.txt\n";
  const v1::Scenario s = read_scenario((dir / "sim.cfg").string());
  fs::remove_all(dir);
  expect_round_trip(s, "cbengine_tee");
  // Flow 1 (100..5000 every 30 s) is cut at the 1800 s horizon: 100, 130, ..., 1780.
  const CompiledScenario c = compile_scenario(s, "tee");
  EXPECT_EQ(c.demand.departures.size(), 201u + 57u);
}

TEST(RoundTrip, GeneratedGridWithOriginDestinationFlows) {
  GridOptions o;
  o.rows = 3;
  o.cols = 2;
  o.demand.pattern = DemandPattern::Random;
  o.demand.seed = 3;
  expect_round_trip(generate_grid(o), "grid_3x2");
}

}  // namespace
}  // namespace greenwave
