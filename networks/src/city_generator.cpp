// Synthetic irregular cities written as CBEngine roadnet.txt + flow.txt (and parsed from them
// into the native schema); see docs/scenario-format.md, "Generated cities".
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

#include "greenwave/core/error.hpp"
#include "greenwave/core/rng.hpp"
#include "greenwave/networks/importers.hpp"
#include "greenwave/networks/routing.hpp"

namespace greenwave {
namespace {

constexpr double kDeadEndShare = 0.2;     // share of the intersections that are dead ends
constexpr double kRemoveShare = 0.2;      // share of the non-arterial lattice links removed
constexpr int kArterialPeriod = 5;        // every 5th lattice row and column is an arterial
constexpr double kCollectorShare = 0.45;  // other lines: collector, else local
constexpr double kJitter = 40;            // metres, node position noise (each axis, +-half)
constexpr double kBaseLat = 30.25;        // degrees; the city's south-west corner
constexpr double kBaseLon = 120.15;
constexpr double kEarthRadius = 6'371'000;  // metres, as the CBEngine importer
constexpr double kSlice = 60;             // seconds per demand slice
constexpr int kMaxFlowVehicles = 4;       // a flow emits 1..4 vehicles within one slice
constexpr double kExternalOrigin = 0.45;  // share of trips entering at a dead end
constexpr double kExternalDestination = 0.4;

/// A road class: lanes per direction and speed limit.
struct RoadClass {
  int lanes;
  double speed;
};
constexpr RoadClass kArterial{3, 16.67};   // 60 km/h
constexpr RoadClass kCollector{2, 13.89};  // 50 km/h
constexpr RoadClass kLocal{1, 11.11};      // 40 km/h

/// Legs N, E, S, W: unit steps in (column, row) and in metres.
constexpr int kDc[4] = {0, 1, 0, -1};
constexpr int kDr[4] = {1, 0, -1, 0};

/// A node of the city: a junction on the lattice or a dead end.
struct Node {
  double x = 0, y = 0;                    // metres east and north of the south-west corner
  int row = -1, col = -1;                 // lattice cell (junctions only)
  std::array<int, 4> leg{-1, -1, -1, -1};  // segment on each leg N, E, S, W
  bool signalized = false;
  bool dead_end = false;
};

/// A two-way road segment from node a to node b, leaving a by leg `leg_a`.
struct Segment {
  int a, b, leg_a;
  RoadClass cls;
  double length;
  bool removed = false;
};

/// The road ids of segment s: dir1 (a -> b) and dir2 (b -> a).
long long dir1_id(int s) { return 2LL * s + 1; }
long long dir2_id(int s) { return 2LL * s + 2; }

/// Road id leaving node n by segment s.
long long exit_road(const std::vector<Segment>& segs, int s, int n) { return segs[s].a == n ? dir1_id(s) : dir2_id(s); }

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

/// CBEngine's lane permissions (left, through, right digits) for a road of `lanes` lanes.
std::string permissions(int lanes) {
  switch (lanes) {
    case 1: return "1 1 1";
    case 2: return "1 1 0 0 1 1";
    default: return "1 0 0 0 1 0 0 0 1";
  }
}

void check_range(const char* field, double value, double min, double max) {
  if (!(value >= min && value <= max))
    throw ConfigError(field, std::to_string(value) + " is out of range, expected " + std::to_string(min) + ".." +
                                 std::to_string(max));
}

/// Fisher-Yates shuffle with the project's generator (std::shuffle's use of the engine is
/// implementation-defined, which would make files differ between standard libraries).
template <typename T>
void shuffle(std::vector<T>& v, Rng& rng) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

/// True when the junctions stay connected over the segments not removed.
bool connected(const std::vector<Node>& nodes, const std::vector<Segment>& segs, int junctions) {
  std::vector<char> seen(static_cast<std::size_t>(junctions), 0);
  std::vector<int> stack{0};
  seen[0] = 1;
  int reached = 1;
  while (!stack.empty()) {
    const int n = stack.back();
    stack.pop_back();
    for (int s : nodes[n].leg) {
      if (s < 0 || segs[s].removed) continue;
      const int m = segs[s].a == n ? segs[s].b : segs[s].a;
      if (!seen[m]) {
        seen[m] = 1;
        ++reached;
        stack.push_back(m);
      }
    }
  }
  return reached == junctions;
}

int legs(const Node& n, const std::vector<Segment>& segs) {
  int k = 0;
  for (int s : n.leg) k += s >= 0 && !segs[s].removed;
  return k;
}

/// The city's nodes and segments (segments renumbered without removed ones).
struct Layout {
  std::vector<Node> nodes;
  std::vector<Segment> segs;
  int junctions = 0;
};

Layout build_layout(const CityOptions& o, Rng& rng) {
  const int dead_ends = static_cast<int>(std::lround(kDeadEndShare * o.intersections));
  const int junctions = o.intersections - dead_ends;
  const int signals = static_cast<int>(std::lround(o.signalized_share * o.intersections));
  if (signals > junctions)
    throw ConfigError("signalized-share", std::to_string(o.signalized_share) + " asks for " + std::to_string(signals) +
                                              " signalized intersections but only " + std::to_string(junctions) +
                                              " are not dead ends, expected at most " +
                                              std::to_string(static_cast<double>(junctions) / o.intersections));
  const int cols = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(junctions))));
  const int rows = (junctions + cols - 1) / cols;
  std::vector<double> xs(static_cast<std::size_t>(cols)), ys(static_cast<std::size_t>(rows));
  for (int c = 1; c < cols; ++c) xs[c] = xs[c - 1] + 150 + 300 * rng.uniform();
  for (int r = 1; r < rows; ++r) ys[r] = ys[r - 1] + 150 + 300 * rng.uniform();
  std::vector<RoadClass> row_class(static_cast<std::size_t>(rows)), col_class(static_cast<std::size_t>(cols));
  const int row_offset = static_cast<int>(rng.below(kArterialPeriod));
  const int col_offset = static_cast<int>(rng.below(kArterialPeriod));
  for (int r = 0; r < rows; ++r)
    row_class[r] = r % kArterialPeriod == row_offset ? kArterial : rng.uniform() < kCollectorShare ? kCollector : kLocal;
  for (int c = 0; c < cols; ++c)
    col_class[c] = c % kArterialPeriod == col_offset ? kArterial : rng.uniform() < kCollectorShare ? kCollector : kLocal;

  Layout city;
  city.junctions = junctions;
  std::vector<Node>& nodes = city.nodes;
  std::vector<Segment>& segs = city.segs;
  auto cell = [&](int r, int c) { return r >= 0 && c >= 0 && r < rows && c < cols && r * cols + c < junctions ? r * cols + c : -1; };
  for (int i = 0; i < junctions; ++i) {
    Node n;
    n.row = i / cols;
    n.col = i % cols;
    n.x = xs[n.col] + kJitter * (rng.uniform() - 0.5);
    n.y = ys[n.row] + kJitter * (rng.uniform() - 0.5);
    nodes.push_back(n);
  }
  auto link = [&](int a, int b, int leg, RoadClass cls, double length) {
    segs.push_back({a, b, leg, cls, length});
    nodes[a].leg[leg] = static_cast<int>(segs.size()) - 1;
    if (b < static_cast<int>(nodes.size())) nodes[b].leg[(leg + 2) % 4] = static_cast<int>(segs.size()) - 1;
  };
  auto distance = [&](int a, int b) { return std::hypot(nodes[a].x - nodes[b].x, nodes[a].y - nodes[b].y); };
  for (int i = 0; i < junctions; ++i) {
    for (int leg : {0, 1}) {  // north and east: each lattice link once
      const int j = cell(nodes[i].row + kDr[leg], nodes[i].col + kDc[leg]);
      if (j >= 0) link(i, j, leg, leg == 0 ? col_class[nodes[i].col] : row_class[nodes[i].row], distance(i, j));
    }
  }

  // Remove non-arterial links in random order while both ends keep >= 2 legs and the junctions
  // stay connected: this makes the 2- and 3-leg junctions and the missing legs.
  std::vector<int> order;
  for (int s = 0; s < static_cast<int>(segs.size()); ++s)
    if (segs[s].cls.lanes != kArterial.lanes) order.push_back(s);
  shuffle(order, rng);
  const int to_remove = static_cast<int>(std::lround(kRemoveShare * static_cast<double>(order.size())));
  int removed = 0;
  for (int s : order) {
    if (removed == to_remove) break;
    if (legs(nodes[segs[s].a], segs) < 3 || legs(nodes[segs[s].b], segs) < 3) continue;
    segs[s].removed = true;
    if (connected(nodes, segs, junctions)) {
      ++removed;
    } else {
      segs[s].removed = false;
    }
  }
  for (Node& n : nodes)
    for (int& s : n.leg)
      if (s >= 0 && segs[s].removed) s = -1;

  // Dead ends on free legs: the city's edge first (entries from outside, up to 60% of them), then
  // cul-de-sacs inside (a local street, shorter than 40% of the gap to the lattice neighbour).
  std::vector<std::pair<int, int>> edge_slots, inner_slots;  // (junction, leg)
  for (int i = 0; i < junctions; ++i)
    for (int leg = 0; leg < 4; ++leg)
      if (nodes[i].leg[leg] < 0)
        (cell(nodes[i].row + kDr[leg], nodes[i].col + kDc[leg]) < 0 ? edge_slots : inner_slots).push_back({i, leg});
  shuffle(edge_slots, rng);
  shuffle(inner_slots, rng);
  const std::size_t from_edge = std::min(edge_slots.size(), static_cast<std::size_t>(std::ceil(0.6 * dead_ends)));
  std::vector<std::pair<int, int>> slots(edge_slots.begin(), edge_slots.begin() + static_cast<std::ptrdiff_t>(from_edge));
  slots.insert(slots.end(), inner_slots.begin(), inner_slots.end());
  slots.insert(slots.end(), edge_slots.begin() + static_cast<std::ptrdiff_t>(from_edge), edge_slots.end());
  if (slots.size() < static_cast<std::size_t>(dead_ends))
    throw ConfigError("intersections", std::to_string(o.intersections) + " is too small for a city, expected at least 10");
  for (int k = 0; k < dead_ends; ++k) {
    const auto [i, leg] = slots[static_cast<std::size_t>(k)];
    const bool edge = static_cast<std::size_t>(k) < from_edge || static_cast<std::size_t>(k) >= from_edge + inner_slots.size();
    double length = 150 + 250 * rng.uniform();
    RoadClass cls = leg % 2 == 0 ? col_class[nodes[i].col] : row_class[nodes[i].row];
    if (!edge) {
      // Gap to the lattice neighbour on this leg (its link was removed).
      const int j = cell(nodes[i].row + kDr[leg], nodes[i].col + kDc[leg]);
      length = (0.15 + 0.25 * rng.uniform()) * distance(i, j);
      cls = kLocal;
    }
    Node d;
    d.dead_end = true;
    d.x = nodes[i].x + kDc[leg] * length;
    d.y = nodes[i].y + kDr[leg] * length;
    nodes.push_back(d);
    link(i, static_cast<int>(nodes.size()) - 1, leg, cls, length);
  }

  // Drop removed segments and renumber.
  std::vector<int> renumber(segs.size(), -1);
  std::vector<Segment> kept;
  for (std::size_t s = 0; s < segs.size(); ++s) {
    if (segs[s].removed) continue;
    renumber[s] = static_cast<int>(kept.size());
    kept.push_back(segs[s]);
  }
  segs = std::move(kept);
  for (Node& n : nodes)
    for (int& s : n.leg)
      if (s >= 0) s = renumber[static_cast<std::size_t>(s)];

  // Signals at the most important junctions: more legs, an arterial leg, plus noise so that some
  // 4-leg junctions stay unsignalized; 2-leg junctions only when the share needs them.
  std::vector<std::pair<double, int>> score;
  for (int i = 0; i < junctions; ++i) {
    const int k = legs(nodes[i], segs);
    bool arterial = false;
    for (int s : nodes[i].leg) arterial = arterial || (s >= 0 && segs[s].cls.lanes == kArterial.lanes);
    score.push_back({(k >= 3 ? 10.0 : 0.0) + k + (arterial ? 1.5 : 0.0) + 2.5 * rng.uniform(), i});
  }
  std::sort(score.begin(), score.end(), [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
  for (int k = 0; k < signals; ++k) nodes[score[static_cast<std::size_t>(k)].second].signalized = true;
  return city;
}

/// CBEngine roadnet.txt of the layout; intersection id = node index + 1.
std::string write_roadnet(const Layout& city) {
  const double lat0 = kBaseLat * std::numbers::pi / 180;
  std::string out = std::to_string(city.nodes.size()) + "\n";
  for (std::size_t i = 0; i < city.nodes.size(); ++i) {
    const Node& n = city.nodes[i];
    const double lat = kBaseLat + n.y / kEarthRadius * 180 / std::numbers::pi;
    const double lon = kBaseLon + n.x / (kEarthRadius * std::cos(lat0)) * 180 / std::numbers::pi;
    out += fmt("%.8f", lat) + " " + fmt("%.8f", lon) + " " + std::to_string(i + 1) + " " + (n.signalized ? "1" : "0") + "\n";
  }
  out += std::to_string(city.segs.size()) + "\n";
  for (std::size_t s = 0; s < city.segs.size(); ++s) {
    const Segment& g = city.segs[s];
    const int si = static_cast<int>(s);
    out += std::to_string(g.a + 1) + " " + std::to_string(g.b + 1) + " " + fmt("%.1f", g.length) + " " +
           fmt("%.2f", g.cls.speed) + " " + std::to_string(g.cls.lanes) + " " + std::to_string(g.cls.lanes) + " " +
           std::to_string(dir1_id(si)) + " " + std::to_string(dir2_id(si)) + "\n";
    out += permissions(g.cls.lanes) + "\n" + permissions(g.cls.lanes) + "\n";
  }
  // Signal records for signalized junctions and unsignalized ones of 3 or 4 legs; unsignalized
  // 2-leg junctions have none (the importer lays them out from the geometry), dead ends none.
  std::string records;
  int count = 0;
  for (std::size_t i = 0; i < city.nodes.size(); ++i) {
    const Node& n = city.nodes[i];
    if (n.dead_end || (!n.signalized && legs(n, city.segs) < 3)) continue;
    ++count;
    records += std::to_string(i + 1);
    for (int s : n.leg) {
      records += ' ';
      records += s < 0 ? std::string("-1") : std::to_string(exit_road(city.segs, s, static_cast<int>(i)));
    }
    records += '\n';
  }
  return out + std::to_string(count) + "\n" + records;
}

/// One trip end: a road and the position of its downstream end.
struct Place {
  std::string road;
  double x, y;
};

/// A flow before routing.
struct Trip {
  int origin, destination;  // indices into the origin and destination lists
  long long start, end, interval;
};

/// Relative departure rate at fraction u of the horizon: a morning-peak bump, 0.6 at the ends
/// rising to 1.4 at 55% of the horizon.
double profile(double u) { return 0.6 + 0.8 * std::exp(-std::pow((u - 0.55) / 0.2, 2)); }

std::string write_demand(const Layout& city, const v1::Scenario& net, const CityOptions& o, Rng& rng) {
  const RoadGraph graph(net);
  // Origins: roads out of dead ends (external) and 15% of the other roads (internal: parking,
  // side streets); destinations: roads into dead ends and the same internal roads.
  std::vector<Place> ext_in, ext_out, internal;
  double cx = 0, cy = 0, width = 0, height = 0;
  for (const Node& n : city.nodes) {
    width = std::max(width, n.x);
    height = std::max(height, n.y);
  }
  cx = width / 2;
  cy = height / 2;
  for (std::size_t s = 0; s < city.segs.size(); ++s) {
    const Segment& g = city.segs[s];
    const Node& a = city.nodes[g.a];
    const Node& b = city.nodes[g.b];
    const int si = static_cast<int>(s);
    if (b.dead_end) {
      ext_out.push_back({std::to_string(dir1_id(si)), b.x, b.y});
      ext_in.push_back({std::to_string(dir2_id(si)), a.x, a.y});
    } else {
      if (rng.uniform() < 0.15) internal.push_back({std::to_string(dir1_id(si)), b.x, b.y});
      if (rng.uniform() < 0.15) internal.push_back({std::to_string(dir2_id(si)), a.x, a.y});
    }
  }
  if (internal.empty()) internal.push_back({std::to_string(dir1_id(0)), city.nodes[city.segs[0].b].x, city.nodes[city.segs[0].b].y});
  std::vector<Place> origins = ext_in, destinations = ext_out;
  origins.insert(origins.end(), internal.begin(), internal.end());
  destinations.insert(destinations.end(), internal.begin(), internal.end());
  // Destination weights: attraction falls with the distance from the centre (a downtown) and
  // with the distance from the origin (a gravity model, trips of a few kilometres).
  const double radius = std::max(500.0, 0.35 * std::hypot(width, height) / 2);
  const double reach = std::max(1500.0, 0.25 * std::hypot(width, height));
  std::vector<double> attraction(destinations.size());
  for (std::size_t d = 0; d < destinations.size(); ++d)
    attraction[d] = 0.3 + std::exp(-std::pow(std::hypot(destinations[d].x - cx, destinations[d].y - cy) / radius, 2));

  auto draw_origin = [&]() {
    if (!ext_in.empty() && rng.uniform() < kExternalOrigin) return static_cast<int>(rng.below(ext_in.size()));
    return static_cast<int>(ext_in.size() + rng.below(internal.size()));
  };
  std::vector<double> cumulative(destinations.size());
  auto draw_destination = [&](int origin) {
    const bool external = !ext_out.empty() && rng.uniform() < kExternalDestination;
    const std::size_t first = external ? 0 : ext_out.size();
    const std::size_t last = external ? ext_out.size() : destinations.size();
    double total = 0;
    for (std::size_t d = first; d < last; ++d) {
      const double dist = std::hypot(destinations[d].x - origins[origin].x, destinations[d].y - origins[origin].y);
      total += destinations[d].road == origins[origin].road ? 0 : attraction[d] * std::exp(-dist / reach);
      cumulative[d] = total;
    }
    const double pick = rng.uniform() * total;
    const auto it = std::upper_bound(cumulative.begin() + static_cast<std::ptrdiff_t>(first),
                                     cumulative.begin() + static_cast<std::ptrdiff_t>(last), pick);
    return static_cast<int>(std::min<std::ptrdiff_t>(it - cumulative.begin(), static_cast<std::ptrdiff_t>(last) - 1));
  };

  // Departures per slice follow the profile; totals are rounded cumulatively so they add up to
  // exactly `vehicles`.
  const long long slice = static_cast<long long>(std::min(kSlice, std::max(1.0, std::floor(o.horizon / 10))));
  const long long horizon = static_cast<long long>(std::floor(o.horizon));
  const long long slices = (horizon + slice - 1) / slice;
  std::vector<double> weight(static_cast<std::size_t>(slices));
  double total_weight = 0;
  for (long long j = 0; j < slices; ++j) {
    const double len = static_cast<double>(std::min(slice, horizon - j * slice));
    weight[j] = profile((j * slice + len / 2) / o.horizon) * len;
    total_weight += weight[j];
  }
  std::vector<Trip> trips;
  double cum = 0;
  long long emitted = 0;
  for (long long j = 0; j < slices; ++j) {
    cum += weight[j];
    const long long target = std::llround(static_cast<double>(o.vehicles) * cum / total_weight);
    long long left = target - emitted;
    emitted = target;
    const long long t0 = j * slice;
    const long long len = std::min(slice, horizon - t0);
    while (left > 0) {
      const long long m = std::min({left, 1 + static_cast<long long>(rng.below(kMaxFlowVehicles)), len});
      const long long interval = std::max(1LL, len / m);
      const long long start = t0 + static_cast<long long>(rng.below(static_cast<std::uint64_t>(len - (m - 1) * interval)));
      const int origin = draw_origin();
      trips.push_back({origin, draw_destination(origin), start, start + (m - 1) * interval, interval});
      left -= m;
    }
  }

  // Route every trip (one search per origin); a pair without a route is drawn again.
  std::vector<std::vector<std::string>> routes(trips.size());
  for (int round = 0;; ++round) {
    std::vector<std::vector<std::size_t>> by_origin(origins.size());
    for (std::size_t t = 0; t < trips.size(); ++t)
      if (routes[t].empty()) by_origin[static_cast<std::size_t>(trips[t].origin)].push_back(t);
    bool missing = false;
    for (std::size_t oi = 0; oi < origins.size(); ++oi) {
      if (by_origin[oi].empty()) continue;
      std::vector<std::string> to;
      for (std::size_t t : by_origin[oi]) to.push_back(destinations[static_cast<std::size_t>(trips[t].destination)].road);
      auto found = graph.shortest_routes(origins[oi].road, to);
      for (std::size_t k = 0; k < found.size(); ++k) {
        if (found[k] && found[k]->size() >= 2) {
          routes[by_origin[oi][k]] = std::move(*found[k]);
        } else {
          missing = true;
        }
      }
    }
    if (!missing) break;
    if (round == 20) throw ConfigError("generate city", "could not route the demand (disconnected network)");
    for (std::size_t t = 0; t < trips.size(); ++t) {
      if (!routes[t].empty()) continue;
      trips[t].origin = draw_origin();
      trips[t].destination = draw_destination(trips[t].origin);
    }
  }

  std::string out = std::to_string(trips.size()) + "\n";
  for (std::size_t t = 0; t < trips.size(); ++t) {
    out += std::to_string(trips[t].start) + " " + std::to_string(trips[t].end) + " " + std::to_string(trips[t].interval) +
           "\n" + std::to_string(routes[t].size()) + "\n";
    for (std::size_t k = 0; k < routes[t].size(); ++k) {
      if (k) out += ' ';
      out += routes[t][k];
    }
    out += '\n';
  }
  return out;
}

}  // namespace

GeneratedCity generate_city(const CityOptions& o) {
  check_range("intersections", o.intersections, 10, 100000);
  check_range("signalized-share", o.signalized_share, 0, 1);
  check_range("vehicles", static_cast<double>(o.vehicles), 0, 1e7);
  check_range("horizon", o.horizon, 10, 1e6);
  Rng layout_rng(mix_seed(o.seed, 1));
  Rng demand_rng(mix_seed(o.seed, 2));
  const Layout city = build_layout(o, layout_rng);
  GeneratedCity g;
  g.roadnet = write_roadnet(city);
  g.scenario = parse_cbengine_roadnet(g.roadnet, "roadnet.txt");
  g.flow = write_demand(city, g.scenario, o, demand_rng);
  parse_cbengine_flow(g.flow, "flow.txt", g.scenario);
  const std::string horizon = std::to_string(static_cast<long long>(std::floor(o.horizon)));
  g.cfg = "# greenwave generate city\nstart_time_epoch = 0\nmax_time_epoch = " + horizon +
          "\nroad_file_addr : roadnet.txt\nvehicle_file_addr : flow.txt\nreport_log_mode : normal\n"
          "report_log_addr : ./log/\nreport_log_rate = 10\nwarning_stop_time_log = 100\n";
  g.scenario.set_name(o.name.empty() ? "city_" + std::to_string(o.intersections) + "_s" + std::to_string(o.seed) : o.name);
  v1::RunSettings* settings = g.scenario.mutable_settings();
  settings->set_horizon(std::floor(o.horizon));
  settings->set_seed(o.seed);
  return g;
}

}  // namespace greenwave
