// Validation of native scenarios by compile_scenario: every malformed-input class of the issue is
// a ScenarioError naming the source file and the field path (/roads/1/length) with the value.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <vector>

#include <oneapi/tbb/task_arena.h>

#include "greenwave/core/error.hpp"
#include "greenwave/networks/importers.hpp"
#include "greenwave/networks/scenario_io.hpp"

namespace greenwave {
namespace {

// Boundaries a and c around signalized b; roads ab (a->b) and bc (b->c), one movement, two phases.
constexpr const char* kScenario = R"(
name: "line"
intersections { id: "a" boundary: true }
intersections {
  id: "b" signalized: true
  movements { from_road: "ab" from_lane: 0 to_road: "bc" to_lane: 0 turn: TURN_STRAIGHT length: 20 }
  phases { name: "go" movements: 0 }
  phases { name: "stop" }
}
intersections { id: "c" boundary: true }
roads { id: "ab" from_intersection: "a" to_intersection: "b" length: 300 lanes { speed_limit: 10 } }
roads { id: "bc" from_intersection: "b" to_intersection: "c" length: 200 lanes { speed_limit: 10 } }
demand { flows { id: "f" route: "ab" route: "bc" start: 0 end: 100 interval: 10 } }
signal_plans { intersection: "b" stages { phase: 0 duration: 30 } stages { phase: 1 duration: 10 } }
settings { horizon: 600 }
)";

/// The error of compiling kScenario after `edit`.
std::string error_after(const std::function<void(v1::Scenario&)>& edit) {
  v1::Scenario s = parse_native_text(kScenario, "line.pbtxt");
  edit(s);
  try {
    compile_scenario(s, "line.pbtxt");
  } catch (const ScenarioError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ScenarioError thrown";
  return "";
}

#define EXPECT_HAS(haystack, needle) EXPECT_NE((haystack).find(needle), std::string::npos) << (haystack)

TEST(Compile, ValidScenarioWithAnEmptyPhase) {
  const CompiledScenario c = compile_scenario(parse_native_text(kScenario, "line.pbtxt"), "line.pbtxt");
  EXPECT_EQ(c.network.num_phases(), 2);
  EXPECT_TRUE(c.network.movements_of_phase(1).empty()) << "an empty phase holds every movement red";
  EXPECT_EQ(c.demand.departures.size(), 11u);  // 0, 10, ..., 100: t <= end
  ASSERT_EQ(c.plans.size(), 1u);
}

TEST(Compile, DeparturesStopAtTheHorizon) {
  v1::Scenario s = parse_native_text(kScenario, "line.pbtxt");
  s.mutable_demand()->mutable_flows(0)->set_end(1e7);  // the largest end: about 115 days
  s.mutable_demand()->mutable_flows(0)->set_interval(0.01);
  auto* trip = s.mutable_demand()->add_trips();
  trip->add_route("ab");
  trip->set_depart(600);  // at the horizon: never started, so not expanded
  const CompiledScenario c = compile_scenario(s, "line.pbtxt");
  ASSERT_EQ(c.demand.departures.size(), 60000u);  // 0, 0.01, ..., 599.99; a billion without the bound
  EXPECT_NEAR(c.demand.departures.back().time, 599.99, 1e-9);
  EXPECT_EQ(c.demand.source_ids.size(), 2u) << "the trip is still validated and named";
  s.mutable_settings()->set_horizon(1e7);
  EXPECT_HAS(error_after([&](v1::Scenario& t) { t = s; }),
             "line.pbtxt:/demand/flows/0/interval: demand expands to more than 50 million vehicles before the horizon");
}

TEST(CompileErrors, DanglingIds) {
  EXPECT_HAS(error_after([](v1::Scenario& s) { s.mutable_roads(0)->set_from_intersection("z"); }),
             "line.pbtxt:/roads/0/from_intersection: unknown intersection 'z'");
  EXPECT_HAS(error_after([](v1::Scenario& s) { s.mutable_intersections(1)->mutable_movements(0)->set_to_road("cb"); }),
             "line.pbtxt:/intersections/1/movements/0/to_road: unknown road 'cb'");
  EXPECT_HAS(error_after([](v1::Scenario& s) { s.mutable_intersections(1)->mutable_movements(0)->set_from_road("bc"); }),
             "line.pbtxt:/intersections/1/movements/0/from_road: road 'bc' does not end at intersection 'b'");
  EXPECT_HAS(error_after([](v1::Scenario& s) { s.mutable_demand()->mutable_flows(0)->set_route(1, "cd"); }),
             "line.pbtxt:/demand/flows/0/route/1: unknown road 'cd'");
  EXPECT_HAS(error_after([](v1::Scenario& s) { s.mutable_demand()->mutable_flows(0)->set_vehicle_type("truck"); }),
             "line.pbtxt:/demand/flows/0/vehicle_type: unknown vehicle type 'truck'");
  EXPECT_HAS(error_after([](v1::Scenario& s) { s.mutable_signal_plans(0)->set_intersection("q"); }),
             "line.pbtxt:/signal_plans/0/intersection: unknown intersection 'q'");
  EXPECT_HAS(error_after([](v1::Scenario& s) { s.mutable_intersections(1)->add_legs()->set_incoming_road("x"); }),
             "line.pbtxt:/intersections/1/legs/0/incoming_road: unknown road 'x'");
}

TEST(CompileErrors, DuplicateIds) {
  EXPECT_HAS(error_after([](v1::Scenario& s) { s.mutable_intersections(2)->set_id("a"); }),
             "line.pbtxt:/intersections/2/id: duplicate intersection id 'a'");
  EXPECT_HAS(error_after([](v1::Scenario& s) { s.mutable_roads(1)->set_id("ab"); }),
             "line.pbtxt:/roads/1/id: duplicate road id 'ab'");
  EXPECT_HAS(error_after([](v1::Scenario& s) { s.mutable_roads(1)->set_id(""); }), "line.pbtxt:/roads/1/id: road id is empty");
}

TEST(CompileErrors, NonPositiveLengthsAndSpeeds) {
  EXPECT_HAS(error_after([](v1::Scenario& s) { s.mutable_roads(0)->set_length(0); }),
             "line.pbtxt:/roads/0/length: expected a positive number, got 0");
  EXPECT_HAS(error_after([](v1::Scenario& s) { s.mutable_roads(1)->set_length(-3); }),
             "line.pbtxt:/roads/1/length: expected a positive number, got -3");
  EXPECT_HAS(error_after([](v1::Scenario& s) { s.mutable_roads(1)->mutable_lanes(0)->set_speed_limit(0); }),
             "line.pbtxt:/roads/1/lanes/0/speed_limit: expected a positive number, got 0");
  EXPECT_HAS(error_after([](v1::Scenario& s) { s.mutable_intersections(1)->mutable_movements(0)->set_length(-1); }),
             "line.pbtxt:/intersections/1/movements/0/length: expected a non-negative number, got -1");
  EXPECT_HAS(error_after([](v1::Scenario& s) { s.mutable_demand()->mutable_flows(0)->set_interval(0); }),
             "line.pbtxt:/demand/flows/0/interval: expected a positive number, got 0");
}

TEST(CompileErrors, RoadsWithNoLanes) {
  EXPECT_HAS(error_after([](v1::Scenario& s) { s.mutable_roads(1)->clear_lanes(); }),
             "line.pbtxt:/roads/1/lanes: road 'bc' has no lanes");
}

TEST(CompileErrors, PhasesNamingMissingMovements) {
  EXPECT_HAS(error_after([](v1::Scenario& s) { s.mutable_intersections(1)->mutable_phases(1)->add_movements(1); }),
             "line.pbtxt:/intersections/1/phases/1/movements/0: phase names movement 1 but intersection 'b' has 1 movements");
  EXPECT_HAS(error_after([](v1::Scenario& s) { s.mutable_signal_plans(0)->mutable_stages(1)->set_phase(2); }),
             "line.pbtxt:/signal_plans/0/stages/1/phase: phase 2 out of range (intersection has 2 phases)");
  EXPECT_HAS(error_after([](v1::Scenario& s) { s.mutable_intersections(1)->mutable_movements(0)->set_to_lane(1); }),
             "line.pbtxt:/intersections/1/movements/0/to_lane: lane index 1 out of range for road 'bc' with 1 lanes");
}

TEST(CompileErrors, RoutesThroughUnconnectedRoads) {
  EXPECT_HAS(error_after([](v1::Scenario& s) {
               auto* route = s.mutable_demand()->mutable_flows(0)->mutable_route();
               route->SwapElements(0, 1);
             }),
             "line.pbtxt:/demand/flows/0/route: no path through the network connects the roads of this route");
  EXPECT_HAS(error_after([](v1::Scenario& s) { s.mutable_demand()->mutable_flows(0)->clear_route(); }),
             "line.pbtxt:/demand/flows/0/route: needs a route or both origin and destination");
}

// Routes are resolved in parallel, then taken in order. 1,001 flows and trips: a flow with route
// ab, bc and a trip from origin ab to destination bc name the same roads, so all share route 0;
// the error reported is the first in order even when later routes fail too.
TEST(Compile, RoutesSharedAndErrorsInOrder) {
  v1::Scenario s = parse_native_text(kScenario, "line.pbtxt");
  for (int k = 0; k < 500; ++k) {
    *s.mutable_demand()->add_flows() = s.demand().flows(0);
    auto* trip = s.mutable_demand()->add_trips();
    trip->set_origin("ab");
    trip->set_destination("bc");
    trip->set_depart(k);
  }
  const CompiledScenario c = compile_scenario(s, "line.pbtxt");
  ASSERT_EQ(c.demand.route_begin.size(), 2u) << "one route, [ab, bc]";
  EXPECT_EQ(c.demand.route_roads.size(), 2u);
  for (const Departure& d : c.demand.departures) EXPECT_EQ(d.route, 0);
  // Flow 300 names an unknown road, flow 301 reverses the route (no path from bc back to ab) and
  // so does trip 7: flow 300's error, as a sequential pass reports it.
  s.mutable_demand()->mutable_flows(300)->set_route(1, "cd");
  s.mutable_demand()->mutable_flows(301)->mutable_route()->SwapElements(0, 1);
  s.mutable_demand()->mutable_trips(7)->set_origin("bc");
  s.mutable_demand()->mutable_trips(7)->set_destination("ab");
  EXPECT_HAS(error_after([&](v1::Scenario& t) { t = s; }), "line.pbtxt:/demand/flows/300/route/1: unknown road 'cd'");
  // Without flow 300's: flow 301's, a path error found by the search.
  s.mutable_demand()->mutable_flows(300)->set_route(1, "bc");
  EXPECT_HAS(error_after([&](v1::Scenario& t) { t = s; }),
             "line.pbtxt:/demand/flows/301/route: no path through the network connects the roads of this route");
  // A bad interval in flow 2 comes before any later route's error.
  s.mutable_demand()->mutable_flows(2)->set_interval(0);
  EXPECT_HAS(error_after([&](v1::Scenario& t) { t = s; }), "line.pbtxt:/demand/flows/2/interval");
}

TEST(CompileErrors, HugeNumbersAndEmptyScenarios) {
  EXPECT_HAS(error_after([](v1::Scenario& s) { s.mutable_roads(0)->set_length(1e300); }),
             "line.pbtxt:/roads/0/length: value 1e+300 is out of range (at most 1e+06)");
  EXPECT_HAS(error_after([](v1::Scenario& s) { s.mutable_demand()->mutable_flows(0)->set_end(1e12); }),
             "line.pbtxt:/demand/flows/0/end: value 1e+12 is out of range (at most 1e+07)");
  EXPECT_HAS(error_after([](v1::Scenario& s) { s.mutable_settings()->set_horizon(std::numeric_limits<double>::infinity()); }),
             "line.pbtxt:/settings/horizon: expected a positive number, got inf");
  EXPECT_HAS(error_after([](v1::Scenario& s) { s.mutable_roads(0)->mutable_lanes(0)->set_speed_limit(std::nan("")); }),
             "line.pbtxt:/roads/0/lanes/0/speed_limit: expected a positive number, got nan");
  EXPECT_HAS(error_after([](v1::Scenario& s) { s.clear_intersections(); }), "line.pbtxt:/intersections: scenario has no intersections");
  EXPECT_HAS(error_after([](v1::Scenario& s) { s.clear_roads(); }), "line.pbtxt:/roads: scenario has no roads");
}

}  // namespace
}  // namespace greenwave

namespace greenwave {
namespace {

/// `n` departures at time `t` (route 0, type 0, source i).
std::vector<Departure> departures_at(double t, int n) {
  std::vector<Departure> d;
  for (int i = 0; i < n; ++i) d.push_back({t, 0, 0, i});
  return d;
}

// Each offset is uniform on [-J, J]: over 20,000 departures at t = 1000 with J = 60, every shift
// stays within 60 s, the extremes come within 0.1 s of +-60 (the chance that none of 20,000
// draws falls in a 0.1 s end slice is (1 - 0.1/120)^20000 ~ 6e-8), the mean shift is 0 within
// 4 standard errors (60/sqrt(3)/sqrt(20000) = 0.245 s), and half the shifts fall in [-30, 30]
// (within 4 standard errors, sqrt(0.25/20000) = 0.0035).
TEST(DemandJitter, ShiftsAreUniformWithinTheJitter) {
  const std::vector<Departure> base = departures_at(1000, 20000);
  const std::vector<Departure> out = jitter_departures(base, 60, 3600, 1, 7);
  ASSERT_EQ(out.size(), base.size());
  double lo = 1e9, hi = -1e9, sum = 0;
  int inner = 0;
  for (const Departure& d : out) {
    const double shift = d.time - 1000;
    ASSERT_LE(std::fabs(shift), 60.0);
    lo = std::min(lo, shift);
    hi = std::max(hi, shift);
    sum += shift;
    inner += std::fabs(shift) <= 30;
  }
  EXPECT_LT(lo, -59.9);
  EXPECT_GT(hi, 59.9);
  EXPECT_NEAR(sum / 20000, 0.0, 4 * 0.245);
  EXPECT_NEAR(inner / 20000.0, 0.5, 4 * 0.0035);
  for (std::size_t i = 1; i < out.size(); ++i) ASSERT_LE(out[i - 1].time, out[i].time) << "not sorted by time";
}

// The same seed gives the same times; another seed other times; no jitter the input itself.
TEST(DemandJitter, DeterministicPerSeedDifferentAcrossSeeds) {
  const std::vector<Departure> base = departures_at(500, 100);
  const auto times = [](const std::vector<Departure>& d) {
    std::vector<double> t;
    for (const Departure& x : d) t.push_back(x.time);
    return t;
  };
  EXPECT_EQ(times(jitter_departures(base, 30, 3600, 1, 1)), times(jitter_departures(base, 30, 3600, 1, 1)));
  EXPECT_NE(times(jitter_departures(base, 30, 3600, 1, 1)), times(jitter_departures(base, 30, 3600, 1, 2)));
  EXPECT_EQ(times(jitter_departures(base, 0, 3600, 1, 1)), times(base));
}

// Shifts are clamped into [0, horizon - dt]: departures at t = 5 with J = 60 land in [0, 65],
// and (65 - 0) of the 120 s range maps above 0, so 55/120 = 45.8% land exactly on 0 (within
// 4 standard errors, sqrt(0.458 * 0.542 / 20000) = 0.0035); at t = 3590 with a 3600 s horizon
// they land in [3530, 3599].
TEST(DemandJitter, ClampedIntoTheEpisode) {
  int at_zero = 0;
  for (const Departure& d : jitter_departures(departures_at(5, 20000), 60, 3600, 1, 3)) {
    ASSERT_GE(d.time, 0.0);
    ASSERT_LE(d.time, 65.0);
    at_zero += d.time == 0.0;
  }
  EXPECT_NEAR(at_zero / 20000.0, 55.0 / 120.0, 4 * 0.0035);
  for (const Departure& d : jitter_departures(departures_at(3590, 1000), 60, 3600, 1, 3)) {
    ASSERT_GE(d.time, 3530.0);
    ASSERT_LE(d.time, 3599.0);
  }
}

// The native schema carries it: settings.demand_jitter compiles into RunSettings, a negative
// value is refused naming the field.
TEST(DemandJitter, NativeSetting) {
  v1::Scenario s = parse_native_text(kScenario, "line.pbtxt");
  s.mutable_settings()->set_demand_jitter(45);
  EXPECT_EQ(compile_scenario(s, "line.pbtxt").settings.demand_jitter, 45.0);
  EXPECT_HAS(error_after([](v1::Scenario& x) { x.mutable_settings()->set_demand_jitter(-1); }), "/settings/demand_jitter");
}

}  // namespace
}  // namespace greenwave

namespace greenwave {
namespace {

/// Everything compile_scenario produces that a run reads, flattened for comparison.
struct CompiledParts {
  std::string content_hash;
  std::vector<std::int32_t> ints;  // movement lanes, conflicts' other movement, routes, departures
  std::vector<double> reals;       // lengths, conflict distances, free-flow times, departure times
  std::vector<std::string> ids;

  explicit CompiledParts(const CompiledScenario& c) : content_hash(c.content_hash) {
    const RoadNetwork& n = c.network;
    const Demand& d = c.demand;
    for (const auto* v : {&n.movement_from_lane, &n.movement_to_lane, &n.movement_conflict_begin, &n.lane_out_movements,
                          &n.lane_in_movements, &n.movement_path_begin, &d.route_begin, &d.route_roads})
      append(*v);
    for (const auto* v : {&n.movement_length, &n.movement_speed_limit, &d.route_free_flow_time}) reals.insert(reals.end(), v->begin(), v->end());
    for (const Conflict& x : n.conflicts) {
      ints.push_back(x.other);
      reals.insert(reals.end(), {x.distance, x.other_distance, x.leave_distance});
    }
    for (const Point& p : n.movement_path) reals.insert(reals.end(), {p.x, p.y});
    for (const Departure& x : d.departures) {
      ints.insert(ints.end(), {x.route, x.vehicle_type, x.source});
      reals.push_back(x.time);
    }
    ids = d.source_ids;
    ids.insert(ids.end(), n.road_ids.begin(), n.road_ids.end());
  }
  void append(const std::vector<std::int32_t>& v) {
    ints.push_back(static_cast<std::int32_t>(v.size()));
    ints.insert(ints.end(), v.begin(), v.end());
  }
  bool operator==(const CompiledParts&) const = default;
};

// Reading CBEngine flows, resolving and completing routes, conflict points and the content hash
// run in parallel; the scenario read and compiled must not depend on the number of threads. A
// generated city (its CBEngine files, and its native scenario with every flow cut down to its
// first and last road, so that routes are completed by shortest paths: the generator's routes
// are shortest ones, so these come out the same), read and compiled in
// arenas of 1, 2 and 4 threads, under both conflict rules.
TEST(Compile, SameScenarioOnAnyNumberOfThreads) {
  CityOptions options;
  options.intersections = 300;
  options.vehicles = 6000;
  options.seed = 5;
  const GeneratedCity city = generate_city(options);
  v1::Scenario od = city.scenario;
  for (v1::Flow& f : *od.mutable_demand()->mutable_flows()) {
    f.set_origin(f.route(0));
    f.set_destination(f.route(f.route_size() - 1));
    f.clear_route();
  }
  for (const auto rule : {v1::CONFLICT_RULE_GREENWAVE, v1::CONFLICT_RULE_CITYFLOW}) {
    od.mutable_settings()->set_conflicts(rule);
    std::string first_read;
    std::optional<CompiledParts> first_cbengine, first_od;
    for (const int threads : {1, 2, 4}) {
      tbb::task_arena arena(threads);
      arena.execute([&] {
        v1::Scenario s = parse_cbengine_roadnet(city.roadnet, "roadnet.txt");
        parse_cbengine_flow(city.flow, "flow.txt", s);
        s.mutable_settings()->set_conflicts(rule);
        const CompiledParts cbengine(compile_scenario(s, "roadnet.txt"));
        const CompiledParts by_od(compile_scenario(od, "od.pb"));
        if (threads == 1) {
          first_read = s.SerializeAsString();
          first_cbengine = cbengine;
          first_od = by_od;
          EXPECT_GT(cbengine.ints.size(), 50000u);  // a city, not an empty scenario
          return;
        }
        EXPECT_EQ(s.SerializeAsString(), first_read) << threads << " threads";
        EXPECT_TRUE(cbengine == *first_cbengine) << threads << " threads";
        EXPECT_TRUE(by_od == *first_od) << threads << " threads";
      });
    }
  }
}

}  // namespace
}  // namespace greenwave
