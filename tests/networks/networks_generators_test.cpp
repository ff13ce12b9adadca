// Grid and arterial generators: counts, layout, demand patterns, determinism, scale, and that
// the compiler accepts what they produce.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "greenwave/core/error.hpp"
#include "greenwave/networks/importers.hpp"
#include "greenwave/networks/routing.hpp"
#include "greenwave/networks/scenario_io.hpp"

namespace greenwave {
namespace {

/// Vehicles a flow emits: start, start + interval, ... while t <= end.
int vehicles(const v1::Flow& f) { return static_cast<int>(std::floor((f.end() - f.start()) / f.interval())) + 1; }

TEST(Generators, GridCounts) {
  GridOptions o;
  o.rows = 2;
  o.cols = 3;
  const v1::Scenario s = generate_grid(o);
  EXPECT_EQ(s.name(), "grid_2x3");
  int signalized = 0, boundary = 0, movements = 0;
  for (const v1::Intersection& x : s.intersections()) {
    signalized += x.signalized();
    boundary += x.boundary();
    movements += x.movements_size();
    if (x.signalized()) {
      EXPECT_EQ(x.phases_size(), 8);
      EXPECT_EQ(x.legs_size(), 4);
    }
  }
  EXPECT_EQ(signalized, 6);
  EXPECT_EQ(boundary, 2 * 2 + 2 * 3);
  // East-west: rows x (cols + 1) segments, north-south: cols x (rows + 1), two directions each.
  EXPECT_EQ(s.roads_size(), 2 * (2 * 4 + 3 * 3));
  EXPECT_EQ(movements, 6 * 36);
  // Stop line to stop line: 300 m minus half a 21 m box at each signalized end.
  for (const v1::Road& r : s.roads()) {
    const bool boundary_end = r.from_intersection().rfind("intersection_0_", 0) == 0 ||
                              r.to_intersection().rfind("intersection_0_", 0) == 0;
    if (r.id() == "road_1_1_0" || r.id() == "road_0_1_0") {
      EXPECT_DOUBLE_EQ(r.length(), boundary_end ? 300 - 10.5 : 300 - 21) << r.id();
    }
    EXPECT_EQ(r.lanes_size(), 3);
    EXPECT_DOUBLE_EQ(r.lanes(0).speed_limit(), 13.89);
  }
  EXPECT_DOUBLE_EQ(s.settings().horizon(), 3600);
  EXPECT_DOUBLE_EQ(s.settings().yellow(), 5);
}

TEST(Generators, UniformDemandIsStraightThrough) {
  GridOptions o;
  o.rows = 2;
  o.cols = 3;
  o.demand.rate = 360;  // one vehicle every 10 s
  const v1::Scenario s = generate_grid(o);
  ASSERT_EQ(s.demand().flows_size(), 10);
  const RoadGraph g(s);
  for (const v1::Flow& f : s.demand().flows()) {
    EXPECT_DOUBLE_EQ(f.interval(), 10);
    EXPECT_EQ(vehicles(f), 360);
    // West/east entries cross cols+1 roads, north/south ones rows+1.
    const char heading = f.route(0).back();
    EXPECT_EQ(f.route_size(), heading == '0' || heading == '2' ? 4 : 3) << f.id();
    for (int i = 1; i < f.route_size(); ++i) EXPECT_TRUE(g.connected(f.route(i - 1), f.route(i)));
  }
}

TEST(Generators, PeakProfileRisesThenFallsWithTheRequestedMean) {
  GridOptions o;
  o.rows = 1;
  o.cols = 1;
  o.demand.pattern = DemandPattern::Peak;
  o.demand.rate = 600;
  const v1::Scenario s = generate_grid(o);
  std::map<std::string, std::vector<const v1::Flow*>> per_entry;
  for (const v1::Flow& f : s.demand().flows()) per_entry[f.route(0)].push_back(&f);
  ASSERT_EQ(per_entry.size(), 4u);
  for (const auto& [entry, flows] : per_entry) {
    ASSERT_EQ(flows.size(), 12u) << entry;
    int total = 0;
    for (const v1::Flow* f : flows) total += vehicles(*f);
    EXPECT_NEAR(total, 600, 12) << entry;
    EXPECT_LT(flows.front()->interval(), 3600 / 600 * 3.0);
    EXPECT_GT(flows.front()->interval(), flows[5]->interval());  // rising
    EXPECT_LT(flows[6]->interval(), flows.back()->interval());   // falling
  }
}

TEST(Generators, RandomDemandIsDeterministicPerSeed) {
  GridOptions o;
  o.rows = 3;
  o.cols = 3;
  o.demand.pattern = DemandPattern::Random;
  o.demand.seed = 11;
  const v1::Scenario a = generate_grid(o);
  const v1::Scenario b = generate_grid(o);
  EXPECT_EQ(a.SerializeAsString(), b.SerializeAsString());
  o.demand.seed = 12;
  EXPECT_NE(a.SerializeAsString(), generate_grid(o).SerializeAsString());
  EXPECT_EQ(a.settings().seed(), 11u);
  const RoadGraph g(a);
  ASSERT_EQ(a.demand().flows_size(), 12 * 4);
  for (const v1::Flow& f : a.demand().flows()) {
    EXPECT_EQ(f.route_size(), 0);
    EXPECT_TRUE(g.shortest_route(f.origin(), f.destination()).has_value()) << f.origin() << " -> " << f.destination();
    EXPECT_LT(f.start(), f.interval());
  }
}

TEST(Generators, Arterial) {
  ArterialOptions o;
  o.intersections = 5;
  o.demand.rate = 720;
  const v1::Scenario s = generate_arterial(o);
  EXPECT_EQ(s.name(), "arterial_5");
  EXPECT_EQ(s.intersections_size(), 5 + 2 + 2 * 5);
  for (const v1::Road& r : s.roads()) {
    const char heading = r.id().back();
    EXPECT_DOUBLE_EQ(r.lanes(0).speed_limit(), heading == '0' || heading == '2' ? 16.67 : 11.11) << r.id();
  }
  for (const v1::Flow& f : s.demand().flows()) {
    const char heading = f.route(0).back();
    EXPECT_DOUBLE_EQ(f.interval(), heading == '0' || heading == '2' ? 5 : 10) << f.id();
  }
}

// Its speed is bench/bench_load's to measure: tests are never timed.
TEST(Generators, CityScaleGridHasEveryIntersection) {
  GridOptions o;
  o.rows = 45;
  o.cols = 45;
  const v1::Scenario s = generate_grid(o);
  EXPECT_EQ(s.intersections_size(), 45 * 45 + 4 * 45);  // the grid plus one boundary node per edge road
}

TEST(Generators, RejectsOutOfRangeOptions) {
  GridOptions o;
  o.rows = 0;
  EXPECT_THROW(generate_grid(o), ConfigError);
  o.rows = 2;
  o.demand.rate = -1;
  EXPECT_THROW(generate_grid(o), ConfigError);
  ArterialOptions a;
  a.spacing = 10;
  EXPECT_THROW(generate_arterial(a), ConfigError);
}

TEST(Generators, CompilerAcceptsGeneratedScenarios) {
  GridOptions o;
  o.rows = 3;
  o.cols = 4;
  o.demand.pattern = DemandPattern::Random;
  const CompiledScenario c = compile_scenario(generate_grid(o), "grid");
  EXPECT_EQ(c.network.num_intersections(), 12 + 14);
  EXPECT_EQ(static_cast<int>(c.network.signalized.size()), 12);
  EXPECT_EQ(c.network.num_movements(), 12 * 36);
  EXPECT_EQ(c.network.num_phases(), 12 * 8);
  EXPECT_GT(c.demand.departures.size(), 0u);
}

TEST(Generators, GridMovementsCrossWhereTheirPathsDo) {
  GridOptions o;
  o.rows = 1;
  o.cols = 1;
  const CompiledScenario c = compile_scenario(generate_grid(o), "grid");
  const RoadNetwork& net = c.network;
  ASSERT_EQ(net.signalized.size(), 1u);
  const IntersectionId i = net.signalized[0];
  ASSERT_EQ(net.intersection_movement_begin[i + 1] - net.intersection_movement_begin[i], 36);
  EXPECT_GT(net.conflicts.size(), 0u) << "generated movements must have internal paths that cross";
  // Crossing distances lie on the movements: the paths give the shape, the lengths the scale.
  for (MovementId m = 0; m < net.num_movements(); ++m)
    for (const Conflict& cf : net.conflicts_of(m)) {
      EXPECT_GE(cf.distance, 0);
      EXPECT_LE(cf.distance, net.movement_length[m] + 1e-9);
    }
  // The through movements of phases "2" (N+S) and "4" (E+W) never cross each other (opposing
  // left turns of phase "1" may: one into the far lane of its exit road sweeps across the box)...
  for (const PhaseId p : {net.intersection_phase_begin[i] + 1, net.intersection_phase_begin[i] + 3})
    for (const MovementId a : net.movements_of_phase(p))
      for (const Conflict& cf : net.conflicts_of(a))
        for (const MovementId b : net.movements_of_phase(p))
          EXPECT_FALSE(cf.other == b && !net.movement_always_green[a] && !net.movement_always_green[b])
              << "phase " << p << " gives green to crossing movements " << a << " and " << b;
  // ...but each always-green right turn into the inner lane of its exit road crosses through
  // traffic into that road, so the priority rule has to keep them apart.
  int right_turns = 0;
  for (MovementId r = net.intersection_movement_begin[i]; r < net.intersection_movement_begin[i + 1]; ++r) {
    const LaneId to = net.movement_to_lane[r];
    if (net.movement_turn[r] != Turn::Right || to != net.lanes_of(net.lane_road[to]).first) continue;
    ++right_turns;
    bool crosses_through = false;
    for (const Conflict& cf : net.conflicts_of(r))
      crosses_through = crosses_through || (net.movement_turn[cf.other] == Turn::Straight &&
                                            net.lane_road[net.movement_to_lane[cf.other]] == net.lane_road[to]);
    EXPECT_TRUE(crosses_through) << "right turn " << r << " crosses no through movement into its road";
  }
  EXPECT_EQ(right_turns, 4);
}

TEST(Generators, CrossingDistancesFollowAMovementsLengthNotItsDrawing) {
  GridOptions o;
  o.rows = 1;
  o.cols = 1;
  v1::Scenario s = generate_grid(o);
  const CompiledScenario before = compile_scenario(s, "grid");
  const IntersectionId i = before.network.signalized[0];
  const MovementId first = before.network.intersection_movement_begin[i];
  MovementId m = first;
  while (before.network.conflicts_of(m).empty()) ++m;
  // Doubling one movement's length, with the same drawn path, doubles its crossing distances.
  v1::Intersection* in = nullptr;
  for (v1::Intersection& x : *s.mutable_intersections())
    if (x.id() == before.network.intersection_ids[i]) in = &x;
  ASSERT_NE(in, nullptr);
  v1::Movement* mv = in->mutable_movements(m - first);
  mv->set_length(2 * mv->length());
  const CompiledScenario after = compile_scenario(s, "grid");
  const auto was = before.network.conflicts_of(m), now = after.network.conflicts_of(m);
  ASSERT_EQ(was.size(), now.size());
  for (std::size_t k = 0; k < was.size(); ++k) {
    EXPECT_EQ(now[k].other, was[k].other);
    EXPECT_EQ(now[k].distance, 2 * was[k].distance);
    EXPECT_EQ(now[k].other_distance, was[k].other_distance);
  }
}


// ---- generate_city ----

/// Distinct neighbouring intersections of each intersection (its legs).
std::map<std::string, std::set<std::string>> neighbours(const v1::Scenario& s) {
  std::map<std::string, std::set<std::string>> out;
  for (const v1::Road& r : s.roads()) {
    out[r.from_intersection()].insert(r.to_intersection());
    out[r.to_intersection()].insert(r.from_intersection());
  }
  return out;
}

int total_vehicles(const v1::Scenario& s) {
  int n = 0;
  for (const v1::Flow& f : s.demand().flows()) n += vehicles(f);
  return n;
}

TEST(CityGenerator, CountsFollowTheOptions) {
  CityOptions o;
  o.intersections = 300;
  o.signalized_share = 0.4;
  o.vehicles = 3000;
  o.horizon = 600;
  o.seed = 3;
  const GeneratedCity c = generate_city(o);
  const v1::Scenario& s = c.scenario;
  EXPECT_EQ(s.name(), "city_300_s3");
  EXPECT_EQ(s.intersections_size(), 300);
  int signalized = 0, boundary = 0;
  for (const v1::Intersection& x : s.intersections()) {
    signalized += x.signalized();
    boundary += x.boundary();
    if (x.signalized()) {
      EXPECT_EQ(x.phases_size(), 8) << x.id();
    }
  }
  EXPECT_EQ(signalized, 120);  // 0.4 x 300
  EXPECT_EQ(boundary, 60);     // dead ends: 20% of the intersections
  EXPECT_EQ(total_vehicles(s), 3000);
  EXPECT_DOUBLE_EQ(s.settings().horizon(), 600);
  EXPECT_EQ(s.settings().seed(), 3u);
  // Every road has its reverse (CBEngine segments are two-way).
  std::set<std::pair<std::string, std::string>> ends;
  for (const v1::Road& r : s.roads()) ends.insert({r.from_intersection(), r.to_intersection()});
  for (const v1::Road& r : s.roads()) EXPECT_TRUE(ends.count({r.to_intersection(), r.from_intersection()})) << r.id();
  // roadnet.txt: first line the intersection count; the segment count follows the N records.
  EXPECT_EQ(c.roadnet.substr(0, 4), "300\n");
}

TEST(CityGenerator, IrregularLegsLanesAndSpeeds) {
  CityOptions o;
  o.intersections = 400;
  o.vehicles = 100;
  o.seed = 7;
  const v1::Scenario s = generate_city(o).scenario;
  std::map<std::size_t, int> by_legs;
  for (const auto& [id, n] : neighbours(s)) ++by_legs[n.size()];
  EXPECT_EQ(by_legs[1], 80);  // the dead ends
  EXPECT_GT(by_legs[2], 0);
  EXPECT_GT(by_legs[3], 0);
  EXPECT_GT(by_legs[4], 0);
  EXPECT_EQ(by_legs.size(), 4u) << "no junction has more than 4 legs";
  // Unsignalized junctions (not dead ends) exist among 3- and 4-leg ones.
  int unsignalized_3plus = 0;
  const auto legs = neighbours(s);
  for (const v1::Intersection& x : s.intersections())
    unsignalized_3plus += !x.signalized() && !x.boundary() && legs.at(x.id()).size() >= 3;
  EXPECT_GT(unsignalized_3plus, 0);
  std::set<int> lanes;
  std::set<double> speeds;
  std::set<long> lengths;
  for (const v1::Road& r : s.roads()) {
    lanes.insert(r.lanes_size());
    speeds.insert(r.lanes(0).speed_limit());
    lengths.insert(std::lround(r.length() / 50));
  }
  EXPECT_EQ(lanes, (std::set<int>{1, 2, 3}));
  EXPECT_EQ(speeds, (std::set<double>{11.11, 13.89, 16.67}));
  EXPECT_GT(lengths.size(), 5u) << "road lengths vary";
}

TEST(CityGenerator, EveryRouteIsConnectedAndDepartsBeforeTheHorizon) {
  CityOptions o;
  o.intersections = 250;
  o.vehicles = 2500;
  o.horizon = 300;
  o.seed = 11;
  const v1::Scenario s = generate_city(o).scenario;
  const RoadGraph g(s);
  for (const v1::Flow& f : s.demand().flows()) {
    ASSERT_GE(f.route_size(), 2) << f.id();
    for (int i = 1; i < f.route_size(); ++i) EXPECT_TRUE(g.connected(f.route(i - 1), f.route(i))) << f.id();
    EXPECT_GE(f.start(), 0);
    EXPECT_LT(f.end(), 300);
  }
}

TEST(CityGenerator, DeterministicPerSeedAndSeedsDiffer) {
  CityOptions o;
  o.intersections = 200;
  o.vehicles = 1000;
  const GeneratedCity a = generate_city(o);
  const GeneratedCity b = generate_city(o);
  EXPECT_EQ(a.roadnet, b.roadnet);
  EXPECT_EQ(a.flow, b.flow);
  EXPECT_EQ(a.scenario.SerializeAsString(), b.scenario.SerializeAsString());
  o.seed = 1;
  const GeneratedCity c = generate_city(o);
  EXPECT_NE(a.roadnet, c.roadnet);
  EXPECT_NE(a.flow, c.flow);
}

TEST(CityGenerator, SignalizedShareWithinRounding) {
  for (const auto& [n, share] : std::vector<std::pair<int, double>>{{50, 0.3}, {333, 0.49}, {1000, 0.75}, {120, 0.0}}) {
    CityOptions o;
    o.intersections = n;
    o.signalized_share = share;
    o.vehicles = 10;
    const GeneratedCity c = generate_city(o);
    int signalized = 0;
    for (const v1::Intersection& x : c.scenario.intersections()) signalized += x.signalized();
    EXPECT_LE(std::abs(static_cast<double>(signalized) / n - share), 0.5 / n) << n << " " << share;
  }
}

TEST(CityGenerator, DemandPeaksMidHorizon) {
  CityOptions o;
  o.intersections = 100;
  o.vehicles = 9000;
  o.horizon = 900;  // 15 slices of 60 s; the thirds end on slice boundaries
  const v1::Scenario s = generate_city(o).scenario;
  std::array<int, 3> third{};
  for (const v1::Flow& f : s.demand().flows())
    for (double t = f.start(); t <= f.end(); t += f.interval()) ++third[static_cast<std::size_t>(t / 300)];
  // The rate 0.6 + 0.8 exp(-((u - 0.55) / 0.2)^2) integrated over each third (scipy.quad):
  // 0.2178, 0.4077, 0.2578 of 0.8834, i.e. 24.65%, 46.16%, 29.19%.
  EXPECT_NEAR(third[0] / 9000.0, 0.2465, 0.005);
  EXPECT_NEAR(third[1] / 9000.0, 0.4616, 0.005);
  EXPECT_NEAR(third[2] / 9000.0, 0.2919, 0.005);
}

TEST(CityGenerator, FilesLoadBackThroughTheCbengineImporter) {
  CityOptions o;
  o.intersections = 150;
  o.vehicles = 800;
  o.horizon = 400;
  o.seed = 5;
  const GeneratedCity c = generate_city(o);
  const auto dir = std::filesystem::temp_directory_path() /
                   ("gw_city_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::create_directories(dir);
  auto write = [&](const char* name, const std::string& text) { std::ofstream(dir / name) << text; };
  write("roadnet.txt", c.roadnet);
  write("flow.txt", c.flow);
  write("simulator.cfg", c.cfg);
  const v1::Scenario back = import_cbengine((dir / "simulator.cfg").string(), "");
  std::filesystem::remove_all(dir);
  EXPECT_EQ(back.intersections_size(), 150);
  EXPECT_EQ(back.roads_size(), c.scenario.roads_size());
  EXPECT_EQ(back.demand().flows_size(), c.scenario.demand().flows_size());
  EXPECT_EQ(total_vehicles(back), 800);
  EXPECT_DOUBLE_EQ(back.settings().horizon(), 400);
  const CompiledScenario a = compile_scenario(c.scenario, "native");
  const CompiledScenario b = compile_scenario(back, "cbengine");
  EXPECT_EQ(a.network.num_movements(), b.network.num_movements());
  EXPECT_EQ(a.network.signalized.size(), b.network.signalized.size());
  EXPECT_EQ(a.demand.departures.size(), 800u);
  EXPECT_EQ(b.demand.departures.size(), 800u);
}

TEST(CityGenerator, RejectsBadOptions) {
  CityOptions o;
  o.intersections = 5;
  EXPECT_THROW(generate_city(o), ConfigError);
  o.intersections = 100;
  o.signalized_share = 0.9;  // only 80 of 100 are not dead ends
  EXPECT_THROW(generate_city(o), ConfigError);
  o.signalized_share = 0.5;
  o.horizon = 0;
  EXPECT_THROW(generate_city(o), ConfigError);
}

}  // namespace
}  // namespace greenwave
