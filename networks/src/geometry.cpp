#include "greenwave/networks/geometry.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace greenwave {
namespace {

double distance(Point a, Point b) { return std::hypot(b.x - a.x, b.y - a.y); }

double polyline_length(const std::vector<Point>& pts) {
  double len = 0;
  for (std::size_t i = 1; i < pts.size(); ++i) len += distance(pts[i - 1], pts[i]);
  return len;
}

/// Removes `cut` metres from the start of `pts` (keeping at least a tiny last segment).
void trim_start(std::vector<Point>& pts, double cut) {
  while (cut > 0 && pts.size() >= 2) {
    const double seg = distance(pts[0], pts[1]);
    if (seg > cut) {
      const double t = cut / seg;
      pts[0] = {pts[0].x + (pts[1].x - pts[0].x) * t, pts[0].y + (pts[1].y - pts[0].y) * t};
      return;
    }
    if (pts.size() == 2) {  // the whole line is shorter than the cut: keep its last point twice
      pts[0] = pts[1];
      return;
    }
    cut -= seg;
    pts.erase(pts.begin());
  }
}

/// The road's centre line with its ends trimmed at real intersections: the shape is longer than
/// the road's drivable length by the intersections' boxes, shared between the two ends in
/// proportion to their widths (boundary ends get none; CityFlow trims each real end by its width).
std::vector<Point> trimmed_road_line(const RoadNetwork& net, RoadId r) {
  const IntersectionId from = net.road_from[r], to = net.road_to[r];
  std::vector<Point> pts(net.road_shape.begin() + net.road_shape_begin[r], net.road_shape.begin() + net.road_shape_begin[r + 1]);
  if (pts.size() < 2) pts = {net.intersection_position[from], net.intersection_position[to]};
  const double excess = polyline_length(pts) - net.road_length[r];
  if (excess <= 0) return pts;
  auto weight = [&](IntersectionId i) {
    if (net.intersection_boundary[i]) return 0.0;
    return net.intersection_width[i] > 0 ? net.intersection_width[i] : 1.0;
  };
  double w_from = weight(from), w_to = weight(to);
  if (w_from + w_to == 0) w_from = w_to = 1;
  trim_start(pts, excess * w_from / (w_from + w_to));
  std::reverse(pts.begin(), pts.end());
  trim_start(pts, excess * w_to / (w_from + w_to));
  std::reverse(pts.begin(), pts.end());
  return pts;
}

/// `pts` moved `offset` metres to the right of travel (vertex normals averaged at the bends).
std::vector<Point> offset_right(const std::vector<Point>& pts, double offset) {
  std::vector<Point> out(pts.size());
  for (std::size_t j = 0; j < pts.size(); ++j) {
    auto unit = [&](std::size_t a, std::size_t b) {
      const double len = distance(pts[a], pts[b]);
      return len > 0 ? Point{(pts[b].x - pts[a].x) / len, (pts[b].y - pts[a].y) / len} : Point{0, 0};
    };
    Point u = j == 0 ? unit(0, 1) : j + 1 == pts.size() ? unit(j - 1, j) : Point{};
    if (j > 0 && j + 1 < pts.size()) {
      const Point a = unit(j - 1, j), b = unit(j, j + 1);
      const double len = std::hypot(a.x + b.x, a.y + b.y);
      u = len > 0 ? Point{(a.x + b.x) / len, (a.y + b.y) / len} : a;
    }
    // A heading (x, y) has its right-hand side at (y, -x).
    out[j] = {pts[j].x + u.y * offset, pts[j].y - u.x * offset};
  }
  return out;
}

}  // namespace

NetworkGeometry::NetworkGeometry(const RoadNetwork& net) {
  const std::int32_t lanes = net.num_lanes();
  std::vector<std::vector<Point>> lines(static_cast<std::size_t>(lanes + net.num_movements()));
  for (RoadId r = 0; r < net.num_roads(); ++r) {
    const std::vector<Point> centre = trimmed_road_line(net, r);
    double inside = 0;
    for (const LaneId l : net.lanes_of(r)) {
      lines[static_cast<std::size_t>(l)] = offset_right(centre, inside + net.lane_width[l] / 2);
      inside += net.lane_width[l];
    }
  }
  for (MovementId m = 0; m < net.num_movements(); ++m) {
    auto& line = lines[static_cast<std::size_t>(lanes + m)];
    line.assign(net.movement_path.begin() + net.movement_path_begin[m],
                net.movement_path.begin() + net.movement_path_begin[m + 1]);
    if (line.size() < 2)
      line = {lines[static_cast<std::size_t>(net.movement_from_lane[m])].back(),
              lines[static_cast<std::size_t>(net.movement_to_lane[m])].front()};
  }
  begin_.push_back(0);
  for (std::size_t d = 0; d < lines.size(); ++d) {
    double along = 0;
    for (std::size_t k = 0; k < lines[d].size(); ++k) {
      if (k > 0) along += distance(lines[d][k - 1], lines[d][k]);
      points_.push_back(lines[d][k]);
      along_.push_back(along);
    }
    begin_.push_back(static_cast<std::int32_t>(points_.size()));
    const auto id = static_cast<std::int32_t>(d);
    const double simulated = id < lanes ? net.lane_length[d] : net.movement_length[d - static_cast<std::size_t>(lanes)];
    scale_.push_back(simulated > 0 ? along / simulated : 0.0);
  }
}

Pose NetworkGeometry::at(std::int32_t d, double distance_along) const {
  const std::int32_t first = begin_[d], last = begin_[d + 1] - 1;
  const double s = std::clamp(distance_along * scale_[d], 0.0, along_[last] - along_[first]) + along_[first];
  // The segment [k, k + 1] holding s (the last one for s at the end).
  const auto it = std::upper_bound(along_.begin() + first + 1, along_.begin() + last, s);
  const auto k = static_cast<std::int32_t>(it - along_.begin()) - 1;
  const Point a = points_[k], b = points_[k + 1];
  const double seg = along_[k + 1] - along_[k];
  const double t = seg > 0 ? (s - along_[k]) / seg : 0.0;
  return {a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t, std::atan2(b.y - a.y, b.x - a.x)};
}

std::array<double, 4> NetworkGeometry::bounds() const {
  constexpr double inf = std::numeric_limits<double>::infinity();
  std::array<double, 4> box = {inf, inf, -inf, -inf};
  for (const Point& p : points_) {
    box[0] = std::min(box[0], p.x);
    box[1] = std::min(box[1], p.y);
    box[2] = std::max(box[2], p.x);
    box[3] = std::max(box[3], p.y);
  }
  return box;
}

}  // namespace greenwave
