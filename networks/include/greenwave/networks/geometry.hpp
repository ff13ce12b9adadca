// Drawing geometry of a compiled network: the centre line of every lane and of every movement's
// path through its intersection, and where a vehicle is along them (docs/replay.md).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "greenwave/networks/road_network.hpp"

namespace greenwave {

/// A point on a centre line and the direction of travel there.
struct Pose {
  double x = 0;        ///< metres
  double y = 0;        ///< metres
  double heading = 0;  ///< radians, counter-clockwise from +x
};

/// Centre lines of the drivables (lanes, then movements: drivable num_lanes + m is movement m,
/// the numbering the simulator uses). A lane runs along its road's shape (or the straight line
/// between its intersections), offset to the right of travel by the widths of the lanes inside
/// it plus half its own, and trimmed at each real intersection so its length matches the road's;
/// a movement follows its path, or the straight line from its lane's end to the next lane's start.
class NetworkGeometry {
 public:
  /// Builds the centre lines of `net` (copied: the geometry does not refer to `net` afterwards).
  explicit NetworkGeometry(const RoadNetwork& net);
  /// Number of drivables (lanes + movements).
  std::int32_t size() const { return static_cast<std::int32_t>(begin_.size()) - 1; }
  /// The centre line of drivable d, in travel order (at least two points).
  std::span<const Point> line(std::int32_t d) const { return csr_row(begin_, points_, d); }
  /// Where a vehicle `distance` metres along drivable d is: the simulator's length of d is mapped
  /// onto the line's own length, and distances outside [0, length] are clamped to the ends.
  Pose at(std::int32_t d, double distance) const;
  /// The bounding box of every line: {min x, min y, max x, max y}.
  std::array<double, 4> bounds() const;

 private:
  std::vector<std::int32_t> begin_;  ///< CSR into points_ and along_ (size drivables + 1)
  std::vector<Point> points_;
  std::vector<double> along_;        ///< distance from the line's start to each point
  std::vector<double> scale_;        ///< per drivable: line length / simulated length
};

}  // namespace greenwave
