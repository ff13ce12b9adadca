// `convert --to cityflow` (write_cityflow): a scenario written as CityFlow files reads back to
// the same network and demand. The expected values are the original scenario's own, compiled
// independently of the writer; the run metrics are compared in tests/CMakeLists.txt
// (cli_convert_cityflow_*).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>
#include <vector>

#include "../engine/sim/sim_test_support.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/networks/cityflow.hpp"
#include "greenwave/networks/scenario_io.hpp"

namespace greenwave {
namespace {

namespace fs = std::filesystem;

/// One movement, lane by lane, by ids: intersection, from road and lane, to road and lane, turn, always green.
using MovementKey = std::tuple<std::string, std::string, int, std::string, int, int, bool>;

/// The movement of `net` as a key.
MovementKey key_of(const RoadNetwork& net, MovementId m) {
  const LaneId from = net.movement_from_lane[m], to = net.movement_to_lane[m];
  return {net.intersection_ids[net.movement_intersection[m]], net.road_ids[net.lane_road[from]], net.lane_index[from],
          net.road_ids[net.lane_road[to]], net.lane_index[to], static_cast<int>(net.movement_turn[m]),
          net.movement_always_green[m] != 0};
}

/// Per intersection, its phases in order, each the set of its green movements' keys.
std::vector<std::vector<std::set<MovementKey>>> phases_of(const RoadNetwork& net) {
  std::vector<std::vector<std::set<MovementKey>>> out(static_cast<std::size_t>(net.num_intersections()));
  for (IntersectionId i = 0; i < net.num_intersections(); ++i)
    for (PhaseId p = net.intersection_phase_begin[i]; p < net.intersection_phase_begin[i + 1]; ++p) {
      std::set<MovementKey> green;
      for (const MovementId m : net.movements_of_phase(p)) green.insert(key_of(net, m));
      out[static_cast<std::size_t>(i)].push_back(std::move(green));
    }
  return out;
}

/// Writes `path` (a scenario) as CityFlow files in a fresh folder and reads them back.
CompiledScenario round_trip(const std::string& path, const std::string& name, CompiledScenario& original) {
  const v1::Scenario s = read_scenario(path);
  original = compile_scenario(s, path);
  const fs::path dir = fs::temp_directory_path() / ("greenwave_cityflow_export_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string out = (dir / "out.json").string();
  write_cityflow(s, original, out);
  for (const char* f : {"out.json", "out.roadnet.json", "out.flow.json"}) EXPECT_TRUE(fs::exists(dir / f)) << f;
  v1::Scenario back = read_scenario(out);
  // CityFlow's config has no horizon: run both to the original's.
  back.mutable_settings()->set_horizon(original.settings.horizon);
  return compile_scenario(back, out);
}

/// The counts, movements lane by lane, phases, departures and settings of `got` equal `want`'s;
/// `exact_lengths` also asks the road and movement lengths to be bit-identical.
void expect_same(const CompiledScenario& want, const CompiledScenario& got, bool exact_lengths) {
  const RoadNetwork& a = want.network;
  const RoadNetwork& b = got.network;
  ASSERT_EQ(b.num_intersections(), a.num_intersections());
  EXPECT_EQ(b.intersection_ids, a.intersection_ids);
  EXPECT_EQ(b.intersection_boundary, a.intersection_boundary);
  EXPECT_EQ(b.signalized, a.signalized);
  EXPECT_EQ(b.road_ids, a.road_ids);
  EXPECT_EQ(b.num_lanes(), a.num_lanes());
  EXPECT_EQ(b.lane_speed_limit, a.lane_speed_limit);
  EXPECT_EQ(b.road_length, a.road_length);
  EXPECT_EQ(b.num_movements(), a.num_movements());
  EXPECT_EQ(b.num_phases(), a.num_phases());
  std::vector<MovementKey> ma, mb;
  for (MovementId m = 0; m < a.num_movements(); ++m) ma.push_back(key_of(a, m));
  for (MovementId m = 0; m < b.num_movements(); ++m) mb.push_back(key_of(b, m));
  EXPECT_EQ(mb, ma);  // same movements in the same order (road links keep their movements together)
  EXPECT_EQ(phases_of(b), phases_of(a));
  if (exact_lengths) {
    EXPECT_EQ(b.movement_length, a.movement_length);
  }
  ASSERT_EQ(got.demand.departures.size(), want.demand.departures.size());
  for (std::size_t k = 0; k < want.demand.departures.size(); ++k) {
    const Departure& da = want.demand.departures[k];
    const Departure& db = got.demand.departures[k];
    ASSERT_EQ(db.time, da.time) << "departure " << k;
    const auto ra = want.demand.route(da.route), rb = got.demand.route(db.route);
    ASSERT_TRUE(std::equal(ra.begin(), ra.end(), rb.begin(), rb.end())) << "route of departure " << k;
  }
  EXPECT_EQ(got.settings.dt, want.settings.dt);
  EXPECT_EQ(got.settings.seed, want.settings.seed);
  EXPECT_EQ(got.settings.yellow, want.settings.yellow);
  EXPECT_EQ(got.settings.lane_change, want.settings.lane_change);
  EXPECT_EQ(got.plans.size(), want.plans.size());
}

// The demo grid: its movement lengths are not its paths' polyline lengths (CityFlow's own), and
// greenwaveLength carries them over.
TEST(CityFlowExport, DemoGridRoundTrip) {
  CompiledScenario original;
  const CompiledScenario back = round_trip(std::string(GREENWAVE_SOURCE_DIR) + "/scenarios/demo_grid_2x2.pbtxt", "demo", original);
  // 12 intersections, 8 of them boundaries (grep -c over the .pbtxt): 4 signalized.
  EXPECT_EQ(back.network.num_intersections(), 12);
  EXPECT_EQ(back.network.signalized.size(), 4u);
  expect_same(original, back, true);
}

// Hangzhou from CityFlow goes back to CityFlow with the same points.
TEST(CityFlowExport, HangzhouRoundTrip) {
  GW_REQUIRE_DATA(config, "cityflow/hangzhou_4x4/config.json");
  CompiledScenario original;
  const CompiledScenario back = round_trip(config, "hangzhou", original);
  expect_same(original, back, true);
}

/// The flow file written for `path` (round-tripped as `name`), and the original's departures.
nlohmann::json written_flows(const std::string& path, const std::string& name, CompiledScenario& original) {
  round_trip(path, name, original);
  std::ifstream in(fs::temp_directory_path() / ("greenwave_cityflow_export_" + name) / "out.flow.json");
  return nlohmann::json::parse(in);
}

// CityFlow reads startTime and endTime only when they are JSON integers (getJsonMember<int>; a
// 12.0 falls back to start 0 and no end): whole-second departures are written as integers.
// Hangzhou's flows depart at whole seconds (integer startTime and interval in its flow file).
TEST(CityFlowExport, WholeSecondDeparturesAreJsonIntegers) {
  GW_REQUIRE_DATA(config, "cityflow/hangzhou_4x4/config.json");
  CompiledScenario original;
  const nlohmann::json flows = written_flows(config, "hangzhou_times", original);
  ASSERT_EQ(flows.size(), original.demand.departures.size());
  for (std::size_t k = 0; k < flows.size(); ++k)
    for (const char* field : {"startTime", "endTime"}) {
      ASSERT_TRUE(flows[k][field].is_number_integer()) << "flow " << k << " " << field;
      EXPECT_EQ(flows[k][field].get<double>(), original.demand.departures[k].time) << "flow " << k << " " << field;
    }
}

// The demo grid's flows start at fractional times (its .pbtxt: start 18.735718317798849, ...):
// those stay decimals, which the importer reads back exactly (CityFlow cannot; a warning says so).
TEST(CityFlowExport, FractionalDeparturesStayDecimals) {
  CompiledScenario original;
  const nlohmann::json flows = written_flows(std::string(GREENWAVE_SOURCE_DIR) + "/scenarios/demo_grid_2x2.pbtxt",
                                             "demo_times", original);
  ASSERT_EQ(flows.size(), original.demand.departures.size());
  std::size_t fractional = 0;
  for (std::size_t k = 0; k < flows.size(); ++k) {
    const double t = original.demand.departures[k].time;
    if (t == std::floor(t)) continue;
    ++fractional;
    EXPECT_TRUE(flows[k]["startTime"].is_number_float()) << "flow " << k;
    EXPECT_EQ(flows[k]["startTime"].get<double>(), t) << "flow " << k;
  }
  EXPECT_GT(fractional, 0u);
}

TEST(CityFlowExport, OutputMustBeAJsonConfigPath) {
  EXPECT_THROW(cityflow_files_for("out.xml"), ConfigError);
  const CityFlowFiles f = cityflow_files_for("dir/out.json");
  EXPECT_EQ(f.roadnet, "dir/out.roadnet.json");
  EXPECT_EQ(f.flow, "dir/out.flow.json");
}

}  // namespace
}  // namespace greenwave
