// The CBEngine importer on a hand-written 1x1 network (REFERENCE.md §1), and every malformed-input
// error class on its roadnet and flow parsers.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <set>

#include "greenwave/core/warning.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/networks/importers.hpp"
#include "greenwave/networks/routing.hpp"
#include "greenwave/networks/scenario_io.hpp"
#include "cbengine_samples.hpp"

namespace greenwave {
namespace {

// Intersection 0 (signalized) with dead ends 1 (north), 2 (east), 3 (south), 4 (west). Road 2k-1
// leaves 0, road 2k enters it. Each lane line: left-only, through-only, right-only.
constexpr const char* kRoadnet = R"(5
30 120 0 1
30.001 120 1 0
30 120.001 2 0
29.999 120 3 0
30 119.999 4 0
4
0 1 300 20 3 3 1 2
1 0 0 0 1 0 0 0 1
1 0 0 0 1 0 0 0 1
0 2 400 10 3 3 3 4
1 0 0 0 1 0 0 0 1
1 0 0 0 1 0 0 0 1
0 3 300 20 3 3 5 6
1 0 0 0 1 0 0 0 1
1 0 0 0 1 0 0 0 1
0 4 250 12.5 3 3 7 8
1 0 0 0 1 0 0 0 1
1 0 0 0 1 0 0 0 1
1
0 1 3 5 7
)";

// From the north: left into road 3 (east), through into 5 (south); from the west: right into 5.
constexpr const char* kFlow = R"(3
0 100 5
2
2 3
10 200 10
2
2 5
0 3600 60
2
8 5
)";

const v1::Intersection& center(const v1::Scenario& s) { return s.intersections(0); }

/// The error message of `f`, which must throw ScenarioError.
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const ScenarioError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ScenarioError thrown";
  return "";
}

std::string roadnet_error(const std::string& text) {
  return error_of([&] { parse_cbengine_roadnet(text, "roadnet.txt"); });
}

std::string flow_error(const std::string& text) {
  return error_of([&] {
    v1::Scenario s = parse_cbengine_roadnet(kRoadnet, "roadnet.txt");
    parse_cbengine_flow(text, "flow.txt", s);
  });
}

/// kRoadnet with one line (1-based) replaced.
std::string with_line(int number, const std::string& replacement) {
  std::string text = kRoadnet, out;
  std::size_t pos = 0;
  for (int n = 1; pos < text.size(); ++n) {
    const std::size_t end = text.find('\n', pos);
    out += (n == number ? replacement : text.substr(pos, end - pos)) + "\n";
    pos = end + 1;
  }
  return out;
}

TEST(CBEngine, OneByOneCounts) {
  const v1::Scenario s = parse_cbengine_roadnet(kRoadnet, "roadnet.txt");
  ASSERT_EQ(s.intersections_size(), 5);
  EXPECT_TRUE(center(s).signalized());
  EXPECT_FALSE(center(s).boundary());
  for (int i = 1; i < 5; ++i) {
    EXPECT_TRUE(s.intersections(i).boundary()) << i;
    EXPECT_EQ(s.intersections(i).movements_size(), 0);
  }
  ASSERT_EQ(s.roads_size(), 8);
  int lanes = 0;
  for (const v1::Road& r : s.roads()) lanes += r.lanes_size();
  EXPECT_EQ(lanes, 24);
  // 4 approaches x (left, through, right lane) x 3 lanes of the exit road.
  EXPECT_EQ(center(s).movements_size(), 36);
  EXPECT_EQ(s.roads(0).id(), "1");
  EXPECT_EQ(s.roads(0).from_intersection(), "0");
  EXPECT_EQ(s.roads(1).id(), "2");
  EXPECT_EQ(s.roads(1).from_intersection(), "1");
  EXPECT_DOUBLE_EQ(s.roads(2).lanes(1).speed_limit(), 10);
  EXPECT_DOUBLE_EQ(s.settings().dt(), 1);
  EXPECT_DOUBLE_EQ(s.settings().action_interval(), 10);
  EXPECT_DOUBLE_EQ(s.settings().yellow(), 5);
  // 0.001 degree of latitude north of intersection 0.
  EXPECT_NEAR(s.intersections(1).position().y(), 6371000 * 0.001 * std::numbers::pi / 180, 1e-6);
  EXPECT_NEAR(s.intersections(1).position().x(), 0, 1e-9);
}

TEST(CBEngine, LegsFromTheSignalBlock) {
  const v1::Scenario s = parse_cbengine_roadnet(kRoadnet, "roadnet.txt");
  const char* dirs[4] = {"N", "E", "S", "W"};
  const char* out[4] = {"1", "3", "5", "7"};
  const char* in[4] = {"2", "4", "6", "8"};
  ASSERT_EQ(center(s).legs_size(), 4);
  for (int k = 0; k < 4; ++k) {
    EXPECT_EQ(center(s).legs(k).direction(), dirs[k]);
    EXPECT_EQ(center(s).legs(k).outgoing_road(), out[k]);
    EXPECT_EQ(center(s).legs(k).incoming_road(), in[k]);
  }
}

TEST(CBEngine, EightStandardPhases) {
  const v1::Scenario s = parse_cbengine_roadnet(kRoadnet, "roadnet.txt");
  const v1::Intersection& x = center(s);
  ASSERT_EQ(x.phases_size(), 8);
  // (from road, to road) pairs per phase: left from N (2) exits E (3), from S (6) exits W (7), ...
  const std::set<std::pair<std::string, std::string>> expected[8] = {
      {{"2", "3"}, {"6", "7"}}, {{"2", "5"}, {"6", "1"}}, {{"4", "5"}, {"8", "1"}}, {{"4", "7"}, {"8", "3"}},
      {{"2", "3"}, {"2", "5"}}, {{"4", "5"}, {"4", "7"}}, {{"6", "7"}, {"6", "1"}}, {{"8", "1"}, {"8", "3"}}};
  for (int p = 0; p < 8; ++p) {
    EXPECT_EQ(x.phases(p).name(), std::to_string(p + 1));
    std::set<std::pair<std::string, std::string>> got;
    for (int m : x.phases(p).movements()) {
      got.emplace(x.movements(m).from_road(), x.movements(m).to_road());
      EXPECT_FALSE(x.movements(m).always_green());
    }
    EXPECT_EQ(got, expected[p]) << "phase " << p + 1;
    EXPECT_EQ(x.phases(p).movements_size(), 6) << "2 lanes groups x 3 exit lanes";
  }
}

TEST(CBEngine, MovementsFollowLaneBits) {
  const v1::Scenario s = parse_cbengine_roadnet(kRoadnet, "roadnet.txt");
  const double box = 2 * 3 * 3.5;
  for (const v1::Movement& m : center(s).movements()) {
    // Lane 0 is left-only, 1 through-only, 2 right-only on every road here.
    const v1::Turn expected[3] = {v1::TURN_LEFT, v1::TURN_STRAIGHT, v1::TURN_RIGHT};
    EXPECT_EQ(m.turn(), expected[m.from_lane()]);
    EXPECT_EQ(m.always_green(), m.turn() == v1::TURN_RIGHT);
    const double length = m.turn() == v1::TURN_STRAIGHT ? box
                          : m.turn() == v1::TURN_LEFT   ? std::numbers::pi / 2 * 0.75 * box
                                                        : std::numbers::pi / 2 * 0.25 * box;
    EXPECT_NEAR(m.length(), length, 1e-12);
    if (m.from_road() == "2" && m.turn() == v1::TURN_RIGHT) {
      EXPECT_EQ(m.to_road(), "7");
    }
  }
}

TEST(CBEngine, UnsignalizedJunctionMovementsHavePathsThatCross) {
  // Intersection 0 unsignalized and without a signal record: a junction of every incoming road
  // to every outgoing road but its own reverse.
  std::string text = with_line(2, "30 120 0 0");
  text = text.substr(0, text.rfind("1\n0 1 3 5 7")) + "0\n";
  v1::Scenario s = parse_cbengine_roadnet(text, "roadnet.txt");
  parse_cbengine_flow(kFlow, "flow.txt", s);
  const v1::Intersection& junction = center(s);
  ASSERT_FALSE(junction.signalized());
  ASSERT_GT(junction.movements_size(), 0);
  for (const v1::Movement& m : junction.movements()) {
    ASSERT_GE(m.path_size(), 2) << m.from_road() << " -> " << m.to_road();
    // Paths are in scenario coordinates, around the junction's position.
    EXPECT_LT(std::hypot(m.path(0).x() - junction.position().x(), m.path(0).y() - junction.position().y()), junction.width());
  }
  const CompiledScenario c = compile_scenario(s, "roadnet.txt");
  const RoadNetwork& net = c.network;
  // Every movement is always green here, so crossing through movements must be conflicts for
  // the priority rule to keep their vehicles apart.
  bool straight_crosses_straight = false;
  for (MovementId m = 0; m < net.num_movements(); ++m)
    for (const Conflict& cf : net.conflicts_of(m)) {
      EXPECT_LE(cf.distance, net.movement_length[m] + 1e-9);
      straight_crosses_straight = straight_crosses_straight ||
                                  (net.movement_turn[m] == Turn::Straight && net.movement_turn[cf.other] == Turn::Straight);
    }
  EXPECT_TRUE(straight_crosses_straight);
}

TEST(CBEngine, FlowsAndFreeFlowTimes) {
  v1::Scenario s = parse_cbengine_roadnet(kRoadnet, "roadnet.txt");
  parse_cbengine_flow(kFlow, "flow.txt", s);
  ASSERT_EQ(s.demand().flows_size(), 3);
  const v1::Flow& f = s.demand().flows(1);
  EXPECT_EQ(f.id(), "flow_1");
  EXPECT_DOUBLE_EQ(f.start(), 10);
  EXPECT_DOUBLE_EQ(f.end(), 200);
  EXPECT_DOUBLE_EQ(f.interval(), 10);
  ASSERT_EQ(f.route_size(), 2);
  EXPECT_EQ(f.route(1), "5");
  ASSERT_EQ(s.demand().vehicle_types_size(), 1);
  EXPECT_DOUBLE_EQ(s.demand().vehicle_types(0).max_speed(), 20);

  const RoadGraph graph(s);
  // length / speed limit: 300/20, 400/10, 250/12.5.
  EXPECT_DOUBLE_EQ(*graph.free_flow_time("2"), 15);
  EXPECT_DOUBLE_EQ(*graph.free_flow_time("3"), 40);
  EXPECT_DOUBLE_EQ(*graph.free_flow_time("8"), 20);
  EXPECT_TRUE(graph.connected("2", "3"));
  EXPECT_FALSE(graph.connected("2", "1")) << "no U-turns";
}

TEST(CBEngine, CompilesWithHandComputedFreeFlowTimes) {
  v1::Scenario s = parse_cbengine_roadnet(kRoadnet, "roadnet.txt");
  parse_cbengine_flow(kFlow, "flow.txt", s);
  const CompiledScenario c = compile_scenario(s, "roadnet.txt");
  const RoadNetwork& net = c.network;
  EXPECT_EQ(net.num_intersections(), 5);
  ASSERT_EQ(net.signalized.size(), 1u);
  EXPECT_EQ(net.num_roads(), 8);
  EXPECT_EQ(net.num_lanes(), 24);
  EXPECT_EQ(net.num_movements(), 36);
  EXPECT_EQ(net.phase_count(net.signalized[0]), 8);
  EXPECT_DOUBLE_EQ(net.road_free_flow_time[net.find_road("3")], 40);
  EXPECT_DOUBLE_EQ(net.road_free_flow_time[net.find_road("8")], 20);
  // Flow 0 drives roads 2 then 3: 15 s + 40 s.
  EXPECT_DOUBLE_EQ(c.demand.route_free_flow_time[c.demand.departures[0].route], 55);
}

// A flow far longer than the horizon is expanded only up to it (one vehicle a second for 10^7 s
// would be ten million departures).
TEST(CBEngine, FlowExpansionStopsAtTheHorizon) {
  v1::Scenario s = parse_cbengine_roadnet(kRoadnet, "roadnet.txt");
  parse_cbengine_flow("1\n0 10000000 1\n2\n2 3\n", "flow.txt", s);
  const CompiledScenario c = compile_scenario(s, "roadnet.txt");
  ASSERT_EQ(c.demand.departures.size(), 3600u);  // t = 0, 1, ..., 3599 (< the 3600 s horizon)
  EXPECT_DOUBLE_EQ(c.demand.departures.back().time, 3599);
  s.mutable_settings()->set_horizon(60.5);
  EXPECT_EQ(compile_scenario(s, "roadnet.txt").demand.departures.size(), 61u);  // 0 .. 60
}

TEST(CBEngine, ConfigFileResolvesPathsAndHorizon) {
  const auto dir = std::filesystem::temp_directory_path() / ("gw_cbengine_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  std::filesystem::create_directories(dir / "data");
  std::ofstream(dir / "data" / "roadnet.txt") << kRoadnet;
  std::ofstream(dir / "data" / "flow.txt") << kFlow;
  std::ofstream(dir / "sim.cfg") << "#configuration for simulator\nstart_time_epoch = 0\nmax_time_epoch = 1200\n"
                                    "road_file_addr : ./data/roadnet.txt\nvehicle_file_addr : ./data/flow.txt\n"
                                    "report_log_mode : normal\n";
  const v1::Scenario s = import_cbengine((dir / "sim.cfg").string(), "");
  EXPECT_EQ(s.intersections_size(), 5);
  EXPECT_EQ(s.demand().flows_size(), 3);
  EXPECT_DOUBLE_EQ(s.settings().horizon(), 1200);
  EXPECT_EQ(detect_format((dir / "sim.cfg").string()), ScenarioFormat::CBEngine);
  EXPECT_EQ(detect_format((dir / "data" / "roadnet.txt").string()), ScenarioFormat::CBEngine);
  const v1::Scenario bare = import_cbengine((dir / "data" / "roadnet.txt").string(), (dir / "data" / "flow.txt").string());
  EXPECT_EQ(bare.demand().flows_size(), 3);
  EXPECT_DOUBLE_EQ(bare.settings().horizon(), 3600);

  std::ofstream(dir / "bad.cfg") << "road_file_addr : ./data/missing.txt\n";
  const std::string msg = error_of([&] { import_cbengine((dir / "bad.cfg").string(), ""); });
  EXPECT_NE(msg.find("bad.cfg:line 1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("missing.txt"), std::string::npos) << msg;
  std::filesystem::remove_all(dir);
}

// The starter kit's .cfg names absolute paths of another machine: the files are found by name
// beside the .cfg, in data/ beside it, or in data/ beside its folder, each with a warning.
TEST(CBEngine, ConfigFileFallsBackToFilesBesideIt) {
  namespace fs = std::filesystem;
  const auto dir = fs::temp_directory_path() / ("gw_cbengine_kit_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  fs::create_directories(dir / "cfg");
  fs::create_directories(dir / "data");
  std::ofstream(dir / "data" / "roadnet.txt") << kRoadnet;
  std::ofstream(dir / "cfg" / "flow.txt") << kFlow;
  std::ofstream(dir / "cfg" / "simulator.cfg") << "start_time_epoch = 0\nmax_time_epoch = 600\n"
                                                  "road_file_addr : /starter-kit/data/roadnet.txt\n"
                                                  "vehicle_file_addr : ./elsewhere/flow.txt\n";
  std::vector<std::string> warnings;
  const WarningHandler previous = set_warning_handler([&](const std::string& m) { warnings.push_back(m); });
  const v1::Scenario s = import_cbengine((dir / "cfg" / "simulator.cfg").string(), "");
  set_warning_handler(previous);
  EXPECT_EQ(s.intersections_size(), 5);
  EXPECT_EQ(s.demand().flows_size(), 3);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_NE(warnings[0].find("simulator.cfg:line 3: road_file_addr '/starter-kit/data/roadnet.txt' does not exist; using"),
            std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find((dir / "data" / "roadnet.txt").string()), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[1].find((dir / "cfg" / "flow.txt").string()), std::string::npos) << warnings[1];

  std::ofstream(dir / "cfg" / "lost.cfg") << "road_file_addr : /starter-kit/data/nowhere.txt\n";
  const std::string msg = error_of([&] { import_cbengine((dir / "cfg" / "lost.cfg").string(), ""); });
  EXPECT_NE(msg.find("lost.cfg:line 1: road_file_addr '/starter-kit/data/nowhere.txt' not found"), std::string::npos) << msg;
  EXPECT_NE(msg.find((dir / "data" / "nowhere.txt").string()), std::string::npos) << msg;
  fs::remove_all(dir);
}

// A missing leg leaves the phases that serve only it empty; they are kept (phase k is still
// CBEngine's action k+1) and compile to "every signalized movement red, right turns green".
TEST(CBEngine, MissingLegGivesEmptyPhases) {
  v1::Scenario s = parse_cbengine_roadnet(testing::kTeeRoadnet, "roadnet.txt");
  parse_cbengine_flow(testing::kTeeFlow, "flow.txt", s);
  const v1::Intersection& x = center(s);
  ASSERT_EQ(x.legs_size(), 4);
  EXPECT_EQ(x.legs(3).incoming_road(), "");
  EXPECT_EQ(x.legs(3).outgoing_road(), "");
  // N left + through, E left + right, S through + right: 6 lane groups x 3 exit lanes.
  EXPECT_EQ(x.movements_size(), 18);
  ASSERT_EQ(x.phases_size(), 8);
  // 1 N+S left = N left; 2 N+S through; 3 E+W left = E left; 4 E+W through = nothing;
  // 5 N left+through; 6 E left+through = E left; 7 S left+through = S through; 8 W = nothing.
  const int sizes[8] = {3, 6, 3, 0, 6, 3, 3, 0};
  for (int p = 0; p < 8; ++p) EXPECT_EQ(x.phases(p).movements_size(), sizes[p]) << "phase " << p + 1;

  const CompiledScenario c = compile_scenario(s, "roadnet.txt");
  const RoadNetwork& net = c.network;
  ASSERT_EQ(net.signalized.size(), 1u);
  const IntersectionId i = net.signalized[0];
  ASSERT_EQ(net.phase_count(i), 8);
  const PhaseId empty = net.intersection_phase_begin[i] + 3;
  EXPECT_EQ(net.phase_names[empty], "4");
  // Only the 6 always-green right-turn movements (E and S approaches x 3 exit lanes) move.
  ASSERT_EQ(net.movements_of_phase(empty).size(), 6u);
  for (MovementId m : net.movements_of_phase(empty)) {
    EXPECT_TRUE(net.movement_always_green[m]);
    EXPECT_EQ(net.movement_turn[m], Turn::Right);
  }
  for (MovementId m = net.intersection_movement_begin[i]; m < net.intersection_movement_begin[i + 1]; ++m)
    EXPECT_FALSE(net.is_green(empty, m)) << "no movement carries the phase's own green bit";
}

TEST(CBEngineErrors, EmptyFiles) {
  EXPECT_NE(roadnet_error("").find("roadnet.txt: empty file"), std::string::npos);
  EXPECT_NE(roadnet_error("\n  \n// only a comment\n").find("empty file"), std::string::npos);
  EXPECT_NE(flow_error("").find("flow.txt: empty file"), std::string::npos);
}

TEST(CBEngineErrors, TruncatedFiles) {
  const std::string text = kRoadnet;
  const std::string no_signals = text.substr(0, text.find("\n1\n0 1 3 5 7"));
  const std::string msg = roadnet_error(no_signals);
  EXPECT_NE(msg.find("roadnet.txt:line 20: unexpected end of file, expected the number of signal records"),
            std::string::npos)
      << msg;
  const std::string half_road = text.substr(0, text.find("0 2 400"));
  EXPECT_NE(roadnet_error(half_road).find("needs 4 x 3 line(s) but only 3 are left"), std::string::npos)
      << roadnet_error(half_road);
  EXPECT_NE(flow_error("1\n0 100 5\n2\n").find("flow.txt:line 1: count 1 of flows needs 1 x 3 line(s) but only 2"),
            std::string::npos)
      << flow_error("1\n0 100 5\n2\n");
}

TEST(CBEngineErrors, NonNumericTokens) {
  std::string msg = roadnet_error(with_line(3, "30.001 north 1 0"));
  EXPECT_NE(msg.find("roadnet.txt:line 3: 'north' is not a finite number, expected longitude"), std::string::npos) << msg;
  msg = roadnet_error(with_line(9, "1 0 0 0 1 0 0 0 x"));
  EXPECT_NE(msg.find("line 9: 'x' is not an integer, expected a permission digit of road 1"), std::string::npos) << msg;
  msg = roadnet_error(with_line(9, "1 0 0 0 1 0 0 0 2"));
  EXPECT_NE(msg.find("line 9: '2' is out of range"), std::string::npos) << msg;
  msg = flow_error("1\n0 ten 5\n2\n2 3\n");
  EXPECT_NE(msg.find("flow.txt:line 2: 'ten' is not a finite number, expected end_time"), std::string::npos) << msg;
}

TEST(CBEngineErrors, CountsThatDoNotMatch) {
  // Too many intersections announced: the road count line is read as an intersection.
  std::string msg = roadnet_error(with_line(1, "6"));
  EXPECT_NE(msg.find("line 7: found 1 field(s), expected 4"), std::string::npos) << msg;
  // Too few signal records announced: the record is left over.
  msg = roadnet_error(with_line(20, "0"));
  EXPECT_NE(msg.find("line 21: unexpected '0' after the signal block, expected end of file"), std::string::npos) << msg;
  // A count far beyond the file.
  msg = roadnet_error(with_line(1, "123456789"));
  EXPECT_NE(msg.find("line 1: count 123456789 of intersections needs"), std::string::npos) << msg;
  // Lane digits that do not match the lane count.
  msg = roadnet_error(with_line(9, "1 0 0 0 1 0"));
  EXPECT_NE(msg.find("line 9: found 6 field(s), expected 9"), std::string::npos) << msg;
  // A route shorter than announced.
  msg = flow_error("1\n0 100 5\n3\n2 3\n");
  EXPECT_NE(msg.find("flow.txt:line 4: found 2 field(s), expected 3 (3 road ids (route of flow 0))"), std::string::npos)
      << msg;
}

TEST(CBEngineErrors, DanglingIds) {
  std::string msg = roadnet_error(with_line(8, "0 9 300 20 3 3 1 2"));
  EXPECT_NE(msg.find("line 8: to_inter '9' is not in the intersection block"), std::string::npos) << msg;
  msg = roadnet_error(with_line(21, "0 1 3 5 99"));
  EXPECT_NE(msg.find("line 21: road '99' is not in the road block"), std::string::npos) << msg;
  msg = roadnet_error(with_line(21, "0 2 3 5 7"));
  EXPECT_NE(msg.find("line 21: road '2' does not leave intersection '0'"), std::string::npos) << msg;
  msg = roadnet_error(with_line(21, "7 1 3 5 7"));
  EXPECT_NE(msg.find("signal inter_id '7' is not in the intersection block"), std::string::npos) << msg;
  msg = flow_error("1\n0 100 5\n2\n2 42\n");
  EXPECT_NE(msg.find("flow.txt:line 4: road '42' of flow 0 is not in the road network"), std::string::npos) << msg;
}

TEST(CBEngineErrors, DuplicatesAndInconsistentNetworks) {
  std::string msg = roadnet_error(with_line(3, "30.001 120 0 0"));
  EXPECT_NE(msg.find("line 3: duplicate intersection id '0'"), std::string::npos) << msg;
  msg = roadnet_error(with_line(11, "0 2 400 10 3 3 1 4"));
  EXPECT_NE(msg.find("line 11: duplicate road id '1'"), std::string::npos) << msg;
  msg = roadnet_error(with_line(3, "30.001 120 1 1"));
  EXPECT_NE(msg.find("line 3: intersection '1' is signalized but has no record in the signal block"), std::string::npos)
      << msg;
  msg = roadnet_error(with_line(8, "0 0 300 20 3 3 1 2"));
  EXPECT_NE(msg.find("line 8: road segment starts and ends at intersection '0'"), std::string::npos) << msg;
}

TEST(CBEngineErrors, RoutesThroughUnconnectedRoads) {
  std::string msg = flow_error("1\n0 100 5\n2\n3 5\n");
  EXPECT_NE(msg.find("line 4: road '5' of flow 0 does not start where road '3' ends (intersection '2')"),
            std::string::npos)
      << msg;
  msg = flow_error("1\n0 100 5\n2\n2 1\n");
  EXPECT_NE(msg.find("line 4: no lane of road '2' may turn into road '1'"), std::string::npos) << msg;
}

// Flows are read in parallel; the error is still the first bad flow's in file order. 2,000 good
// flows (2 -> 3) with bad ones at flows 700 (unknown road 9, line 2 + 3 * 700 + 2 = 2104), 1500
// and 1999: the message names flow 700 and its line.
TEST(CBEngineErrors, FirstBadFlowInFileOrder) {
  std::string text = "2000\n";
  for (int f = 0; f < 2000; ++f) {
    const bool bad = f == 700 || f == 1500 || f == 1999;
    text += "0 100 5\n2\n" + std::string(bad ? (f == 700 ? "2 9" : "3 5") : "2 3") + "\n";
  }
  const std::string msg = flow_error(text);
  EXPECT_NE(msg.find("flow.txt:line 2104: road '9' of flow 700 is not in the road network"), std::string::npos) << msg;
}

// The classes the CityFlow and native tests also cover: non-positive speeds, roads with no lanes,
// an empty route. (Phases naming missing movements cannot occur: CBEngine phases are generated.)
TEST(CBEngineErrors, NonPositiveSpeedsRoadsWithNoLanesEmptyRoutes) {
  std::string msg = roadnet_error(with_line(8, "0 1 300 0 3 3 1 2"));
  EXPECT_NE(msg.find("roadnet.txt:line 8: '0' is out of range for speed limit in m/s, expected > 0"), std::string::npos) << msg;
  msg = roadnet_error(with_line(8, "0 1 300 -20 3 3 1 2"));
  EXPECT_NE(msg.find("line 8: '-20' is out of range for speed limit in m/s"), std::string::npos) << msg;
  msg = roadnet_error(with_line(8, "0 1 0 20 3 3 1 2"));
  EXPECT_NE(msg.find("line 8: '0' is out of range for length in metres, expected > 0"), std::string::npos) << msg;
  msg = roadnet_error(with_line(8, "0 1 300 20 0 3 1 2"));
  EXPECT_NE(msg.find("roadnet.txt:line 8: '0' is out of range for dir1 lane count, expected 1..99"), std::string::npos) << msg;
  msg = flow_error("1\n0 100 5\n0\n2 3\n");
  EXPECT_NE(msg.find("flow.txt:line 3: '0' is out of range for route length of flow 0"), std::string::npos) << msg;
}

TEST(CBEngineErrors, HugeAndOutOfRangeNumbers) {
  std::string msg = roadnet_error(with_line(8, "0 1 1e300 20 3 3 1 2"));
  EXPECT_NE(msg.find("line 8: '1e300' is out of range for length in metres"), std::string::npos) << msg;
  msg = roadnet_error(with_line(8, "0 1 300 20 3 3 99999999999999999999999 2"));
  EXPECT_NE(msg.find("'99999999999999999999999' is out of range for dir1 road id"), std::string::npos) << msg;
  msg = roadnet_error(with_line(8, "0 1 300 20 300 3 1 2"));
  EXPECT_NE(msg.find("'300' is out of range for dir1 lane count, expected 1..99"), std::string::npos) << msg;
  msg = roadnet_error(with_line(8, "0 1 -5 20 3 3 1 2"));
  EXPECT_NE(msg.find("'-5' is out of range for length in metres, expected > 0"), std::string::npos) << msg;
  msg = roadnet_error(with_line(8, "0 1 nan 20 3 3 1 2"));
  EXPECT_NE(msg.find("'nan' is not a finite number"), std::string::npos) << msg;
  msg = flow_error("1\n0 100 0\n2\n2 3\n");
  EXPECT_NE(msg.find("'0' is out of range for interval"), std::string::npos) << msg;
  msg = flow_error("1\n100 50 5\n2\n2 3\n");
  EXPECT_NE(msg.find("'50' is out of range for end_time, expected >= 100"), std::string::npos) << msg;
  msg = flow_error("1\n0 100 5\n99999999999\n2 3\n");
  EXPECT_NE(msg.find("'99999999999' is out of range for route length of flow 0"), std::string::npos) << msg;
}

}  // namespace
}  // namespace greenwave
