// CBEngine (City Brain Challenge, KDD Cup 2021) roadnet.txt + flow.txt (+ simulator .cfg) onto
// the native schema; the mapping is documented in docs/scenario-format.md, "CBEngine".
#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <exception>
#include <map>
#include <mutex>
#include <numbers>
#include <set>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>

#include "four_leg.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/core/phase_timing.hpp"
#include "greenwave/core/warning.hpp"
#include "greenwave/networks/importers.hpp"
#include "text_file.hpp"

namespace greenwave {
namespace {

// Bounds that turn absurd values into errors before they reach memory or the simulator.
constexpr std::int64_t kMaxId = 90'000'000'000'000'000;  // road*100+k must fit in int64
constexpr int kMaxLanes = 99;                              // lane index k < 100 in road*100+k
constexpr double kMaxLength = 1e6;                         // metres
constexpr double kMaxSpeed = 200;                          // m/s
constexpr double kMaxTime = 1e7;                           // seconds (115 days)
constexpr double kMinInterval = 1e-3;                      // seconds
constexpr double kEarthRadius = 6'371'000;                 // metres

/// One non-empty line of a CBEngine file, split at whitespace, with "//" comments removed.
struct Line {
  int number = 0;
  std::span<const std::string_view> tokens;  ///< into the Reader's token array
};

/// Reads a CBEngine text file record by record; every error names file, line, token and the
/// expectation. Count fields are checked against the lines left before anything is reserved.
class Reader {
 public:
  Reader(std::string_view text, const std::string& file) : file_(file) {
    // All tokens in one array (one allocation, not one per line); lines get their spans after.
    std::vector<std::pair<int, std::size_t>> line_starts;  // (line number, first token)
    line_starts.reserve(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
    // At most one token per two bytes: reserving that never reallocates, and the pages of the
    // reservation that stay unused are never touched.
    tokens_.reserve(text.size() / 2 + 1);
    int number = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      std::string_view row = text.substr(pos, end - pos);
      pos = end + 1;
      ++number;
      if (const auto comment = row.find("//"); comment != std::string_view::npos) row = row.substr(0, comment);
      const std::size_t first = tokens_.size();
      std::size_t i = 0;
      while (i < row.size()) {
        while (i < row.size() && is_space(row[i])) ++i;
        const std::size_t start = i;
        while (i < row.size() && !is_space(row[i])) ++i;
        if (i > start) tokens_.push_back(row.substr(start, i - start));
      }
      if (tokens_.size() > first) line_starts.emplace_back(number, first);
    }
    lines_.reserve(line_starts.size());
    for (std::size_t l = 0; l < line_starts.size(); ++l) {
      const std::size_t first = line_starts[l].second;
      const std::size_t last = l + 1 < line_starts.size() ? line_starts[l + 1].second : tokens_.size();
      lines_.push_back({line_starts[l].first, std::span<const std::string_view>(tokens_.data() + first, last - first)});
    }
  }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  /// The file name used in errors.
  const std::string& file() const { return file_; }
  /// Non-empty lines not yet read.
  std::size_t remaining() const { return lines_.size() - next_; }

  /// The next record, which must have exactly `fields` tokens described by `what`.
  const Line& record(std::size_t fields, const std::string& what) {
    if (next_ == lines_.size())
      throw ScenarioError(file_, "line " + std::to_string(last_line() + 1), "unexpected end of file, expected " + what);
    const Line& line = lines_[next_++];
    if (line.tokens.size() != fields)
      throw error(line, "found " + std::to_string(line.tokens.size()) + " field(s), expected " + std::to_string(fields) +
                            " (" + what + ")");
    return line;
  }

  /// The record `ahead` lines after the next one, checked as record() checks it, without moving
  /// (so records known to be there can be read in parallel); skip() then moves past them.
  /// `what()` describes the record, called only for the error.
  template <class What>
  const Line& record_ahead(std::size_t ahead, std::size_t fields, const What& what) const {
    const Line& line = lines_.at(next_ + ahead);
    if (line.tokens.size() != fields)
      throw error(line, "found " + std::to_string(line.tokens.size()) + " field(s), expected " + std::to_string(fields) +
                            " (" + what() + ")");
    return line;
  }
  /// Moves past `count` records (read with record_ahead).
  void skip(std::size_t count) { next_ = std::min(lines_.size(), next_ + count); }

  /// A count record (one integer) for `per_item` lines each of `what`, checked against the file.
  std::int64_t count(const std::string& what, std::int64_t min, std::size_t per_item) {
    const Line& line = record(1, "the number of " + what);
    const std::int64_t n = integer(line, 0, "number of " + what, min, kMaxId);
    if (static_cast<std::uint64_t>(n) > remaining() / per_item)
      throw error(line, "count " + std::to_string(n) + " of " + what + " needs " + std::to_string(n) + " x " +
                            std::to_string(per_item) + " line(s) but only " + std::to_string(remaining()) +
                            " are left (truncated file or wrong count)");
    return n;
  }

  /// Token k of `line` as an integer in [min, max].
  std::int64_t integer(const Line& line, std::size_t k, std::string_view what, std::int64_t min, std::int64_t max) const {
    const std::string_view tok = line.tokens[k];
    std::int64_t value = 0;
    const auto [ptr, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), value);
    if (ec == std::errc::result_out_of_range || (ec == std::errc() && ptr == tok.data() + tok.size() && (value < min || value > max)))
      throw error(line, "'" + std::string(tok) + "' is out of range for " + std::string(what) + ", expected " +
                            std::to_string(min) + ".." + std::to_string(max));
    if (ec != std::errc() || ptr != tok.data() + tok.size())
      throw error(line, "'" + std::string(tok) + "' is not an integer, expected " + std::string(what));
    return value;
  }

  /// Token k of `line` as a finite number in [min, max] (`min` excluded when `open_min`).
  double real(const Line& line, std::size_t k, std::string_view what, double min, double max, bool open_min = false) const {
    const std::string_view tok = line.tokens[k];
    double value = 0;
    const auto [ptr, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), value);
    if (ec != std::errc() || ptr != tok.data() + tok.size() || !std::isfinite(value)) {
      if (ec == std::errc::result_out_of_range)
        throw error(line, "'" + std::string(tok) + "' is out of range for " + std::string(what));
      throw error(line, "'" + std::string(tok) + "' is not a finite number, expected " + std::string(what));
    }
    if (value < min || value > max || (open_min && value == min))
      throw error(line, "'" + std::string(tok) + "' is out of range for " + std::string(what) + ", expected " +
                            (open_min ? "> " : ">= ") + format(min) + " and <= " + format(max));
    return value;
  }

  /// Fails unless every line has been read.
  void expect_end(const std::string& after) {
    if (next_ < lines_.size())
      throw error(lines_[next_], "unexpected '" + std::string(lines_[next_].tokens[0]) + "' after " + after +
                                     ", expected end of file (a count is too small?)");
  }

  /// A ScenarioError at `line`.
  ScenarioError error(const Line& line, const std::string& what) const {
    return ScenarioError(file_, "line " + std::to_string(line.number), what);
  }

 private:
  static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }
  static std::string format(double v) {
    std::string s = std::to_string(v);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  }
  int last_line() const { return lines_.empty() ? 0 : lines_.back().number; }

  std::string file_;
  std::vector<std::string_view> tokens_;
  std::vector<Line> lines_;
  std::size_t next_ = 0;
};

/// A road direction as read, before the intersections are built.
struct RoadInfo {
  int index;        // in scenario.roads
  int from;         // intersection index
  int to;
  std::string reverse;
  std::vector<std::uint8_t> lane_turns;  // TurnBits per lane
};

/// An intersection as read.
struct InterInfo {
  std::string id;
  double lat;
  double lon;
  bool signalized;
  int line;
  std::array<std::string, 4> signal;  // exiting road per leg ("" missing); set by the signal block
  bool has_signal = false;
};

/// Reads one direction's lane line: 3 digits (left, through, right) per lane.
std::vector<std::uint8_t> read_lane_turns(Reader& in, int lanes, const std::string& road) {
  const std::string what = "3 digits 0/1 (left through right) per lane of road " + road;
  const Line& line = in.record(static_cast<std::size_t>(3 * lanes), what);
  std::vector<std::uint8_t> turns(static_cast<std::size_t>(lanes), 0);
  constexpr std::uint8_t kBits[3] = {detail::kLeftBit, detail::kThroughBit, detail::kRightBit};
  for (int k = 0; k < 3 * lanes; ++k) {
    const std::string_view tok = line.tokens[static_cast<std::size_t>(k)];
    // "0" and "1" directly; anything else gets integer()'s error (built only then).
    const bool on = tok == "1" || (tok != "0" && in.integer(line, static_cast<std::size_t>(k),
                                                             "a permission digit of road " + road + " (0 or 1)", 0, 1) == 1);
    if (on) turns[static_cast<std::size_t>(k / 3)] |= kBits[k % 3];
  }
  return turns;
}

/// Turn type from the heading change (degrees, counter-clockwise positive) at a junction.
v1::Turn classify_turn(double in_heading, double out_heading) {
  double delta = std::remainder(out_heading - in_heading, 2 * std::numbers::pi) * 180 / std::numbers::pi;
  if (std::abs(delta) < 45) return v1::TURN_STRAIGHT;
  return delta > 0 ? v1::TURN_LEFT : v1::TURN_RIGHT;
}

/// Movements of an unsignalized junction that has no signal record: every incoming road to
/// every outgoing road except its own reverse (in_roads, out_roads: the roads ending and starting
/// at `node`, in road order), turn type from the geometry, all always green.
void build_junction(v1::Intersection& inter, int node, const std::vector<int>& in_roads, const std::vector<int>& out_roads,
                    const std::vector<RoadInfo>& info, const v1::Scenario& s, const std::vector<v1::Point>& pos) {
  int widest = 1;
  for (const auto* roads : {&in_roads, &out_roads})
    for (int r : *roads) widest = std::max(widest, s.roads(r).lanes_size());
  const double box = detail::box_side(widest);
  inter.set_width(box);
  auto heading = [&](int from, int to) { return std::atan2(pos[to].y() - pos[from].y(), pos[to].x() - pos[from].x()); };
  auto unit = [&](int from, int to) {
    const double angle = heading(from, to);
    return detail::Heading{std::cos(angle), std::sin(angle)};
  };
  for (int a : in_roads) {
    for (int b : out_roads) {
      if (s.roads(b).id() == info[a].reverse) continue;
      const v1::Turn turn = classify_turn(heading(info[a].from, node), heading(node, info[b].to));
      const std::uint8_t bit = turn == v1::TURN_LEFT ? detail::kLeftBit
                               : turn == v1::TURN_RIGHT ? detail::kRightBit : detail::kThroughBit;
      std::vector<int> lanes;
      for (int k = 0; k < static_cast<int>(info[a].lane_turns.size()); ++k)
        if (info[a].lane_turns[k] & bit) lanes.push_back(k);
      // The geometry may call a bend a turn that no lane marks; then every lane may take it.
      if (lanes.empty())
        for (int k = 0; k < s.roads(a).lanes_size(); ++k) lanes.push_back(k);
      for (int k : lanes) {
        for (int to_lane = 0; to_lane < s.roads(b).lanes_size(); ++to_lane) {
          v1::Movement* m = inter.add_movements();
          m->set_from_road(s.roads(a).id());
          m->set_from_lane(k);
          m->set_to_road(s.roads(b).id());
          m->set_to_lane(to_lane);
          m->set_turn(turn);
          m->set_length(detail::movement_length(turn, box));
          detail::draw_path(unit(info[a].from, node), k, unit(node, info[b].to), to_lane, box, *m, pos[node]);
          m->set_always_green(true);
        }
      }
    }
  }
}

/// Key/value pairs of a CBEngine simulator .cfg ("key = value" or "key : value", '#' comments).
std::map<std::string, std::pair<std::string, int>> read_cfg(const std::string& path) {
  const std::string text = detail::read_text_file(path);
  std::map<std::string, std::pair<std::string, int>> out;
  std::size_t pos = 0;
  int number = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string row = text.substr(pos, end - pos);
    pos = end + 1;
    ++number;
    if (const auto hash = row.find('#'); hash != std::string::npos) row.erase(hash);
    const auto first = row.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    const auto sep = row.find_first_of("=:");
    if (sep == std::string::npos)
      throw ScenarioError(path, "line " + std::to_string(number),
                          "'" + row.substr(first) + "' is not a setting, expected 'key = value' or 'key : value'");
    auto trim = [](std::string s) {
      const auto b = s.find_first_not_of(" \t\r");
      const auto e = s.find_last_not_of(" \t\r");
      return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    };
    out[trim(row.substr(0, sep))] = {trim(row.substr(sep + 1)), number};
  }
  if (out.empty()) throw ScenarioError(path, "", "empty file, expected road_file_addr and vehicle_file_addr");
  return out;
}

/// A path named in a .cfg: relative to the .cfg's folder, else to the working directory. A path
/// that does not exist there (the competition's starter kit names absolute paths of another
/// machine) is looked up by its file name beside the .cfg, in a data/ folder beside it and in a
/// data/ folder beside the .cfg's folder, with a warning.
std::string resolve_cfg_path(const std::string& cfg, const std::string& key, const std::pair<std::string, int>& value) {
  namespace fs = std::filesystem;
  const fs::path p(value.first);
  const fs::path dir = fs::path(cfg).parent_path();
  std::error_code ec;
  std::vector<fs::path> tried;
  if (p.is_absolute()) {
    tried.push_back(p);
  } else {
    tried.push_back(dir / p);
    tried.push_back(p);
  }
  for (const fs::path& candidate : tried)
    if (fs::exists(candidate, ec)) return candidate.string();
  const fs::path name = p.filename();
  const size_t named = tried.size();
  if (!name.empty()) {
    tried.push_back(dir / name);
    tried.push_back(dir / "data" / name);
    tried.push_back(dir / ".." / "data" / name);
  }
  for (size_t i = named; i < tried.size(); ++i) {
    if (!fs::exists(tried[i], ec)) continue;
    warn(cfg + ":line " + std::to_string(value.second) + ": " + key + " '" + value.first + "' does not exist; using " +
         tried[i].lexically_normal().string());
    return tried[i].string();
  }
  std::string looked;
  for (const fs::path& candidate : tried) looked += (looked.empty() ? "" : ", ") + candidate.lexically_normal().string();
  throw ScenarioError(cfg, "line " + std::to_string(value.second),
                      key + " '" + value.first + "' not found (looked in " + looked + ")");
}

/// Seconds of a numeric .cfg setting, or `fallback` when absent.
double cfg_seconds(const std::string& cfg, const std::map<std::string, std::pair<std::string, int>>& kv,
                   const std::string& key, double fallback) {
  const auto it = kv.find(key);
  if (it == kv.end()) return fallback;
  const std::string& v = it->second.first;
  double x = 0;
  const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc() || ptr != v.data() + v.size() || !std::isfinite(x) || x < 0 || x > kMaxTime)
    throw ScenarioError(cfg, "line " + std::to_string(it->second.second),
                        "'" + v + "' is not valid for " + key + ", expected seconds in 0..1e7");
  return x;
}

/// What the blocks of a roadnet file read so far hold, for the blocks after them.
struct RoadnetBlocks {
  std::vector<InterInfo> inters;
  std::unordered_map<std::string, int> inter_index;  ///< intersection id -> index in inters
  std::vector<RoadInfo> info;                        ///< per road of the scenario, in order
  std::unordered_map<std::string, int> road_index;   ///< road id -> index in info

  /// The index of the intersection whose id is field k of `line`.
  int find_inter(Reader& in, const Line& line, std::size_t k, const char* what) const {
    const std::string id = std::to_string(in.integer(line, k, what, 0, kMaxId));
    const auto it = inter_index.find(id);
    if (it == inter_index.end()) throw in.error(line, std::string(what) + " '" + id + "' is not in the intersection block");
    return it->second;
  }
};

/// The intersection block: a count, then one record per intersection.
void read_intersection_block(Reader& in, RoadnetBlocks& b) {
  const std::int64_t n_inter = in.count("intersections", 1, 1);
  b.inters.reserve(static_cast<std::size_t>(n_inter));
  for (std::int64_t i = 0; i < n_inter; ++i) {
    const Line& line = in.record(4, "latitude longitude inter_id signalized(0/1)");
    InterInfo x;
    x.lat = in.real(line, 0, "latitude", -90, 90);
    x.lon = in.real(line, 1, "longitude", -180, 180);
    x.id = std::to_string(in.integer(line, 2, "intersection id", 0, kMaxId));
    x.signalized = in.integer(line, 3, "signalized flag (0 or 1)", 0, 1) == 1;
    x.line = line.number;
    if (!b.inter_index.emplace(x.id, static_cast<int>(b.inters.size())).second)
      throw in.error(line, "duplicate intersection id '" + x.id + "'");
    b.inters.push_back(std::move(x));
  }
}

/// The road block: a count, then per segment one record and each direction's lane turns; adds two
/// roads (one per direction) to the scenario.
void read_road_block(Reader& in, RoadnetBlocks& b, v1::Scenario& s) {
  const std::int64_t n_seg = in.count("road segments", 1, 3);
  b.info.reserve(static_cast<std::size_t>(2 * n_seg));
  for (std::int64_t i = 0; i < n_seg; ++i) {
    const Line& line = in.record(8, "from_inter to_inter length speed_limit dir1_lanes dir2_lanes dir1_id dir2_id");
    const int from = b.find_inter(in, line, 0, "from_inter");
    const int to = b.find_inter(in, line, 1, "to_inter");
    if (from == to) throw in.error(line, "road segment starts and ends at intersection '" + b.inters[from].id + "'");
    const double length = in.real(line, 2, "length in metres", 0, kMaxLength, true);
    const double speed = in.real(line, 3, "speed limit in m/s", 0, kMaxSpeed, true);
    const int lanes[2] = {static_cast<int>(in.integer(line, 4, "dir1 lane count", 1, kMaxLanes)),
                          static_cast<int>(in.integer(line, 5, "dir2 lane count", 1, kMaxLanes))};
    const std::string ids[2] = {std::to_string(in.integer(line, 6, "dir1 road id", 0, kMaxId)),
                                std::to_string(in.integer(line, 7, "dir2 road id", 0, kMaxId))};
    if (ids[0] == ids[1]) throw in.error(line, "both directions have road id '" + ids[0] + "'");
    for (int d = 0; d < 2; ++d) {
      if (!b.road_index.emplace(ids[d], s.roads_size()).second) throw in.error(line, "duplicate road id '" + ids[d] + "'");
      v1::Road* road = s.add_roads();
      road->set_id(ids[d]);
      road->set_from_intersection(b.inters[d == 0 ? from : to].id);
      road->set_to_intersection(b.inters[d == 0 ? to : from].id);
      road->set_length(length);
      for (int k = 0; k < lanes[d]; ++k) {
        v1::Lane* lane = road->add_lanes();
        lane->set_width(detail::kLaneWidth);
        lane->set_speed_limit(speed);
      }
      b.info.push_back({s.roads_size() - 1, d == 0 ? from : to, d == 0 ? to : from, ids[1 - d], {}});
    }
    for (int d = 0; d < 2; ++d)
      b.info[b.info.size() - 2 + static_cast<std::size_t>(d)].lane_turns = read_lane_turns(in, lanes[d], ids[d]);
  }
}

/// The signal block: a count, then per signalized intersection the exiting road of each leg,
/// north first, clockwise; the file must end after it.
void read_signal_block(Reader& in, RoadnetBlocks& b) {
  const std::int64_t n_sig = in.count("signal records", 0, 1);
  for (std::int64_t i = 0; i < n_sig; ++i) {
    const Line& line = in.record(5, "inter_id and the exiting road id of the N, E, S, W legs (-1 = missing)");
    const int node = b.find_inter(in, line, 0, "signal inter_id");
    InterInfo& x = b.inters[node];
    if (x.has_signal) throw in.error(line, "second signal record for intersection '" + x.id + "'");
    x.has_signal = true;
    for (int leg = 0; leg < 4; ++leg) {
      const std::int64_t r = in.integer(line, 1 + static_cast<std::size_t>(leg), "road id or -1", -1, kMaxId);
      if (r == -1) continue;
      const std::string id = std::to_string(r);
      const auto it = b.road_index.find(id);
      if (it == b.road_index.end()) throw in.error(line, "road '" + id + "' is not in the road block");
      if (b.info[it->second].from != node)
        throw in.error(line, "road '" + id + "' does not leave intersection '" + x.id + "', expected the exiting road of each leg");
      for (int other = 0; other < leg; ++other)
        if (x.signal[other] == id) throw in.error(line, "road '" + id + "' is named for two legs");
      x.signal[leg] = id;
    }
  }
  in.expect_end("the signal block");
}

/// The scenario's intersections: 4-leg ones from the signal block, junctions from the geometry,
/// dead ends as boundaries; positions in metres from the first intersection (equirectangular).
/// Each intersection's movements are drawn in parallel (each writes only its own message).
void build_intersections(const RoadnetBlocks& b, const std::string& file, v1::Scenario& s) {
  const std::vector<InterInfo>& inters = b.inters;
  std::vector<v1::Point> pos(inters.size());
  const double lat0 = inters[0].lat * std::numbers::pi / 180;
  for (std::size_t i = 0; i < inters.size(); ++i) {
    pos[i].set_x(kEarthRadius * (inters[i].lon - inters[0].lon) * std::numbers::pi / 180 * std::cos(lat0));
    pos[i].set_y(kEarthRadius * (inters[i].lat - inters[0].lat) * std::numbers::pi / 180);
  }
  std::vector<std::set<int>> neighbours(inters.size());
  std::vector<std::vector<int>> in_roads(inters.size()), out_roads(inters.size());
  for (int r = 0; r < static_cast<int>(b.info.size()); ++r) {
    const RoadInfo& info = b.info[static_cast<std::size_t>(r)];
    neighbours[static_cast<std::size_t>(info.from)].insert(info.to);
    in_roads[static_cast<std::size_t>(info.to)].push_back(r);
    out_roads[static_cast<std::size_t>(info.from)].push_back(r);
  }
  for (std::size_t i = 0; i < inters.size(); ++i) {
    const InterInfo& x = inters[i];
    if (x.signalized && !x.has_signal)
      throw ScenarioError(file, "line " + std::to_string(x.line),
                          "intersection '" + x.id + "' is signalized but has no record in the signal block");
    v1::Intersection* inter = s.add_intersections();
    inter->set_id(x.id);
    *inter->mutable_position() = pos[i];
  }
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, inters.size()), [&](const tbb::blocked_range<std::size_t>& range) {
    for (std::size_t i = range.begin(); i != range.end(); ++i) {
      const InterInfo& x = inters[i];
      v1::Intersection& inter = *s.mutable_intersections(static_cast<int>(i));
      if (x.has_signal) {
        std::array<detail::Approach, 4> approaches;
        for (int leg = 0; leg < 4; ++leg) {
          if (x.signal[leg].empty()) continue;
          const RoadInfo& out = b.info[b.road_index.at(x.signal[leg])];
          const RoadInfo& back = b.info[b.road_index.at(out.reverse)];
          approaches[leg] = {&s.roads(back.index), &s.roads(out.index), back.lane_turns};
        }
        detail::build_four_leg(approaches, x.signalized, inter);
      } else if (neighbours[i].size() <= 1) {
        inter.set_boundary(true);
      } else {
        build_junction(inter, static_cast<int>(i), in_roads[i], out_roads[i], b.info, s, pos);
      }
    }
  });
}

/// What a flow's route is checked against: roads by the integer of their id, where each starts and
/// ends (intersection indices), and the roads each may turn into. Flat arrays and one open-addressed
/// table, as it is looked up once per route entry (hundreds of thousands of times in a city).
class FlowNetwork {
 public:
  /// Indexes the roads and the movements of `s`.
  explicit FlowNetwork(const v1::Scenario& s) {
    const auto n = static_cast<std::size_t>(s.roads_size());
    slots_.assign(std::bit_ceil(2 * n + 1), {-1, -1});
    std::unordered_map<std::string_view, int> road_by_id, inter_by_id;
    for (int i = 0; i < s.intersections_size(); ++i) inter_by_id.emplace(s.intersections(i).id(), i);
    // An intersection id that no intersection has still gets its own index (roads meet by id).
    int next_inter = s.intersections_size();
    const auto inter = [&](const std::string& id) {
      const auto [it, added] = inter_by_id.try_emplace(id, next_inter);
      if (added) ++next_inter;
      return it->second;
    };
    from_.resize(n);
    to_.resize(n);
    ids_.reserve(n);
    for (int r = 0; r < static_cast<int>(n); ++r) {
      const v1::Road& road = s.roads(r);
      const std::string& id = road.id();
      ids_.push_back(id);
      road_by_id.emplace(id, r);
      std::int64_t value = 0;
      const auto [ptr, ec] = std::from_chars(id.data(), id.data() + id.size(), value);
      if (ec == std::errc() && ptr == id.data() + id.size() && value >= 0 && std::to_string(value) == id) insert(value, r);
      from_[static_cast<std::size_t>(r)] = inter(road.from_intersection());
      to_[static_cast<std::size_t>(r)] = inter(road.to_intersection());
    }
    std::vector<std::pair<int, int>> turns;
    for (const v1::Intersection& x : s.intersections())
      for (const v1::Movement& m : x.movements()) {
        const auto from = road_by_id.find(m.from_road());
        const auto to = road_by_id.find(m.to_road());
        if (from != road_by_id.end() && to != road_by_id.end()) turns.emplace_back(from->second, to->second);
      }
    std::sort(turns.begin(), turns.end());
    turns.erase(std::unique(turns.begin(), turns.end()), turns.end());
    next_begin_.assign(n + 1, 0);
    for (const auto& [from, to] : turns) ++next_begin_[static_cast<std::size_t>(from) + 1];
    for (std::size_t r = 0; r < n; ++r) next_begin_[r + 1] += next_begin_[r];
    for (const auto& turn : turns) next_.push_back(turn.second);
  }

  /// The index of the road whose id is `number` written in decimal, or -1.
  int find(std::int64_t number) const {
    for (std::size_t i = hash(number);; i = (i + 1) & (slots_.size() - 1)) {
      if (slots_[i].first == number) return slots_[i].second;
      if (slots_[i].first < 0) return -1;
    }
  }
  /// The id of road r.
  const std::string& id(int r) const { return ids_[static_cast<std::size_t>(r)]; }
  /// True when road b starts where road a ends.
  bool meet(int a, int b) const { return to_[static_cast<std::size_t>(a)] == from_[static_cast<std::size_t>(b)]; }
  /// True when a movement leads from road a into road b.
  bool turns(int a, int b) const {
    const auto first = next_.begin() + next_begin_[static_cast<std::size_t>(a)];
    const auto last = next_.begin() + next_begin_[static_cast<std::size_t>(a) + 1];
    return std::find(first, last, b) != last;
  }

 private:
  std::size_t hash(std::int64_t number) const {
    return static_cast<std::size_t>((static_cast<std::uint64_t>(number) * 0x9E3779B97F4A7C15ULL) >> 20) & (slots_.size() - 1);
  }
  void insert(std::int64_t number, int road) {
    std::size_t i = hash(number);
    while (slots_[i].first >= 0 && slots_[i].first != number) i = (i + 1) & (slots_.size() - 1);
    slots_[i] = {number, road};
  }

  std::vector<std::pair<std::int64_t, int>> slots_;  ///< (id number, road index); -1: empty
  std::vector<std::string> ids_;                     ///< per road, its id (side by side, not one message each)
  std::vector<int> from_, to_;                       ///< per road, the index of its intersection id
  std::vector<int> next_begin_, next_;               ///< per road, the roads it turns into
};

/// Flow `f` of a flow.txt: its three records `at` records ahead of `in`'s next one, into `flow`
/// (id flow_<index>), its route checked against the road network and its permitted turns.
void read_cbengine_flow(const Reader& in, std::size_t at, std::int64_t f, const FlowNetwork& roads,
                        const v1::Scenario& scenario, v1::Flow& flow, std::int64_t index) {
  const auto name = [f] { return "flow " + std::to_string(f); };
  const Line& times = in.record_ahead(at, 3, [&] { return "start_time end_time interval of " + name(); });
  const double start = in.real(times, 0, "start_time", 0, kMaxTime);
  const double end = in.real(times, 1, "end_time", start, kMaxTime);
  const double interval = in.real(times, 2, "interval", kMinInterval, kMaxTime);
  const Line& k_line = in.record_ahead(at + 1, 1, [&] { return "the route length of " + name(); });
  const std::int64_t k = in.integer(k_line, 0, "route length of " + name(), 1, static_cast<std::int64_t>(1) << 20);
  const Line& route = in.record_ahead(at + 2, static_cast<std::size_t>(k),
                                      [&] { return std::to_string(k) + " road ids (route of " + name() + ")"; });
  flow.set_id("flow_" + std::to_string(index));
  flow.set_vehicle_type("default");
  flow.set_start(start);
  flow.set_end(end);
  flow.set_interval(interval);
  flow.mutable_route()->Reserve(static_cast<int>(k));
  int prev = -1;
  for (std::int64_t i = 0; i < k; ++i) {
    const std::int64_t value = in.integer(route, static_cast<std::size_t>(i), "road id", 0, kMaxId);
    const int road = roads.find(value);
    if (road < 0) throw in.error(route, "road '" + std::to_string(value) + "' of " + name() + " is not in the road network");
    if (prev >= 0) {
      if (!roads.meet(prev, road))
        throw in.error(route, "road '" + roads.id(road) + "' of " + name() + " does not start where road '" + roads.id(prev) +
                                  "' ends (intersection '" + scenario.roads(prev).to_intersection() + "')");
      if (!roads.turns(prev, road))
        throw in.error(route, "no lane of road '" + roads.id(prev) + "' may turn into road '" + roads.id(road) + "' (" +
                                  name() + "), expected a route along permitted movements");
    }
    flow.add_route(roads.id(road));
    prev = road;
  }
}

}  // namespace

v1::Scenario parse_cbengine_roadnet(std::string_view text, const std::string& file) {
  const ScopedPhase phase("parse roadnet");
  Reader in(text, file);
  if (in.remaining() == 0) throw ScenarioError(file, "", "empty file, expected the number of intersections");
  v1::Scenario s;
  s.set_name(std::filesystem::path(file).stem().string());
  RoadnetBlocks blocks;
  read_intersection_block(in, blocks);
  read_road_block(in, blocks, s);
  read_signal_block(in, blocks);
  build_intersections(blocks, file, s);
  v1::RunSettings* settings = s.mutable_settings();
  settings->set_dt(1);
  settings->set_action_interval(10);
  settings->set_yellow(5);
  settings->set_horizon(3600);
  return s;
}

void parse_cbengine_flow(std::string_view text, const std::string& file, v1::Scenario& scenario) {
  const ScopedPhase phase("parse flows");
  Reader in(text, file);
  if (in.remaining() == 0) throw ScenarioError(file, "", "empty file, expected the number of flows");
  // Roads by the integer a flow names (the id is that integer's decimal form, as the roadnet
  // reader writes it), and the permitted (from road, to road) turns.
  const FlowNetwork roads(scenario);
  double top_speed = 0;
  for (const v1::Road& road : scenario.roads())
    for (const v1::Lane& lane : road.lanes()) top_speed = std::max(top_speed, lane.speed_limit());

  const std::int64_t n = in.count("flows", 0, 3);
  v1::Demand* demand = scenario.mutable_demand();
  const int first = demand->flows_size();
  demand->mutable_flows()->Reserve(first + static_cast<int>(n));
  for (std::int64_t f = 0; f < n; ++f) demand->add_flows();
  // Flow f is records 3f..3f+2 from here (count() checked that they exist), so flows are read in
  // parallel; the error reported is that of the first failing flow, as a sequential read gives.
  std::mutex error_mutex;
  std::int64_t error_flow = n;
  std::exception_ptr error;
  tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, n), [&](const tbb::blocked_range<std::int64_t>& range) {
    for (std::int64_t f = range.begin(); f != range.end(); ++f) {
      try {
        read_cbengine_flow(in, static_cast<std::size_t>(3 * f), f, roads, scenario,
                           *demand->mutable_flows(first + static_cast<int>(f)), first + f);
      } catch (...) {
        const std::lock_guard lock(error_mutex);
        if (f < error_flow) {
          error_flow = f;
          error = std::current_exception();
        }
        return;
      }
    }
  });
  if (error) std::rethrow_exception(error);
  in.skip(static_cast<std::size_t>(3 * n));
  in.expect_end("the last flow");

  const bool has_default = std::any_of(demand->vehicle_types().begin(), demand->vehicle_types().end(),
                                       [](const v1::VehicleType& t) { return t.id() == "default"; });
  if (!has_default) {
    // CityFlow's defaults; the top speed is the network's, so road limits govern as in CBEngine.
    v1::VehicleType* t = demand->add_vehicle_types();
    t->set_id("default");
    t->set_length(5);
    t->set_width(2);
    t->set_max_pos_acc(2);
    t->set_max_neg_acc(4.5);
    t->set_usual_pos_acc(2);
    t->set_usual_neg_acc(4.5);
    t->set_min_gap(2.5);
    t->set_max_speed(top_speed > 0 ? top_speed : 11.111);
    t->set_headway_time(2);
  }
}

v1::Scenario import_cbengine(const std::string& cfg_or_roadnet, const std::string& flow_path) {
  std::string roadnet = cfg_or_roadnet;
  std::string flow = flow_path;
  double horizon = 3600;
  if (std::filesystem::path(cfg_or_roadnet).extension() == ".cfg") {
    const auto kv = read_cfg(cfg_or_roadnet);
    const auto road = kv.find("road_file_addr");
    if (road == kv.end()) throw ScenarioError(cfg_or_roadnet, "", "missing road_file_addr, expected the roadnet.txt path");
    roadnet = resolve_cfg_path(cfg_or_roadnet, "road_file_addr", road->second);
    if (flow.empty()) {
      const auto veh = kv.find("vehicle_file_addr");
      if (veh == kv.end())
        throw ScenarioError(cfg_or_roadnet, "", "missing vehicle_file_addr, expected the flow.txt path");
      flow = resolve_cfg_path(cfg_or_roadnet, "vehicle_file_addr", veh->second);
    }
    const double begin = cfg_seconds(cfg_or_roadnet, kv, "start_time_epoch", 0);
    const double end = cfg_seconds(cfg_or_roadnet, kv, "max_time_epoch", begin + 3600);
    if (end <= begin)
      throw ScenarioError(cfg_or_roadnet, "line " + std::to_string(kv.at("max_time_epoch").second),
                          "max_time_epoch must be greater than start_time_epoch");
    horizon = end - begin;
  }
  v1::Scenario s = parse_cbengine_roadnet(detail::read_text_file(roadnet), roadnet);
  s.mutable_settings()->set_horizon(horizon);
  if (!flow.empty()) parse_cbengine_flow(detail::read_text_file(flow), flow, s);
  return s;
}

}  // namespace greenwave
