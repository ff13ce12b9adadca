// Validates a native scenario and compiles it into the flat arrays of CompiledScenario.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <exception>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_group.h>

#include <google/protobuf/io/zero_copy_stream.h>

#include "greenwave/core/error.hpp"
#include "greenwave/core/phase_timing.hpp"
#include "greenwave/networks/routing.hpp"
#include "greenwave/networks/scenario_io.hpp"

namespace greenwave {
namespace {

constexpr double kMaxLength = 1e6;      // metres; anything larger is a unit mistake
constexpr double kMaxSpeed = 100.0;     // m/s
constexpr double kMaxTime = 1e7;        // seconds (~115 days)
constexpr std::int64_t kMaxDepartures = 50'000'000;

/// Collects the context every validation error needs.
class Validator {
 public:
  explicit Validator(std::string source) : source_(std::move(source)) {}
  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw ScenarioError(source_, path, what);
  }
  void positive(double v, const std::string& path, double max) const {
    positive(v, [&] { return path; }, max);
  }
  /// As above, with the field's path built by path() only for the error.
  template <class PathFn>
  void positive(double v, const PathFn& path, double max) const {
    if (!std::isfinite(v) || v <= 0) fail(path(), "expected a positive number, got " + num(v));
    if (v > max) fail(path(), "value " + num(v) + " is out of range (at most " + num(max) + ")");
  }
  void non_negative(double v, const std::string& path, double max) const {
    non_negative(v, [&] { return path; }, max);
  }
  /// As above, with the field's path built by path() only for the error.
  template <class PathFn>
  void non_negative(double v, const PathFn& path, double max) const {
    if (!std::isfinite(v) || v < 0) fail(path(), "expected a non-negative number, got " + num(v));
    if (v > max) fail(path(), "value " + num(v) + " is out of range (at most " + num(max) + ")");
  }
  static std::string num(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
  }

 private:
  std::string source_;
};

double path_length(const google::protobuf::RepeatedPtrField<v1::Point>& pts) {
  double len = 0;
  for (int i = 1; i < pts.size(); ++i) len += std::hypot(pts[i].x() - pts[i - 1].x(), pts[i].y() - pts[i - 1].y());
  return len;
}

Turn to_turn(v1::Turn t) {
  switch (t) {
    case v1::TURN_LEFT: return Turn::Left;
    case v1::TURN_RIGHT: return Turn::Right;
    case v1::TURN_UTURN: return Turn::UTurn;
    default: return Turn::Straight;
  }
}

double cross(double ax, double ay, double bx, double by) { return ax * by - ay * bx; }

/// The movements' internal paths (net.movement_path) with each segment's length and the distance
/// from the path's start to each segment's first vertex, computed once (the pairwise crossing test
/// below would otherwise recompute them per pair). Flat, indexed like net.movement_path: vertex v
/// starts segment v of its path (a path's last vertex starts none).
struct PathGeometry {
  const RoadNetwork& net;
  std::vector<double> segment;  ///< length of the segment starting at vertex v
  std::vector<double> at;       ///< distance from the path's start to vertex v (sequential sums)

  explicit PathGeometry(const RoadNetwork& network)
      : net(network), segment(network.movement_path.size(), 0.0), at(network.movement_path.size(), 0.0) {
    const std::vector<Point>& pts = net.movement_path;
    for (MovementId m = 0; m < net.num_movements(); ++m) {
      double dis = 0;
      for (std::int32_t v = net.movement_path_begin[m]; v + 1 < net.movement_path_begin[m + 1]; ++v) {
        at[v] = dis;
        segment[v] = std::hypot(pts[v + 1].x - pts[v].x, pts[v + 1].y - pts[v].y);
        dis += segment[v];
      }
    }
  }
  /// The drawn length of movement m's path (0 without one).
  double drawn(MovementId m) const {
    const std::int32_t last = net.movement_path_begin[m + 1] - 2;  // its last segment
    return last < net.movement_path_begin[m] ? 0 : at[last] + segment[last];
  }
};

/// First crossing of the paths of movements a and b (CityFlow's rule: the first segment pair that
/// intersects), as distances along each. Returns false when they do not cross.
bool first_crossing(const PathGeometry& g, MovementId a, MovementId b, double& da, double& db) {
  const std::vector<Point>& pts = g.net.movement_path;
  for (std::int32_t i = g.net.movement_path_begin[a]; i + 1 < g.net.movement_path_begin[a + 1]; ++i) {
    const double rx = pts[i + 1].x - pts[i].x, ry = pts[i + 1].y - pts[i].y;
    for (std::int32_t j = g.net.movement_path_begin[b]; j + 1 < g.net.movement_path_begin[b + 1]; ++j) {
      const double sx = pts[j + 1].x - pts[j].x, sy = pts[j + 1].y - pts[j].y;
      const double denom = cross(rx, ry, sx, sy);
      if (std::fabs(denom) > 1e-9) {
        const double qpx = pts[j].x - pts[i].x, qpy = pts[j].y - pts[i].y;
        const double t = cross(qpx, qpy, sx, sy) / denom;
        const double u = cross(qpx, qpy, rx, ry) / denom;
        if (t >= -1e-9 && t <= 1 + 1e-9 && u >= -1e-9 && u <= 1 + 1e-9) {
          da = g.at[i] + t * g.segment[i];
          db = g.at[j] + u * g.segment[j];
          return true;
        }
      }
    }
  }
  return false;
}

VehicleType compile_vehicle_type(const v1::VehicleType& t) {
  VehicleType out;
  out.id = t.id();
  auto pick = [](double v, double fallback) { return v > 0 ? v : fallback; };
  out.length = pick(t.length(), out.length);
  out.width = pick(t.width(), out.width);
  out.max_pos_acc = pick(t.max_pos_acc(), out.max_pos_acc);
  out.max_neg_acc = pick(t.max_neg_acc(), out.max_neg_acc);
  out.usual_pos_acc = pick(t.usual_pos_acc(), out.usual_pos_acc);
  out.usual_neg_acc = pick(t.usual_neg_acc(), out.usual_neg_acc);
  out.min_gap = t.min_gap() > 0 ? t.min_gap() : (t.length() > 0 ? 0.0 : out.min_gap);
  out.max_speed = pick(t.max_speed(), out.max_speed);
  out.headway_time = t.headway_time() > 0 ? t.headway_time() : (t.length() > 0 ? 0.0 : out.headway_time);
  return out;
}

/// Ids to indices, for resolving references by id.
using IdIndex = std::unordered_map<std::string, std::int32_t>;

/// Intersections: ids, positions, and which are signalized (listed in net.signalized).
IdIndex compile_intersections(const v1::Scenario& s, const Validator& check, RoadNetwork& net) {
  IdIndex inter_index;
  for (int i = 0; i < s.intersections_size(); ++i) {
    const auto& in = s.intersections(i);
    const std::string path = "/intersections/" + std::to_string(i);
    if (in.id().empty()) check.fail(path + "/id", "intersection id is empty");
    if (!inter_index.emplace(in.id(), i).second) check.fail(path + "/id", "duplicate intersection id '" + in.id() + "'");
    net.intersection_ids.push_back(in.id());
    net.intersection_position.push_back({in.position().x(), in.position().y()});
    net.intersection_width.push_back(in.width());
    net.intersection_boundary.push_back(in.boundary() ? 1 : 0);
    net.intersection_signalized.push_back(in.signalized() && !in.boundary() && in.phases_size() > 0 ? 1 : 0);
    if (net.intersection_signalized.back()) net.signalized.push_back(i);
  }
  if (net.intersection_ids.empty()) check.fail("/intersections", "scenario has no intersections");
  return inter_index;
}

/// Roads and their lanes (lengths, speed limits, free-flow times, shapes).
IdIndex compile_roads(const v1::Scenario& s, const Validator& check, const IdIndex& inter_index, RoadNetwork& net) {
  IdIndex road_index;
  net.road_lane_begin.push_back(0);
  net.road_shape_begin.push_back(0);
  for (int r = 0; r < s.roads_size(); ++r) {
    const auto& road = s.roads(r);
    const std::string path = "/roads/" + std::to_string(r);
    if (road.id().empty()) check.fail(path + "/id", "road id is empty");
    if (!road_index.emplace(road.id(), r).second) check.fail(path + "/id", "duplicate road id '" + road.id() + "'");
    const auto from = inter_index.find(road.from_intersection());
    if (from == inter_index.end())
      check.fail(path + "/from_intersection", "unknown intersection '" + road.from_intersection() + "'");
    const auto to = inter_index.find(road.to_intersection());
    if (to == inter_index.end())
      check.fail(path + "/to_intersection", "unknown intersection '" + road.to_intersection() + "'");
    check.positive(road.length(), path + "/length", kMaxLength);
    if (road.lanes_size() == 0) check.fail(path + "/lanes", "road '" + road.id() + "' has no lanes");
    if (road.lanes_size() > 64) check.fail(path + "/lanes", "road '" + road.id() + "' has more than 64 lanes");
    double max_speed = 0;
    for (int k = 0; k < road.lanes_size(); ++k) {
      const auto& lane = road.lanes(k);
      const std::string lpath = path + "/lanes/" + std::to_string(k);
      check.positive(lane.speed_limit(), lpath + "/speed_limit", kMaxSpeed);
      if (lane.width() != 0) check.positive(lane.width(), lpath + "/width", 100.0);
      net.lane_road.push_back(r);
      net.lane_index.push_back(k);
      net.lane_length.push_back(road.length());
      net.lane_speed_limit.push_back(lane.speed_limit());
      net.lane_width.push_back(lane.width() > 0 ? lane.width() : 3.5);
      max_speed = std::max(max_speed, lane.speed_limit());
    }
    net.road_ids.push_back(road.id());
    net.road_from.push_back(from->second);
    net.road_to.push_back(to->second);
    net.road_length.push_back(road.length());
    net.road_free_flow_time.push_back(road.length() / max_speed);
    net.road_lane_begin.push_back(static_cast<std::int32_t>(net.lane_road.size()));
    for (const auto& p : road.shape()) net.road_shape.push_back({p.x(), p.y()});
    net.road_shape_begin.push_back(static_cast<std::int32_t>(net.road_shape.size()));
  }
  if (net.road_ids.empty()) check.fail("/roads", "scenario has no roads");
  return road_index;
}

/// Intersection i's movements (lanes resolved, lengths, speed limits, internal paths).
void compile_intersection_movements(const v1::Intersection& in, IntersectionId i, const std::string& path, const Validator& check,
                                    const IdIndex& road_index, RoadNetwork& net) {
  for (int m = 0; m < in.movements_size(); ++m) {
    const auto& mv = in.movements(m);
    const auto mpath = [&] { return path + "/movements/" + std::to_string(m); };
    auto resolve_lane = [&](const std::string& road, int lane, const char* road_field, const char* lane_field, bool incoming) {
      const auto it = road_index.find(road);
      if (it == road_index.end()) check.fail(mpath() + "/" + road_field, "unknown road '" + road + "'");
      const RoadId rid = it->second;
      if ((incoming ? net.road_to[rid] : net.road_from[rid]) != i)
        check.fail(mpath() + "/" + road_field, "road '" + road + "' does not " +
                                                   (incoming ? "end" : "start") + " at intersection '" + in.id() + "'");
      const int lanes = net.road_lane_begin[rid + 1] - net.road_lane_begin[rid];
      if (lane < 0 || lane >= lanes)
        check.fail(mpath() + "/" + lane_field, "lane index " + std::to_string(lane) + " out of range for road '" +
                                                   road + "' with " + std::to_string(lanes) + " lanes");
      return net.road_lane_begin[rid] + lane;
    };
    const LaneId from = resolve_lane(mv.from_road(), mv.from_lane(), "from_road", "from_lane", true);
    const LaneId to = resolve_lane(mv.to_road(), mv.to_lane(), "to_road", "to_lane", false);
    check.non_negative(mv.length(), [&] { return mpath() + "/length"; }, kMaxLength);
    const double len = mv.length() > 0 ? mv.length() : path_length(mv.path());
    net.movement_intersection.push_back(i);
    net.movement_from_lane.push_back(from);
    net.movement_to_lane.push_back(to);
    net.movement_turn.push_back(to_turn(mv.turn()));
    net.movement_length.push_back(len);
    net.movement_speed_limit.push_back(std::min(net.lane_speed_limit[from], net.lane_speed_limit[to]));
    net.movement_always_green.push_back(mv.always_green() || !net.intersection_signalized[i] ? 1 : 0);
    for (const auto& p : mv.path()) net.movement_path.push_back({p.x(), p.y()});
    net.movement_path_begin.push_back(static_cast<std::int32_t>(net.movement_path.size()));
  }
}

/// Intersection i's phases: each one's green movements (by local index) and the movements it
/// serves (its greens and the always-green ones), `first` being i's first movement.
void compile_intersection_phases(const v1::Intersection& in, MovementId first, const std::string& path, const Validator& check,
                                 RoadNetwork& net) {
  const std::int32_t local_count = net.num_movements() - first;
  for (int p = 0; p < in.phases_size(); ++p) {
    const auto& ph = in.phases(p);
    const std::string ppath = path + "/phases/" + std::to_string(p);
    net.phase_names.push_back(ph.name().empty() ? std::to_string(p) : ph.name());
    net.phase_green_begin.push_back(static_cast<std::int32_t>(net.phase_green.size()));
    net.phase_green.resize(net.phase_green.size() + local_count, 0);
    for (int k = 0; k < ph.movements_size(); ++k) {
      const int local = ph.movements(k);
      if (local < 0 || local >= local_count)
        check.fail(ppath + "/movements/" + std::to_string(k),
                   "phase names movement " + std::to_string(local) + " but intersection '" + in.id() + "' has " +
                       std::to_string(local_count) + " movements");
      net.phase_green[net.phase_green_begin.back() + local] = 1;
    }
    for (int local = 0; local < local_count; ++local)
      if (net.phase_green[net.phase_green_begin.back() + local] || net.movement_always_green[first + local])
        net.phase_movements.push_back(first + local);
    net.phase_movement_begin.push_back(static_cast<std::int32_t>(net.phase_movements.size()));
  }
}

/// Intersection i's legs (direction, incoming and outgoing road).
void compile_intersection_legs(const v1::Intersection& in, const std::string& path, const Validator& check,
                               const IdIndex& road_index, RoadNetwork& net) {
  for (int g = 0; g < in.legs_size(); ++g) {
    const auto& leg = in.legs(g);
    Leg out_leg{leg.direction(), kNone, kNone};
    auto resolve = [&](const std::string& id, const char* field) -> RoadId {
      if (id.empty()) return kNone;
      const auto it = road_index.find(id);
      if (it == road_index.end()) check.fail(path + "/legs/" + std::to_string(g) + "/" + field, "unknown road '" + id + "'");
      return it->second;
    };
    out_leg.incoming = resolve(leg.incoming_road(), "incoming_road");
    out_leg.outgoing = resolve(leg.outgoing_road(), "outgoing_road");
    net.legs.push_back(out_leg);
  }
}

/// Movements, phases and legs, intersection by intersection.
void compile_movements(const v1::Scenario& s, const Validator& check, const IdIndex& road_index, RoadNetwork& net) {
  std::size_t movements = 0, points = 0;
  for (const auto& in : s.intersections()) {
    movements += static_cast<std::size_t>(in.movements_size());
    for (const auto& mv : in.movements()) points += static_cast<std::size_t>(mv.path_size());
  }
  net.movement_intersection.reserve(movements);
  net.movement_from_lane.reserve(movements);
  net.movement_to_lane.reserve(movements);
  net.movement_turn.reserve(movements);
  net.movement_length.reserve(movements);
  net.movement_speed_limit.reserve(movements);
  net.movement_always_green.reserve(movements);
  net.movement_path_begin.reserve(movements + 1);
  net.movement_path.reserve(points);
  net.intersection_movement_begin.push_back(0);
  net.movement_path_begin.push_back(0);
  net.intersection_phase_begin.push_back(0);
  net.intersection_leg_begin.push_back(0);
  net.phase_movement_begin.push_back(0);
  for (int i = 0; i < s.intersections_size(); ++i) {
    const auto& in = s.intersections(i);
    const std::string path = "/intersections/" + std::to_string(i);
    const MovementId first = net.num_movements();
    compile_intersection_movements(in, i, path, check, road_index, net);
    compile_intersection_phases(in, first, path, check, net);
    compile_intersection_legs(in, path, check, road_index, net);
    net.intersection_movement_begin.push_back(net.num_movements());
    net.intersection_phase_begin.push_back(net.num_phases());
    net.intersection_leg_begin.push_back(static_cast<std::int32_t>(net.legs.size()));
  }
}

/// Lane -> movement adjacency (both directions), in movement order.
void compile_lane_adjacency(RoadNetwork& net) {
  auto build_csr = [&](const std::vector<LaneId>& key, std::vector<std::int32_t>& begin, std::vector<MovementId>& items) {
    begin.assign(net.num_lanes() + 1, 0);
    for (LaneId l : key) ++begin[l + 1];
    for (LaneId l = 0; l < net.num_lanes(); ++l) begin[l + 1] += begin[l];
    items.assign(key.size(), 0);
    std::vector<std::int32_t> fill(begin.begin(), begin.end() - 1);
    for (MovementId m = 0; m < static_cast<MovementId>(key.size()); ++m) items[fill[key[m]]++] = m;
  };
  build_csr(net.movement_from_lane, net.lane_out_begin, net.lane_out_movements);
  build_csr(net.movement_to_lane, net.lane_in_begin, net.lane_in_movements);
}

/// Conflicts: movements of one intersection whose internal paths cross (under `rule`, also those
/// sharing a start or end lane), each movement's list sorted by distance to the crossing.
void compile_conflicts(v1::ConflictRule rule, RoadNetwork& net) {
  const PathGeometry paths(net);
  std::vector<double> path_scale(static_cast<std::size_t>(net.num_movements()), 1.0);
  for (MovementId m = 0; m < net.num_movements(); ++m) {
    const double drawn = paths.drawn(m);
    if (drawn > 0 && drawn != net.movement_length[m]) path_scale[m] = net.movement_length[m] / drawn;
  }
  std::vector<std::vector<Conflict>> per_movement(net.num_movements());
  const bool shared_lanes_cross = rule == v1::CONFLICT_RULE_CITYFLOW;
  // Intersections in parallel: each writes only its own movements' lists, in the sequential order.
  tbb::parallel_for(tbb::blocked_range<IntersectionId>(0, net.num_intersections()), [&](const auto& range) {
    for (IntersectionId i = range.begin(); i != range.end(); ++i) {
      for (MovementId a = net.intersection_movement_begin[i]; a < net.intersection_movement_begin[i + 1]; ++a) {
        for (MovementId b = a + 1; b < net.intersection_movement_begin[i + 1]; ++b) {
          const bool share_lane = net.movement_from_lane[a] == net.movement_from_lane[b] ||
                                  net.movement_to_lane[a] == net.movement_to_lane[b];
          if (share_lane && !shared_lanes_cross) continue;  // greenwave's rule: following or merging, not crossing
          double da = 0, db = 0;
          if (!first_crossing(paths, a, b, da, db)) continue;
          // A path gives the shape; a movement's own length, when it differs, sets the scale.
          da *= path_scale[a];
          db *= path_scale[b];
          per_movement[a].push_back({b, da, db, 0.0});
          per_movement[b].push_back({a, db, da, 0.0});
        }
      }
      for (MovementId m = net.intersection_movement_begin[i]; m < net.intersection_movement_begin[i + 1]; ++m)
        std::stable_sort(per_movement[m].begin(), per_movement[m].end(),
                         [](const Conflict& x, const Conflict& y) { return x.distance < y.distance; });
    }
  });
  net.movement_conflict_begin.push_back(0);
  for (const auto& list : per_movement) {
    net.conflicts.insert(net.conflicts.end(), list.begin(), list.end());
    net.movement_conflict_begin.push_back(static_cast<std::int32_t>(net.conflicts.size()));
  }
}

/// Run settings, each 0 meaning its default.
RunSettings compile_settings(const v1::RunSettings& rs, const Validator& check) {
  RunSettings st;
  auto setting = [&](double v, double fallback, const char* name, bool allow_zero) {
    const std::string path = std::string("/settings/") + name;
    if (v == 0) return fallback;
    allow_zero ? check.non_negative(v, path, kMaxTime) : check.positive(v, path, kMaxTime);
    return v;
  };
  st.dt = setting(rs.dt(), 1.0, "dt", false);
  st.action_interval = setting(rs.action_interval(), 10.0, "action_interval", false);
  st.yellow = setting(rs.yellow(), 5.0, "yellow", true);
  st.min_green = setting(rs.min_green(), 0.0, "min_green", true);
  st.horizon = setting(rs.horizon(), 3600.0, "horizon", false);
  st.metric_period = setting(rs.metric_period(), 120.0, "metric_period", false);
  st.demand_jitter = setting(rs.demand_jitter(), 0.0, "demand_jitter", true);
  st.seed = rs.seed();
  st.vehicle_model = rs.vehicle_model() == v1::VEHICLE_MODEL_IDM ? VehicleModel::IDM : VehicleModel::CityFlow;
  st.lane_change = rs.lane_change();
  st.conflicts = rs.conflicts() == v1::CONFLICT_RULE_CITYFLOW ? ConflictRule::CityFlow : ConflictRule::Greenwave;
  if (st.dt > 10) check.fail("/settings/dt", "dt " + Validator::num(st.dt) + " is larger than 10 s");
  if (std::fabs(std::round(st.action_interval / st.dt) * st.dt - st.action_interval) > 1e-9)
    check.fail("/settings/action_interval", "action_interval must be a multiple of dt");
  return st;
}

/// Compiles the demand's vehicle types and routes into a Demand, each distinct route once.
class DemandCompiler {
 public:
  DemandCompiler(const v1::Scenario& s, const Validator& check, const IdIndex& road_index, const RoadNetwork& net, Demand& demand)
      : s_(s), check_(check), road_index_(road_index), net_(net), demand_(demand) {
    demand_.route_begin.push_back(0);
  }

  /// The declared vehicle types.
  void vehicle_types() {
    for (int t = 0; t < s_.demand().vehicle_types_size(); ++t) {
      const auto& vt = s_.demand().vehicle_types(t);
      const std::string path = "/demand/vehicle_types/" + std::to_string(t);
      if (!type_index_.emplace(vt.id(), t).second) check_.fail(path + "/id", "duplicate vehicle type id '" + vt.id() + "'");
      for (double v : {vt.length(), vt.width(), vt.max_pos_acc(), vt.max_neg_acc(), vt.usual_pos_acc(),
                       vt.usual_neg_acc(), vt.min_gap(), vt.max_speed(), vt.headway_time()})
        check_.non_negative(v, path, kMaxLength);
      demand_.vehicle_types.push_back(compile_vehicle_type(vt));
    }
  }

  /// The index of vehicle type `id` (an empty id with no types declared: the default type, added);
  /// path() names the flow or trip in the error.
  template <class PathFn>
  std::int32_t type(const std::string& id, const PathFn& path) {
    if (id.empty() && demand_.vehicle_types.empty()) {
      demand_.vehicle_types.push_back(VehicleType{});
      type_index_.emplace("", 0);
    }
    const auto it = type_index_.find(id);
    if (it == type_index_.end()) check_.fail(path() + "/vehicle_type", "unknown vehicle type '" + id + "'");
    return it->second;
  }

  /// A route resolved ahead of route(), so that many can be resolved in parallel: its anchors'
  /// road indices, the completed road list (filled by complete()), or the error it gave.
  struct Resolved {
    std::vector<RoadId> anchors;
    std::vector<RoadId> full;
    std::exception_ptr error;
    /// The anchors as bytes, the key of equal routes (road ids are unique, so equal anchor lists
    /// are equal index lists).
    std::string_view key() const {
      return {reinterpret_cast<const char*>(anchors.data()), anchors.size() * sizeof(RoadId)};
    }
  };

  /// The anchors of the route through `route` (or from origin to destination), looked up; path()
  /// names the flow or trip in an error. Safe to call from several threads.
  template <class PathFn>
  Resolved resolve(const google::protobuf::RepeatedPtrField<std::string>& route, const std::string& origin,
                   const std::string& destination, const PathFn& path) const {
    Resolved out;
    try {
      const bool by_od = route.empty();
      if (by_od && (origin.empty() || destination.empty()))
        check_.fail(path() + "/route", "needs a route or both origin and destination");
      const char* field = by_od ? "/origin" : "/route";
      const int n = by_od ? 2 : route.size();
      out.anchors.reserve(static_cast<std::size_t>(n));
      for (int k = 0; k < n; ++k) {
        const std::string& anchor = by_od ? (k == 0 ? origin : destination) : route[k];
        const auto it = road_index_.find(anchor);
        if (it == road_index_.end())
          check_.fail(path() + field + (by_od ? "" : "/" + std::to_string(k)), "unknown road '" + anchor + "'");
        out.anchors.push_back(it->second);
      }
    } catch (...) {
      out.error = std::current_exception();
    }
    return out;
  }

  /// Completes `r` by the shortest paths where consecutive anchors do not connect (`path` names it
  /// in errors). Safe to call from several threads on distinct routes.
  void complete(Resolved& r, const std::string& path, bool by_od) const {
    bool connects = true;
    for (std::size_t k = 0; k + 1 < r.anchors.size(); ++k) connects = connects && connected(r.anchors[k], r.anchors[k + 1]);
    if (connects) {
      r.full = r.anchors;
      return;
    }
    try {
      std::call_once(graph_built_, [this] { graph_ = std::make_unique<RoadGraph>(s_); });
      std::vector<std::string> anchors;
      for (RoadId a : r.anchors) anchors.push_back(net_.road_ids[static_cast<std::size_t>(a)]);
      const auto full = graph_->complete_route(anchors);
      if (!full) check_.fail(path + (by_od ? "/origin" : "/route"), "no path through the network connects the roads of this route");
      for (const auto& road : *full) r.full.push_back(road_index_.at(road));
    } catch (...) {
      r.error = std::current_exception();
    }
  }

  /// The index of the route of the anchor list that first occurred as `first` (the one complete()
  /// filled), kept in `first_id` (-1 until added): routes are numbered in the order first used.
  std::int32_t route(const Resolved& first, std::int32_t& first_id) {
    if (first_id >= 0) return first_id;
    const std::vector<RoadId>& ids = first.full;
    double fft = 0;
    for (RoadId r : ids) fft += net_.road_free_flow_time[r];
    demand_.route_roads.insert(demand_.route_roads.end(), ids.begin(), ids.end());
    demand_.route_begin.push_back(static_cast<std::int32_t>(demand_.route_roads.size()));
    demand_.route_free_flow_time.push_back(fft);
    first_id = static_cast<std::int32_t>(demand_.route_free_flow_time.size() - 1);
    return first_id;
  }

 private:
  /// True when a movement leads from road a to road b.
  bool connected(RoadId a, RoadId b) const {
    for (LaneId l : net_.lanes_of(a))
      for (MovementId m : net_.movements_from(l))
        if (net_.lane_road[net_.movement_to_lane[m]] == b) return true;
    return false;
  }

  const v1::Scenario& s_;
  const Validator& check_;
  const IdIndex& road_index_;
  const RoadNetwork& net_;
  Demand& demand_;
  IdIndex type_index_;
  mutable std::once_flag graph_built_;
  mutable std::unique_ptr<RoadGraph> graph_;  ///< built on first need (by resolve(), from any thread)
};

/// The routes of every flow, then every trip, resolved ahead of the departures: anchors looked up
/// in parallel, then the first route of each anchor list completed in parallel (shortest paths
/// where roads do not connect). The departures take them in order, so the first error reported
/// is the one a sequential pass meets.
struct DemandRoutes {
  std::vector<DemandCompiler::Resolved> resolved;  ///< flows, then trips
  std::vector<int> first;         ///< each route's first route with the same anchors (-1 from the first error on)
  std::vector<int> first_of_key;  ///< the first route of each anchor list, in order
};

/// Resolves the demand's routes (DemandRoutes).
DemandRoutes resolve_demand_routes(const v1::Scenario& s, const DemandCompiler& compiler) {
  const int num_flows = s.demand().flows_size();
  const int num_routes = num_flows + s.demand().trips_size();
  const auto path_of = [&](int k) {
    return k < num_flows ? "/demand/flows/" + std::to_string(k) : "/demand/trips/" + std::to_string(k - num_flows);
  };
  const auto by_od = [&](int k) {
    return (k < num_flows ? s.demand().flows(k).route_size() : s.demand().trips(k - num_flows).route_size()) == 0;
  };
  DemandRoutes out;
  out.resolved.resize(static_cast<std::size_t>(num_routes));
  tbb::parallel_for(tbb::blocked_range<int>(0, num_routes), [&](const tbb::blocked_range<int>& range) {
    for (int k = range.begin(); k != range.end(); ++k) {
      const auto path = [&] { return path_of(k); };
      if (k < num_flows) {
        const auto& flow = s.demand().flows(k);
        out.resolved[static_cast<std::size_t>(k)] = compiler.resolve(flow.route(), flow.origin(), flow.destination(), path);
      } else {
        const auto& trip = s.demand().trips(k - num_flows);
        out.resolved[static_cast<std::size_t>(k)] = compiler.resolve(trip.route(), trip.origin(), trip.destination(), path);
      }
    }
  });
  out.first.assign(static_cast<std::size_t>(num_routes), -1);
  {
    std::unordered_map<std::string_view, int> seen;
    seen.reserve(static_cast<std::size_t>(num_routes));
    for (int k = 0; k < num_routes; ++k) {
      const auto& r = out.resolved[static_cast<std::size_t>(k)];
      if (r.error) break;  // a sequential pass stops here
      const auto [it, added] = seen.emplace(r.key(), k);
      out.first[static_cast<std::size_t>(k)] = it->second;
      if (added) out.first_of_key.push_back(k);
    }
  }
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, out.first_of_key.size()), [&](const tbb::blocked_range<std::size_t>& range) {
    for (std::size_t i = range.begin(); i != range.end(); ++i) {
      const int k = out.first_of_key[i];
      compiler.complete(out.resolved[static_cast<std::size_t>(k)], path_of(k), by_od(k));
    }
  });
  return out;
}

/// Appends every flow's departures before the horizon to `demand` (unsorted), after checking its
/// times; route_of(k) gives the route of flow k. `total` counts the departures, bounded by
/// kMaxDepartures.
template <class RouteOf>
void add_flow_departures(const v1::Scenario& s, const Validator& check, const RunSettings& st, DemandCompiler& compiler,
                         const RouteOf& route_of, std::int64_t& total, Demand& demand) {
  for (int f = 0; f < s.demand().flows_size(); ++f) {
    const auto& flow = s.demand().flows(f);
    const auto path = [f] { return "/demand/flows/" + std::to_string(f); };
    check.non_negative(flow.start(), [&] { return path() + "/start"; }, kMaxTime);
    check.non_negative(flow.end(), [&] { return path() + "/end"; }, kMaxTime);
    check.positive(flow.interval(), [&] { return path() + "/interval"; }, kMaxTime);
    if (flow.end() < flow.start())
      check.fail(path() + "/end", "end " + Validator::num(flow.end()) + " is before start " + Validator::num(flow.start()));
    // One vehicle at start, then one every interval while t <= end, and only before the horizon
    // (the simulator never starts a vehicle at t >= horizon), so open-ended flows stay bounded.
    const double by_end = std::floor((flow.end() - flow.start()) / flow.interval()) + 1;
    // (At most one more than the k with start + k * interval < horizon; the loop's exact test cuts it.)
    const double by_horizon = flow.start() < st.horizon ? std::floor((st.horizon - flow.start()) / flow.interval()) + 1 : 0;
    const double count = std::min(by_end, by_horizon);
    total += static_cast<std::int64_t>(count);
    if (total > kMaxDepartures) check.fail(path() + "/interval", "demand expands to more than 50 million vehicles before the horizon");
    const std::int32_t type = compiler.type(flow.vehicle_type(), path);
    const std::int32_t route = route_of(f);
    demand.source_ids.push_back(flow.id().empty() ? "flow_" + std::to_string(f) : flow.id());
    // Times by multiplication, not accumulation, so long flows do not drift.
    for (std::int64_t k = 0; k < static_cast<std::int64_t>(count); ++k) {
      const double time = flow.start() + static_cast<double>(k) * flow.interval();
      if (time >= st.horizon) break;
      demand.departures.push_back({time, route, type, f});
    }
  }
}

/// Appends every trip's departure before the horizon to `demand` (unsorted); route_of(k) gives
/// the route of trip k - flows. `total` counts the departures, bounded by kMaxDepartures.
template <class RouteOf>
void add_trip_departures(const v1::Scenario& s, const Validator& check, const RunSettings& st, DemandCompiler& compiler,
                         const RouteOf& route_of, std::int64_t& total, Demand& demand) {
  const int num_flows = s.demand().flows_size();
  for (int t = 0; t < s.demand().trips_size(); ++t) {
    const auto& trip = s.demand().trips(t);
    const auto path = [t] { return "/demand/trips/" + std::to_string(t); };
    check.non_negative(trip.depart(), [&] { return path() + "/depart"; }, kMaxTime);
    if (++total > kMaxDepartures) check.fail(path(), "demand expands to more than 50 million vehicles before the horizon");
    const std::int32_t type = compiler.type(trip.vehicle_type(), path);
    const std::int32_t route = route_of(num_flows + t);
    demand.source_ids.push_back(trip.id().empty() ? "trip_" + std::to_string(t) : trip.id());
    if (trip.depart() < st.horizon) demand.departures.push_back({trip.depart(), route, type, num_flows + t});
  }
}

/// The demand: vehicle types, routes, and every flow's and trip's departures before the horizon,
/// sorted by time (stable: ties keep flows first, in order).
Demand compile_demand(const v1::Scenario& s, const Validator& check, const IdIndex& road_index, const RoadNetwork& net,
                      const RunSettings& st) {
  std::optional<ScopedPhase> phase(std::in_place, "compile routes");
  Demand demand;
  DemandCompiler compiler(s, check, road_index, net, demand);
  compiler.vehicle_types();
  DemandRoutes routes = resolve_demand_routes(s, compiler);
  phase.emplace("compile departures");
  const auto num_routes = routes.resolved.size();
  std::size_t route_roads = 0;
  for (int k : routes.first_of_key) route_roads += routes.resolved[static_cast<std::size_t>(k)].full.size();
  demand.route_roads.reserve(route_roads);
  demand.source_ids.reserve(num_routes);
  std::vector<std::int32_t> route_id(num_routes, -1);  // by first route
  // Routes are numbered in the order the departures first use them.
  const auto route_of = [&](int k) {
    const auto& r = routes.resolved[static_cast<std::size_t>(k)];
    if (r.error) std::rethrow_exception(r.error);
    const auto f = static_cast<std::size_t>(routes.first[static_cast<std::size_t>(k)]);
    return compiler.route(routes.resolved[f], route_id[f]);
  };
  std::int64_t total = 0;
  add_flow_departures(s, check, st, compiler, route_of, total, demand);
  add_trip_departures(s, check, st, compiler, route_of, total, demand);
  std::stable_sort(demand.departures.begin(), demand.departures.end(),
                   [](const Departure& a, const Departure& b) { return a.time < b.time; });
  return demand;
}

/// Fixed-time signal plans: stages of a phase (global index) or a clearance (kNone), with durations.
std::vector<SignalPlan> compile_signal_plans(const v1::Scenario& s, const Validator& check, const IdIndex& inter_index,
                                             const RoadNetwork& net) {
  std::vector<SignalPlan> plans;
  for (int p = 0; p < s.signal_plans_size(); ++p) {
    const auto& plan = s.signal_plans(p);
    const std::string path = "/signal_plans/" + std::to_string(p);
    const auto it = inter_index.find(plan.intersection());
    if (it == inter_index.end()) check.fail(path + "/intersection", "unknown intersection '" + plan.intersection() + "'");
    const IntersectionId i = it->second;
    if (plan.stages_size() == 0) check.fail(path + "/stages", "plan has no stages");
    SignalPlan sp;
    sp.intersection = i;
    sp.offset = plan.offset();
    for (int k = 0; k < plan.stages_size(); ++k) {
      const auto& stage = plan.stages(k);
      const std::string stage_path = path + "/stages/" + std::to_string(k);
      check.positive(stage.duration(), stage_path + "/duration", kMaxTime);
      sp.durations.push_back(stage.duration());
      if (stage.clearance()) {
        const auto& next = plan.stages((k + 1) % plan.stages_size());
        if (next.clearance()) check.fail(stage_path + "/clearance", "a clearance stage must be followed by a green stage");
        sp.phases.push_back(kNone);
        continue;
      }
      if (stage.phase() < 0 || stage.phase() >= net.phase_count(i))
        check.fail(stage_path + "/phase", "phase " + std::to_string(stage.phase()) + " out of range (intersection has " +
                                              std::to_string(net.phase_count(i)) + " phases)");
      sp.phases.push_back(net.intersection_phase_begin[i] + stage.phase());
    }
    plans.push_back(std::move(sp));
  }
  return plans;
}

/// FNV-1a 64 of the bytes written into it, hashed a buffer at a time as they are produced (the
/// scenario's encoding is never held whole).
class HashingStream : public google::protobuf::io::ZeroCopyOutputStream {
 public:
  bool Next(void** data, int* size) override {
    consume();
    *data = buffer_.data();
    *size = static_cast<int>(buffer_.size());
    pending_ = buffer_.size();
    return true;
  }
  void BackUp(int count) override { pending_ -= static_cast<std::size_t>(count); }
  std::int64_t ByteCount() const override { return static_cast<std::int64_t>(total_ + pending_); }
  /// The hash of everything written.
  std::uint64_t hash() {
    consume();
    return h_;
  }

 private:
  void consume() {
    for (std::size_t i = 0; i < pending_; ++i) h_ = (h_ ^ static_cast<unsigned char>(buffer_[i])) * 1099511628211ULL;
    total_ += pending_;
    pending_ = 0;
  }

  std::array<char, 1 << 16> buffer_{};
  std::size_t pending_ = 0;  ///< bytes of buffer_ written, not yet hashed
  std::size_t total_ = 0;
  std::uint64_t h_ = 1469598103934665603ULL;
};

/// Content hash of the canonical binary encoding (FNV-1a 64, 16 hex digits; identifies the
/// scenario in logs).
std::string content_hash(const v1::Scenario& s) {
  HashingStream stream;
  s.SerializeToZeroCopyStream(&stream);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(stream.hash()));
  return hex;
}

}  // namespace

CompiledScenario compile_scenario(const v1::Scenario& s, const std::string& source) {
  const Validator check(source);
  CompiledScenario out;
  out.name = s.name();
  out.source = source;
  RoadNetwork& net = out.network;
  // The hash reads the scenario alone: it runs beside the rest (waited for, or cancelled and
  // waited for when an error unwinds, before `out` goes).
  tbb::task_group hashing;
  hashing.run([&] { out.content_hash = content_hash(s); });
  std::optional<ScopedPhase> phase(std::in_place, "compile roads");
  const IdIndex inter_index = compile_intersections(s, check, net);
  const IdIndex road_index = compile_roads(s, check, inter_index, net);
  phase.emplace("compile movements");
  compile_movements(s, check, road_index, net);
  compile_lane_adjacency(net);
  phase.emplace("compile conflicts");
  compile_conflicts(s.settings().conflicts(), net);
  phase.reset();  // compile_demand times its own parts
  out.settings = compile_settings(s.settings(), check);
  out.demand = compile_demand(s, check, road_index, net, out.settings);
  phase.emplace("plans, hash wait");
  out.plans = compile_signal_plans(s, check, inter_index, net);
  hashing.wait();
  phase.reset();
  return out;
}

}  // namespace greenwave
