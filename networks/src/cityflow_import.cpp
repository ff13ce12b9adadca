// CityFlow roadnet.json + flow.json (+ config.json) onto the native schema.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "greenwave/core/error.hpp"
#include "greenwave/networks/cityflow.hpp"

namespace greenwave {
namespace {

using Json = nlohmann::json;

/// A JSON value with its file and JSON path, so every error can say where it happened.
class Node {
 public:
  Node(const Json& j, const std::string& file, std::string path) : j_(&j), file_(&file), path_(std::move(path)) {}

  [[noreturn]] void fail(const std::string& what) const { throw ScenarioError(*file_, path_.empty() ? "/" : path_, what); }

  Node at(const std::string& key) const {
    if (!j_->is_object()) fail("expected an object, got " + type());
    const auto it = j_->find(key);
    if (it == j_->end()) Node(*j_, *file_, path_ + "/" + key).fail("missing field '" + key + "'");
    return {*it, *file_, path_ + "/" + key};
  }
  bool has(const std::string& key) const { return j_->is_object() && j_->contains(key); }
  Node at(std::size_t i) const { return {(*j_)[i], *file_, path_ + "/" + std::to_string(i)}; }
  std::size_t size() const {
    if (!j_->is_array()) fail("expected an array, got " + type());
    return j_->size();
  }
  double number() const {
    if (!j_->is_number()) fail("expected a number, got " + type());
    const double v = j_->get<double>();
    if (!std::isfinite(v) || std::fabs(v) > 1e12) fail("number " + j_->dump() + " is out of range");
    return v;
  }
  double number_or(const std::string& key, double fallback) const { return has(key) ? at(key).number() : fallback; }
  std::string string() const {
    if (!j_->is_string()) fail("expected a string, got " + type());
    return j_->get<std::string>();
  }
  bool boolean() const {
    if (j_->is_boolean()) return j_->get<bool>();
    if (j_->is_number_integer()) return j_->get<long long>() != 0;
    fail("expected a boolean, got " + type());
  }
  std::int32_t index(std::size_t limit) const {
    if (!j_->is_number_integer()) fail("expected an integer index, got " + type());
    const long long v = j_->get<long long>();
    if (v < 0 || static_cast<std::size_t>(v) >= limit)
      fail("index " + std::to_string(v) + " out of range [0, " + std::to_string(limit) + ")");
    return static_cast<std::int32_t>(v);
  }
  const std::string& path() const { return path_; }

 private:
  std::string type() const {
    const std::string t = j_->type_name();
    return t == "number" ? "a number" : (t == "object" || t == "array") ? "an " + t : "a " + t;
  }
  const Json* j_;
  const std::string* file_;
  std::string path_;
};

Json parse_file(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ScenarioError(file, "", "cannot open file");
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) throw ScenarioError(file, "", "file is empty");
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    // Report the line of the byte offset nlohmann gives.
    const std::size_t at = std::min<std::size_t>(e.byte, text.size());
    const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n');
    throw ScenarioError(file, "line " + std::to_string(line), std::string("invalid JSON: ") + e.what());
  }
}

v1::Point to_point(const Node& p) { v1::Point out; out.set_x(p.at("x").number()); out.set_y(p.at("y").number()); return out; }

v1::Turn to_turn(const Node& t) {
  const std::string s = t.string();
  if (s == "go_straight") return v1::TURN_STRAIGHT;
  if (s == "turn_left") return v1::TURN_LEFT;
  if (s == "turn_right") return v1::TURN_RIGHT;
  t.fail("unknown road link type '" + s + "' (expected go_straight, turn_left or turn_right)");
}

double polyline_length(const std::vector<v1::Point>& pts) {
  double len = 0;
  for (std::size_t i = 1; i < pts.size(); ++i) len += std::hypot(pts[i].x() - pts[i - 1].x(), pts[i].y() - pts[i - 1].y());
  return len;
}

void read_roadnet(const std::string& file, v1::Scenario& s, bool fixed_time_plans) {
  const Json json = parse_file(file);
  const Node root(json, file, "");
  const Node inters = root.at("intersections");
  const Node roads = root.at("roads");

  std::map<std::string, std::pair<bool, double>> inter_info;  // id -> (virtual, width)
  for (std::size_t i = 0; i < inters.size(); ++i) {
    const Node in = inters.at(i);
    const bool is_virtual = in.has("virtual") && in.at("virtual").boolean();
    inter_info[in.at("id").string()] = {is_virtual, in.number_or("width", 0)};
  }

  for (std::size_t r = 0; r < roads.size(); ++r) {
    const Node road = roads.at(r);
    auto* out = s.add_roads();
    out->set_id(road.at("id").string());
    out->set_from_intersection(road.at("startIntersection").string());
    out->set_to_intersection(road.at("endIntersection").string());
    const Node pts = road.at("points");
    if (pts.size() < 2) pts.fail("a road needs at least 2 points");
    std::vector<v1::Point> shape;
    for (std::size_t k = 0; k < pts.size(); ++k) shape.push_back(to_point(pts.at(k)));
    for (const auto& p : shape) *out->add_shape() = p;
    // CityFlow's lanes stop short of a real intersection by its width at each end.
    double length = polyline_length(shape);
    for (const std::string& end : {out->from_intersection(), out->to_intersection()}) {
      const auto it = inter_info.find(end);
      if (it != inter_info.end() && !it->second.first) length -= it->second.second;
    }
    if (length <= 0) road.at("points").fail("road is not longer than its intersections' widths (length " + std::to_string(length) + ")");
    out->set_length(length);
    const Node lanes = road.at("lanes");
    for (std::size_t k = 0; k < lanes.size(); ++k) {
      auto* lane = out->add_lanes();
      lane->set_width(lanes.at(k).number_or("width", 4));
      lane->set_speed_limit(lanes.at(k).at("maxSpeed").number());
    }
  }

  for (std::size_t i = 0; i < inters.size(); ++i) {
    const Node in = inters.at(i);
    auto* out = s.add_intersections();
    out->set_id(in.at("id").string());
    *out->mutable_position() = to_point(in.at("point"));
    out->set_width(in.number_or("width", 0));
    out->set_boundary(in.has("virtual") && in.at("virtual").boolean());
    if (out->boundary()) continue;

    // Road links -> movements (one per lane link); remember each road link's movements.
    const Node links = in.at("roadLinks");
    std::vector<std::vector<int>> link_movements(links.size());
    for (std::size_t k = 0; k < links.size(); ++k) {
      const Node link = links.at(k);
      const v1::Turn turn = to_turn(link.at("type"));
      const std::string from = link.at("startRoad").string(), to = link.at("endRoad").string();
      const Node lane_links = link.at("laneLinks");
      for (std::size_t q = 0; q < lane_links.size(); ++q) {
        const Node ll = lane_links.at(q);
        auto* mv = out->add_movements();
        mv->set_from_road(from);
        mv->set_to_road(to);
        mv->set_from_lane(ll.at("startLaneIndex").index(64));
        mv->set_to_lane(ll.at("endLaneIndex").index(64));
        mv->set_turn(turn);
        std::vector<v1::Point> path;
        if (ll.has("points")) {
          const Node pts = ll.at("points");
          for (std::size_t p = 0; p < pts.size(); ++p) path.push_back(to_point(pts.at(p)));
        }
        for (const auto& p : path) *mv->add_path() = p;
        mv->set_length(path.size() >= 2 ? polyline_length(path) : out->width());
        link_movements[k].push_back(out->movements_size() - 1);
      }
    }

    // Light phases: the one contained in every other is the clearance phase; its links are
    // always green. The rest, in order, are the greens of the fixed-time plan.
    std::vector<std::set<int>> phase_links;
    std::vector<double> phase_time;
    if (in.has("trafficLight")) {
      const Node phases = in.at("trafficLight").at("lightphases");
      for (std::size_t p = 0; p < phases.size(); ++p) {
        const Node ph = phases.at(p);
        std::set<int> set;
        const Node avail = ph.at("availableRoadLinks");
        for (std::size_t q = 0; q < avail.size(); ++q) set.insert(avail.at(q).index(links.size()));
        phase_links.push_back(std::move(set));
        phase_time.push_back(ph.number_or("time", 0));
      }
    }
    std::set<int> common = phase_links.empty() ? std::set<int>{} : phase_links.front();
    for (const auto& set : phase_links) {
      std::set<int> keep;
      std::set_intersection(common.begin(), common.end(), set.begin(), set.end(), std::inserter(keep, keep.begin()));
      common = std::move(keep);
    }
    for (int link : common)
      for (int m : link_movements[link]) out->mutable_movements(m)->set_always_green(true);

    double clearance = -1;
    std::vector<std::pair<std::set<int>, double>> greens;
    for (std::size_t p = 0; p < phase_links.size(); ++p) {
      if (phase_links.size() > 1 && phase_links[p] == common) {
        clearance = std::max(clearance, phase_time[p]);
        continue;
      }
      greens.emplace_back(phase_links[p], phase_time[p]);
    }
    out->set_signalized(greens.size() >= 2);
    if (!out->signalized()) {
      for (auto& mv : *out->mutable_movements()) mv.set_always_green(true);
      continue;
    }
    v1::SignalPlan plan;
    plan.set_intersection(out->id());
    for (std::size_t g = 0; g < greens.size(); ++g) {
      auto* phase = out->add_phases();
      phase->set_name(std::to_string(g + 1));
      for (int link : greens[g].first)
        if (!common.count(link))
          for (int m : link_movements[link]) phase->add_movements(m);
      if (greens[g].second > 0) {
        auto* stage = plan.add_stages();
        stage->set_phase(static_cast<int>(g));
        stage->set_duration(greens[g].second);
      }
    }
    if (fixed_time_plans && plan.stages_size() == static_cast<int>(greens.size())) *s.add_signal_plans() = plan;
    if (clearance >= 0 && (!s.settings().yellow() || clearance > s.settings().yellow()))
      s.mutable_settings()->set_yellow(clearance);
  }
}

void read_flows(const std::string& file, v1::Scenario& s) {
  const Json json = parse_file(file);
  const Node root(json, file, "");
  const std::size_t n = root.size();
  std::map<std::string, std::string> type_ids;  // serialized params -> type id
  for (std::size_t f = 0; f < n; ++f) {
    const Node flow = root.at(f);
    const Node veh = flow.at("vehicle");
    v1::VehicleType vt;
    vt.set_length(veh.at("length").number());
    vt.set_width(veh.number_or("width", 2));
    vt.set_max_pos_acc(veh.at("maxPosAcc").number());
    vt.set_max_neg_acc(veh.at("maxNegAcc").number());
    vt.set_usual_pos_acc(veh.at("usualPosAcc").number());
    vt.set_usual_neg_acc(veh.at("usualNegAcc").number());
    vt.set_min_gap(veh.at("minGap").number());
    vt.set_max_speed(veh.at("maxSpeed").number());
    vt.set_headway_time(veh.at("headwayTime").number());
    for (double v : {vt.length(), vt.max_pos_acc(), vt.max_neg_acc(), vt.usual_pos_acc(), vt.usual_neg_acc(), vt.max_speed()})
      if (v <= 0) veh.fail("vehicle parameters must be positive (length, accelerations, maxSpeed)");
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
    for (std::size_t k = 0; k < route.size(); ++k) out->add_route(route.at(k).string());
    const double start = flow.number_or("startTime", 0);
    double end = flow.number_or("endTime", -1);
    const double interval = flow.at("interval").number();
    if (interval <= 0) flow.at("interval").fail("interval must be positive");
    if (start < 0) flow.at("startTime").fail("startTime must be >= 0");
    if (end < 0) end = std::max(start, 1e6);  // CityFlow: -1 = no end; bounded by the horizon later
    out->set_start(start);
    out->set_end(end);
    out->set_interval(interval);
  }
}

}  // namespace

v1::Scenario import_cityflow(const std::string& path, const std::string& flow_path) {
  namespace fs = std::filesystem;
  v1::Scenario s;
  s.set_name(fs::path(path).parent_path().filename().string());
  const Json first = parse_file(path);
  if (first.is_object() && first.contains("roadnetFile")) {
    const Node cfg(first, path, "");
    const fs::path base = fs::path(path).parent_path() / (cfg.has("dir") ? cfg.at("dir").string() : std::string());
    auto* settings = s.mutable_settings();
    settings->set_dt(cfg.number_or("interval", 1.0));
    settings->set_seed(static_cast<std::uint64_t>(std::max(0.0, cfg.number_or("seed", 0))));
    settings->set_lane_change(cfg.has("laneChange") && cfg.at("laneChange").boolean());
    // rlTrafficLight: true means the lightphase times are not a plan (an agent controls the lights).
    const bool rl = cfg.has("rlTrafficLight") && cfg.at("rlTrafficLight").boolean();
    read_roadnet((base / cfg.at("roadnetFile").string()).lexically_normal().string(), s, !rl);
    const std::string flow = flow_path.empty() ? (base / cfg.at("flowFile").string()).lexically_normal().string() : flow_path;
    read_flows(flow, s);
  } else {
    read_roadnet(path, s, true);
    if (!flow_path.empty()) read_flows(flow_path, s);
  }
  auto* settings = s.mutable_settings();
  if (settings->action_interval() == 0) settings->set_action_interval(10);
  if (settings->horizon() == 0) settings->set_horizon(3600);
  if (settings->yellow() == 0) settings->set_yellow(5);
  return s;
}

}  // namespace greenwave
