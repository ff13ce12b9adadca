// A native scenario written out as CityFlow files (docs/scenario-format.md, "Writing CityFlow
// files"): config.json, roadnet.json and flow.json that import_cityflow reads back.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>
#include <vector>

#include "greenwave/core/error.hpp"
#include "greenwave/core/output_file.hpp"
#include "greenwave/core/warning.hpp"
#include "greenwave/networks/cityflow.hpp"

namespace greenwave {
namespace {

using Json = nlohmann::json;
namespace fs = std::filesystem;

constexpr double kDefaultLaneWidth = 3.5;  // scenario.proto: a width of 0 means 3.5 m
constexpr double kFixedGreenTime = 30;     // the fixed-time controller's green time without a plan
constexpr double kLengthTolerance = 1e-9;  // metres: a shape whose length already matches is kept

/// A CityFlow point.
Json point(double x, double y) { return Json{{"x", x}, {"y", y}}; }

/// The length of a polyline, metres (summed as the importer sums it).
double polyline_length(const google::protobuf::RepeatedPtrField<v1::Point>& pts) {
  double len = 0;
  for (int i = 1; i < pts.size(); ++i) len += std::hypot(pts[i].x() - pts[i - 1].x(), pts[i].y() - pts[i - 1].y());
  return len;
}

/// CityFlow's road link type of a turn; a U-turn has none (ScenarioError at `where`).
const char* link_type(v1::Turn turn, const std::string& file, const std::string& where) {
  switch (turn) {
    case v1::TURN_STRAIGHT: return "go_straight";
    case v1::TURN_LEFT: return "turn_left";
    case v1::TURN_RIGHT: return "turn_right";
    default: throw ScenarioError(file, where, "CityFlow has no road link type for a U-turn (go_straight, turn_left, turn_right only)");
  }
}

/// One CityFlow lightphase: the green phase it shows (-1 = clearance) and its time.
struct LightPhase {
  int phase;
  double time;
};

/// The lightphases of signalized intersection `in`: its plan's stages in order (a clearance
/// after every green when the plan has none, as the fixed-time controller runs it), or without a
/// plan each phase for the fixed-time controller's 30 s less the clearance, then the clearance.
std::vector<LightPhase> light_phases(const v1::Intersection& in, const v1::SignalPlan* plan, const RunSettings& st,
                                     const std::string& file) {
  std::vector<LightPhase> out;
  const double yellow = st.yellow;
  if (plan != nullptr) {
    bool own = false;
    std::vector<int> order;
    for (const auto& s : plan->stages()) {
      own = own || s.clearance();
      if (!s.clearance()) order.push_back(s.phase());
    }
    // The importer numbers the greens by their first lightphase: each phase once keeps them apart.
    std::vector<int> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    bool once = static_cast<int>(sorted.size()) == in.phases_size();
    for (std::size_t k = 0; k < sorted.size(); ++k) once = once && sorted[k] == static_cast<int>(k);
    if (!once)
      throw ScenarioError(file, "/signal_plans/" + in.id(),
                            "CityFlow cycles its lightphases once each: a plan must show every phase exactly once");
    for (const auto& s : plan->stages()) {
      out.push_back({s.clearance() ? -1 : s.phase(), s.duration()});
      if (!own && yellow > 0) out.push_back({-1, yellow});
    }
    return out;
  }
  const double period = std::ceil(kFixedGreenTime / st.action_interval - 1e-9) * st.action_interval;
  for (int p = 0; p < in.phases_size(); ++p) {
    out.push_back({p, period - yellow > 0 ? period - yellow : period});
    if (yellow > 0 && period - yellow > 0) out.push_back({-1, yellow});
  }
  return out;
}

/// One CityFlow road link: its first movement and all its movement indices.
struct RoadLink {
  const v1::Movement* first;
  std::vector<int> movements;
};

/// The road links of intersection `in`: its movements grouped by start and end road, turn,
/// always-green and the phases that show them (a CityFlow road link is green or red as a whole),
/// in the order of their first movement.
std::vector<RoadLink> road_links(const v1::Intersection& in) {
  std::vector<std::vector<bool>> shown(static_cast<std::size_t>(in.movements_size()), std::vector<bool>(in.phases_size(), false));
  for (int p = 0; p < in.phases_size(); ++p)
    for (const int m : in.phases(p).movements()) shown[static_cast<std::size_t>(m)][static_cast<std::size_t>(p)] = true;
  std::map<std::tuple<std::string, std::string, int, bool, std::vector<bool>>, std::size_t> index;
  std::vector<RoadLink> links;
  for (int m = 0; m < in.movements_size(); ++m) {
    const v1::Movement& mv = in.movements(m);
    const auto key = std::make_tuple(mv.from_road(), mv.to_road(), static_cast<int>(mv.turn()), mv.always_green(),
                                     shown[static_cast<std::size_t>(m)]);
    const auto [it, added] = index.emplace(key, links.size());
    if (added) links.push_back({&mv, {}});
    links[it->second].movements.push_back(m);
  }
  return links;
}

/// A departure time as CityFlow reads it: CityFlow takes `startTime` and `endTime` only when they
/// are JSON integers (a 12.0 reads as absent: start 0, no end), so a whole second is written as an
/// integer; a fractional time stays a decimal (the importer reads it; CityFlow cannot).
Json flow_time(double t) {
  if (t == std::floor(t) && std::fabs(t) < 9e15) return Json(static_cast<std::int64_t>(t));
  return Json(t);
}

/// Writes `j` to `path` through a temporary and a rename.
void write_json(const std::string& path, const Json& j) { write_file_atomically(path, j.dump() + "\n"); }

}  // namespace

CityFlowFiles cityflow_files_for(const std::string& config_path) {
  const std::string ext = ".json";
  if (config_path.size() <= ext.size() || config_path.compare(config_path.size() - ext.size(), ext.size(), ext) != 0)
    throw ConfigError("OUT", "CityFlow files are written from a .json config path (OUT.json gives OUT.roadnet.json and "
                             "OUT.flow.json), got '" + config_path + "'");
  const std::string base = config_path.substr(0, config_path.size() - ext.size());
  return {config_path, base + ".roadnet.json", base + ".flow.json"};
}

void write_cityflow(const v1::Scenario& scenario, const CompiledScenario& compiled, const std::string& config_path) {
  const CityFlowFiles files = cityflow_files_for(config_path);
  const RunSettings& st = compiled.settings;
  std::map<std::string, const v1::Intersection*> inters;
  for (const auto& in : scenario.intersections()) inters[in.id()] = &in;
  std::map<std::string, const v1::SignalPlan*> plans;
  for (const auto& p : scenario.signal_plans()) plans[p.intersection()] = &p;
  std::map<std::string, std::vector<std::string>> touching;
  for (const auto& r : scenario.roads()) {
    touching[r.from_intersection()].push_back(r.id());
    if (r.to_intersection() != r.from_intersection()) touching[r.to_intersection()].push_back(r.id());
  }
  // CityFlow has no plan offset: a plan is started at its first stage.
  int offsets = 0;
  for (const auto& p : scenario.signal_plans()) offsets += p.offset() != 0 ? 1 : 0;
  if (offsets > 0)
    warn(files.roadnet + ": " + std::to_string(offsets) + " signal plan offset(s) dropped (CityFlow starts every plan at its first stage)");

  Json roads = Json::array();
  for (const v1::Road& r : scenario.roads()) {
    // The importer's length is the points' length less the widths of the real intersections at
    // the ends: keep a shape that already gives the length, else draw a straight road that does.
    const v1::Intersection& a = *inters.at(r.from_intersection());
    const v1::Intersection& b = *inters.at(r.to_intersection());
    const double widths = (a.boundary() ? 0.0 : a.width()) + (b.boundary() ? 0.0 : b.width());
    Json pts = Json::array();
    if (r.shape_size() >= 2 && std::fabs(polyline_length(r.shape()) - widths - r.length()) <= kLengthTolerance) {
      for (const auto& p : r.shape()) pts.push_back(point(p.x(), p.y()));
    } else {
      const double dx = b.position().x() - a.position().x(), dy = b.position().y() - a.position().y();
      const double d = std::hypot(dx, dy);
      const double ux = d > 0 ? dx / d : 1.0, uy = d > 0 ? dy / d : 0.0;
      const double len = r.length() + widths;
      pts.push_back(point(a.position().x(), a.position().y()));
      pts.push_back(point(a.position().x() + len * ux, a.position().y() + len * uy));
    }
    Json lanes = Json::array();
    for (const auto& l : r.lanes())
      lanes.push_back({{"width", l.width() > 0 ? l.width() : kDefaultLaneWidth}, {"maxSpeed", l.speed_limit()}});
    // CityFlow ignores greenwaveLength; the importer takes it over the points' (rounding aside, equal).
    roads.push_back({{"id", r.id()}, {"startIntersection", r.from_intersection()}, {"endIntersection", r.to_intersection()},
                     {"points", std::move(pts)}, {"lanes", std::move(lanes)}, {"greenwaveLength", r.length()}});
  }

  bool any_plan = false;
  Json intersections = Json::array();
  for (const v1::Intersection& in : scenario.intersections()) {
    Json links = Json::array(), phases = Json::array(), indices = Json::array();
    const std::string where = "/intersections/" + in.id();
    if (!in.boundary()) {
      const std::vector<RoadLink> rl = road_links(in);
      std::vector<int> link_of(static_cast<std::size_t>(in.movements_size()));
      for (std::size_t k = 0; k < rl.size(); ++k) {
        Json lane_links = Json::array();
        for (const int m : rl[k].movements) {
          link_of[static_cast<std::size_t>(m)] = static_cast<int>(k);
          const v1::Movement& mv = in.movements(m);
          // The path decides the conflict points, so it is kept. Without a path, a straight one of
          // the movement's length.
          Json pts = Json::array();
          if (mv.path_size() >= 2) {
            for (const auto& p : mv.path()) pts.push_back(point(p.x(), p.y()));
          } else {
            const double len = mv.length() > 0 ? mv.length() : polyline_length(mv.path());
            pts.push_back(point(in.position().x(), in.position().y()));
            pts.push_back(point(in.position().x() + len, in.position().y()));
          }
          Json ll = {{"startLaneIndex", mv.from_lane()}, {"endLaneIndex", mv.to_lane()}, {"points", std::move(pts)}};
          // A length that is not the path's (an arc's, say): CityFlow takes the points', greenwave this one.
          if (mv.length() > 0) ll["greenwaveLength"] = mv.length();
          lane_links.push_back(std::move(ll));
        }
        const v1::Movement& first = *rl[k].first;
        links.push_back({{"type", link_type(first.turn(), files.roadnet, where + "/movements/" + std::to_string(rl[k].movements.front()))},
                         {"startRoad", first.from_road()}, {"endRoad", first.to_road()}, {"laneLinks", std::move(lane_links)}});
        indices.push_back(k);
      }
      // Every lightphase shows the always-green links; the clearance shows only those (the
      // importer takes the links common to all lightphases as always green).
      std::vector<int> always;
      for (std::size_t k = 0; k < rl.size(); ++k)
        if (rl[k].first->always_green()) always.push_back(static_cast<int>(k));
      auto lightphase = [&](int phase, double time, bool clearance) {
        std::vector<bool> on(rl.size(), false);
        for (const int k : always) on[static_cast<std::size_t>(k)] = true;
        if (phase >= 0)
          for (const int m : in.phases(phase).movements()) on[static_cast<std::size_t>(link_of[static_cast<std::size_t>(m)])] = true;
        Json avail = Json::array();
        for (std::size_t k = 0; k < on.size(); ++k)
          if (on[k]) avail.push_back(k);
        Json lp = {{"time", time}, {"availableRoadLinks", std::move(avail)}};
        // CityFlow ignores the mark; the importer needs it where a green shows only the common links.
        if (clearance) lp["greenwaveClearance"] = true;
        phases.push_back(std::move(lp));
      };
      if (in.signalized() && in.phases_size() >= 2) {
        const auto plan = plans.find(in.id());
        any_plan = any_plan || plan != plans.end();
        for (const LightPhase& lp : light_phases(in, plan == plans.end() ? nullptr : plan->second, st, files.roadnet))
          lightphase(lp.phase, lp.time, lp.phase < 0);
      } else {
        // One lightphase with every link: the importer makes an intersection unsignalized.
        for (std::size_t k = 0; k < rl.size(); ++k) always.push_back(static_cast<int>(k));
        lightphase(-1, kFixedGreenTime, false);
      }
    }
    Json j = {{"id", in.id()}, {"point", point(in.position().x(), in.position().y())}, {"width", in.width()},
              {"roads", touching[in.id()]}, {"roadLinks", std::move(links)},
              {"trafficLight", {{"roadLinkIndices", std::move(indices)}, {"lightphases", std::move(phases)}}},
              {"virtual", in.boundary()}};
    intersections.push_back(std::move(j));
  }

  // One flow entry per compiled departure (startTime = endTime), in departure order.
  Json flows = Json::array();
  const RoadNetwork& rn = compiled.network;
  std::vector<Json> vehicles;
  for (const VehicleType& t : compiled.demand.vehicle_types)
    vehicles.push_back({{"length", t.length}, {"width", t.width}, {"maxPosAcc", t.max_pos_acc}, {"maxNegAcc", t.max_neg_acc},
                        {"usualPosAcc", t.usual_pos_acc}, {"usualNegAcc", t.usual_neg_acc}, {"minGap", t.min_gap},
                        {"maxSpeed", t.max_speed}, {"headwayTime", t.headway_time}});
  std::size_t fractional = 0;
  for (const Departure& d : compiled.demand.departures) {
    Json route = Json::array();
    for (const RoadId r : compiled.demand.route(d.route)) route.push_back(rn.road_ids[static_cast<std::size_t>(r)]);
    fractional += d.time != std::floor(d.time) ? 1 : 0;
    flows.push_back({{"vehicle", vehicles[static_cast<std::size_t>(d.vehicle_type)]}, {"route", std::move(route)},
                     {"interval", 1.0}, {"startTime", flow_time(d.time)}, {"endTime", flow_time(d.time)}});
  }
  if (fractional > 0)
    warn(files.flow + ": " + std::to_string(fractional) + " departure(s) at fractional times written as decimals: "
         "CityFlow reads startTime and endTime only as integers (it would start such a flow at 0 and never end it)");

  write_json(files.roadnet, Json{{"intersections", std::move(intersections)}, {"roads", std::move(roads)}});
  write_json(files.flow, flows);
  write_json(files.config, Json{{"interval", st.dt}, {"seed", st.seed}, {"dir", ""},
                                {"roadnetFile", fs::path(files.roadnet).filename().string()},
                                {"flowFile", fs::path(files.flow).filename().string()}, {"rlTrafficLight", !any_plan},
                                {"laneChange", st.lane_change}, {"saveReplay", false}});
}

}  // namespace greenwave
