// A native scenario written out as SUMO files (docs/sumo.md, "Writing SUMO files"): plain-XML
// nodes, edges, connections and programs that SUMO's netconvert builds into the .net.xml (its
// junction shapes, internal lanes and right of way), and the .rou.xml and .sumocfg written here.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "greenwave/core/error.hpp"
#include "greenwave/core/output_file.hpp"
#include "greenwave/core/warning.hpp"
#include "greenwave/networks/sumo.hpp"
#include "text_file.hpp"

extern char** environ;

namespace greenwave {
namespace {

namespace fs = std::filesystem;

constexpr double kDefaultLaneWidth = 3.5;   // scenario.proto: a width of 0 means 3.5 m
constexpr double kFixedGreenTime = 30;      // the fixed-time controller's green time without a plan
constexpr std::uint64_t kMaxSumoSeed = 2147483647;

std::string num(double v) { return exact_number(v); }
std::string esc(const std::string& s) { return xml_escape(s); }

/// A folder of this process under the temporary directory, removed with the object.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() / ("greenwave_sumo_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::error_code ec;
    fs::remove_all(path_, ec);
    if (!fs::create_directories(path_, ec)) throw IoError(path_.string(), "create folder", ec.value());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  /// `name` inside the folder.
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

/// One step of a SUMO program: a green phase (local index) or a clearance after the green `phase`.
struct ProgramStep {
  int phase;
  bool clearance;
  double duration;
};

/// The steps of the fixed-time program of intersection `in`: its plan's stages (a clearance
/// stage after every green when the plan has none, as the fixed-time controller runs it), or
/// without a plan each phase for the controller's 30 s less the clearance, then the clearance.
std::vector<ProgramStep> program_of(const v1::Intersection& in, const v1::SignalPlan* plan, const RunSettings& st) {
  std::vector<ProgramStep> steps;
  const double yellow = st.yellow;
  if (plan != nullptr) {
    bool own = false;
    for (const auto& s : plan->stages()) own = own || s.clearance();
    for (const auto& s : plan->stages()) {
      steps.push_back({s.clearance() ? -1 : s.phase(), s.clearance(), s.duration()});
      if (!own && yellow > 0) steps.push_back({s.phase(), true, yellow});
    }
  } else {
    const double interval = st.action_interval;
    const double period = std::ceil(kFixedGreenTime / interval - 1e-9) * interval;
    for (int p = 0; p < in.phases_size(); ++p) {
      steps.push_back({p, false, period - yellow > 0 ? period - yellow : period});
      if (yellow > 0 && period - yellow > 0) steps.push_back({p, true, yellow});
    }
  }
  // A clearance follows the green before it (cyclically: a leading clearance follows the last).
  int last = -1;
  for (const auto& s : steps)
    if (!s.clearance) last = s.phase;
  for (auto& s : steps) {
    if (s.clearance) s.phase = last;
    else last = s.phase;
  }
  return steps;
}

/// The SUMO state string of one program step: a green link 'G' when straight, 'g' (yielding by
/// SUMO's right of way) when turning; in a clearance the previous green's links 'y'; always-green
/// movements keep their green throughout; the rest 'r'.
std::string state_of(const v1::Intersection& in, const ProgramStep& step) {
  std::string state(static_cast<std::size_t>(in.movements_size()), 'r');
  std::vector<bool> in_phase(state.size(), false);
  if (step.phase >= 0)
    for (const int m : in.phases(step.phase).movements()) in_phase[static_cast<std::size_t>(m)] = true;
  for (int m = 0; m < in.movements_size(); ++m) {
    const v1::Movement& mv = in.movements(m);
    const char green = mv.turn() == v1::TURN_STRAIGHT ? 'G' : 'g';
    char& c = state[static_cast<std::size_t>(m)];
    if (mv.always_green()) c = green;
    else if (in_phase[static_cast<std::size_t>(m)]) c = step.clearance ? 'y' : green;
  }
  return state;
}

/// Runs netconvert with `args`, its output into `log`; returns its exit status. ConfigError when
/// there is no netconvert to run.
int run_netconvert(const std::vector<std::string>& args, const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>("netconvert"));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, "netconvert", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    throw ConfigError("--to", std::string("sumo needs SUMO's netconvert on the PATH (Debian package sumo, which "
                                          "tools/install-deps installs): ") + std::strerror(rc));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw IoError("netconvert", "wait for", errno);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/// The lines of netconvert's log that start with `prefix` ("Error: ", "Warning: ").
std::vector<std::string> log_lines(const std::string& log, const std::string& prefix) {
  std::vector<std::string> out;
  std::istringstream in(detail::read_text_file(log));
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(prefix, 0) == 0 && line.find("SUMO_HOME") == std::string::npos) out.push_back(line.substr(prefix.size()));
  return out;
}

}  // namespace

SumoFiles sumo_files_for(const std::string& config_path) {
  const std::string ext = ".sumocfg";
  if (config_path.size() <= ext.size() || config_path.compare(config_path.size() - ext.size(), ext.size(), ext) != 0)
    throw ConfigError("OUT", "SUMO files are written from a .sumocfg path (OUT.sumocfg gives OUT.net.xml and OUT.rou.xml), got '" +
                                 config_path + "'");
  const std::string base = config_path.substr(0, config_path.size() - ext.size());
  return {config_path, base + ".net.xml", base + ".rou.xml"};
}

void write_sumo(const v1::Scenario& scenario, const CompiledScenario& compiled, const std::string& config_path) {
  const SumoFiles files = sumo_files_for(config_path);
  const RunSettings& st = compiled.settings;
  if (compiled.settings.seed > kMaxSumoSeed)
    throw ScenarioError(config_path, "/settings/seed", "SUMO's seed is at most " + std::to_string(kMaxSumoSeed) + ", got " +
                                                           std::to_string(compiled.settings.seed));
  std::map<std::string, const v1::Road*> roads;
  for (const auto& r : scenario.roads()) roads[r.id()] = &r;
  std::map<std::string, std::vector<std::string>> roads_into, roads_out_of;
  for (const auto& r : scenario.roads()) {
    roads_into[r.to_intersection()].push_back(r.id());
    roads_out_of[r.from_intersection()].push_back(r.id());
  }
  std::map<std::string, const v1::SignalPlan*> plans;
  for (const auto& p : scenario.signal_plans()) plans[p.intersection()] = &p;
  // SUMO lane index of native lane k on a road of n lanes: native 0 is the innermost (SUMO's highest).
  auto sumo_lane = [&](const std::string& road, int k) { return roads.at(road)->lanes_size() - 1 - k; };

  std::ostringstream nod, edg, con, tll;
  nod << "<nodes>\n";
  con << "<connections>\n";
  tll << "<tlLogics>\n";
  for (const v1::Intersection& in : scenario.intersections()) {
    const bool light = in.signalized() && in.phases_size() > 0;
    const char* type = light ? "traffic_light" : in.movements_size() == 0 ? "dead_end" : "priority";
    nod << "  <node id=\"" << esc(in.id()) << "\" x=\"" << num(in.position().x()) << "\" y=\"" << num(in.position().y())
        << "\" type=\"" << type << "\"";
    if (light) nod << " tl=\"" << esc(in.id()) << "\"";
    nod << "/>\n";
    std::set<std::tuple<std::string, int, std::string, int>> seen;
    std::set<std::string> approaches;
    std::ostringstream links;
    for (int m = 0; m < in.movements_size(); ++m) {
      const v1::Movement& mv = in.movements(m);
      approaches.insert(mv.from_road());
      if (!seen.emplace(mv.from_road(), mv.from_lane(), mv.to_road(), mv.to_lane()).second)
        throw ScenarioError(config_path, "/intersections/" + in.id() + "/movements/" + std::to_string(m),
                            "a second movement from lane " + std::to_string(mv.from_lane()) + " of '" + mv.from_road() +
                                "' to lane " + std::to_string(mv.to_lane()) + " of '" + mv.to_road() +
                                "': SUMO has one connection per pair of lanes");
      std::ostringstream attrs;
      attrs << "from=\"" << esc(mv.from_road()) << "\" to=\"" << esc(mv.to_road()) << "\" fromLane=\""
            << sumo_lane(mv.from_road(), mv.from_lane()) << "\" toLane=\"" << sumo_lane(mv.to_road(), mv.to_lane()) << "\"";
      con << "  <connection " << attrs.str() << "/>\n";
      if (light) links << "  <connection " << attrs.str() << " tl=\"" << esc(in.id()) << "\" linkIndex=\"" << m << "\"/>\n";
    }
    // An approach without movements gets none from netconvert either (it would guess some, even
    // at a dead end).
    for (const std::string& from : roads_into[in.id()])
      if (!approaches.count(from))
        for (const std::string& to : roads_out_of[in.id()]) con << "  <delete from=\"" << esc(from) << "\" to=\"" << esc(to) << "\"/>\n";
    if (!light) continue;
    const auto plan = plans.find(in.id());
    // SUMO runs a program at (t - offset) mod cycle, and the files begin at t = 0: a plan that is
    // `offset` seconds into its cycle at t = 0 is SUMO's offset -offset.
    tll << "  <tlLogic id=\"" << esc(in.id()) << "\" type=\"static\" programID=\"0\" offset=\""
        << num(plan == plans.end() ? 0.0 : 0.0 - plan->second->offset()) << "\">\n";
    for (const ProgramStep& s : program_of(in, plan == plans.end() ? nullptr : plan->second, st))
      tll << "    <phase duration=\"" << num(s.duration) << "\" state=\"" << state_of(in, s) << "\"/>\n";
    tll << "  </tlLogic>\n" << links.str();
  }
  nod << "</nodes>\n";
  con << "</connections>\n";
  tll << "</tlLogics>\n";
  edg << "<edges>\n";
  for (const v1::Road& r : scenario.roads()) {
    double speed = 0;
    for (const auto& l : r.lanes()) speed = std::max(speed, l.speed_limit());
    edg << "  <edge id=\"" << esc(r.id()) << "\" from=\"" << esc(r.from_intersection()) << "\" to=\"" << esc(r.to_intersection())
        << "\" numLanes=\"" << r.lanes_size() << "\" speed=\"" << num(speed) << "\" length=\"" << num(r.length()) << "\">\n";
    for (int j = 0; j < r.lanes_size(); ++j) {
      const v1::Lane& l = r.lanes(r.lanes_size() - 1 - j);
      edg << "    <lane index=\"" << j << "\" speed=\"" << num(l.speed_limit()) << "\" width=\""
          << num(l.width() > 0 ? l.width() : kDefaultLaneWidth) << "\"/>\n";
    }
    edg << "  </edge>\n";
  }
  edg << "</edges>\n";

  // netconvert builds the .net.xml from the plain files, written beside it first.
  const TempDir tmp;
  write_file_atomically(tmp.file("plain.nod.xml"), nod.str());
  write_file_atomically(tmp.file("plain.edg.xml"), edg.str());
  write_file_atomically(tmp.file("plain.con.xml"), con.str());
  write_file_atomically(tmp.file("plain.tll.xml"), tll.str());
  OutputFile net(files.net);
  const std::string log = tmp.file("netconvert.log");
  const int status = run_netconvert(
      {"--node-files", tmp.file("plain.nod.xml"), "--edge-files", tmp.file("plain.edg.xml"), "--connection-files",
       tmp.file("plain.con.xml"), "--tllogic-files", tmp.file("plain.tll.xml"), "--output-file", net.temp_path(),
       "--no-turnarounds", "true", "--offset.disable-normalization", "true", "--roundabouts.guess", "false",
       "--junctions.join", "false", "--geometry.remove", "false", "--xml-validation", "never"},
      log);
  if (status != 0) {
    const std::vector<std::string> errors = log_lines(log, "Error: ");
    throw ScenarioError(files.net, "", "netconvert could not build the network (exit status " + std::to_string(status) +
                                           (errors.empty() ? std::string(")") : "): " + errors.front()));
  }
  const std::vector<std::string> warnings = log_lines(log, "Warning: ");
  if (!warnings.empty())
    warn(files.net + ": netconvert: " + std::to_string(warnings.size()) + " warning(s), the first: " + warnings.front());
  net.commit();

  write_sumo_routes(compiled, files.routes);

  std::ostringstream cfg;
  cfg << "<configuration>\n  <input>\n    <net-file value=\"" << esc(fs::path(files.net).filename().string())
      << "\"/>\n    <route-files value=\"" << esc(fs::path(files.routes).filename().string()) << "\"/>\n  </input>\n"
      << "  <time>\n    <begin value=\"0\"/>\n    <end value=\"" << num(compiled.settings.horizon) << "\"/>\n"
      << "    <step-length value=\"" << num(compiled.settings.dt) << "\"/>\n  </time>\n"
      << "  <random_number>\n    <seed value=\"" << compiled.settings.seed << "\"/>\n  </random_number>\n</configuration>\n";
  write_file_atomically(files.config, cfg.str());
}

std::string exact_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

void write_sumo_routes(const CompiledScenario& compiled, const std::string& path, const SumoRouteOptions& options) {
  std::ostringstream rou;
  rou << "<routes>\n";
  for (const VehicleType& t : compiled.demand.vehicle_types)
    rou << "  <vType id=\"" << esc(options.type_prefix + t.id) << "\" length=\"" << num(t.length) << "\" width=\""
        << num(t.width) << "\" minGap=\"" << num(t.min_gap) << "\" accel=\"" << num(t.max_pos_acc) << "\" decel=\""
        << num(t.usual_neg_acc) << "\" emergencyDecel=\"" << num(std::max(t.max_neg_acc, t.usual_neg_acc))
        << "\" maxSpeed=\"" << num(t.max_speed) << "\" tau=\"" << num(std::max(t.headway_time, options.min_tau)) << "\"/>\n";
  const RoadNetwork& rn = compiled.network;
  for (std::size_t k = 0; k < compiled.demand.departures.size(); ++k) {
    const Departure& d = compiled.demand.departures[k];
    if (options.until_horizon && d.time >= compiled.settings.horizon) break;
    rou << "  <vehicle id=\"" << k << "\" type=\""
        << esc(options.type_prefix + compiled.demand.vehicle_types[static_cast<std::size_t>(d.vehicle_type)].id)
        << "\" depart=\"" << num(d.time) << "\" departLane=\"best\"><route edges=\"";
    const auto route = compiled.demand.route(d.route);
    for (std::size_t r = 0; r < route.size(); ++r) rou << (r ? " " : "") << esc(rn.road_ids[static_cast<std::size_t>(route[r])]);
    rou << "\"/></vehicle>\n";
  }
  rou << "</routes>\n";
  write_file_atomically(path, rou.str());
}

}  // namespace greenwave
