// CityFlow roadnet.json + flow.json (+ config.json) onto the native schema; the mapping is
// documented in docs/scenario-format.md, "CityFlow".
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "greenwave/core/error.hpp"
#include "greenwave/networks/cityflow.hpp"
#include "greenwave/networks/routing.hpp"
#include "text_file.hpp"

namespace greenwave {
namespace {

using Json = nlohmann::json;

// Bounds that turn absurd values into errors at their JSON path (the compiler's own limits).
constexpr double kMaxCoordinate = 1e9;  // metres
constexpr double kMaxLength = 1e6;      // metres, a road or an internal path
constexpr double kMaxWidth = 1e3;       // metres, an intersection box
constexpr double kMaxLaneWidth = 100;   // metres
constexpr double kMaxSpeed = 100;       // m/s
constexpr double kMaxTime = 1e7;        // seconds (115 days)
constexpr double kMinInterval = 1e-3;   // seconds between two vehicles of a flow
constexpr std::size_t kMaxLanes = 64;   // lanes per road
constexpr double kMaxVehicleParameter = 1e3;  // metres, m/s, m/s^2 or seconds

/// A number as %g, for messages.
std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

/// A JSON value with its file and JSON path, so every error can say where it happened.
class Node {
 public:
  Node(const Json& j, const std::string& file, std::string path) : j_(&j), file_(&file), path_(std::move(path)) {}

  /// Throws ScenarioError "FILE:PATH: what".
  [[noreturn]] void fail(const std::string& what) const { throw ScenarioError(*file_, path_.empty() ? "/" : path_, what); }

  /// The member `key` of this object (an error names the missing field).
  Node at(const std::string& key) const {
    if (!j_->is_object()) fail("expected an object, got " + type());
    const auto it = j_->find(key);
    if (it == j_->end()) fail("missing field '" + key + "'");
    return {*it, *file_, path_ + "/" + key};
  }
  /// True when this is an object with member `key`.
  bool has(const std::string& key) const { return j_->is_object() && j_->contains(key); }
  /// Element i of this array (size() has checked the type).
  Node at(std::size_t i) const { return {(*j_)[i], *file_, path_ + "/" + std::to_string(i)}; }
  /// The number of elements of this array.
  std::size_t size() const {
    if (!j_->is_array()) fail("expected an array, got " + type());
    return j_->size();
  }
  /// A finite number in [lo, hi]; `what` names the expectation in errors.
  double number(double lo, double hi, const std::string& what) const {
    if (!j_->is_number()) fail("expected a number (" + what + "), got " + type());
    const double v = j_->get<double>();
    if (!std::isfinite(v) || v < lo || v > hi) fail("value " + j_->dump() + " is out of range for " + what);
    return v;
  }
  /// A finite number in (0, hi].
  double positive(double hi, const std::string& what) const {
    if (!j_->is_number()) fail("expected a number (" + what + "), got " + type());
    const double v = j_->get<double>();
    if (!std::isfinite(v) || v <= 0 || v > hi)
      fail("value " + j_->dump() + " is out of range for " + what + ", expected > 0 and <= " + num(hi));
    return v;
  }
  /// Member `key` as number(lo, hi), or `fallback` when absent.
  double number_or(const std::string& key, double fallback, double lo, double hi, const std::string& what) const {
    return has(key) ? at(key).number(lo, hi, what) : fallback;
  }
  /// A string.
  std::string string() const {
    if (!j_->is_string()) fail("expected a string, got " + type());
    return j_->get<std::string>();
  }
  /// A non-empty string naming something.
  std::string id() const {
    std::string s = string();
    if (s.empty()) fail("id is empty");
    return s;
  }
  /// A boolean (CityFlow files also write 0/1).
  bool boolean() const {
    if (j_->is_boolean()) return j_->get<bool>();
    if (j_->is_number_integer()) return j_->get<long long>() != 0;
    fail("expected a boolean, got " + type());
  }
  /// Member `key` as boolean(), false when absent.
  bool flag(const std::string& key) const { return has(key) && at(key).boolean(); }
  /// An integer index in [0, limit); `what` names the indexed list.
  std::int32_t index(std::size_t limit, const std::string& what) const {
    if (!j_->is_number_integer()) fail("expected an integer index into " + what + ", got " + type());
    const bool negative = j_->is_number_unsigned() ? false : j_->get<long long>() < 0;
    if (negative || j_->get<unsigned long long>() >= limit)
      fail("index " + j_->dump() + " out of range for " + what + " (expected 0.." + std::to_string(limit) + "-1)");
    return static_cast<std::int32_t>(j_->get<long long>());
  }

 private:
  std::string type() const {
    if (j_->is_number()) return "a number";
    const std::string t = j_->type_name();
    return (t == "object" || t == "array") ? "an " + t : "a " + t;
  }
  const Json* j_;
  const std::string* file_;
  std::string path_;
};

/// Parses JSON text; an empty, invalid or truncated text is a ScenarioError naming the file (and line).
Json parse_json(std::string_view text, const std::string& file) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) throw ScenarioError(file, "", "empty file, expected JSON");
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    // Report the line of the byte offset nlohmann gives (1-based; past the end when truncated).
    const std::size_t at = std::min<std::size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
    const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n');
    throw ScenarioError(file, "line " + std::to_string(line), std::string("invalid JSON: ") + e.what());
  } catch (const Json::exception& e) {
    // Numbers beyond double's range (406) and other non-syntax failures carry no position.
    throw ScenarioError(file, "", std::string("invalid JSON: ") + e.what());
  }
}

/// A CityFlow point {x, y}.
v1::Point to_point(const Node& p) {
  v1::Point out;
  out.set_x(p.at("x").number(-kMaxCoordinate, kMaxCoordinate, "a coordinate in metres"));
  out.set_y(p.at("y").number(-kMaxCoordinate, kMaxCoordinate, "a coordinate in metres"));
  return out;
}

/// A road link type as a turn.
v1::Turn to_turn(const Node& t) {
  const std::string s = t.string();
  if (s == "go_straight") return v1::TURN_STRAIGHT;
  if (s == "turn_left") return v1::TURN_LEFT;
  if (s == "turn_right") return v1::TURN_RIGHT;
  t.fail("unknown road link type '" + s + "' (expected go_straight, turn_left or turn_right)");
}

/// The length of a polyline, metres.
double polyline_length(const google::protobuf::RepeatedPtrField<v1::Point>& pts) {
  double len = 0;
  for (int i = 1; i < pts.size(); ++i) len += std::hypot(pts[i].x() - pts[i - 1].x(), pts[i].y() - pts[i - 1].y());
  return len;
}

/// What the roads pass needs to know of an intersection.
struct InterInfo {
  bool is_virtual = false;
  double width = 0;
};

/// What movements need to know of a road.
struct RoadInfo {
  std::string from, to;
  int lanes = 0;
};

/// Reads the road links and light phases of one non-virtual intersection into `out`.
void read_signal(const Node& in, const std::unordered_map<std::string, RoadInfo>& roads, v1::Scenario& s,
                 v1::Intersection& out, bool fixed_time_plans) {
  // Road links -> movements (one per lane link); remember each road link's movements.
  const Node links = in.at("roadLinks");
  std::vector<std::vector<int>> link_movements(links.size());
  for (std::size_t k = 0; k < links.size(); ++k) {
    const Node link = links.at(k);
    const v1::Turn turn = to_turn(link.at("type"));
    auto road = [&](const char* field, bool incoming) -> const RoadInfo& {
      const Node n = link.at(field);
      const std::string id = n.id();
      const auto it = roads.find(id);
      if (it == roads.end()) n.fail("unknown road '" + id + "'");
      if ((incoming ? it->second.to : it->second.from) != out.id())
        n.fail("road '" + id + "' does not " + (incoming ? "end" : "start") + " at intersection '" + out.id() + "'");
      return it->second;
    };
    const RoadInfo& from = road("startRoad", true);
    const RoadInfo& to = road("endRoad", false);
    const std::string from_id = link.at("startRoad").string(), to_id = link.at("endRoad").string();
    const Node lane_links = link.at("laneLinks");
    for (std::size_t q = 0; q < lane_links.size(); ++q) {
      const Node ll = lane_links.at(q);
      auto* mv = out.add_movements();
      mv->set_from_road(from_id);
      mv->set_to_road(to_id);
      mv->set_from_lane(
          ll.at("startLaneIndex").index(static_cast<std::size_t>(from.lanes), "the lanes of road '" + from_id + "'"));
      mv->set_to_lane(ll.at("endLaneIndex").index(static_cast<std::size_t>(to.lanes), "the lanes of road '" + to_id + "'"));
      mv->set_turn(turn);
      if (ll.has("points")) {
        const Node pts = ll.at("points");
        for (std::size_t p = 0; p < pts.size(); ++p) *mv->add_path() = to_point(pts.at(p));
      }
      // greenwaveLength (written by write_cityflow) keeps a length that is not the points' own.
      const double length = ll.has("greenwaveLength")
                                ? ll.at("greenwaveLength").number(0, kMaxLength, "greenwaveLength in metres")
                                : mv->path_size() >= 2 ? polyline_length(mv->path()) : out.width();
      if (length > kMaxLength) ll.fail("internal path of " + num(length) + " m is longer than " + num(kMaxLength) + " m");
      mv->set_length(length);
      link_movements[k].push_back(out.movements_size() - 1);
    }
  }

  // Light phases: the one contained in every other is the clearance phase; its links are
  // always green. The rest, in order, are the greens of the fixed-time plan.
  std::vector<std::set<int>> phase_links;
  std::vector<double> phase_time;
  std::vector<bool> marked;  // greenwaveClearance, written by write_cityflow
  if (in.has("trafficLight")) {
    const Node phases = in.at("trafficLight").at("lightphases");
    for (std::size_t p = 0; p < phases.size(); ++p) {
      const Node ph = phases.at(p);
      std::set<int> set;
      const Node avail = ph.at("availableRoadLinks");
      for (std::size_t q = 0; q < avail.size(); ++q) set.insert(avail.at(q).index(links.size(), "roadLinks"));
      phase_links.push_back(std::move(set));
      phase_time.push_back(ph.number_or("time", 0, 0, kMaxTime, "a phase time in seconds"));
      marked.push_back(ph.flag("greenwaveClearance"));
    }
  }
  // Files written by greenwave mark their clearances (a green phase may show only the common
  // links, e.g. a phase of a missing leg); otherwise the lightphases equal to the common set are.
  const bool any_marked = std::find(marked.begin(), marked.end(), true) != marked.end();
  std::set<int> common = phase_links.empty() ? std::set<int>{} : phase_links.front();
  for (const auto& set : phase_links) {
    std::set<int> keep;
    std::set_intersection(common.begin(), common.end(), set.begin(), set.end(), std::inserter(keep, keep.begin()));
    common = std::move(keep);
  }
  for (int link : common)
    for (int m : link_movements[link]) out.mutable_movements(m)->set_always_green(true);

  double clearance = -1;
  std::vector<std::pair<std::set<int>, double>> greens;
  for (std::size_t p = 0; p < phase_links.size(); ++p) {
    if (any_marked ? marked[p] : phase_links.size() > 1 && phase_links[p] == common) {
      clearance = std::max(clearance, phase_time[p]);
      continue;
    }
    greens.emplace_back(phase_links[p], phase_time[p]);
  }
  out.set_signalized(greens.size() >= 2);
  if (!out.signalized()) {
    for (auto& mv : *out.mutable_movements()) mv.set_always_green(true);
    return;
  }
  for (std::size_t g = 0; g < greens.size(); ++g) {
    auto* phase = out.add_phases();
    phase->set_name(std::to_string(g + 1));
    for (int link : greens[g].first)
      if (!common.count(link))
        for (int m : link_movements[link]) phase->add_movements(m);
  }
  // The plan is the lightphases in order, as CityFlow cycles them without an agent: a clearance
  // lightphase is a clearance stage where it stands (once per cycle on Hangzhou, after every
  // green on CityFlow's example), and consecutive greens switch directly.
  v1::SignalPlan plan;
  plan.set_intersection(out.id());
  bool timed = true;
  int green = 0;
  for (std::size_t p = 0; p < phase_links.size(); ++p) {
    const bool is_clearance = any_marked ? marked[p] : phase_links[p] == common;
    if (!is_clearance) timed = timed && phase_time[p] > 0;
    if (phase_time[p] <= 0) {
      green += is_clearance ? 0 : 1;
      continue;
    }
    // Clearance lightphases in a row are one longer clearance.
    const int last = plan.stages_size() - 1;
    if (is_clearance && last >= 0 && plan.stages(last).clearance()) {
      plan.mutable_stages(last)->set_duration(plan.stages(last).duration() + phase_time[p]);
      continue;
    }
    auto* stage = plan.add_stages();
    stage->set_duration(phase_time[p]);
    if (is_clearance) stage->set_clearance(true);
    else stage->set_phase(green++);
  }
  // ... but not across the end of the cycle (the plan would start inside a clearance).
  const int n = plan.stages_size();
  if (n > 1 && plan.stages(0).clearance() && plan.stages(n - 1).clearance()) timed = false;
  if (fixed_time_plans && timed) *s.add_signal_plans() = plan;
  if (clearance > s.settings().yellow()) s.mutable_settings()->set_yellow(clearance);
}

}  // namespace

v1::Scenario parse_cityflow_roadnet(std::string_view text, const std::string& file, bool fixed_time_plans) {
  const Json json = parse_json(text, file);
  const Node root(json, file, "");
  const Node inters = root.at("intersections");
  const Node roads = root.at("roads");
  v1::Scenario s;

  std::unordered_map<std::string, InterInfo> inter_info;
  for (std::size_t i = 0; i < inters.size(); ++i) {
    const Node in = inters.at(i);
    const std::string id = in.at("id").id();
    const InterInfo info{in.flag("virtual"), in.number_or("width", 0, 0, kMaxWidth, "an intersection width in metres")};
    if (!inter_info.emplace(id, info).second) in.at("id").fail("duplicate intersection id '" + id + "'");
  }
  if (inter_info.empty()) inters.fail("no intersections");

  std::unordered_map<std::string, RoadInfo> road_info;
  for (std::size_t r = 0; r < roads.size(); ++r) {
    const Node road = roads.at(r);
    auto* out = s.add_roads();
    out->set_id(road.at("id").id());
    for (const char* field : {"startIntersection", "endIntersection"}) {
      const Node end = road.at(field);
      if (!inter_info.count(end.id())) end.fail("unknown intersection '" + end.string() + "'");
    }
    out->set_from_intersection(road.at("startIntersection").string());
    out->set_to_intersection(road.at("endIntersection").string());
    const Node pts = road.at("points");
    if (pts.size() < 2) pts.fail("a road needs at least 2 points, got " + std::to_string(pts.size()));
    for (std::size_t k = 0; k < pts.size(); ++k) *out->add_shape() = to_point(pts.at(k));
    // CityFlow's lanes stop short of a real intersection by its width at each end.
    double length = polyline_length(out->shape());
    for (const std::string& end : {out->from_intersection(), out->to_intersection()}) {
      const InterInfo& info = inter_info.at(end);
      if (!info.is_virtual) length -= info.width;
    }
    if (road.has("greenwaveLength")) length = road.at("greenwaveLength").positive(kMaxLength, "greenwaveLength in metres");
    if (length <= 0)
      pts.fail("road '" + out->id() + "' has length " + num(length) + " m (points minus the widths of its real "
               "intersections), expected > 0");
    if (length > kMaxLength) pts.fail("road '" + out->id() + "' is " + num(length) + " m long, expected <= " + num(kMaxLength));
    out->set_length(length);
    const Node lanes = road.at("lanes");
    if (lanes.size() == 0) lanes.fail("road '" + out->id() + "' has no lanes");
    if (lanes.size() > kMaxLanes)
      lanes.fail("road '" + out->id() + "' has " + std::to_string(lanes.size()) + " lanes, at most 64 are supported");
    for (std::size_t k = 0; k < lanes.size(); ++k) {
      const Node lane = lanes.at(k);
      auto* l = out->add_lanes();
      l->set_width(lane.has("width") ? lane.at("width").positive(kMaxLaneWidth, "a lane width in metres") : 4.0);
      l->set_speed_limit(lane.at("maxSpeed").positive(kMaxSpeed, "maxSpeed in m/s"));
    }
    if (!road_info.emplace(out->id(), RoadInfo{out->from_intersection(), out->to_intersection(), out->lanes_size()}).second)
      road.at("id").fail("duplicate road id '" + out->id() + "'");
  }
  if (road_info.empty()) roads.fail("no roads");

  for (std::size_t i = 0; i < inters.size(); ++i) {
    const Node in = inters.at(i);
    auto* out = s.add_intersections();
    out->set_id(in.at("id").string());
    *out->mutable_position() = to_point(in.at("point"));
    out->set_width(inter_info.at(out->id()).width);
    out->set_boundary(inter_info.at(out->id()).is_virtual);
    if (!out->boundary()) read_signal(in, road_info, s, *out, fixed_time_plans);
  }
  return s;
}

void parse_cityflow_flow(std::string_view text, const std::string& file, v1::Scenario& s) {
  const Json json = parse_json(text, file);
  const Node root(json, file, "");
  const std::size_t n = root.size();
  std::unordered_map<std::string, int> roads;
  for (int r = 0; r < s.roads_size(); ++r) roads.emplace(s.roads(r).id(), r);
  std::unique_ptr<RoadGraph> graph;  // built when a route first skips roads
  std::set<std::vector<std::string>> checked_routes;
  std::map<std::string, std::string> type_ids;  // serialized parameters -> type id
  for (std::size_t f = 0; f < n; ++f) {
    const Node flow = root.at(f);
    const Node veh = flow.at("vehicle");
    v1::VehicleType vt;
    auto positive = [&](const char* key) { return veh.at(key).positive(kMaxVehicleParameter, key); };
    auto non_negative = [&](const char* key) { return veh.at(key).number(0, kMaxVehicleParameter, key); };
    vt.set_length(positive("length"));
    vt.set_width(veh.has("width") ? positive("width") : 2.0);
    vt.set_max_pos_acc(positive("maxPosAcc"));
    vt.set_max_neg_acc(positive("maxNegAcc"));
    vt.set_usual_pos_acc(positive("usualPosAcc"));
    vt.set_usual_neg_acc(positive("usualNegAcc"));
    vt.set_min_gap(non_negative("minGap"));
    vt.set_max_speed(positive("maxSpeed"));
    vt.set_headway_time(non_negative("headwayTime"));
    std::string key;
    vt.SerializeToString(&key);
    auto [it, added] = type_ids.emplace(key, "type_" + std::to_string(type_ids.size()));
    if (added) {
      vt.set_id(it->second);
      *s.mutable_demand()->add_vehicle_types() = vt;
    }

    auto* out = s.mutable_demand()->add_flows();
    out->set_id("flow_" + std::to_string(f));
    out->set_vehicle_type(it->second);
    const Node route = flow.at("route");
    if (route.size() == 0) route.fail("route is empty");
    for (std::size_t k = 0; k < route.size(); ++k) {
      const Node road = route.at(k);
      const std::string id = road.id();
      if (!roads.count(id)) road.fail("unknown road '" + id + "'");
      out->add_route(id);
    }
    // Anchors that skip roads are joined by shortest paths (by the compiler); refuse a route
    // whose gaps cannot be bridged here, where the JSON path can be named.
    std::vector<std::string> anchors(out->route().begin(), out->route().end());
    if (anchors.size() > 1 && checked_routes.insert(anchors).second) {
      if (!graph) graph = std::make_unique<RoadGraph>(s);
      for (std::size_t k = 0; k + 1 < anchors.size(); ++k)
        if (!graph->connected(anchors[k], anchors[k + 1]) && !graph->shortest_route(anchors[k], anchors[k + 1]))
          route.at(k + 1).fail("no path through the network leads from road '" + anchors[k] + "' to road '" +
                               anchors[k + 1] + "'");
    }

    const double start = flow.number_or("startTime", 0, 0, kMaxTime, "startTime in seconds");
    double end = kMaxTime;  // CityFlow's endTime -1: no end (the compiler stops at the horizon)
    if (flow.has("endTime")) {
      const Node e = flow.at("endTime");
      const double v = e.number(-1, kMaxTime, "endTime in seconds (-1 = no end)");
      if (v != -1 && v < start) e.fail("endTime " + num(v) + " is before startTime " + num(start) + " (-1 = no end)");
      if (v != -1) end = v;
    }
    out->set_start(start);
    out->set_end(std::max(end, start));
    out->set_interval(flow.at("interval").number(kMinInterval, kMaxTime, "interval in seconds, expected >= 0.001"));
  }
}

v1::Scenario import_cityflow(const std::string& path, const std::string& flow_path) {
  namespace fs = std::filesystem;
  const std::string first = detail::read_text_file(path);
  const Json json = parse_json(first, path);
  v1::Scenario s;
  if (json.is_object() && json.contains("roadnetFile")) {
    const Node cfg(json, path, "");
    const fs::path base = fs::path(path).parent_path() / (cfg.has("dir") ? cfg.at("dir").string() : std::string());
    v1::RunSettings settings;
    settings.set_dt(cfg.has("interval") ? cfg.at("interval").positive(10, "interval (seconds per step)") : 1.0);
    settings.set_seed(static_cast<std::uint64_t>(cfg.number_or("seed", 0, 0, 9e15, "seed")));
    settings.set_lane_change(cfg.flag("laneChange"));
    // rlTrafficLight: true means the lightphase times are not a plan (an agent controls the lights).
    const bool rl = cfg.flag("rlTrafficLight");
    const std::string roadnet = (base / cfg.at("roadnetFile").string()).lexically_normal().string();
    s = parse_cityflow_roadnet(detail::read_text_file(roadnet), roadnet, !rl);
    settings.set_yellow(s.settings().yellow());
    *s.mutable_settings() = settings;
    const std::string flow = flow_path.empty() ? (base / cfg.at("flowFile").string()).lexically_normal().string() : flow_path;
    parse_cityflow_flow(detail::read_text_file(flow), flow, s);
  } else {
    s = parse_cityflow_roadnet(first, path, true);
    if (!flow_path.empty()) parse_cityflow_flow(detail::read_text_file(flow_path), flow_path, s);
  }
  s.set_name(fs::path(path).parent_path().filename().string());
  auto* settings = s.mutable_settings();
  if (settings->action_interval() == 0) settings->set_action_interval(10);
  if (settings->horizon() == 0) settings->set_horizon(3600);
  if (settings->yellow() == 0) settings->set_yellow(5);
  return s;
}

}  // namespace greenwave
