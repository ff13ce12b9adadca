// Replays and the geometry they draw from: lane centre lines worked out by hand (offset to the
// right of travel, trimmed at real intersections), a vehicle's pose on them, and a replay file
// decoded independently (zlib, then the layout of docs/replay.md).
#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <numbers>
#include <string>

#include "greenwave/env/replay.hpp"
#include "greenwave/networks/geometry.hpp"
#include "greenwave/networks/scenario_io.hpp"
#include "greenwave/control/controllers.hpp"
#include "greenwave/sim/simulator.hpp"
#include "../../scenario_text.hpp"

namespace greenwave {
namespace {

using testing::compile_text;

// East along y = 0 from a boundary node to a real intersection B (width 10) at x = 100, whose
// drivable part is 90 m; then north from B to a boundary node at (100, 100), 90 m; 4 m lanes.
// A car (maxSpeed 10, maxPosAcc 2) departs at t = 0 on AB.
constexpr const char* kCorner = R"pb(
  name: "corner"
  intersections { id: "A" boundary: true position { x: 0 y: 0 } }
  intersections {
    id: "B" position { x: 100 y: 0 } width: 10
    movements { from_road: "AB" from_lane: 0 to_road: "BC" to_lane: 0 turn: TURN_LEFT length: 10 always_green: true }
  }
  intersections { id: "C" boundary: true position { x: 100 y: 100 } }
  roads { id: "AB" from_intersection: "A" to_intersection: "B" length: 90 lanes { speed_limit: 10 width: 4 } lanes { speed_limit: 10 width: 4 } }
  roads { id: "BC" from_intersection: "B" to_intersection: "C" length: 90 lanes { speed_limit: 10 width: 4 } }
  demand {
    vehicle_types { id: "car" length: 5 max_speed: 10 max_pos_acc: 2 }
    trips { id: "v" vehicle_type: "car" route: "AB" route: "BC" depart: 0 }
  }
  settings { horizon: 8 }
)pb";

TEST(Geometry, LanesAreOffsetRightAndTrimmedAtRealIntersections) {
  const auto sc = compile_text(kCorner);
  const NetworkGeometry g(sc->network);
  ASSERT_EQ(g.size(), 4);  // 3 lanes + 1 movement
  // AB lane 0 (innermost): 2 m right of the eastward centre line (y = -2), the whole 100 m shape
  // minus the 10 m box at the real end B: x from 0 to 90.
  auto l0 = g.line(0);
  ASSERT_EQ(l0.size(), 2u);
  EXPECT_NEAR(l0[0].x, 0, 1e-9);
  EXPECT_NEAR(l0[0].y, -2, 1e-9);
  EXPECT_NEAR(l0[1].x, 90, 1e-9);
  EXPECT_NEAR(l0[1].y, -2, 1e-9);
  // AB lane 1: one lane further out, y = -4 - 2.
  EXPECT_NEAR(g.line(1)[0].y, -6, 1e-9);
  // BC lane 0 heads north: right of travel is +x, so x = 102; trimmed 10 m at B: y from 10 to 100.
  auto l2 = g.line(2);
  EXPECT_NEAR(l2[0].x, 102, 1e-9);
  EXPECT_NEAR(l2[0].y, 10, 1e-9);
  EXPECT_NEAR(l2[1].y, 100, 1e-9);
  // The movement has no path: the straight line from AB lane 0's end to BC lane 0's start.
  auto m = g.line(3);
  EXPECT_NEAR(m[0].x, 90, 1e-9);
  EXPECT_NEAR(m[1].x, 102, 1e-9);
  EXPECT_NEAR(m[1].y, 10, 1e-9);
  // A pose 45 m along AB lane 0 is halfway (the line is as long as the lane), heading east.
  const Pose p = g.at(0, 45);
  EXPECT_NEAR(p.x, 45, 1e-9);
  EXPECT_NEAR(p.y, -2, 1e-9);
  EXPECT_NEAR(p.heading, 0, 1e-12);
  // On BC heading north (pi/2); distances beyond the end are clamped to it.
  EXPECT_NEAR(g.at(2, 500).y, 100, 1e-9);
  EXPECT_NEAR(g.at(2, 0).heading, std::numbers::pi / 2, 1e-12);
}

TEST(Simulator, VehiclePosesFollowTheLaneCentreLines) {
  Simulator sim(compile_text(kCorner));
  // Speeds 2, 4, 6, 8, 10: after 5 steps the car's front is 25 m along its entry lane.
  for (int k = 0; k < 5; ++k) sim.step();
  std::vector<VehiclePose> poses;
  sim.vehicle_poses(poses);
  ASSERT_EQ(poses.size(), 1u);
  EXPECT_EQ(poses[0].id, 0);
  EXPECT_NEAR(poses[0].x, 25, 1e-9);
  EXPECT_TRUE(std::fabs(poses[0].y + 2) < 1e-9 || std::fabs(poses[0].y + 6) < 1e-9) << poses[0].y;
  EXPECT_NEAR(poses[0].heading, 0, 1e-12);
}

/// The decompressed body of a replay file, after checking its raw header.
std::string read_body(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(file.substr(0, 8), "GWREPLAY");
  std::uint32_t version = 0;
  std::memcpy(&version, file.data() + 8, 4);
  EXPECT_EQ(version, 1u);
  std::string body(1 << 20, '\0');
  uLongf size = body.size();
  EXPECT_EQ(uncompress(reinterpret_cast<Bytef*>(body.data()), &size, reinterpret_cast<const Bytef*>(file.data() + 12),
                       file.size() - 12),
            Z_OK);
  body.resize(size);
  return body;
}

template <class T>
T at(const std::string& b, std::size_t offset) {
  T v;
  std::memcpy(&v, b.data() + offset, sizeof v);
  return v;
}

TEST(Replay, RecordsGeometryOnceThenEveryStep) {
  const std::string path = ::testing::TempDir() + "corner.gwr";
  Simulator sim(compile_text(kCorner));
  ReplayStats stats;
  {
    ReplayRecorder rec(sim, path);
    rec.reset(7);
    for (int k = 0; k < 5; ++k) rec.step();
    stats = rec.finish();
  }
  EXPECT_EQ(stats.frames, 6);  // t = 0 and after each of 5 steps
  const std::string body = read_body(path);
  const auto meta_len = at<std::uint32_t>(body, 0);
  const auto meta = nlohmann::json::parse(body.substr(4, meta_len));
  EXPECT_EQ(meta["version"], 1);
  EXPECT_EQ(meta["seed"], 7);
  EXPECT_EQ(meta["lanes"]["line"].size(), 3u);
  EXPECT_EQ(meta["lanes"]["line"][0], nlohmann::json({0.0, -2.0, 90.0, -2.0}));
  // No signalized intersection here: frames carry no signal arrays.
  EXPECT_EQ(meta["signals"]["intersection"].size(), 0u);
  const auto bounds = meta["bounds"].get<std::vector<double>>();
  std::size_t off = (4 + meta_len + 3) / 4 * 4;
  int frames = 0;
  while (off < body.size()) {
    const auto size = at<std::uint32_t>(body, off);
    const auto n = at<std::uint32_t>(body, off + 4);
    const auto time = at<double>(body, off + 8);
    EXPECT_EQ(time, frames);
    if (frames == 5) {
      // 6 metric floats follow the time: served 1, then the poses (id, x, y, heading).
      EXPECT_EQ(at<float>(body, off + 16), 1.0f);
      ASSERT_EQ(n, 1u);
      const std::size_t ids = off + 16 + 6 * 4;
      EXPECT_EQ(at<std::uint32_t>(body, ids), 0u);
      const double x = bounds[0] + at<std::uint16_t>(body, ids + 4) * (bounds[2] - bounds[0]) / 65535.0;
      EXPECT_NEAR(x, 25, (bounds[2] - bounds[0]) / 65535.0);
      EXPECT_EQ(at<std::uint8_t>(body, ids + 4 + 4 + 4), 0);  // heading east
    }
    off += size;
    ++frames;
  }
  EXPECT_EQ(frames, 6);
}

TEST(Replay, BadPathNamesIt) {
  Simulator sim(compile_text(kCorner));
  try {
    ReplayRecorder rec(sim, "/nonexistent-dir/x.gwr");
    FAIL() << "expected ConfigError";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/x.gwr"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace greenwave
