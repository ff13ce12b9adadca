// SUMO .sumocfg + .net.xml + .rou.xml onto the native schema (pugixml); the mapping is documented
// in docs/sumo.md, "What maps to what".
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <pugixml.hpp>
#include <set>
#include <sstream>
#include <unordered_map>

#include "greenwave/core/error.hpp"
#include "greenwave/core/rng.hpp"
#include "greenwave/core/warning.hpp"
#include "greenwave/networks/sumo.hpp"
#include "text_file.hpp"

namespace greenwave {
namespace {

constexpr double kMaxCoordinate = 1e9;  // metres
constexpr double kMaxLength = 1e6;      // metres
constexpr double kMaxSpeed = 100;       // m/s
constexpr double kMaxTime = 1e7;        // seconds
constexpr double kMaxVehicleParameter = 1e3;
constexpr double kMinPeriod = 1e-3;     // seconds between two vehicles of a flow
constexpr std::int64_t kMaxExpanded = 5'000'000;  // vehicles expanded from probability/distribution flows

/// A number as %g, for messages.
std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

/// One parsed XML file: its document, name and line table, so every error names file, line and element.
class XmlFile {
 public:
  XmlFile(std::string_view text, std::string file) : file_(std::move(file)) {
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) throw ScenarioError(file_, "", "empty file, expected XML");
    line_start_.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n') line_start_.push_back(i + 1);
    const pugi::xml_parse_result r = doc_.load_buffer(text.data(), text.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!r) throw ScenarioError(file_, line_of(r.offset), std::string("invalid XML: ") + r.description());
  }
  /// The root element, which must be named `name` (or `alt`).
  pugi::xml_node root(const char* name, const char* alt = nullptr) const {
    const pugi::xml_node e = doc_.document_element();
    if (std::string_view(e.name()) != name && (alt == nullptr || std::string_view(e.name()) != alt))
      throw ScenarioError(file_, line_of(e.offset_debug()),
                          "expected a <" + std::string(name) + "> root element, got <" + e.name() + ">");
    return e;
  }
  /// Throws ScenarioError "FILE:line N: <elem id="..">: what".
  [[noreturn]] void fail(const pugi::xml_node& e, const std::string& what) const {
    std::string tag = "<" + std::string(e.name());
    if (e.attribute("id")) tag += " id=\"" + std::string(e.attribute("id").value()) + "\"";
    throw ScenarioError(file_, line_of(e.offset_debug()), tag + ">: " + what);
  }
  /// Required attribute `a` as a string.
  std::string str(const pugi::xml_node& e, const char* a) const {
    const pugi::xml_attribute at = e.attribute(a);
    if (!at) fail(e, std::string("missing attribute '") + a + "'");
    return at.value();
  }
  /// Required non-empty attribute `a` naming something.
  std::string id(const pugi::xml_node& e, const char* a) const {
    std::string s = str(e, a);
    if (s.empty()) fail(e, std::string("attribute '") + a + "' is empty");
    return s;
  }
  /// Attribute `a` as a finite number in [lo, hi]; `fallback` when absent.
  double number(const pugi::xml_node& e, const char* a, double fallback, double lo, double hi) const {
    const pugi::xml_attribute at = e.attribute(a);
    if (!at) return fallback;
    return parse_number(e, a, at.value(), lo, hi);
  }
  /// Required attribute `a` as a finite number in [lo, hi].
  double required_number(const pugi::xml_node& e, const char* a, double lo, double hi) const {
    return parse_number(e, a, str(e, a).c_str(), lo, hi);
  }
  /// A number in [lo, hi] read from `text`, an error naming attribute `a` otherwise.
  double parse_number(const pugi::xml_node& e, const char* a, std::string_view text, double lo, double hi) const {
    double v = 0;
    const char* first = text.data();
    const char* last = text.data() + text.size();
    if (first != last && *first == '+') ++first;
    const auto [ptr, ec] = std::from_chars(first, last, v);
    if (ec != std::errc() || ptr != last || !std::isfinite(v))
      fail(e, std::string("attribute '") + a + "': expected a number, got '" + std::string(text) + "'");
    if (v < lo || v > hi)
      fail(e, std::string("attribute '") + a + "': value " + std::string(text) + " is out of range, expected " + num(lo) +
                  ".." + num(hi));
    return v;
  }
  /// A SUMO shape "x,y x,y ..." (at least two points), or empty when absent.
  std::vector<v1::Point> shape(const pugi::xml_node& e, const char* a) const {
    std::vector<v1::Point> out;
    const pugi::xml_attribute at = e.attribute(a);
    if (!at) return out;
    std::istringstream in(at.value());
    std::string token;
    while (in >> token) {
      const auto comma = token.find(',');
      if (comma == std::string::npos) fail(e, std::string("attribute '") + a + "': expected x,y pairs, got '" + token + "'");
      // A third coordinate (z) is allowed and ignored.
      const auto comma2 = token.find(',', comma + 1);
      v1::Point p;
      p.set_x(parse_number(e, a, std::string_view(token).substr(0, comma), -kMaxCoordinate, kMaxCoordinate));
      p.set_y(parse_number(e, a, std::string_view(token).substr(comma + 1, comma2 == std::string::npos ? std::string::npos : comma2 - comma - 1),
                           -kMaxCoordinate, kMaxCoordinate));
      out.push_back(p);
    }
    if (out.size() == 1) fail(e, std::string("attribute '") + a + "': a shape needs at least two points");
    return out;
  }
  /// The file name.
  const std::string& file() const { return file_; }

 private:
  std::string line_of(std::ptrdiff_t offset) const {
    const auto it = std::upper_bound(line_start_.begin(), line_start_.end(), static_cast<std::size_t>(std::max<std::ptrdiff_t>(offset, 0)));
    return "line " + std::to_string(it - line_start_.begin());
  }
  pugi::xml_document doc_;
  std::string file_;
  std::vector<std::size_t> line_start_;
};

/// Space- or comma-separated words.
std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (const char c : s) {
    if (c == ' ' || c == ',' || c == '\t' || c == '\n' || c == '\r') {
      if (!cur.empty()) out.push_back(std::move(cur)), cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

/// Whether a lane's allow/disallow lists let passenger cars drive on it.
bool passenger_allowed(const pugi::xml_node& lane) {
  const pugi::xml_attribute allow = lane.attribute("allow");
  if (allow) {
    for (const auto& w : words(allow.value()))
      if (w == "passenger" || w == "all" || w == "private") return true;
    return false;
  }
  const pugi::xml_attribute disallow = lane.attribute("disallow");
  if (disallow)
    for (const auto& w : words(disallow.value()))
      if (w == "passenger" || w == "all" || w == "private") return false;
  return true;
}

double polyline_length(const std::vector<v1::Point>& pts) {
  double len = 0;
  for (std::size_t i = 1; i < pts.size(); ++i) len += std::hypot(pts[i].x() - pts[i - 1].x(), pts[i].y() - pts[i - 1].y());
  return len;
}

/// Counted warnings, one line per kind, in first-seen order.
class Warnings {
 public:
  /// Counts one occurrence of `kind`, remembering `example` (the first few names).
  void add(const std::string& kind, const std::string& example = "") {
    auto [it, inserted] = index_.emplace(kind, entries_.size());
    if (inserted) entries_.push_back({kind, 0, {}});
    Entry& e = entries_[it->second];
    ++e.count;
    if (!example.empty() && e.examples.size() < 3 &&
        std::find(e.examples.begin(), e.examples.end(), example) == e.examples.end())
      e.examples.push_back(example);
  }
  /// "N kind (a, b, c)" lines.
  SumoWarnings lines() const {
    SumoWarnings out;
    for (const Entry& e : entries_) {
      std::string line = std::to_string(e.count) + " " + e.kind;
      if (!e.examples.empty()) {
        line += " (";
        for (std::size_t i = 0; i < e.examples.size(); ++i) line += (i ? ", " : "") + e.examples[i];
        line += e.count > static_cast<std::int64_t>(e.examples.size()) ? ", ...)" : ")";
      }
      out.push_back(line);
    }
    return out;
  }

 private:
  struct Entry {
    std::string kind;
    std::int64_t count;
    std::vector<std::string> examples;
  };
  std::vector<Entry> entries_;
  std::map<std::string, std::size_t> index_;
};

/// An internal (junction) lane: length and shape.
struct InternalLane {
  double length = 0;
  std::vector<v1::Point> shape;
};

/// A kept SUMO edge (a native road): its passenger lanes, SUMO index ascending (rightmost first).
struct KeptEdge {
  int road = -1;                                ///< index into scenario.roads
  std::map<int, int> native_lane;               ///< SUMO lane index -> native lane index
  std::vector<std::vector<v1::Point>> lane_shapes;  ///< by native lane index
};

/// A parsed connection between kept lanes.
struct Link {
  pugi::xml_node node;
  std::string junction;
  v1::Movement movement;
  std::string tls;   ///< "" when uncontrolled
  int link_index = -1;
};

/// The light state of one link in a phase: green (may pass), clearance (yellow), red.
bool is_green_char(char c) { return c == 'G' || c == 'g' || c == 's' || c == 'O' || c == 'o'; }
bool is_yellow_char(char c) { return c == 'y' || c == 'Y' || c == 'u'; }

/// Builds roads, intersections, movements, phases and plans from a .net.xml.
class NetReader {
 public:
  NetReader(const XmlFile& xml, SumoImport& out, Warnings& warn) : xml_(xml), out_(out), warn_(warn) {}

  /// Edges left out (no passenger lanes, pedestrian areas, loops): routes over them are skipped.
  std::set<std::string> skipped_edges;

  void read() {
    const pugi::xml_node net = xml_.root("net");
    if (std::string_view(net.attribute("lefthand").value()) == "true")
      xml_.fail(net, "left-hand traffic networks are not supported (lefthand=\"true\")");
    std::vector<pugi::xml_node> edges, junctions, connections, tls;
    for (const pugi::xml_node e : net.children()) {
      const std::string_view name = e.name();
      if (name == "edge") edges.push_back(e);
      else if (name == "junction") junctions.push_back(e);
      else if (name == "connection") connections.push_back(e);
      else if (name == "tlLogic") tls.push_back(e);
    }
    read_junctions(junctions);
    for (const auto& e : edges) read_edge(e);
    for (const auto& c : connections) read_connection(c);
    read_lights(tls);
    build_intersections();
  }

 private:
  void read_junctions(const std::vector<pugi::xml_node>& junctions) {
    for (const pugi::xml_node j : junctions) {
      const std::string id = xml_.id(j, "id");
      const std::string type = j.attribute("type").value();
      if (type == "internal") continue;
      if (junction_index_.count(id)) xml_.fail(j, "duplicate junction id '" + id + "'");
      const double x = xml_.number(j, "x", 0, -kMaxCoordinate, kMaxCoordinate);
      const double y = xml_.number(j, "y", 0, -kMaxCoordinate, kMaxCoordinate);
      junction_index_[id] = junction_nodes_.size();
      junction_nodes_.push_back(j);
      v1::Intersection in;
      in.set_id(id);
      in.mutable_position()->set_x(x);
      in.mutable_position()->set_y(y);
      intersections_.push_back(in);
      if (type == "rail_signal" || type == "rail_crossing") warn_.add("rail junctions treated as ordinary junctions", id);
    }
  }

  void read_edge(const pugi::xml_node e) {
    const std::string id = xml_.id(e, "id");
    const std::string function = e.attribute("function").value();
    if (function == "internal") {
      for (const pugi::xml_node l : e.children("lane")) {
        InternalLane lane;
        lane.shape = xml_.shape(l, "shape");
        lane.length = xml_.number(l, "length", polyline_length(lane.shape), 0, kMaxLength);
        internal_[xml_.id(l, "id")] = std::move(lane);
      }
      return;
    }
    if (function == "walkingarea" || function == "crossing") {
      warn_.add("pedestrian " + function + " edges skipped", id);
      skipped_edges.insert(id);
      return;
    }
    if (!function.empty() && function != "normal") {
      warn_.add("edges of function '" + function + "' skipped", id);
      skipped_edges.insert(id);
      return;
    }
    if (edge_.count(id)) xml_.fail(e, "duplicate edge id '" + id + "'");
    const std::string from = xml_.id(e, "from");
    const std::string to = xml_.id(e, "to");
    if (!junction_index_.count(from)) xml_.fail(e, "unknown junction '" + from + "' (from)");
    if (!junction_index_.count(to)) xml_.fail(e, "unknown junction '" + to + "' (to)");
    if (from == to) {
      warn_.add("edges from a junction to itself skipped", id);
      skipped_edges.insert(id);
      return;
    }
    // Passenger lanes by SUMO index (0 = rightmost).
    std::map<int, pugi::xml_node> lanes;
    int skipped = 0;
    for (const pugi::xml_node l : e.children("lane")) {
      const int index = static_cast<int>(xml_.required_number(l, "index", 0, 63));
      if (lanes.count(index)) xml_.fail(l, "duplicate lane index " + std::to_string(index) + " on edge '" + id + "'");
      if (!passenger_allowed(l)) {
        ++skipped;
        lanes[index] = pugi::xml_node();
        continue;
      }
      lanes[index] = l;
    }
    std::vector<pugi::xml_node> kept;
    for (const auto& [index, l] : lanes)
      if (l) kept.push_back(l);
    if (kept.empty()) {
      warn_.add("edges without passenger lanes skipped", id);
      skipped_edges.insert(id);
      return;
    }
    for (int k = 0; k < skipped; ++k) warn_.add("non-passenger lanes skipped (bus, bicycle, pedestrian)", id);
    v1::Road road;
    road.set_id(id);
    road.set_from_intersection(from);
    road.set_to_intersection(to);
    KeptEdge kept_edge;
    kept_edge.road = out_.scenario.roads_size();
    kept_edge.lane_shapes.resize(kept.size());
    double length_sum = 0;
    std::vector<std::string> lane_ids(kept.size());
    // Native lane 0 is the innermost: SUMO's highest passenger index (right-hand traffic).
    for (std::size_t k = 0; k < kept.size(); ++k) {
      const pugi::xml_node l = kept[kept.size() - 1 - k];
      v1::Lane* lane = road.add_lanes();
      lane->set_speed_limit(xml_.required_number(l, "speed", 1e-3, kMaxSpeed));
      lane->set_width(xml_.number(l, "width", 3.2, 0.1, 100));
      std::vector<v1::Point> shape = xml_.shape(l, "shape");
      const double length = xml_.number(l, "length", polyline_length(shape), 0, kMaxLength);
      length_sum += length;
      kept_edge.native_lane[static_cast<int>(xml_.required_number(l, "index", 0, 63))] = static_cast<int>(k);
      kept_edge.lane_shapes[k] = std::move(shape);
      lane_ids[k] = xml_.id(l, "id");
    }
    // SUMO lanes of one edge may differ slightly in length (curves); the road takes their mean.
    road.set_length(std::max(0.1, length_sum / static_cast<double>(kept.size())));
    std::vector<v1::Point> shape = xml_.shape(e, "shape");
    if (shape.empty()) shape = kept_edge.lane_shapes[kept.size() / 2];
    for (const auto& p : shape) *road.add_shape() = p;
    out_.links.road_lanes[id] = std::move(lane_ids);
    edge_[id] = std::move(kept_edge);
    *out_.scenario.add_roads() = std::move(road);
  }

  void read_connection(const pugi::xml_node c) {
    const std::string from = xml_.id(c, "from");
    const std::string to = xml_.id(c, "to");
    if (from[0] == ':') {
      // Internal-to-internal: the next piece of a movement's path through the junction.
      if (c.attribute("via")) internal_next_[from + "_" + c.attribute("fromLane").value()] = c.attribute("via").value();
      return;
    }
    const auto fe = edge_.find(from);
    const auto te = edge_.find(to);
    if (fe == edge_.end() || te == edge_.end()) return;  // an edge skipped above (counted there)
    const int from_lane = static_cast<int>(xml_.required_number(c, "fromLane", 0, 63));
    const int to_lane = static_cast<int>(xml_.required_number(c, "toLane", 0, 63));
    const auto fl = fe->second.native_lane.find(from_lane);
    const auto tl = te->second.native_lane.find(to_lane);
    if (fl == fe->second.native_lane.end() || tl == te->second.native_lane.end()) {
      warn_.add("connections from or to non-passenger lanes skipped", from + "->" + to);
      return;
    }
    const v1::Road& fr = out_.scenario.roads(fe->second.road);
    const v1::Road& tr = out_.scenario.roads(te->second.road);
    if (fr.to_intersection() != tr.from_intersection())
      xml_.fail(c, "edge '" + from + "' ends at junction '" + fr.to_intersection() + "' but edge '" + to + "' starts at '" +
                       tr.from_intersection() + "'");
    Link link;
    link.node = c;
    link.junction = fr.to_intersection();
    v1::Movement& m = link.movement;
    m.set_from_road(from);
    m.set_from_lane(fl->second);
    m.set_to_road(to);
    m.set_to_lane(tl->second);
    const std::string dir = c.attribute("dir").value();
    if (dir == "s") m.set_turn(v1::TURN_STRAIGHT);
    else if (dir == "l" || dir == "L") m.set_turn(v1::TURN_LEFT);
    else if (dir == "r" || dir == "R") m.set_turn(v1::TURN_RIGHT);
    else if (dir == "t") m.set_turn(v1::TURN_UTURN);
    else xml_.fail(c, "attribute 'dir': expected s, l, L, r, R or t, got '" + dir + "'");
    // The path: the via lane, then each internal lane it continues into.
    std::vector<v1::Point> path;
    double length = 0;
    std::string via = c.attribute("via").value();
    std::set<std::string> seen;
    while (!via.empty() && seen.insert(via).second) {
      const auto it = internal_.find(via);
      if (it == internal_.end()) xml_.fail(c, "unknown internal lane '" + via + "' (via)");
      length += it->second.length;
      for (const auto& p : it->second.shape)
        if (path.empty() || p.x() != path.back().x() || p.y() != path.back().y()) path.push_back(p);
      const auto next = internal_next_.find(via);
      via = next == internal_next_.end() ? "" : next->second;
    }
    if (path.empty()) {
      // No internal lanes (a net built without them): a straight line from stop line to lane start.
      const auto& a = fe->second.lane_shapes[fl->second];
      const auto& b = te->second.lane_shapes[tl->second];
      if (!a.empty() && !b.empty()) {
        path = {a.back(), b.front()};
        length = polyline_length(path);
      }
    }
    m.set_length(std::min(length, kMaxLength));
    if (path.size() >= 2)
      for (const auto& p : path) *m.add_path() = p;
    if (c.attribute("tl")) {
      link.tls = c.attribute("tl").value();
      link.link_index = static_cast<int>(xml_.required_number(c, "linkIndex", 0, 1e6));
    }
    links_.push_back(std::move(link));
  }

  void read_lights(const std::vector<pugi::xml_node>& tls) {
    for (const pugi::xml_node t : tls) {
      const std::string id = xml_.id(t, "id");
      if (programs_.count(id)) {
        warn_.add("additional traffic-light programs ignored (the first one is used)", id);
        continue;
      }
      const std::string type = t.attribute("type").value();
      if (type != "static" && type != "actuated" && type != "delay_based" && !type.empty())
        xml_.fail(t, "attribute 'type': expected static, actuated or delay_based, got '" + type + "'");
      if (type == "actuated" || type == "delay_based")
        warn_.add(type + " traffic-light programs imported as their static phase sequence", id + " program " + t.attribute("programID").value());
      if (!t.child("phase")) xml_.fail(t, "traffic-light program without phases");
      for (const pugi::xml_node p : t.children("phase")) {
        xml_.required_number(p, "duration", 0, kMaxTime);
        const std::string state = xml_.str(p, "state");
        for (const char ch : state)
          if (std::string_view("GgsyYurOo").find(ch) == std::string_view::npos)
            xml_.fail(p, "attribute 'state': unknown signal state '" + std::string(1, ch) + "' in '" + state + "'");
      }
      programs_[id] = t;
    }
  }

  void build_intersections() {
    std::map<std::string, std::vector<std::size_t>> by_junction;
    for (std::size_t k = 0; k < links_.size(); ++k) by_junction[links_[k].junction].push_back(k);
    std::map<std::string, std::string> tls_junction;
    double yellow = 0;
    for (v1::Intersection& in : intersections_) {
      const auto it = by_junction.find(in.id());
      if (it == by_junction.end()) {
        in.set_boundary(true);
        continue;
      }
      std::string tls;
      pugi::xml_node tls_node;
      for (const std::size_t k : it->second) {
        const Link& link = links_[k];
        *in.add_movements() = link.movement;
        if (link.tls.empty()) continue;
        if (!tls.empty() && link.tls != tls)
          xml_.fail(link.node, "junction '" + in.id() + "' has links of two traffic lights ('" + tls + "' and '" + link.tls + "')");
        tls = link.tls;
        tls_node = link.node;
      }
      if (tls.empty()) {
        for (auto& m : *in.mutable_movements()) m.set_always_green(true);
        continue;
      }
      const auto [owner, fresh] = tls_junction.emplace(tls, in.id());
      if (!fresh)
        xml_.fail(tls_node, "traffic light '" + tls + "' controls junctions '" + owner->second + "' and '" + in.id() +
                                "': joined traffic lights are not supported");
      const auto prog = programs_.find(tls);
      if (prog == programs_.end()) xml_.fail(tls_node, "unknown traffic light '" + tls + "' (tl)");
      yellow = std::max(yellow, read_program(in, it->second, prog->second, tls));
    }
    for (auto& in : intersections_) *out_.scenario.add_intersections() = std::move(in);
    if (yellow > 0) out_.scenario.mutable_settings()->set_yellow(yellow);
  }

  /// Maps a tlLogic's phases onto intersection `in` (whose movements are links `ks`, in order);
  /// returns the longest clearance (consecutive yellow/red-only phases) of the program.
  double read_program(v1::Intersection& in, const std::vector<std::size_t>& ks, const pugi::xml_node program, const std::string& tls) {
    std::vector<pugi::xml_node> phases(program.children("phase").begin(), program.children("phase").end());
    std::vector<std::string> states;
    int max_link = -1;
    for (const std::size_t k : ks) max_link = std::max(max_link, links_[k].link_index);
    for (const auto& p : phases) {
      states.push_back(p.attribute("state").value());
      if (static_cast<int>(states.back().size()) <= max_link)
        xml_.fail(p, "state '" + states.back() + "' has " + std::to_string(states.back().size()) +
                         " signals but a connection uses linkIndex " + std::to_string(max_link));
    }
    const std::size_t n = ks.size();
    auto green = [&](std::size_t phase, std::size_t local) {
      const int li = links_[ks[local]].link_index;
      return li < 0 || is_green_char(states[phase][static_cast<std::size_t>(li)]);
    };
    auto is_clearance = [&](std::size_t phase) {
      bool any_green = false;
      for (const char ch : states[phase]) {
        if (is_yellow_char(ch)) return true;
        any_green = any_green || is_green_char(ch);
      }
      return !any_green;
    };
    // Always green: green in every phase, clearance included.
    std::vector<bool> always(n, true);
    for (std::size_t local = 0; local < n; ++local)
      for (std::size_t p = 0; p < phases.size(); ++p) always[local] = always[local] && green(p, local);
    std::vector<std::int32_t> link_of(n);
    for (std::size_t local = 0; local < n; ++local) {
      in.mutable_movements(static_cast<int>(local))->set_always_green(always[local]);
      link_of[local] = links_[ks[local]].link_index;
    }
    // Green phases (deduplicated by their movement sets) and the fixed-time plan: each green phase
    // a green stage, each run of consecutive clearance phases one clearance stage of their summed
    // duration (the plan's own clearances, so consecutive greens switch directly, as in SUMO).
    std::map<std::vector<int>, int> phase_of_set;
    v1::SignalPlan plan;
    plan.set_intersection(in.id());
    // SUMO runs a program at cycle position (t - offset) mod cycle for simulation time t, so at
    // greenwave's t = 0 (SUMO's begin) the plan is begin - offset into its cycle.
    const double sumo_offset = xml_.number(program, "offset", 0, -kMaxTime, kMaxTime);
    plan.set_offset(out_.config.begin - sumo_offset);
    double longest_clearance = 0, clearance = 0;
    for (std::size_t p = 0; p < phases.size(); ++p) {
      const double duration = phases[p].attribute("duration").as_double();
      if (is_clearance(p)) {
        clearance += duration;
        longest_clearance = std::max(longest_clearance, clearance);
        if (duration <= 0) continue;
        const int last = plan.stages_size() - 1;
        if (last >= 0 && plan.stages(last).clearance()) {
          plan.mutable_stages(last)->set_duration(plan.stages(last).duration() + duration);
        } else {
          v1::PlanStage* stage = plan.add_stages();
          stage->set_clearance(true);
          stage->set_duration(duration);
        }
        continue;
      }
      clearance = 0;
      std::vector<int> set;
      for (std::size_t local = 0; local < n; ++local)
        if (!always[local] && green(p, local)) set.push_back(static_cast<int>(local));
      auto [slot, fresh] = phase_of_set.emplace(set, in.phases_size());
      if (fresh) {
        v1::Phase* ph = in.add_phases();
        ph->set_name(phases[p].attribute("name") ? phases[p].attribute("name").value() : std::to_string(p));
        for (const int m : set) ph->add_movements(m);
      }
      if (duration > 0) {
        v1::PlanStage* stage = plan.add_stages();
        stage->set_phase(slot->second);
        stage->set_duration(duration);
      }
    }
    // Clearance phases at the end of the cycle precede the first green.
    for (std::size_t p = 0; p < phases.size() && is_clearance(p); ++p) {
      clearance += phases[p].attribute("duration").as_double();
      longest_clearance = std::max(longest_clearance, clearance);
    }
    // A program that starts and ends in clearance: the two are one clearance across the cycle's
    // end, so the leading one joins the trailing one and the plan starts at its first green; the
    // offset moves back by the leading clearance so that the signals keep SUMO's timing.
    const int stages = plan.stages_size();
    if (stages > 1 && plan.stages(0).clearance() && plan.stages(stages - 1).clearance()) {
      const double leading = plan.stages(0).duration();
      plan.mutable_stages(stages - 1)->set_duration(plan.stages(stages - 1).duration() + leading);
      plan.mutable_stages()->erase(plan.mutable_stages()->begin());
      plan.set_offset(plan.offset() - leading);
    }
    // Clearance stages alone (no timed green) make no plan.
    bool timed_green = false;
    for (const auto& stage : plan.stages()) timed_green = timed_green || !stage.clearance();
    if (in.phases_size() < 2) {
      warn_.add("traffic lights with fewer than two green phases imported as unsignalized", tls);
      in.clear_phases();
      for (auto& m : *in.mutable_movements()) m.set_always_green(true);
      return 0;
    }
    in.set_signalized(true);
    out_.links.intersection_tls[in.id()] = tls;
    out_.links.movement_link[in.id()] = std::move(link_of);
    out_.links.state_length[in.id()] = static_cast<std::int32_t>(states.front().size());
    out_.links.program_states[in.id()] = states;
    if (timed_green) *out_.scenario.add_signal_plans() = std::move(plan);
    return longest_clearance;
  }

  const XmlFile& xml_;
  SumoImport& out_;
  Warnings& warn_;
  std::map<std::string, std::size_t> junction_index_;
  std::vector<pugi::xml_node> junction_nodes_;
  std::vector<v1::Intersection> intersections_;
  std::unordered_map<std::string, InternalLane> internal_;
  std::unordered_map<std::string, std::string> internal_next_;
  std::unordered_map<std::string, KeptEdge> edge_;
  std::vector<Link> links_;
  std::map<std::string, pugi::xml_node> programs_;
};

/// A route as road ids, or a distribution of them.
struct RouteChoice {
  std::vector<std::vector<std::string>> routes;
  std::vector<double> weights;  ///< cumulative probabilities, last = total
};

/// Reads vTypes, routes, vehicles, trips and flows of route files onto the scenario's demand.
class DemandReader {
 public:
  DemandReader(SumoImport& out, Warnings& warn, const std::set<std::string>& skipped_edges)
      : out_(out), warn_(warn), rng_(out.config.seed), skipped_edges_(skipped_edges) {
    for (const auto& r : out.scenario.roads()) roads_.insert(r.id());
    // SUMO's default passenger type.
    add_type("DEFAULT_VEHTYPE", 5, 2.5, 2.6, 4.5, 55.55, 1.0);
  }

  void read(const XmlFile& xml) {
    const pugi::xml_node root = xml.root("routes", "additional");
    for (const pugi::xml_node e : root.children()) read_element(xml, e);
  }

  void finish() {
    for (auto& [id, index] : used_types_) {
      (void)index;
      *out_.scenario.mutable_demand()->add_vehicle_types() = types_.at(id);
    }
  }

 private:
  void read_element(const XmlFile& xml, const pugi::xml_node e) {
    const std::string_view name = e.name();
    if (e.type() != pugi::node_element) return;
    if (name == "vType") read_type(xml, e);
    else if (name == "route") routes_[xml.id(e, "id")] = read_route_choice(xml, e);
    else if (name == "routeDistribution") read_distribution(xml, e);
    else if (name == "vehicle" || name == "trip") read_vehicle(xml, e);
    else if (name == "flow") read_flow(xml, e);
    else if (name == "vTypeDistribution") {
      const pugi::xml_node first = e.child("vType");
      if (!first) xml.fail(e, "vTypeDistribution without an inline vType");
      for (const pugi::xml_node t : e.children("vType")) read_type(xml, t);
      type_alias_[xml.id(e, "id")] = xml.id(first, "id");
      warn_.add("vTypeDistributions replaced by their first type", xml.id(e, "id"));
    } else if (name == "person" || name == "personFlow" || name == "container" || name == "containerFlow") {
      warn_.add("pedestrians and containers skipped", e.attribute("id").value());
    } else if (name == "interval") {
      for (const pugi::xml_node c : e.children()) read_element(xml, c);
    } else if (name == "param") {
    } else {
      warn_.add("unsupported route-file elements skipped", "<" + std::string(name) + ">");
    }
  }

  void add_type(const std::string& id, double length, double min_gap, double accel, double decel, double max_speed, double tau) {
    v1::VehicleType t;
    t.set_id(id);
    t.set_length(length);
    t.set_width(1.8);
    t.set_min_gap(min_gap);
    t.set_max_pos_acc(accel);
    t.set_usual_pos_acc(accel);
    t.set_max_neg_acc(decel);
    t.set_usual_neg_acc(decel);
    t.set_max_speed(max_speed);
    t.set_headway_time(tau);
    types_[id] = t;
  }

  void read_type(const XmlFile& xml, const pugi::xml_node e) {
    const std::string id = xml.id(e, "id");
    const std::string vclass = e.attribute("vClass").value();
    if (!vclass.empty() && vclass != "passenger" && vclass != "private") {
      excluded_types_[id] = vclass;
      return;
    }
    add_type(id, xml.number(e, "length", 5, 0.1, kMaxVehicleParameter), xml.number(e, "minGap", 2.5, 0, kMaxVehicleParameter),
             xml.number(e, "accel", 2.6, 1e-3, kMaxVehicleParameter), xml.number(e, "decel", 4.5, 1e-3, kMaxVehicleParameter),
             xml.number(e, "maxSpeed", 55.55, 1e-3, kMaxVehicleParameter), xml.number(e, "tau", 1.0, 0, kMaxVehicleParameter));
    types_[id].set_width(xml.number(e, "width", 1.8, 0.1, kMaxVehicleParameter));
  }

  std::vector<std::string> read_edges(const XmlFile& xml, const pugi::xml_node e, const char* attr) {
    std::vector<std::string> edges = words(xml.str(e, attr));
    if (edges.empty()) xml.fail(e, std::string("attribute '") + attr + "' lists no edges");
    return edges;
  }

  RouteChoice read_route_choice(const XmlFile& xml, const pugi::xml_node e) {
    RouteChoice c;
    c.routes.push_back(read_edges(xml, e, "edges"));
    c.weights.push_back(1);
    return c;
  }

  void read_distribution(const XmlFile& xml, const pugi::xml_node e) {
    RouteChoice c;
    double total = 0;
    for (const pugi::xml_node r : e.children("route")) {
      std::vector<std::string> edges;
      if (r.attribute("edges")) edges = read_edges(xml, r, "edges");
      else {
        const auto it = routes_.find(xml.id(r, "refId"));
        if (it == routes_.end()) xml.fail(r, "unknown route '" + std::string(r.attribute("refId").value()) + "' (refId)");
        edges = it->second.routes.front();
      }
      total += xml.number(r, "probability", 1, 0, 1e9);
      c.routes.push_back(std::move(edges));
      c.weights.push_back(total);
      if (r.attribute("id")) routes_[r.attribute("id").value()] = {{c.routes.back()}, {1}};
    }
    if (c.routes.empty() || total <= 0) xml.fail(e, "route distribution without routes of positive probability");
    routes_[xml.id(e, "id")] = std::move(c);
  }

  /// The route of a vehicle or flow: `route` attribute (id or distribution), inline <route> or
  /// <routeDistribution>, or from/to(/via) for the router. Empty routes + origin/destination set
  /// means "route it"; returns false when an edge is not a kept road (the vehicle is skipped).
  bool resolve_route(const XmlFile& xml, const pugi::xml_node e, RouteChoice& choice, std::string& origin,
                     std::string& destination, std::vector<std::string>& anchors) {
    if (e.attribute("route")) {
      const auto it = routes_.find(e.attribute("route").value());
      if (it == routes_.end()) xml.fail(e, "unknown route '" + std::string(e.attribute("route").value()) + "'");
      choice = it->second;
    } else if (e.child("route")) {
      choice = read_route_choice(xml, e.child("route"));
    } else if (e.child("routeDistribution")) {
      read_distribution(xml, e.child("routeDistribution"));
      choice = routes_.at(e.child("routeDistribution").attribute("id").value());
    } else if (e.attribute("from") || e.attribute("to")) {
      origin = xml.id(e, "from");
      destination = xml.id(e, "to");
      anchors.push_back(origin);
      if (e.attribute("via"))
        for (auto& v : words(e.attribute("via").value())) anchors.push_back(v);
      anchors.push_back(destination);
      for (const auto& a : anchors)
        if (!roads_.count(a)) return unknown_edge(xml, e, a);
      return true;
    } else {
      xml.fail(e, "needs a route: a 'route' attribute, an inline <route>, or 'from' and 'to'");
    }
    for (const auto& r : choice.routes)
      for (const auto& a : r)
        if (!roads_.count(a)) return unknown_edge(xml, e, a);
    return true;
  }

  bool unknown_edge(const XmlFile& xml, const pugi::xml_node e, const std::string& edge) {
    if (!skipped_edges_.count(edge)) xml.fail(e, "unknown edge '" + edge + "'");
    warn_.add("vehicles routed over edges without passenger lanes skipped", e.attribute("id").value());
    return false;
  }

  /// The type of a vehicle or flow, or "" when it is not passenger traffic (counted).
  std::string resolve_type(const XmlFile& xml, const pugi::xml_node e) {
    std::string id = e.attribute("type") ? e.attribute("type").value() : "DEFAULT_VEHTYPE";
    if (const auto a = type_alias_.find(id); a != type_alias_.end()) id = a->second;
    if (const auto x = excluded_types_.find(id); x != excluded_types_.end()) {
      warn_.add("vehicles of non-passenger types skipped", x->second);
      return "";
    }
    if (!types_.count(id)) xml.fail(e, "unknown vehicle type '" + id + "'");
    used_types_.emplace(id, used_types_.size());
    return id;
  }

  /// The simulation time of a SUMO time attribute (shifted by -begin); `fallback` when absent.
  double time_of(const XmlFile& xml, const pugi::xml_node e, const char* a, double fallback) {
    const pugi::xml_attribute at = e.attribute(a);
    if (!at) return fallback;
    const std::string v = at.value();
    if (v == "triggered" || v == "containerTriggered" || v == "split" || v == "now")
      xml.fail(e, std::string("attribute '") + a + "': '" + v + "' departures are not supported");
    return xml.parse_number(e, a, v, -kMaxTime, kMaxTime) - out_.config.begin;
  }

  const std::vector<std::string>& pick(const RouteChoice& c) {
    if (c.routes.size() == 1) return c.routes.front();
    const double u = rng_.uniform() * c.weights.back();
    const auto it = std::upper_bound(c.weights.begin(), c.weights.end(), u);
    return c.routes[static_cast<std::size_t>(std::min<std::ptrdiff_t>(it - c.weights.begin(), static_cast<std::ptrdiff_t>(c.routes.size()) - 1))];
  }

  void add_trip(const std::string& id, const std::string& type, double depart, const std::vector<std::string>& route,
                const std::string& origin, const std::string& destination) {
    v1::Trip* t = out_.scenario.mutable_demand()->add_trips();
    t->set_id(id);
    t->set_vehicle_type(type);
    t->set_depart(depart);
    if (!route.empty()) for (const auto& r : route) t->add_route(r);
    else t->set_origin(origin), t->set_destination(destination);
  }

  void note_stops(const pugi::xml_node e) {
    for (const pugi::xml_node s : e.children("stop")) warn_.add("vehicle stops ignored", e.attribute("id").value()), (void)s;
  }

  void read_vehicle(const XmlFile& xml, const pugi::xml_node e) {
    const std::string id = xml.id(e, "id");
    const std::string type = resolve_type(xml, e);
    if (type.empty()) return;
    const double depart = time_of(xml, e, "depart", 0);
    if (!e.attribute("depart")) xml.fail(e, "missing attribute 'depart'");
    if (depart < 0) {
      warn_.add("vehicles departing before the configured begin skipped", id);
      return;
    }
    RouteChoice choice;
    std::string origin, destination;
    std::vector<std::string> anchors;
    if (!resolve_route(xml, e, choice, origin, destination, anchors)) return;
    note_stops(e);
    if (anchors.size() > 2) add_trip(id, type, depart, anchors, "", "");
    else if (!anchors.empty()) add_trip(id, type, depart, {}, origin, destination);
    else add_trip(id, type, depart, pick(choice), "", "");
  }

  void read_flow(const XmlFile& xml, const pugi::xml_node e) {
    const std::string id = xml.id(e, "id");
    const std::string type = resolve_type(xml, e);
    if (type.empty()) return;
    const double begin = time_of(xml, e, "begin", 0);
    const bool has_number = static_cast<bool>(e.attribute("number"));
    const double number = xml.number(e, "number", 0, 0, 1e9);
    double end = time_of(xml, e, "end", has_number ? -1 : 86400 - out_.config.begin);
    double period = 0;
    double probability = -1;
    if (e.attribute("period")) {
      const std::string p = e.attribute("period").value();
      if (p.rfind("exp(", 0) == 0) xml.fail(e, "attribute 'period': random (exp) periods are not supported");
      period = xml.parse_number(e, "period", p, kMinPeriod, kMaxTime);
    } else if (e.attribute("vehsPerHour")) {
      period = 3600.0 / xml.number(e, "vehsPerHour", 0, 3600.0 / kMaxTime, 3600.0 / kMinPeriod);
    } else if (e.attribute("probability")) {
      probability = xml.number(e, "probability", 0, 0, 1);
    } else if (has_number && e.attribute("end")) {
      if (number <= 0) return;
      period = (end - begin) / number;
      if (period < kMinPeriod) xml.fail(e, "flow of " + num(number) + " vehicles between begin and end is too dense");
    } else {
      xml.fail(e, "needs one of 'period', 'vehsPerHour', 'probability', or 'number' with 'end'");
    }
    if (has_number && period > 0 && !e.attribute("end")) end = begin + number * period;
    if (end < begin) xml.fail(e, "end " + num(end + out_.config.begin) + " is before begin " + num(begin + out_.config.begin));
    RouteChoice choice;
    std::string origin, destination;
    std::vector<std::string> anchors;
    if (!resolve_route(xml, e, choice, origin, destination, anchors)) return;
    note_stops(e);
    const double horizon_end = out_.scenario.settings().horizon();
    if (probability >= 0 || choice.routes.size() > 1) {
      // Per-vehicle draws: expanded here into trips with the scenario's seed.
      const double dt = out_.config.step_length;
      std::int64_t k = 0;
      auto emit = [&](double t) {
        if (++expanded_ > kMaxExpanded) xml.fail(e, "demand expands to more than " + std::to_string(kMaxExpanded) + " vehicles");
        const std::string vid = id + "." + std::to_string(k++);
        if (!anchors.empty()) add_trip(vid, type, t, anchors.size() > 2 ? anchors : std::vector<std::string>{}, origin, destination);
        else add_trip(vid, type, t, pick(choice), "", "");
      };
      const double stop = std::min(end, horizon_end);
      if (probability >= 0) {
        for (double t = std::max(begin, 0.0); t < stop - 1e-9; t += dt)
          if (rng_.uniform() < probability && (!has_number || k < static_cast<std::int64_t>(number))) emit(t);
      } else {
        for (std::int64_t i = 0; begin + static_cast<double>(i) * period < stop - 1e-9; ++i) {
          if (has_number && i >= static_cast<std::int64_t>(number)) break;
          const double t = begin + static_cast<double>(i) * period;
          if (t >= 0) emit(t);
          else ++k;  // before the configured begin: never inserted, but it keeps its number
        }
      }
      return;
    }
    // A regular flow: SUMO emits at begin + i*period while < end (and i < number).
    std::int64_t count = static_cast<std::int64_t>(std::ceil((end - begin) / period - 1e-9));
    if (has_number) count = std::min(count, static_cast<std::int64_t>(number));
    // Vehicles before the configured begin are never inserted by SUMO: start at the first one after.
    const double first = begin < 0 ? std::ceil(-begin / period - 1e-9) : 0;
    if (count <= 0 || first >= static_cast<double>(count)) return;
    v1::Flow* f = out_.scenario.mutable_demand()->add_flows();
    f->set_id(id);
    f->set_vehicle_type(type);
    if (anchors.size() > 2 || anchors.empty()) for (const auto& r : anchors.empty() ? choice.routes.front() : anchors) f->add_route(r);
    else f->set_origin(origin), f->set_destination(destination);
    f->set_interval(period);
    f->set_start(begin + first * period);
    f->set_end(begin + static_cast<double>(count - 1) * period);
  }

  SumoImport& out_;
  Warnings& warn_;
  Rng rng_;
  std::set<std::string> roads_;
  std::map<std::string, v1::VehicleType> types_;
  std::map<std::string, std::string> excluded_types_;
  std::map<std::string, std::string> type_alias_;
  std::map<std::string, std::size_t> used_types_;
  std::map<std::string, RouteChoice> routes_;
  std::int64_t expanded_ = 0;
  const std::set<std::string>& skipped_edges_;
};

}  // namespace

SumoConfig parse_sumo_config(std::string_view text, const std::string& file) {
  const XmlFile xml(text, file);
  const pugi::xml_node root = xml.root("configuration", "sumoConfiguration");
  SumoConfig c;
  const std::filesystem::path dir = std::filesystem::path(file).parent_path();
  auto resolve = [&](const std::string& p) { return std::filesystem::path(p).is_absolute() ? p : (dir / p).string(); };
  // Options are <section><name value="..."/></section>; the section is not significant to SUMO.
  for (const pugi::xml_node section : root.children()) {
    for (const pugi::xml_node o : section.children()) {
      const std::string_view name = o.name();
      if (o.type() != pugi::node_element) continue;
      if (name == "net-file") c.net_file = resolve(xml.id(o, "value"));
      else if (name == "route-files")
        for (const auto& f : words(xml.str(o, "value"))) c.route_files.push_back(resolve(f));
      else if (name == "begin") c.begin = xml.required_number(o, "value", 0, kMaxTime);
      else if (name == "end") c.end = xml.required_number(o, "value", -1, kMaxTime);
      else if (name == "step-length") c.step_length = xml.required_number(o, "value", 1e-3, 10);
      else if (name == "seed") c.seed = static_cast<std::uint64_t>(xml.required_number(o, "value", 0, 9e15));
      else if (name == "additional-files") xml.fail(o, "additional files are not supported (detectors, stops, programs)");
    }
  }
  if (c.net_file.empty()) xml.fail(root, "no <net-file> in <input>");
  if (c.end >= 0 && c.end <= c.begin) xml.fail(root, "end " + num(c.end) + " is not after begin " + num(c.begin));
  return c;
}

SumoImport parse_sumo(std::string_view net_text, const std::string& net_file,
                      const std::vector<std::pair<std::string, std::string>>& route_texts, const SumoConfig& config) {
  SumoImport out;
  out.config = config;
  Warnings warn;
  v1::RunSettings* s = out.scenario.mutable_settings();
  s->set_dt(config.step_length);
  s->set_horizon(config.end >= 0 ? config.end - config.begin : 3600);
  s->set_seed(config.seed);
  if (std::fmod(10.0, config.step_length) != 0) s->set_action_interval(config.step_length * std::ceil(10.0 / config.step_length));
  std::set<std::string> skipped_edges;
  {
    const XmlFile net(net_text, net_file);
    NetReader reader(net, out, warn);
    reader.read();
    skipped_edges = std::move(reader.skipped_edges);
  }
  DemandReader demand(out, warn, skipped_edges);
  for (const auto& [file, text] : route_texts) demand.read(XmlFile(text, file));
  demand.finish();
  out.warnings = warn.lines();
  return out;
}

SumoImport import_sumo_full(const std::string& path, const std::string& route_path) {
  SumoConfig config;
  const bool is_net = path.size() >= 8 && path.compare(path.size() - 8, 8, ".net.xml") == 0;
  if (is_net) {
    config.net_file = path;
  } else {
    config = parse_sumo_config(detail::read_text_file(path), path);
  }
  if (!route_path.empty()) config.route_files = {route_path};
  std::vector<std::pair<std::string, std::string>> routes;
  for (const auto& f : config.route_files) routes.emplace_back(f, detail::read_text_file(f));
  SumoImport out = parse_sumo(detail::read_text_file(config.net_file), config.net_file, routes, config);
  out.scenario.set_name(std::filesystem::path(path).stem().stem().string());
  return out;
}

v1::Scenario import_sumo(const std::string& path, const std::string& route_path) {
  SumoImport in = import_sumo_full(path, route_path);
  for (const auto& w : in.warnings) warn(path + ": " + w);
  return std::move(in.scenario);
}

}  // namespace greenwave
