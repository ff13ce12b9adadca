// The libsumo backend (see sumo_backend.hpp and docs/sumo.md).
#include "greenwave/sumo/sumo_backend.hpp"

#include <numbers>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <libsumo/libsumo.h>

#include "greenwave/core/error.hpp"
#include "greenwave/core/output_file.hpp"

namespace greenwave {
namespace {

constexpr double kEps = 1e-9;
constexpr double kWaitingSpeed = 0.1;  // m/s: slower counts as waiting (the native threshold)

/// One SumoBackend per process: libsumo's simulation is a process-wide singleton.
std::atomic<bool> g_backend_alive{false};

}  // namespace

SumoNetwork sumo_network_of(const std::string& path) {
  const bool sumo = (path.size() >= 8 && path.compare(path.size() - 8, 8, ".sumocfg") == 0) ||
                    (path.size() >= 8 && path.compare(path.size() - 8, 8, ".net.xml") == 0);
  if (!sumo)
    throw ConfigError("--backend", "sumo runs SUMO scenarios (.sumocfg or .net.xml) only, got " + path +
                                     " (`greenwave convert " + path + " OUT.sumocfg --to sumo` writes one)");
  SumoImport in = import_sumo_full(path);
  return {in.config.net_file, std::move(in.links)};
}

SumoBackend::SumoBackend(std::shared_ptr<const CompiledScenario> scenario, SumoNetwork network)
    : scenario_(std::move(scenario)), network_(std::move(network)), dt_(scenario_->settings.dt) {
  if (g_backend_alive.exchange(true))
    throw ConfigError("--backend", "libsumo runs one simulation per process and one SumoBackend already exists "
                                 "(run one environment per process)");
  try {
    const RoadNetwork& net = scenario_->network;
    lane_sumo_id_.resize(static_cast<std::size_t>(net.num_lanes()));
    for (RoadId r = 0; r < net.num_roads(); ++r) {
      const auto it = network_.links.road_lanes.find(net.road_ids[static_cast<std::size_t>(r)]);
      if (it == network_.links.road_lanes.end())
        throw ConfigError("--backend", "road '" + net.road_ids[static_cast<std::size_t>(r)] + "' is not in " + network_.net_file);
      for (const LaneId l : net.lanes_of(r)) {
        const auto index = static_cast<std::size_t>(net.lane_index[static_cast<std::size_t>(l)]);
        if (index >= it->second.size())
          throw ConfigError("--backend", "road '" + it->first + "' has fewer passenger lanes in " + network_.net_file);
        lane_sumo_id_[static_cast<std::size_t>(l)] = it->second[index];
      }
    }
    const auto n = static_cast<std::size_t>(net.num_intersections());
    tls_.assign(n, "");
    link_.assign(n, {});
    permissive_.assign(n, "");
    for (std::size_t i = 0; i < n; ++i) {
      if (!net.intersection_signalized[i]) continue;
      const std::string& id = net.intersection_ids[i];
      const auto t = network_.links.intersection_tls.find(id);
      if (t == network_.links.intersection_tls.end())
        throw ConfigError("--backend", "signalized intersection '" + id + "' has no traffic light in " + network_.net_file);
      tls_[i] = t->second;
      link_[i] = network_.links.movement_link.at(id);
      const auto length = static_cast<std::size_t>(network_.links.state_length.at(id));
      permissive_[i].assign(length, '0');
      for (const std::string& state : network_.links.program_states.at(id))
        for (std::size_t k = 0; k < std::min(length, state.size()); ++k)
          if (state[k] == 'g') permissive_[i][k] = '1';
      const auto movements = net.intersection_movement_begin[i + 1] - net.intersection_movement_begin[i];
      if (static_cast<std::int32_t>(link_[i].size()) != movements)
        throw ConfigError("--backend", "intersection '" + id + "' has " + std::to_string(movements) + " movements but " +
                                         std::to_string(link_[i].size()) + " SUMO links");
    }
    route_file_ = (std::filesystem::temp_directory_path() /
                   ("greenwave_sumo_" + std::to_string(::getpid()) + ".rou.xml")).string();
    // Type ids prefixed gw_ (clear of SUMO's built-in ones), tau at least 0.01 s, departures
    // before the horizon only.
    write_sumo_routes(*scenario_, route_file_, {"gw_", true, 0.01});
    start(scenario_->settings.seed);
  } catch (...) {
    if (!route_file_.empty()) std::filesystem::remove(route_file_);
    g_backend_alive = false;
    throw;
  }
}

SumoBackend::~SumoBackend() {
  try {
    libsumo::Simulation::close();
  } catch (const std::exception&) {
    // Closing a simulation that failed to start: nothing to release.
  }
  std::error_code ec;
  std::filesystem::remove(route_file_, ec);
  g_backend_alive = false;
}

void SumoBackend::start(std::uint64_t seed) {
  const CompiledScenario& s = *scenario_;
  const std::vector<std::string> args = {
      "-n", network_.net_file, "-r", route_file_, "--begin", "0", "--end", exact_number(s.settings.horizon),
      "--step-length", exact_number(dt_), "--seed", std::to_string(seed % 2147483647), "--no-step-log", "true",
      "--no-warnings", "true", "--duration-log.disable", "true", "--xml-validation", "never", "--device.rerouting.probability", "0"};
  try {
    libsumo::Simulation::load(args);
  } catch (const std::exception& e) {
    throw ConfigError("--backend", std::string("libsumo could not load ") + network_.net_file + ": " + e.what());
  }
  const RoadNetwork& net = s.network;
  const auto n = static_cast<std::size_t>(net.num_intersections());
  steps_ = 0;
  phase_.assign(n, 0);
  previous_phase_.assign(n, 0);
  in_clearance_.assign(n, 0);
  dirty_.assign(n, 1);
  clearance_left_.assign(n, 0);
  time_in_phase_.assign(n, 0);
  const std::size_t deps = s.demand.departures.size();
  enter_.assign(deps, -1);
  arrive_.assign(deps, -1);
  running_.clear();
  running_slot_.assign(deps, -1);
  next_departure_ = 0;
  served_ = finished_ = 0;
  finished_travel_ = departed_schedule_sum_ = finished_schedule_sum_ = finished_delay_sum_ = 0;
  lane_vehicles_.assign(static_cast<std::size_t>(net.num_lanes()), {});
  lane_departures_.assign(static_cast<std::size_t>(net.num_lanes()), 0);
  wait_lane_.assign(deps, -1);
  wait_.assign(deps, 0);
  lane_wait_.assign(static_cast<std::size_t>(net.num_lanes()), 0);
  stats_step_ = -1;
  for (IntersectionId i = 0; i < net.num_intersections(); ++i)
    if (!tls_[static_cast<std::size_t>(i)].empty()) apply_signal(i);
}

void SumoBackend::reset(std::uint64_t seed) { start(seed); }

void SumoBackend::apply_signal(IntersectionId i) {
  const auto u = static_cast<std::size_t>(i);
  const RoadNetwork& net = scenario_->network;
  std::string state(permissive_[u].size(), 'r');
  const MovementId first = net.intersection_movement_begin[u];
  const PhaseId p = net.intersection_phase_begin[u] + phase_[u];
  const PhaseId before = net.intersection_phase_begin[u] + previous_phase_[u];
  for (std::size_t k = 0; k < link_[u].size(); ++k) {
    const std::int32_t li = link_[u][k];
    if (li < 0) continue;
    const auto m = first + static_cast<MovementId>(k);
    const char green = permissive_[u][static_cast<std::size_t>(li)] == '1' ? 'g' : 'G';
    char c = 'r';
    if (net.movement_always_green[static_cast<std::size_t>(m)]) c = green;
    else if (!in_clearance_[u] && net.is_green(p, m)) c = green;
    else if (in_clearance_[u] && net.is_green(before, m)) c = 'y';
    // A SUMO link shared by several native movements takes the most permissive of their states.
    char& slot = state[static_cast<std::size_t>(li)];
    if (slot == 'r' || (slot == 'y' && c != 'r')) slot = c;
  }
  libsumo::TrafficLight::setRedYellowGreenState(tls_[u], state);
}

void SumoBackend::step() {
  const CompiledScenario& s = *scenario_;
  const RoadNetwork& net = s.network;
  const double now = time();
  // Signals first, as in the native step: timers run down, a finished clearance shows the green.
  for (IntersectionId i = 0; i < net.num_intersections(); ++i) {
    const auto u = static_cast<std::size_t>(i);
    if (tls_[u].empty()) continue;
    time_in_phase_[u] += dt_;
    if (in_clearance_[u]) {
      clearance_left_[u] -= dt_;
      if (clearance_left_[u] <= kEps) in_clearance_[u] = 0, dirty_[u] = 1;
    }
    if (dirty_[u]) apply_signal(i), dirty_[u] = 0;
  }
  libsumo::Simulation::step();
  ++steps_;
  const auto& deps = s.demand.departures;
  while (next_departure_ < deps.size() && deps[next_departure_].time <= now + kEps && deps[next_departure_].time < s.settings.horizon)
    departed_schedule_sum_ += deps[next_departure_++].time;
  for (const std::string& id : libsumo::Simulation::getDepartedIDList()) {
    const auto k = static_cast<std::size_t>(std::stoll(id));
    enter_[k] = now;
    running_slot_[k] = static_cast<std::int32_t>(running_.size());
    running_.push_back(static_cast<std::int32_t>(k));
    ++served_;
  }
  for (const std::string& id : libsumo::Simulation::getArrivedIDList()) {
    const auto k = static_cast<std::size_t>(std::stoll(id));
    arrive_[k] = now;  // the start of the step in which it arrived, as the native engine counts
    finished_travel_ += now - deps[k].time;
    finished_schedule_sum_ += deps[k].time;
    finished_delay_sum_ += (now - enter_[k]) / std::max(s.demand.route_free_flow_time[static_cast<std::size_t>(deps[k].route)], kEps);
    ++finished_;
    const std::int32_t slot = running_slot_[k];
    running_slot_[static_cast<std::size_t>(running_.back())] = slot;
    running_[static_cast<std::size_t>(slot)] = running_.back();
    running_.pop_back();
    running_slot_[k] = -1;
  }
  if (tracking_ || waiting_) track_lanes(now);
}

void SumoBackend::track_lanes(double step_start) {
  const RoadNetwork& net = scenario_->network;
  for (LaneId l = 0; l < net.num_lanes(); ++l) {
    const auto ul = static_cast<std::size_t>(l);
    const bool departures = tracking_ && !net.movements_from(l).empty();
    if (!departures && !waiting_) continue;
    std::vector<std::string> ids = libsumo::Lane::getLastStepVehicleIDs(lane_sumo_id_[ul]);
    if (waiting_) {
      // Waiting per lane (docs/rewards.md): from 0 when a vehicle is first seen on this lane,
      // plus dt for each step it ends slower than 0.1 m/s, except the step SUMO inserted it in
      // (it does not move in that step, and SUMO does not count it as waiting either).
      double sum = 0;
      for (const std::string& v : ids) {
        const auto k = static_cast<std::size_t>(std::stoll(v));
        if (wait_lane_[k] != l) wait_lane_[k] = l, wait_[k] = 0;
        if (enter_[k] < step_start && libsumo::Vehicle::getSpeed(v) < kWaitingSpeed) wait_[k] += dt_;
        sum += wait_[k];
      }
      lane_wait_[ul] = sum;
    }
    if (!departures) continue;
    // Departures into intersections: vehicles that left a lane other than by arriving or changing lanes.
    for (const std::string& v : lane_vehicles_[ul]) {
      if (std::find(ids.begin(), ids.end(), v) != ids.end()) continue;
      if (running_slot_[static_cast<std::size_t>(std::stoll(v))] < 0) continue;  // arrived
      const std::string lane = libsumo::Vehicle::getLaneID(v);
      if (lane.empty() || lane[0] == ':' || libsumo::Lane::getEdgeID(lane) != net.road_ids[static_cast<std::size_t>(net.lane_road[ul])])
        ++lane_departures_[ul];
    }
    lane_vehicles_[ul] = std::move(ids);
  }
}

std::span<const std::int64_t> SumoBackend::lane_departures() const {
  if (!tracking_) {
    tracking_ = true;
    for (LaneId l = 0; l < scenario_->network.num_lanes(); ++l)
      lane_vehicles_[static_cast<std::size_t>(l)] = libsumo::Lane::getLastStepVehicleIDs(lane_sumo_id_[static_cast<std::size_t>(l)]);
  }
  return lane_departures_;
}

bool SumoBackend::demand_done() const {
  const CompiledScenario& s = *scenario_;
  std::size_t scheduled = 0;
  while (scheduled < s.demand.departures.size() && s.demand.departures[scheduled].time < s.settings.horizon) ++scheduled;
  return next_departure_ >= scheduled && finished_ == served_ && served_ == static_cast<std::int64_t>(next_departure_);
}

PhaseRequest SumoBackend::request_phase(IntersectionId i, std::int32_t phase) {
  if (phase == phase_[static_cast<std::size_t>(i)]) return PhaseRequest::Kept;
  return switch_phase(i, phase, scenario_->settings.yellow);
}

PhaseRequest SumoBackend::switch_phase(IntersectionId i, std::int32_t phase, double clearance) {
  const auto u = static_cast<std::size_t>(i);
  GW_CHECK(phase >= 0 && phase < scenario_->network.phase_count(i), "phase out of range (the env validates actions)");
  GW_CHECK(clearance >= 0, "negative clearance");
  if (phase == phase_[u] && clearance <= kEps) return PhaseRequest::Kept;
  if (in_clearance_[u]) return PhaseRequest::InClearance;
  if (time_in_phase_[u] + kEps < scenario_->settings.min_green) return PhaseRequest::TooEarly;
  previous_phase_[u] = phase_[u];
  phase_[u] = phase;
  time_in_phase_[u] = 0;
  clearance_left_[u] = clearance;
  in_clearance_[u] = clearance_left_[u] > kEps;
  dirty_[u] = 1;
  return PhaseRequest::Switched;
}

SignalState SumoBackend::signal(IntersectionId i) const {
  const auto u = static_cast<std::size_t>(i);
  return {phase_[u], in_clearance_[u] != 0, time_in_phase_[u]};
}

void SumoBackend::refresh_lane_stats() const {
  if (stats_step_ == steps_) return;
  const auto n = lane_sumo_id_.size();
  lane_count_.assign(n, 0);
  lane_queue_.assign(n, 0);
  lane_speed_sum_.assign(n, 0);
  for (std::size_t l = 0; l < n; ++l) {
    const std::string& id = lane_sumo_id_[l];
    lane_count_[l] = libsumo::Lane::getLastStepVehicleNumber(id);
    if (lane_count_[l] == 0) continue;
    lane_queue_[l] = libsumo::Lane::getLastStepHaltingNumber(id);
    lane_speed_sum_[l] = libsumo::Lane::getLastStepMeanSpeed(id) * lane_count_[l];
  }
  stats_step_ = steps_;
}

std::span<const std::int32_t> SumoBackend::lane_vehicle_counts() const {
  refresh_lane_stats();
  return lane_count_;
}
std::span<const std::int32_t> SumoBackend::lane_queue_counts() const {
  refresh_lane_stats();
  return lane_queue_;
}
std::span<const double> SumoBackend::lane_speed_sums() const {
  refresh_lane_stats();
  return lane_speed_sum_;
}
std::span<const double> SumoBackend::lane_waiting_times() const {
  if (!waiting_) {
    // The first read starts the counting: vehicles on a lane now count from 0.
    waiting_ = true;
    for (LaneId l = 0; l < scenario_->network.num_lanes(); ++l)
      for (const std::string& v : libsumo::Lane::getLastStepVehicleIDs(lane_sumo_id_[static_cast<std::size_t>(l)]))
        wait_lane_[static_cast<std::size_t>(std::stoll(v))] = l;
  }
  return lane_wait_;
}

Metrics SumoBackend::metrics() const {
  const CompiledScenario& s = *scenario_;
  const RoadNetwork& net = s.network;
  const double now = time();
  Metrics m;
  m.time = now;
  m.horizon = s.settings.horizon;
  m.served_vehicles = served_;
  m.throughput = finished_;
  m.departed = static_cast<std::int64_t>(next_departure_);
  m.running = static_cast<std::int64_t>(running_.size());
  m.waiting_to_enter = m.departed - m.running - m.throughput;
  for (const Departure& d : s.demand.departures) m.vehicles_scheduled += d.time < s.settings.horizon ? 1 : 0;
  // ATT: finished ones count arrival - scheduled, all other departed ones now - scheduled.
  const auto unfinished = static_cast<double>(m.departed - m.throughput);
  if (m.departed > 0)
    m.average_travel_time = (finished_travel_ + now * unfinished - (departed_schedule_sum_ - finished_schedule_sum_)) /
                            static_cast<double>(m.departed);
  double delay_sum = finished_delay_sum_;
  double speed_sum = 0;
  if (m.throughput > 0) m.average_travel_time_finished = finished_travel_ / static_cast<double>(m.throughput);
  for (const std::int32_t k : running_) {
    const Departure& d = s.demand.departures[static_cast<std::size_t>(k)];
    const auto route = s.demand.route(d.route);
    const std::string id = std::to_string(k);
    const std::string road = libsumo::Vehicle::getRoadID(id);
    const int index = libsumo::Vehicle::getRouteIndex(id);
    const double speed = libsumo::Vehicle::getSpeed(id);
    speed_sum += speed;
    m.queued += speed < 0.1 ? 1 : 0;
    double rest = 0;
    for (std::size_t r = static_cast<std::size_t>(std::max(index, 0)) + 1; r < route.size(); ++r)
      rest += net.road_free_flow_time[static_cast<std::size_t>(route[r])];
    if (!road.empty() && road[0] != ':' && index >= 0 && static_cast<std::size_t>(index) < route.size()) {
      const auto r = static_cast<std::size_t>(route[static_cast<std::size_t>(index)]);
      const double left = std::max(0.0, net.road_length[r] - libsumo::Vehicle::getLanePosition(id));
      rest += net.road_free_flow_time[r] * left / net.road_length[r];
    }
    const double ff = s.demand.route_free_flow_time[static_cast<std::size_t>(d.route)];
    delay_sum += (now - enter_[static_cast<std::size_t>(k)] + rest) / std::max(ff, kEps);
  }
  m.delay_index = served_ > 0 ? delay_sum / static_cast<double>(served_) : 1.0;
  m.mean_speed = running_.empty() ? 0 : speed_sum / static_cast<double>(running_.size());
  return m;
}

void SumoBackend::vehicle_poses(std::vector<VehiclePose>& out) const {
  out.clear();
  for (const std::int32_t k : running_) {
    const std::string id = std::to_string(k);
    const libsumo::TraCIPosition p = libsumo::Vehicle::getPosition(id);
    const double degrees = 90.0 - libsumo::Vehicle::getAngle(id);
    out.push_back({k, p.x, p.y, degrees * std::numbers::pi / 180.0});
  }
}

}  // namespace greenwave
