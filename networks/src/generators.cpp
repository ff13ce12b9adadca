// Synthetic grid and arterial scenarios in the native schema; see docs/scenario-format.md,
// "Generated scenarios".
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "four_leg.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/core/rng.hpp"
#include "greenwave/networks/importers.hpp"

namespace greenwave {
namespace {

constexpr int kLanes = 3;               // per direction: 0 left, 1 through, 2 right
constexpr double kPeakSlice = 300;      // seconds per rate step of the peak profile
constexpr int kRandomDestinations = 4;  // random-OD flows per entry

/// Unit steps of the four headings: 0 east, 1 north, 2 west, 3 south (CityFlow's numbering).
constexpr int kDx[4] = {1, 0, -1, 0};
constexpr int kDy[4] = {0, 1, 0, -1};
/// The heading of leg N, E, S, W as seen from the intersection.
constexpr int kLegHeading[4] = {1, 0, 3, 2};

/// A grid of rows x cols signalized nodes at x in 1..cols, y in 1..rows, with boundary nodes on
/// the ring x in {0, cols+1} or y in {0, rows+1} (no corners).
class Grid {
 public:
  Grid(int rows, int cols) : rows_(rows), cols_(cols) {}
  bool signalized(int x, int y) const { return x >= 1 && x <= cols_ && y >= 1 && y <= rows_; }
  bool boundary(int x, int y) const {
    const bool edge_x = (x == 0 || x == cols_ + 1) && y >= 1 && y <= rows_;
    const bool edge_y = (y == 0 || y == rows_ + 1) && x >= 1 && x <= cols_;
    return edge_x || edge_y;
  }
  bool node(int x, int y) const { return signalized(x, y) || boundary(x, y); }
  /// A road joins two nodes one step apart when at least one of them is signalized.
  bool road(int x, int y, int d) const {
    return node(x, y) && node(x + kDx[d], y + kDy[d]) && (signalized(x, y) || signalized(x + kDx[d], y + kDy[d]));
  }
  /// Dense slot of road (x, y, d) in a (cols+2) x (rows+2) x 4 table.
  std::size_t slot(int x, int y, int d) const {
    return (static_cast<std::size_t>(y) * static_cast<std::size_t>(cols_ + 2) + static_cast<std::size_t>(x)) * 4 +
           static_cast<std::size_t>(d);
  }
  std::size_t slots() const { return static_cast<std::size_t>(rows_ + 2) * static_cast<std::size_t>(cols_ + 2) * 4; }
  int rows() const { return rows_; }
  int cols() const { return cols_; }

 private:
  int rows_;
  int cols_;
};

std::string node_id(int x, int y) { return "intersection_" + std::to_string(x) + "_" + std::to_string(y); }
std::string road_id(int x, int y, int d) {
  return "road_" + std::to_string(x) + "_" + std::to_string(y) + "_" + std::to_string(d);
}

/// Road speeds of a layout: east-west roads and north-south roads.
struct Speeds {
  double east_west;
  double north_south;
};

/// Builds the roads and intersections of the layout.
v1::Scenario build_network(const Grid& g, double spacing, Speeds speeds) {
  v1::Scenario s;
  const double box = detail::box_side(kLanes);
  std::vector<int> index(g.slots(), -1);  // scenario road index of each slot
  for (int y = 0; y <= g.rows() + 1; ++y) {
    for (int x = 0; x <= g.cols() + 1; ++x) {
      for (int d = 0; d < 4; ++d) {
        if (!g.road(x, y, d)) continue;
        const int tx = x + kDx[d];
        const int ty = y + kDy[d];
        index[g.slot(x, y, d)] = s.roads_size();
        v1::Road* r = s.add_roads();
        r->set_id(road_id(x, y, d));
        r->set_from_intersection(node_id(x, y));
        r->set_to_intersection(node_id(tx, ty));
        // Stop line to stop line: half a box is taken at each signalized end.
        r->set_length(spacing - box / 2 * (g.signalized(x, y) + g.signalized(tx, ty)));
        for (int k = 0; k < kLanes; ++k) {
          v1::Lane* lane = r->add_lanes();
          lane->set_width(detail::kLaneWidth);
          lane->set_speed_limit(d % 2 == 0 ? speeds.east_west : speeds.north_south);
        }
      }
    }
  }
  const std::vector<std::uint8_t> turns = {detail::kLeftBit, detail::kThroughBit, detail::kRightBit};
  for (int y = 0; y <= g.rows() + 1; ++y) {
    for (int x = 0; x <= g.cols() + 1; ++x) {
      if (!g.node(x, y)) continue;
      v1::Intersection* inter = s.add_intersections();
      inter->set_id(node_id(x, y));
      inter->mutable_position()->set_x(x * spacing);
      inter->mutable_position()->set_y(y * spacing);
      if (!g.signalized(x, y)) {
        inter->set_boundary(true);
        continue;
      }
      std::array<detail::Approach, 4> approaches;
      for (int leg = 0; leg < 4; ++leg) {
        const int d = kLegHeading[leg];
        const int nx = x + kDx[d];
        const int ny = y + kDy[d];
        approaches[leg] = {&s.roads(index[g.slot(nx, ny, (d + 2) % 4)]), &s.roads(index[g.slot(x, y, d)]), turns};
      }
      detail::build_four_leg(approaches, true, *inter);
    }
  }
  return s;
}

/// Adds a flow that emits at `start`, `start + interval`, ... strictly before `stop`; the end is
/// put half an interval after the last departure so rounding cannot add or drop one.
v1::Flow* add_flow(v1::Demand& demand, const std::string& id, double start, double stop, double interval) {
  const double count = std::ceil((stop - start) / interval);
  if (count < 1) return nullptr;
  v1::Flow* f = demand.add_flows();
  f->set_id(id);
  f->set_vehicle_type("default");
  f->set_start(start);
  f->set_end(start + (count - 0.5) * interval);
  f->set_interval(interval);
  return f;
}

/// Roads of the straight route from entry road (x, y, d) to the boundary.
std::vector<std::string> straight_route(const Grid& g, int x, int y, int d) {
  std::vector<std::string> route;
  while (g.road(x, y, d)) {
    route.push_back(road_id(x, y, d));
    x += kDx[d];
    y += kDy[d];
  }
  return route;
}

/// An entry road (leaving a boundary node) and its rate in vehicles per hour.
struct Entry {
  int x, y, d;
  double rate;
};

void add_demand(v1::Scenario& s, const Grid& g, const DemandOptions& opt, const std::vector<Entry>& entries,
                double top_speed) {
  v1::Demand& demand = *s.mutable_demand();
  v1::VehicleType* type = demand.add_vehicle_types();
  type->set_id("default");
  type->set_length(5);
  type->set_width(2);
  type->set_max_pos_acc(2);
  type->set_max_neg_acc(4.5);
  type->set_usual_pos_acc(2);
  type->set_usual_neg_acc(4.5);
  type->set_min_gap(2.5);
  type->set_max_speed(top_speed);
  type->set_headway_time(2);

  std::vector<Entry> exits;  // roads into a boundary node
  for (int y = 0; y <= g.rows() + 1; ++y)
    for (int x = 0; x <= g.cols() + 1; ++x)
      for (int d = 0; d < 4; ++d)
        if (g.road(x, y, d) && g.boundary(x + kDx[d], y + kDy[d])) exits.push_back({x, y, d, 0});

  Rng rng(opt.seed);
  for (const Entry& e : entries) {
    if (e.rate <= 0) continue;
    const std::string entry = road_id(e.x, e.y, e.d);
    switch (opt.pattern) {
      case DemandPattern::Uniform: {
        if (v1::Flow* f = add_flow(demand, "flow_" + entry, 0, opt.horizon, 3600 / e.rate))
          for (const std::string& r : straight_route(g, e.x, e.y, e.d)) f->add_route(r);
        break;
      }
      case DemandPattern::Peak: {
        const std::vector<std::string> route = straight_route(g, e.x, e.y, e.d);
        for (int j = 0; j * kPeakSlice < opt.horizon; ++j) {
          const double from = j * kPeakSlice;
          const double to = std::min(opt.horizon, from + kPeakSlice);
          // Triangle 0.4 -> 1.6 -> 0.4 over the horizon: its mean is 1, so `rate` is the average.
          const double u = (from + to) / 2 / opt.horizon;
          const double factor = 0.4 + 1.2 * (1 - std::abs(2 * u - 1));
          if (v1::Flow* f = add_flow(demand, "flow_" + entry + "_p" + std::to_string(j), from, to, 3600 / (e.rate * factor)))
            for (const std::string& r : route) f->add_route(r);
        }
        break;
      }
      case DemandPattern::Random: {
        const double interval = 3600 * kRandomDestinations / e.rate;
        // Any exit except the one back into the entry's own boundary node (exits[own]).
        const auto own = static_cast<std::uint64_t>(
            std::find_if(exits.begin(), exits.end(),
                         [&](const Entry& x) { return x.x + kDx[x.d] == e.x && x.y + kDy[x.d] == e.y; }) -
            exits.begin());
        for (int k = 0; k < kRandomDestinations; ++k) {
          std::uint64_t pick = rng.below(exits.size() - 1);
          if (pick >= own) ++pick;
          const Entry& to = exits[pick];
          const double start = rng.uniform() * interval;
          if (v1::Flow* f = add_flow(demand, "flow_" + entry + "_" + std::to_string(k), start, opt.horizon, interval)) {
            f->set_origin(entry);
            f->set_destination(road_id(to.x, to.y, to.d));
          }
        }
        break;
      }
    }
  }
}

void check_range(const char* field, double value, double min, double max) {
  if (!(value >= min && value <= max))
    throw ConfigError(field, std::to_string(value) + " is out of range, expected " + std::to_string(min) + ".." +
                                 std::to_string(max));
}

void check_demand(const DemandOptions& d) {
  check_range("rate", d.rate, 0, 36000);
  check_range("horizon", d.horizon, 1, 1e7);
}

void finish(v1::Scenario& s, const DemandOptions& d) {
  v1::RunSettings* settings = s.mutable_settings();
  settings->set_dt(1);
  settings->set_action_interval(10);
  settings->set_yellow(5);
  settings->set_horizon(d.horizon);
  settings->set_seed(d.seed);
}

}  // namespace

v1::Scenario generate_grid(const GridOptions& o) {
  check_range("rows", o.rows, 1, 200);
  check_range("cols", o.cols, 1, 200);
  check_range("spacing", o.spacing, 50, 5000);
  check_range("speed", o.speed, 1, 70);
  check_demand(o.demand);
  const Grid g(o.rows, o.cols);
  v1::Scenario s = build_network(g, o.spacing, {o.speed, o.speed});
  s.set_name(o.name.empty() ? "grid_" + std::to_string(o.rows) + "x" + std::to_string(o.cols) : o.name);
  std::vector<Entry> entries;
  for (int y = 0; y <= g.rows() + 1; ++y)
    for (int x = 0; x <= g.cols() + 1; ++x)
      for (int d = 0; d < 4; ++d)
        if (g.boundary(x, y) && g.road(x, y, d)) entries.push_back({x, y, d, o.demand.rate});
  add_demand(s, g, o.demand, entries, o.speed);
  finish(s, o.demand);
  return s;
}

v1::Scenario generate_arterial(const ArterialOptions& o) {
  check_range("intersections", o.intersections, 1, 2000);
  check_range("spacing", o.spacing, 50, 5000);
  check_range("arterial-speed", o.arterial_speed, 1, 70);
  check_range("side-speed", o.side_speed, 1, 70);
  check_range("side-rate-ratio", o.side_rate_ratio, 0, 10);
  check_demand(o.demand);
  const Grid g(1, o.intersections);
  v1::Scenario s = build_network(g, o.spacing, {o.arterial_speed, o.side_speed});
  s.set_name(o.name.empty() ? "arterial_" + std::to_string(o.intersections) : o.name);
  std::vector<Entry> entries;
  for (int y = 0; y <= 2; ++y)
    for (int x = 0; x <= g.cols() + 1; ++x)
      for (int d = 0; d < 4; ++d)
        if (g.boundary(x, y) && g.road(x, y, d))
          entries.push_back({x, y, d, d % 2 == 0 ? o.demand.rate : o.demand.rate * o.side_rate_ratio});
  add_demand(s, g, o.demand, entries, std::max(o.arterial_speed, o.side_speed));
  finish(s, o.demand);
  return s;
}

}  // namespace greenwave
