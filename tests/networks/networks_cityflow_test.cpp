// The CityFlow importer on a hand-written network (REFERENCE.md §2): the mapping onto the native
// schema, the t <= endTime emission rule, and every malformed-input error class, each error naming
// the file and the JSON path or line.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "greenwave/core/error.hpp"
#include "greenwave/networks/cityflow.hpp"
#include "greenwave/networks/scenario_io.hpp"

namespace greenwave {
namespace {

using Json = nlohmann::json;

// Virtual A (west), C (east), D (north) around real B (width 10). Road links at B: 0 AB->BC
// straight (2 lane links), 1 AB->BD left (1), 2 CB->BD right (1, no points). Light phase 0 (4 s)
// holds only link 2 and is contained in the others: the clearance.
constexpr const char* kRoadnet = R"({"intersections": [
  {"id": "A", "point": {"x": -300, "y": 0}, "width": 0, "roads": ["AB"], "roadLinks": [], "virtual": true},
  {"id": "B", "point": {"x": 0, "y": 0}, "width": 10, "roads": ["AB", "BC", "BD", "CB"], "virtual": false,
   "roadLinks": [
     {"type": "go_straight", "startRoad": "AB", "endRoad": "BC",
      "laneLinks": [{"startLaneIndex": 0, "endLaneIndex": 0, "points": [{"x": -10, "y": -2}, {"x": 10, "y": -2}]},
                    {"startLaneIndex": 1, "endLaneIndex": 1, "points": [{"x": -10, "y": -6}, {"x": 10, "y": -6}]}]},
     {"type": "turn_left", "startRoad": "AB", "endRoad": "BD",
      "laneLinks": [{"startLaneIndex": 0, "endLaneIndex": 0, "points": [{"x": -10, "y": -2}, {"x": 2, "y": -2}, {"x": 2, "y": 10}]}]},
     {"type": "turn_right", "startRoad": "CB", "endRoad": "BD",
      "laneLinks": [{"startLaneIndex": 1, "endLaneIndex": 1}]}],
   "trafficLight": {"roadLinkIndices": [0, 1, 2], "lightphases": [
     {"time": 4, "availableRoadLinks": [2]},
     {"time": 30, "availableRoadLinks": [0, 2]},
     {"time": 20, "availableRoadLinks": [1, 2]}]}},
  {"id": "C", "point": {"x": 300, "y": 0}, "width": 0, "roads": ["BC", "CB"], "roadLinks": [], "virtual": true},
  {"id": "D", "point": {"x": 0, "y": 300}, "width": 0, "roads": ["BD"], "roadLinks": [], "virtual": true}],
 "roads": [
  {"id": "AB", "startIntersection": "A", "endIntersection": "B", "points": [{"x": -300, "y": 0}, {"x": 0, "y": 0}],
   "lanes": [{"width": 4, "maxSpeed": 10}, {"width": 4, "maxSpeed": 12.5}]},
  {"id": "BC", "startIntersection": "B", "endIntersection": "C", "points": [{"x": 0, "y": 0}, {"x": 300, "y": 0}],
   "lanes": [{"width": 4, "maxSpeed": 15}, {"width": 4, "maxSpeed": 15}]},
  {"id": "BD", "startIntersection": "B", "endIntersection": "D", "points": [{"x": 0, "y": 0}, {"x": 0, "y": 150}, {"x": 0, "y": 300}],
   "lanes": [{"maxSpeed": 10}, {"maxSpeed": 10}]},
  {"id": "CB", "startIntersection": "C", "endIntersection": "B", "points": [{"x": 300, "y": 0}, {"x": 0, "y": 0}],
   "lanes": [{"width": 3.5, "maxSpeed": 15}, {"width": 3.5, "maxSpeed": 15}]}]})";

// flow 0: 0..20 every 5 s; flow 1: from 100 s with no end (same vehicle as flow 0); flow 2: another
// vehicle, 10..40 every 7.5 s.
constexpr const char* kFlow = R"([{"vehicle": {"length": 5, "width": 2, "maxPosAcc": 2, "maxNegAcc": 4.5, "usualPosAcc": 2, "usualNegAcc": 4.5,
              "minGap": 2.5, "maxSpeed": 11.111, "headwayTime": 2},
  "route": ["AB", "BC"], "interval": 5, "startTime": 0, "endTime": 20},
 {"vehicle": {"length": 5, "width": 2, "maxPosAcc": 2, "maxNegAcc": 4.5, "usualPosAcc": 2, "usualNegAcc": 4.5,
              "minGap": 2.5, "maxSpeed": 11.111, "headwayTime": 2},
  "route": ["AB", "BD"], "interval": 10, "startTime": 100, "endTime": -1},
 {"vehicle": {"length": 8, "width": 2.5, "maxPosAcc": 1, "maxNegAcc": 3, "usualPosAcc": 1, "usualNegAcc": 3,
              "minGap": 3, "maxSpeed": 8, "headwayTime": 2.5},
  "route": ["CB", "BD"], "interval": 7.5, "startTime": 10, "endTime": 40}])";

/// The error message of `f`, which must throw ScenarioError.
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ScenarioError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ScenarioError thrown";
  return "";
}

/// kRoadnet after `edit`, parsed; returns the error.
std::string roadnet_error(const std::function<void(Json&)>& edit) {
  Json j = Json::parse(kRoadnet);
  edit(j);
  return error_of([&] { parse_cityflow_roadnet(j.dump(), "roadnet.json"); });
}

/// kFlow after `edit`, parsed against kRoadnet; returns the error.
std::string flow_error(const std::function<void(Json&)>& edit) {
  Json j = Json::parse(kFlow);
  edit(j);
  return error_of([&] {
    v1::Scenario s = parse_cityflow_roadnet(kRoadnet, "roadnet.json");
    parse_cityflow_flow(j.dump(), "flow.json", s);
  });
}

Json& at(Json& j, const char* pointer) { return j[Json::json_pointer(pointer)]; }

#define EXPECT_HAS(haystack, needle) EXPECT_NE((haystack).find(needle), std::string::npos) << (haystack)

v1::Scenario tiny() {
  v1::Scenario s = parse_cityflow_roadnet(kRoadnet, "roadnet.json");
  parse_cityflow_flow(kFlow, "flow.json", s);
  return s;
}

TEST(CityFlow, IntersectionsRoadsAndLanes) {
  const v1::Scenario s = tiny();
  ASSERT_EQ(s.intersections_size(), 4);
  for (int i : {0, 2, 3}) EXPECT_TRUE(s.intersections(i).boundary()) << i;
  const v1::Intersection& b = s.intersections(1);
  EXPECT_FALSE(b.boundary());
  EXPECT_TRUE(b.signalized());
  EXPECT_DOUBLE_EQ(b.width(), 10);
  EXPECT_DOUBLE_EQ(b.position().x(), 0);
  EXPECT_DOUBLE_EQ(s.intersections(0).position().x(), -300);
  ASSERT_EQ(s.roads_size(), 4);
  // Points length minus the width of each real (non-virtual) end: 300 - 10.
  for (const v1::Road& r : s.roads()) EXPECT_DOUBLE_EQ(r.length(), 290) << r.id();
  EXPECT_EQ(s.roads(2).shape_size(), 3);
  EXPECT_EQ(s.roads(0).from_intersection(), "A");
  EXPECT_EQ(s.roads(0).to_intersection(), "B");
  EXPECT_DOUBLE_EQ(s.roads(0).lanes(1).speed_limit(), 12.5);
  EXPECT_DOUBLE_EQ(s.roads(2).lanes(0).width(), 4) << "CityFlow's default lane width";
  EXPECT_DOUBLE_EQ(s.roads(3).lanes(0).width(), 3.5);

  const CompiledScenario c = compile_scenario(s, "tiny");
  EXPECT_EQ(c.network.num_lanes(), 8);
  // length / highest lane speed limit: 290 / 12.5, 290 / 15, 290 / 10.
  EXPECT_DOUBLE_EQ(c.network.road_free_flow_time[c.network.find_road("AB")], 23.2);
  EXPECT_DOUBLE_EQ(c.network.road_free_flow_time[c.network.find_road("BC")], 290.0 / 15);
  EXPECT_DOUBLE_EQ(c.network.road_free_flow_time[c.network.find_road("BD")], 29);
}

TEST(CityFlow, LaneLinksBecomeMovements) {
  const v1::Scenario s = tiny();
  const v1::Intersection& b = s.intersections(1);
  ASSERT_EQ(b.movements_size(), 4);
  const v1::Movement& m0 = b.movements(0);
  EXPECT_EQ(m0.from_road(), "AB");
  EXPECT_EQ(m0.to_road(), "BC");
  EXPECT_EQ(m0.turn(), v1::TURN_STRAIGHT);
  EXPECT_DOUBLE_EQ(m0.length(), 20) << "polyline length of the lane link's points";
  EXPECT_EQ(b.movements(1).from_lane(), 1);
  EXPECT_EQ(b.movements(1).to_lane(), 1);
  EXPECT_EQ(b.movements(2).turn(), v1::TURN_LEFT);
  EXPECT_DOUBLE_EQ(b.movements(2).length(), 24);
  EXPECT_EQ(b.movements(2).path_size(), 3);
  EXPECT_EQ(b.movements(3).turn(), v1::TURN_RIGHT);
  EXPECT_DOUBLE_EQ(b.movements(3).length(), 10) << "no points: the intersection width";
}

TEST(CityFlow, LightPhasesClearanceAndPlan) {
  const v1::Scenario s = tiny();
  const v1::Intersection& b = s.intersections(1);
  // Phase 0 (link 2 only) is in every other phase: the clearance; link 2 is always green.
  for (int m = 0; m < 4; ++m) EXPECT_EQ(b.movements(m).always_green(), m == 3) << m;
  EXPECT_DOUBLE_EQ(s.settings().yellow(), 4);
  ASSERT_EQ(b.phases_size(), 2);
  EXPECT_EQ(b.phases(0).name(), "1");
  EXPECT_EQ(std::vector<int>(b.phases(0).movements().begin(), b.phases(0).movements().end()), (std::vector<int>{0, 1}));
  EXPECT_EQ(std::vector<int>(b.phases(1).movements().begin(), b.phases(1).movements().end()), (std::vector<int>{2}));
  ASSERT_EQ(s.signal_plans_size(), 1);
  const v1::SignalPlan& plan = s.signal_plans(0);
  EXPECT_EQ(plan.intersection(), "B");
  // The lightphases in order, as CityFlow cycles them: the 4 s clearance once, then the greens
  // back to back.
  ASSERT_EQ(plan.stages_size(), 3);
  EXPECT_TRUE(plan.stages(0).clearance());
  EXPECT_DOUBLE_EQ(plan.stages(0).duration(), 4);
  EXPECT_FALSE(plan.stages(1).clearance());
  EXPECT_EQ(plan.stages(1).phase(), 0);
  EXPECT_DOUBLE_EQ(plan.stages(1).duration(), 30);
  EXPECT_FALSE(plan.stages(2).clearance());
  EXPECT_EQ(plan.stages(2).phase(), 1);
  EXPECT_DOUBLE_EQ(plan.stages(2).duration(), 20);
  EXPECT_EQ(parse_cityflow_roadnet(kRoadnet, "roadnet.json", false).signal_plans_size(), 0);

  // Fewer than two greens: not signalized, every movement always green.
  const Json one_green = [] {
    Json j = Json::parse(kRoadnet);
    at(j, "/intersections/1/trafficLight/lightphases").erase(2);
    return j;
  }();
  const v1::Scenario one = parse_cityflow_roadnet(one_green.dump(), "roadnet.json");
  const v1::Intersection& plain = one.intersections(1);
  EXPECT_FALSE(plain.signalized());
  EXPECT_EQ(plain.phases_size(), 0);
  for (const v1::Movement& m : plain.movements()) EXPECT_TRUE(m.always_green());
}

// The marks `convert --to cityflow` writes (CityFlow ignores them): greenwaveClearance names the
// clearances where a green shows only the common links, greenwaveLength replaces the points' length.
TEST(CityFlow, GreenwaveClearanceAndLength) {
  Json j = Json::parse(kRoadnet);
  at(j, "/intersections/1/trafficLight/lightphases").push_back({{"time", 10}, {"availableRoadLinks", {2}}});
  // Unmarked, the new lightphase equals the common set: a second clearance (yellow = the longer, 10 s).
  const v1::Scenario plain = parse_cityflow_roadnet(j.dump(), "roadnet.json");
  EXPECT_EQ(plain.intersections(1).phases_size(), 2);
  EXPECT_DOUBLE_EQ(plain.settings().yellow(), 10);
  at(j, "/intersections/1/trafficLight/lightphases/0")["greenwaveClearance"] = true;
  at(j, "/roads/0")["greenwaveLength"] = 123.5;
  at(j, "/intersections/1/roadLinks/0/laneLinks/0")["greenwaveLength"] = 7.25;
  const v1::Scenario s = parse_cityflow_roadnet(j.dump(), "roadnet.json");
  const v1::Intersection& b = s.intersections(1);
  ASSERT_EQ(b.phases_size(), 3);
  EXPECT_EQ(b.phases(2).movements_size(), 0) << "a green of the always-green link only";
  EXPECT_DOUBLE_EQ(s.settings().yellow(), 4);
  ASSERT_EQ(s.signal_plans_size(), 1);
  ASSERT_EQ(s.signal_plans(0).stages_size(), 4);
  EXPECT_EQ(s.signal_plans(0).stages(3).phase(), 2);
  EXPECT_DOUBLE_EQ(s.signal_plans(0).stages(3).duration(), 10);
  EXPECT_DOUBLE_EQ(s.roads(0).length(), 123.5) << "not 300 m less B's width";
  EXPECT_DOUBLE_EQ(b.movements(0).length(), 7.25) << "not the points' 20 m";
  EXPECT_DOUBLE_EQ(b.movements(1).length(), 20);
}

TEST(CityFlow, FlowsVehicleTypesAndEmissionRule) {
  const v1::Scenario s = tiny();
  ASSERT_EQ(s.demand().flows_size(), 3);
  ASSERT_EQ(s.demand().vehicle_types_size(), 2) << "flows 0 and 1 share one parameter set";
  EXPECT_EQ(s.demand().flows(0).id(), "flow_0");
  EXPECT_EQ(s.demand().flows(1).vehicle_type(), "type_0");
  EXPECT_EQ(s.demand().flows(2).vehicle_type(), "type_1");
  const v1::VehicleType& t1 = s.demand().vehicle_types(1);
  EXPECT_DOUBLE_EQ(t1.length(), 8);
  EXPECT_DOUBLE_EQ(t1.width(), 2.5);
  EXPECT_DOUBLE_EQ(t1.max_pos_acc(), 1);
  EXPECT_DOUBLE_EQ(t1.max_neg_acc(), 3);
  EXPECT_DOUBLE_EQ(t1.min_gap(), 3);
  EXPECT_DOUBLE_EQ(t1.max_speed(), 8);
  EXPECT_DOUBLE_EQ(t1.headway_time(), 2.5);
  EXPECT_DOUBLE_EQ(s.demand().flows(1).end(), 1e7) << "endTime -1: no end";

  const CompiledScenario c = compile_scenario(s, "tiny");
  std::vector<std::vector<double>> times(3);
  for (const Departure& d : c.demand.departures) times[d.source].push_back(d.time);
  // One at startTime, then every interval while t <= endTime (20 and 40 included).
  EXPECT_EQ(times[0], (std::vector<double>{0, 5, 10, 15, 20}));
  EXPECT_EQ(times[2], (std::vector<double>{10, 17.5, 25, 32.5, 40}));
  // No end: bounded by the 3600 s horizon (100, 110, ..., 3590).
  ASSERT_EQ(times[1].size(), 350u);
  EXPECT_DOUBLE_EQ(times[1].back(), 3590);
  EXPECT_DOUBLE_EQ(c.demand.vehicle_types[c.demand.departures.back().vehicle_type].length, 5);
}

TEST(CityFlow, ConfigFileSettingsAndPaths) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("gw_cityflow_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
  std::filesystem::create_directories(dir / "data");
  std::ofstream(dir / "data" / "roadnet.json") << kRoadnet;
  std::ofstream(dir / "data" / "flow.json") << kFlow;
  std::ofstream(dir / "config.json") << R"({"interval": 0.5, "seed": 7, "dir": "data/", "roadnetFile": "roadnet.json",
      "flowFile": "flow.json", "rlTrafficLight": true, "laneChange": true, "saveReplay": false})";
  const v1::Scenario s = import_cityflow((dir / "config.json").string());
  EXPECT_DOUBLE_EQ(s.settings().dt(), 0.5);
  EXPECT_EQ(s.settings().seed(), 7u);
  EXPECT_TRUE(s.settings().lane_change());
  EXPECT_DOUBLE_EQ(s.settings().yellow(), 4);
  EXPECT_DOUBLE_EQ(s.settings().horizon(), 3600);
  EXPECT_DOUBLE_EQ(s.settings().action_interval(), 10);
  EXPECT_EQ(s.signal_plans_size(), 0) << "rlTrafficLight: the agent controls the lights";
  EXPECT_EQ(s.demand().flows_size(), 3);
  EXPECT_EQ(detect_format((dir / "config.json").string()), ScenarioFormat::CityFlow);

  // A bare roadnet with a flow file: plans kept, default settings.
  const v1::Scenario bare = import_cityflow((dir / "data" / "roadnet.json").string(), (dir / "data" / "flow.json").string());
  EXPECT_EQ(bare.signal_plans_size(), 1);
  EXPECT_DOUBLE_EQ(bare.settings().dt(), 0);
  EXPECT_EQ(bare.demand().flows_size(), 3);

  std::ofstream(dir / "bad.json") << R"({"roadnetFile": "missing.json", "flowFile": "flow.json"})";
  EXPECT_HAS(error_of([&] { import_cityflow((dir / "bad.json").string()); }), "missing.json: no such file");
  std::ofstream(dir / "empty.json") << "  \n";
  EXPECT_HAS(error_of([&] { import_cityflow((dir / "empty.json").string()); }), "empty.json: empty file");
  std::filesystem::remove_all(dir);
}

TEST(CityFlowErrors, EmptyFiles) {
  EXPECT_HAS(error_of([] { parse_cityflow_roadnet("", "roadnet.json"); }), "roadnet.json: empty file, expected JSON");
  EXPECT_HAS(error_of([] { parse_cityflow_roadnet(" \n\t", "roadnet.json"); }), "roadnet.json: empty file");
  v1::Scenario s = parse_cityflow_roadnet(kRoadnet, "roadnet.json");
  parse_cityflow_flow("[]", "flow.json", s);  // an empty list is a valid file without demand
  EXPECT_EQ(s.demand().flows_size(), 0);
  EXPECT_HAS(error_of([&] { parse_cityflow_flow("", "flow.json", s); }), "flow.json: empty file");
  EXPECT_HAS(roadnet_error([](Json& j) { j["intersections"] = Json::array(); }), "roadnet.json:/intersections: no intersections");
  EXPECT_HAS(roadnet_error([](Json& j) { j["roads"] = Json::array(); }), "roadnet.json:/roads: no roads");
}

TEST(CityFlowErrors, TruncatedJson) {
  const std::string text = kRoadnet;
  std::string msg = error_of([&] { parse_cityflow_roadnet(text.substr(0, text.size() / 2), "roadnet.json"); });
  EXPECT_HAS(msg, "roadnet.json:line ");
  EXPECT_HAS(msg, "invalid JSON");
  const std::string flow = kFlow;
  msg = error_of([&] {
    v1::Scenario s = parse_cityflow_roadnet(kRoadnet, "roadnet.json");
    parse_cityflow_flow(flow.substr(0, flow.rfind(']')), "flow.json", s);
  });
  EXPECT_HAS(msg, "flow.json:line 9: invalid JSON");  // the last line: where the input ended
  msg = error_of([] { parse_cityflow_roadnet("{\"intersections\": [],\n\"roads\": [}", "roadnet.json"); });
  EXPECT_HAS(msg, "roadnet.json:line 2: invalid JSON");
}

TEST(CityFlowErrors, WrongJsonTypes) {
  EXPECT_HAS(roadnet_error([](Json& j) { j = Json::array(); }), "roadnet.json:/: expected an object, got an array");
  EXPECT_HAS(roadnet_error([](Json& j) { j["roads"] = Json::object(); }), "roadnet.json:/roads: expected an array, got an object");
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/roads/1/lanes/0/maxSpeed") = "fast"; }),
             "roadnet.json:/roads/1/lanes/0/maxSpeed: expected a number (maxSpeed in m/s), got a string");
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/roads/2/id") = 5; }), "roadnet.json:/roads/2/id: expected a string, got a number");
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/intersections/1/virtual") = "no"; }),
             "roadnet.json:/intersections/1/virtual: expected a boolean, got a string");
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/intersections/1/roadLinks/1/type") = "turn_around"; }),
             "roadnet.json:/intersections/1/roadLinks/1/type: unknown road link type 'turn_around'");
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/intersections/1/trafficLight/lightphases/1/availableRoadLinks/0") = 0.5; }),
             "roadnet.json:/intersections/1/trafficLight/lightphases/1/availableRoadLinks/0: expected an integer index into "
             "roadLinks, got a number");
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/roads/0").erase("points"); }), "roadnet.json:/roads/0: missing field 'points'");
  EXPECT_HAS(flow_error([](Json& j) { j = Json::object(); }), "flow.json:/: expected an array, got an object");
  EXPECT_HAS(flow_error([](Json& j) { at(j, "/1/route") = "AB"; }), "flow.json:/1/route: expected an array, got a string");
  EXPECT_HAS(flow_error([](Json& j) { at(j, "/0/vehicle/minGap") = nullptr; }),
             "flow.json:/0/vehicle/minGap: expected a number (minGap), got a null");
}

TEST(CityFlowErrors, DanglingIds) {
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/roads/0/startIntersection") = "Z"; }),
             "roadnet.json:/roads/0/startIntersection: unknown intersection 'Z'");
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/roads/3/endIntersection") = ""; }),
             "roadnet.json:/roads/3/endIntersection: id is empty");
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/intersections/1/roadLinks/0/startRoad") = "XY"; }),
             "roadnet.json:/intersections/1/roadLinks/0/startRoad: unknown road 'XY'");
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/intersections/1/roadLinks/0/startRoad") = "BC"; }),
             "roadnet.json:/intersections/1/roadLinks/0/startRoad: road 'BC' does not end at intersection 'B'");
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/intersections/1/roadLinks/1/endRoad") = "CB"; }),
             "roadnet.json:/intersections/1/roadLinks/1/endRoad: road 'CB' does not start at intersection 'B'");
  EXPECT_HAS(flow_error([](Json& j) { at(j, "/2/route/1") = "nope"; }), "flow.json:/2/route/1: unknown road 'nope'");
}

TEST(CityFlowErrors, DuplicateIds) {
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/intersections/3/id") = "A"; }),
             "roadnet.json:/intersections/3/id: duplicate intersection id 'A'");
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/roads/3/id") = "BC"; }), "roadnet.json:/roads/3/id: duplicate road id 'BC'");
}

TEST(CityFlowErrors, NonPositiveLengthsAndSpeeds) {
  // Both points inside B's box: 5 m of points minus B's 10 m width.
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/roads/0/points/0/x") = -5; }),
             "roadnet.json:/roads/0/points: road 'AB' has length -5 m (points minus the widths of its real intersections), "
             "expected > 0");
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/roads/2/points") = Json::parse(R"([{"x": 0, "y": 0}])"); }),
             "roadnet.json:/roads/2/points: a road needs at least 2 points, got 1");
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/roads/1/lanes/1/maxSpeed") = 0; }),
             "roadnet.json:/roads/1/lanes/1/maxSpeed: value 0 is out of range for maxSpeed in m/s, expected > 0");
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/roads/1/lanes/0/maxSpeed") = -3; }),
             "roadnet.json:/roads/1/lanes/0/maxSpeed: value -3 is out of range");
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/roads/1/lanes/0/width") = 0; }),
             "roadnet.json:/roads/1/lanes/0/width: value 0 is out of range for a lane width in metres");
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/intersections/1/width") = -1; }),
             "roadnet.json:/intersections/1/width: value -1 is out of range for an intersection width in metres");
  EXPECT_HAS(flow_error([](Json& j) { at(j, "/0/vehicle/maxSpeed") = 0; }),
             "flow.json:/0/vehicle/maxSpeed: value 0 is out of range for maxSpeed, expected > 0");
  EXPECT_HAS(flow_error([](Json& j) { at(j, "/0/vehicle/length") = -5; }), "flow.json:/0/vehicle/length: value -5 is out of range");
  EXPECT_HAS(flow_error([](Json& j) { at(j, "/1/interval") = 0; }),
             "flow.json:/1/interval: value 0 is out of range for interval in seconds, expected >= 0.001");
  EXPECT_HAS(flow_error([](Json& j) { at(j, "/1/startTime") = -1; }), "flow.json:/1/startTime: value -1 is out of range");
  EXPECT_HAS(flow_error([](Json& j) { at(j, "/0/startTime") = 30; }),
             "flow.json:/0/endTime: endTime 20 is before startTime 30 (-1 = no end)");
}

TEST(CityFlowErrors, RoadsWithNoLanes) {
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/roads/2/lanes") = Json::array(); }),
             "roadnet.json:/roads/2/lanes: road 'BD' has no lanes");
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/roads/2/lanes") = Json::array({Json::parse(R"({"maxSpeed": 10})")}); }),
             "roadnet.json:/intersections/1/roadLinks/2/laneLinks/0/endLaneIndex: index 1 out of range for the lanes of "
             "road 'BD' (expected 0..1-1)");
}

TEST(CityFlowErrors, PhasesNamingMissingRoadLinksAndLanes) {
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/intersections/1/trafficLight/lightphases/2/availableRoadLinks/1") = 3; }),
             "roadnet.json:/intersections/1/trafficLight/lightphases/2/availableRoadLinks/1: index 3 out of range for "
             "roadLinks (expected 0..3-1)");
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/intersections/1/trafficLight/lightphases/0/availableRoadLinks/0") = -1; }),
             "availableRoadLinks/0: index -1 out of range for roadLinks");
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/intersections/1/roadLinks/0/laneLinks/1/startLaneIndex") = 2; }),
             "roadnet.json:/intersections/1/roadLinks/0/laneLinks/1/startLaneIndex: index 2 out of range for the lanes of "
             "road 'AB' (expected 0..2-1)");
}

TEST(CityFlowErrors, RoutesThroughUnconnectedRoads) {
  // CB ends at B, which links it only to BD; BC leaves B towards C, a dead end.
  EXPECT_HAS(flow_error([](Json& j) { at(j, "/2/route") = Json::array({"CB", "BC"}); }),
             "flow.json:/2/route/1: no path through the network leads from road 'CB' to road 'BC'");
  EXPECT_HAS(flow_error([](Json& j) { at(j, "/0/route") = Json::array({"AB", "BC", "AB"}); }),
             "flow.json:/0/route/2: no path through the network leads from road 'BC' to road 'AB'");
  EXPECT_HAS(flow_error([](Json& j) { at(j, "/0/route") = Json::array(); }), "flow.json:/0/route: route is empty");
}

TEST(CityFlowErrors, HugeNumbers) {
  // Beyond double's range: refused by the JSON reader itself.
  std::string text = kRoadnet;
  text.replace(text.find("\"maxSpeed\": 10}"), 15, "\"maxSpeed\": 1e400}");
  EXPECT_HAS(error_of([&] { parse_cityflow_roadnet(text, "roadnet.json"); }), "roadnet.json: invalid JSON: ");
  EXPECT_HAS(error_of([&] { parse_cityflow_roadnet(text, "roadnet.json"); }), "number overflow");
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/roads/0/lanes/0/maxSpeed") = 1e300; }),
             "roadnet.json:/roads/0/lanes/0/maxSpeed: value 1e+300 is out of range for maxSpeed in m/s, expected > 0 and <= 100");
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/intersections/0/point/x") = 1e15; }),
             "roadnet.json:/intersections/0/point/x: value 1e+15 is out of range for a coordinate in metres");
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/roads/1/points/1/x") = 5e6; }),
             "roadnet.json:/roads/1/points: road 'BC' is 4.99999e+06 m long, expected <= 1e+06");
  EXPECT_HAS(roadnet_error([](Json& j) { at(j, "/intersections/1/roadLinks/0/laneLinks/0/startLaneIndex") = 18446744073709551615ULL; }),
             "startLaneIndex: index 18446744073709551615 out of range");
  EXPECT_HAS(roadnet_error([](Json& j) {
               Json lanes = Json::array();
               for (int k = 0; k < 65; ++k) lanes.push_back(Json::parse(R"({"maxSpeed": 10})"));
               at(j, "/roads/2/lanes") = lanes;
             }),
             "roadnet.json:/roads/2/lanes: road 'BD' has 65 lanes, at most 64 are supported");
  EXPECT_HAS(flow_error([](Json& j) { at(j, "/0/endTime") = 1e20; }),
             "flow.json:/0/endTime: value 1e+20 is out of range for endTime in seconds (-1 = no end)");
  EXPECT_HAS(flow_error([](Json& j) { at(j, "/0/vehicle/headwayTime") = 1e9; }),
             "flow.json:/0/vehicle/headwayTime: value 1000000000.0 is out of range for headwayTime");
}

}  // namespace
}  // namespace greenwave
