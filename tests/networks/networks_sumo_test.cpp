// The SUMO importer: a hand-written three-arm junction mapped element by element, demand
// expansion counted by hand, errors naming file, line and element, and the shared SUMO scenarios
// with counts derived by a short script.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "../engine/sim/sim_test_support.hpp"
#include "../sumo_fixtures.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/networks/scenario_io.hpp"
#include "greenwave/networks/sumo.hpp"

namespace greenwave {
namespace {

constexpr const char* kRoutes = R"(<routes>
  <vType id="car" length="4" minGap="2" accel="3" decel="5" maxSpeed="20" tau="1.2"/>
  <vType id="bus" vClass="bus"/>
  <route id="r1" edges="AB BC"/>
  <vehicle id="v0" type="car" depart="5" route="r1"/>
  <vehicle id="v1" type="bus" depart="6" route="r1"/>
  <trip id="t0" depart="7" from="AB" to="BD"/>
  <flow id="f0" type="car" begin="0" end="100" period="10" route="r1"/>
  <flow id="f1" begin="10" end="50" vehsPerHour="360" from="AB" to="BD"/>
  <flow id="f2" begin="0" number="3" period="5"><route edges="AB BD"/></flow>
</routes>
)";

using testing::intersection_of;
using testing::kSumoMiniNet;
using testing::road_of;

SumoImport parse(const std::string& net, const std::string& routes, SumoConfig config = {}) {
  return parse_sumo(net, "mini.net.xml", {{"mini.rou.xml", routes}}, config);
}

/// A plan's stages as "phase:duration" words, "c:duration" for a clearance stage.
std::string stages_of(const v1::SignalPlan& plan) {
  std::string out;
  for (const auto& st : plan.stages()) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%s%s:%g", out.empty() ? "" : " ", st.clearance() ? "c" : std::to_string(st.phase()).c_str(),
                  st.duration());
    out.append(buf);
  }
  return out;
}

TEST(SumoImport, MapsEdgesLanesConnectionsAndTheProgram) {
  const SumoImport in = parse(kSumoMiniNet, "<routes/>");
  const v1::Scenario& s = in.scenario;
  ASSERT_EQ(s.roads_size(), 3);
  // AB keeps its two passenger lanes; native lane 0 (innermost) is SUMO's highest index.
  const v1::Road& ab = road_of(s, "AB");
  ASSERT_EQ(ab.lanes_size(), 2);
  EXPECT_DOUBLE_EQ(ab.length(), 95);
  EXPECT_DOUBLE_EQ(ab.lanes(0).speed_limit(), 13.9);
  EXPECT_DOUBLE_EQ(ab.lanes(0).width(), 3.2);  // SUMO's default lane width
  EXPECT_EQ(in.links.road_lanes.at("AB"), (std::vector<std::string>{"AB_2", "AB_1"}));
  EXPECT_TRUE(intersection_of(s, "A").boundary());
  EXPECT_TRUE(intersection_of(s, "D").boundary());
  const v1::Intersection& b = intersection_of(s, "B");
  EXPECT_TRUE(b.signalized());
  EXPECT_FALSE(b.boundary());
  ASSERT_EQ(b.movements_size(), 2);
  EXPECT_EQ(b.movements(0).from_lane(), 1);  // SUMO lane 1 of 2 passenger lanes
  EXPECT_EQ(b.movements(0).turn(), v1::TURN_STRAIGHT);
  EXPECT_DOUBLE_EQ(b.movements(0).length(), 10);
  EXPECT_EQ(b.movements(1).from_lane(), 0);
  EXPECT_EQ(b.movements(1).turn(), v1::TURN_LEFT);
  EXPECT_DOUBLE_EQ(b.movements(1).length(), 12.5);
  EXPECT_EQ(b.movements(1).path_size(), 3);
  // Two green phases; yellow = the longest clearance (4 s); the plan is the program: green 30 s,
  // clearance 3 s, green 20 s, clearance 4 s.
  ASSERT_EQ(b.phases_size(), 2);
  EXPECT_EQ(b.phases(0).name(), "0");
  EXPECT_EQ(b.phases(0).movements(0), 0);
  EXPECT_EQ(b.phases(1).name(), "2");
  EXPECT_EQ(b.phases(1).movements(0), 1);
  EXPECT_DOUBLE_EQ(s.settings().yellow(), 4);
  ASSERT_EQ(s.signal_plans_size(), 1);
  EXPECT_EQ(stages_of(s.signal_plans(0)), "0:30 c:3 1:20 c:4");
  EXPECT_EQ(in.links.intersection_tls.at("B"), "B");
  EXPECT_EQ(in.links.movement_link.at("B"), (std::vector<std::int32_t>{0, 1}));
  ASSERT_EQ(in.warnings.size(), 1u);
  EXPECT_EQ(in.warnings[0], "1 non-passenger lanes skipped (bus, bicycle, pedestrian) (AB)");
  compile_scenario(s, "mini");
}

TEST(SumoImport, YellowAndRedOnlyPhasesBecomeTheClearanceStagesOfThePlan) {
  // A hand-written program: all red 2 s, straight 30 s, yellow 3 s then all red 2 s (one
  // clearance of 5 s), left 20 s, yellow 4 s. The leading all red and the trailing yellow are one
  // clearance of 6 s across the cycle's end, which the plan puts last: it starts at its first
  // green. yellow = the longest clearance, 6 s.
  const SumoImport in = parse(testing::sumo_mini_net_with_program(R"(<phase duration="2" state="rr"/>
    <phase duration="30" state="Gr"/>
    <phase duration="3" state="yr"/>
    <phase duration="2" state="rr"/>
    <phase duration="20" state="rG"/>
    <phase duration="4" state="ry"/>
)"), "<routes/>");
  const v1::Scenario& s = in.scenario;
  const v1::Intersection& b = intersection_of(s, "B");
  ASSERT_EQ(b.phases_size(), 2);
  EXPECT_EQ(b.phases(0).name(), "1");
  EXPECT_EQ(b.phases(1).name(), "4");
  ASSERT_EQ(s.signal_plans_size(), 1);
  EXPECT_EQ(stages_of(s.signal_plans(0)), "0:30 c:5 1:20 c:6");
  EXPECT_DOUBLE_EQ(s.settings().yellow(), 6);
  compile_scenario(s, "mini");  // a valid plan: every clearance stage is followed by a green one

  // A partial yellow (the straight link yellow, the left one still green) is clearance too; a
  // green phase met again is the same phase. A program of greens only has no clearance stage.
  const SumoImport partial = parse(testing::sumo_mini_net_with_program(R"(<phase duration="10" state="GG"/>
    <phase duration="3" state="yG"/>
    <phase duration="15" state="rG"/>
    <phase duration="3" state="ry"/>
    <phase duration="5" state="GG"/>
)"), "<routes/>");
  EXPECT_EQ(intersection_of(partial.scenario, "B").phases_size(), 2);
  EXPECT_EQ(stages_of(partial.scenario.signal_plans(0)), "0:10 c:3 1:15 c:3 0:5");
  const SumoImport greens = parse(testing::sumo_mini_net_with_program(R"(<phase duration="10" state="Gr"/>
    <phase duration="15" state="rG"/>
)"), "<routes/>");
  EXPECT_EQ(stages_of(greens.scenario.signal_plans(0)), "0:10 1:15");
}

TEST(SumoImport, TheProgramOffsetBecomesThePlanPositionAtBegin) {
  // SUMO runs a program at cycle position (t - offset) mod cycle of simulation time t (libsumo on
  // ingolstadt1 with offset 10: at t = 57,600 = 640 cycles of 90 s it is 80 s into the cycle).
  // The mini program (30 + 3 + 20 + 4 = 57 s) with offset 10 and begin 100: at greenwave's t = 0
  // the plan is 100 - 10 = 90 s into its cycle (the controller takes it modulo 57: 33 s).
  SumoConfig config;
  config.begin = 100;
  std::string net = kSumoMiniNet;
  net.replace(net.find("offset=\"0\""), 10, "offset=\"10\"");
  EXPECT_DOUBLE_EQ(parse(net, "<routes/>", config).scenario.signal_plans(0).offset(), 90);
  // A program that starts in clearance has it moved to the end of the plan: the plan's position
  // 0 is SUMO's position 2 (after the leading 2 s all red), so the offset moves back by 2 s.
  const SumoImport rotated = parse(testing::sumo_mini_net_with_program(R"(<phase duration="2" state="rr"/>
    <phase duration="30" state="Gr"/>
    <phase duration="20" state="rG"/>
    <phase duration="4" state="ry"/>
)"), "<routes/>");
  EXPECT_EQ(stages_of(rotated.scenario.signal_plans(0)), "0:30 1:20 c:6");
  EXPECT_DOUBLE_EQ(rotated.scenario.signal_plans(0).offset(), -2);
}

TEST(SumoImport, ExpandsVehiclesTripsAndFlowsAsSumoDoes) {
  const SumoImport in = parse(kSumoMiniNet, kRoutes);
  const CompiledScenario c = compile_scenario(in.scenario, "mini");
  // By hand: v0 (5 s), t0 (7 s), f0 at 0, 10, ..., 90 (end exclusive: 10), f1 every 3600/360 =
  // 10 s from 10 to before 50 (10, 20, 30, 40), f2 three at 0, 5, 10; the bus is skipped.
  EXPECT_EQ(c.demand.departures.size(), 1u + 1u + 10u + 4u + 3u);
  EXPECT_EQ(in.scenario.demand().trips_size(), 2);
  ASSERT_EQ(in.warnings.size(), 2u);
  EXPECT_EQ(in.warnings[1], "1 vehicles of non-passenger types skipped (bus)");
  const auto& types = in.scenario.demand().vehicle_types();
  const auto car = std::find_if(types.begin(), types.end(), [](const auto& t) { return t.id() == "car"; });
  ASSERT_NE(car, types.end());
  EXPECT_DOUBLE_EQ(car->length(), 4);
  EXPECT_DOUBLE_EQ(car->min_gap(), 2);
  EXPECT_DOUBLE_EQ(car->max_pos_acc(), 3);
  EXPECT_DOUBLE_EQ(car->usual_neg_acc(), 5);
  EXPECT_DOUBLE_EQ(car->max_speed(), 20);
  EXPECT_DOUBLE_EQ(car->headway_time(), 1.2);
  // The trip t0 (from/to) is routed AB -> BD by the native router.
  EXPECT_EQ(in.scenario.demand().trips(1).origin(), "AB");
}

TEST(SumoImport, ShiftsTimesByTheConfiguredBegin) {
  SumoConfig config;
  config.begin = 20;
  config.end = 80;
  const SumoImport in = parse(kSumoMiniNet, kRoutes, config);
  EXPECT_DOUBLE_EQ(in.scenario.settings().horizon(), 60);
  const CompiledScenario c = compile_scenario(in.scenario, "mini");
  // Before 20 s nothing is inserted (v0, t0 and f2 skipped); f0 at 20..70 -> 0..50 s (6), f1 at
  // 20, 30, 40 -> 0, 10, 20 (3).
  EXPECT_EQ(c.demand.departures.size(), 9u);
  EXPECT_DOUBLE_EQ(c.demand.departures.front().time, 0);
}

TEST(SumoImport, ErrorsNameFileLineAndElement) {
  auto message = [](const std::string& net, const std::string& routes) {
    try {
      parse(net, routes);
    } catch (const ScenarioError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::string net = kSumoMiniNet;
  EXPECT_EQ(message("<net><edge", "<routes/>").substr(0, 28), "mini.net.xml:line 1: invalid");
  net.replace(net.find("speed=\"16\""), 10, "speed=\"fast\"");
  EXPECT_EQ(message(net, "<routes/>"),
            "mini.net.xml:line 15: <lane id=\"BC_0\">: attribute 'speed': expected a number, got 'fast'");
  net = kSumoMiniNet;
  net.replace(net.find("dir=\"l\""), 7, "dir=\"q\"");
  EXPECT_EQ(message(net, "<routes/>"),
            "mini.net.xml:line 34: <connection>: attribute 'dir': expected s, l, L, r, R or t, got 'q'");
  EXPECT_EQ(message(kSumoMiniNet, "<routes>\n<vehicle id=\"x\" depart=\"1\"><route edges=\"AB XY\"/></vehicle></routes>"),
            "mini.rou.xml:line 2: <vehicle id=\"x\">: unknown edge 'XY'");
  EXPECT_EQ(message(kSumoMiniNet, "<routes>\n<flow id=\"f\" begin=\"0\" end=\"9\" route=\"AB\"/></routes>"),
            "mini.rou.xml:line 2: <flow id=\"f\">: needs one of 'period', 'vehsPerHour', 'probability', or 'number' with 'end'");
  EXPECT_EQ(message(kSumoMiniNet, "<routes>\n<vehicle id=\"x\" type=\"van\" depart=\"1\" route=\"r\"/></routes>"),
            "mini.rou.xml:line 2: <vehicle id=\"x\">: unknown vehicle type 'van'");
  EXPECT_EQ(message("<net lefthand=\"true\"/>", "<routes/>").substr(0, 37), "mini.net.xml:line 1: <net>: left-hand");
  EXPECT_EQ(message("<routes/>", "<routes/>"), "mini.net.xml:line 1: expected a <net> root element, got <routes>");
}

TEST(SumoImport, ConfigNamesFilesTimesAndSeed) {
  const SumoConfig c = parse_sumo_config(R"(<configuration>
  <input><net-file value="n.net.xml"/><route-files value="a.rou.xml,b.rou.xml"/></input>
  <time><begin value="100"/><end value="700"/><step-length value="0.5"/></time>
  <random_number><seed value="42"/></random_number>
</configuration>)", "/data/x/s.sumocfg");
  EXPECT_EQ(c.net_file, "/data/x/n.net.xml");
  EXPECT_EQ(c.route_files, (std::vector<std::string>{"/data/x/a.rou.xml", "/data/x/b.rou.xml"}));
  EXPECT_DOUBLE_EQ(c.begin, 100);
  EXPECT_DOUBLE_EQ(c.end, 700);
  EXPECT_DOUBLE_EQ(c.step_length, 0.5);
  EXPECT_EQ(c.seed, 42u);
}

// Expected counts from /usr/bin/python3 + xml.etree over the files (not greenwave): edges without
// `function`, their lanes without passenger-excluding allow/disallow, connections whose `from` is
// not internal, junctions whose type is not "internal", trips/vehicles whose type is not the bus.
TEST(SumoImport, Ingolstadt1FromTheSharedData) {
  GW_REQUIRE_DATA(cfg, "sumo/ingolstadt1/ingolstadt1.sumocfg");
  const SumoImport in = import_sumo_full(cfg);
  const CompiledScenario c = compile_scenario(in.scenario, "ingolstadt1");
  EXPECT_EQ(c.network.num_roads(), 11);
  EXPECT_EQ(c.network.num_lanes(), 22);
  EXPECT_EQ(c.network.num_movements(), 18);
  EXPECT_EQ(c.network.num_intersections(), 8);
  EXPECT_EQ(c.network.signalized.size(), 1u);
  EXPECT_EQ(c.demand.departures.size(), 1699u);  // 1716 trips, 17 of them buses
  // gneJ207: greens of 38, 6 and 37 s, yellows of 3 s; the window 57600..61200 s.
  EXPECT_EQ(c.network.num_phases(), 3);
  EXPECT_DOUBLE_EQ(c.settings.yellow, 3);
  EXPECT_DOUBLE_EQ(c.settings.horizon, 3600);
  EXPECT_NEAR(c.demand.departures.front().time, 0.2, 1e-9);  // first trip departs at 57600.20
}

TEST(SumoImport, Grid4x4FromTheSharedData) {
  GW_REQUIRE_DATA(cfg, "grids/grid4x4/tl.sumocfg");
  const CompiledScenario c = compile_scenario(import_sumo(cfg), "grid4x4");
  EXPECT_EQ(c.network.num_roads(), 80);
  EXPECT_EQ(c.network.num_lanes(), 240);
  EXPECT_EQ(c.network.num_movements(), 320);
  EXPECT_EQ(c.network.signalized.size(), 16u);
  EXPECT_EQ(c.network.num_phases(), 32);  // two greens per light
  EXPECT_DOUBLE_EQ(c.settings.yellow, 4);
  EXPECT_EQ(c.demand.departures.size(), 1000u);
  EXPECT_EQ(c.settings.seed, 42u);
}

}  // namespace
}  // namespace greenwave
