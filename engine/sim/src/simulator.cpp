// Simulator: a thin owner of (scenario, model, state, worker threads). step() is the pipeline,
// one stage per source file (docs/simulator.md, "Step pipeline"; stages.hpp lists them).
#include "greenwave/sim/simulator.hpp"

#include <string>
#include <utility>

#include <oneapi/tbb/parallel_for.h>

#include "greenwave/core/error.hpp"
#include "sim_model.hpp"
#include "sim_state.hpp"
#include "stages.hpp"
#include "greenwave/networks/geometry.hpp"

namespace greenwave {

Simulator::Simulator(std::shared_ptr<const CompiledScenario> scenario, SimOptions options)
    : scenario_(std::move(scenario)),
      model_(std::make_unique<sim::SimModel>(sim::make_model(*scenario_))),
      state_(std::make_unique<sim::SimState>()) {
  state_->parts.parallel_min_items = options.parallel_min_items;
  if (scenario_->settings.demand_jitter > 0) {
    jittered_ = std::make_unique<Demand>(scenario_->demand);
    model_->demand = jittered_.get();
  }
  set_threads(options.threads);
  reset(scenario_->settings.seed);
}

Simulator::~Simulator() = default;

void Simulator::set_threads(int threads) {
  if (threads < 1) throw ConfigError("threads", "expected a positive thread count, got " + std::to_string(threads));
  sim::Parts& parts = state_->parts;
  parts.threads = threads;
  arena_ = std::make_unique<tbb::task_arena>(threads);
  parts.arena = arena_.get();
  parts.shares = std::make_unique<PartShare[]>(static_cast<std::size_t>(threads));
  // TBB allocates when an arena first runs work: do it now, not in the first parallel step.
  if (threads > 1) arena_->execute([] { tbb::parallel_for(0, 2, [](int) {}); });
  if (!parts.rank_begin.empty()) sim::compute_parts(*model_, *state_);  // else reset computes them
}

void Simulator::reset(std::uint64_t seed) {
  const sim::SimModel& model = *model_;
  sim::SimState& st = *state_;
  const RoadNetwork& net = *model.net;
  if (jittered_) {
    const RunSettings& rs = scenario_->settings;
    jittered_->departures = jitter_departures(scenario_->demand.departures, rs.demand_jitter, rs.horizon, rs.dt, seed);
  }
  st.clock.rng.reseed(seed);
  st.clock.step_count = 0;
  st.clock.next_departure = 0;
  sim::clear_growable_state(model, st);
  st.entry.waiting.assign(net.num_lanes(), 0);
  st.signals.phase.assign(net.num_intersections(), 0);
  st.signals.in_clearance.assign(net.num_intersections(), 0);
  st.signals.clearance_left.assign(net.num_intersections(), 0);
  st.signals.time_in_phase.assign(net.num_intersections(), 0);
  st.signals.movement_open.assign(net.num_movements(), 0);
  st.lane.count.assign(net.num_lanes(), 0);
  st.lane.queue.assign(net.num_lanes(), 0);
  st.lane.speed_sum.assign(net.num_lanes(), 0);
  st.lane.wait_sum.assign(net.num_lanes(), 0);
  st.lane.departures.assign(net.num_lanes(), 0);
  sim::Accumulators& acc = st.acc;
  acc.departed = acc.entered = acc.finished = acc.running = acc.vehicle_updates = acc.lane_changes = 0;
  acc.finished_travel_time = acc.finished_delay_index = 0;
  sim::rebuild_step_index(model, st);
  sim::update_signals(model, st);
}

void Simulator::step() {
  const sim::SimModel& model = *model_;
  sim::SimState& st = *state_;
  if (st.clock.step_count > 0 && st.clock.step_count % sim::kRenumberPeriod == 0) sim::renumber_slots(model, st);  // 0 locality.cpp
  sim::spawn(model, st);                                                    // 1 spawn.cpp
  sim::enter_waiting(model, st);                                            // 2 spawn.cpp
  // One choice per step for all its passes: a thread never reads lines another wrote in a pass
  // that did not need to split.
  st.parts.split = st.parts.threads > 1 && st.acc.running >= st.parts.parallel_min_items;
  sim::notify_conflicts(model, st);                                         // 3 conflicts.cpp
  sim::compute_actions(model, st);                                          // 4 car_following.cpp
  sim::move_vehicles(model, st);                                            // 5 move.cpp
  sim::change_lanes(model, st);                                             // 6 lane_change.cpp
  if (model.settings->lane_change) sim::refresh_active(model, st, st.parts.split);  // lane changes may occupy new lanes
  sim::update_leaders_stats_and_signals(model, st);                         // 7 leaders.cpp
  st.acc.vehicle_updates += st.acc.running;
  ++st.clock.step_count;
  sim::sample_metrics(model, st);                                           // 8 metrics.cpp
}

double Simulator::time() const { return sim::now(*model_, *state_); }

bool Simulator::demand_done() const {
  const sim::SimState& st = *state_;
  return st.clock.next_departure >= model_->demand->departures.size() && st.acc.running == 0 && st.acc.departed == st.acc.entered;
}

PhaseRequest Simulator::request_phase(IntersectionId i, std::int32_t phase) { return sim::request_phase(*model_, *state_, i, phase); }
PhaseRequest Simulator::switch_phase(IntersectionId i, std::int32_t phase, double clearance) {
  return sim::switch_phase(*model_, *state_, i, phase, clearance);
}

SignalState Simulator::signal(IntersectionId i) const {
  const sim::Signals& sg = state_->signals;
  return {sg.phase[i], sg.in_clearance[i] != 0, sg.time_in_phase[i]};
}

std::span<const std::int32_t> Simulator::lane_vehicle_counts() const { return state_->lane.count; }
std::span<const std::int32_t> Simulator::lane_queue_counts() const { return state_->lane.queue; }
std::span<const double> Simulator::lane_speed_sums() const { return state_->lane.speed_sum; }
std::span<const double> Simulator::lane_waiting_times() const { return state_->lane.wait_sum; }
std::span<const std::int64_t> Simulator::lane_departures() const { return state_->lane.departures; }
Metrics Simulator::metrics() const { return sim::metrics_now(*model_, *state_); }
std::int64_t Simulator::steps() const { return state_->clock.step_count; }
std::int64_t Simulator::vehicle_updates() const { return state_->acc.vehicle_updates; }
std::int64_t Simulator::running() const { return state_->acc.running; }
std::int64_t Simulator::lane_changes() const { return state_->acc.lane_changes; }
std::span<const std::int32_t> Simulator::lane_entry_waiting() const { return state_->entry.waiting; }
std::span<const std::int32_t> Simulator::drivable_vehicles(std::int32_t drivable) const { return state_->lists[drivable]; }
const std::vector<MetricSample>& Simulator::metric_samples() const { return state_->acc.samples; }
bool Simulator::movement_open(MovementId m) const { return state_->signals.movement_open[m] != 0; }

std::vector<VehicleView> Simulator::vehicles() const {
  const sim::SimState& st = *state_;
  const sim::Vehicles& s = st.vehicles;
  std::vector<VehicleView> out;
  for (std::int32_t d = 0; d < st.lists.count(); ++d)
    for (const std::int32_t v : st.lists[d]) {
      const VehicleType& t = model_->demand->vehicle_types[s.type[v]];
      out.push_back({v, s.id[v], d, s.dis[v], s.speed[v], t.length, t.max_speed, s.route[v]});
    }
  return out;
}

std::size_t Simulator::bytes_per_vehicle() {
  // drivable, route_pos, route, type, id, enter_link_step, leader, blocker, n_drivable,
  // n_route_pos, n_blocker (11 x 4) + dis, speed, enter, wait, gap, last_change, n_speed, n_dis
  // (8 x 8) + priority (4) + n_finished (1) + a slot in one drivable list (4) + free_slots,
  // movers and next entries (3 x 4).
  return 11 * 4 + 8 * 8 + 4 + 1 + 4 + 3 * 4;
}

std::size_t Simulator::vehicle_state_bytes() const { return sim::vehicle_state_bytes(*state_); }

std::size_t Simulator::state_bytes() const { return sim::state_bytes(*model_, *state_); }

void Simulator::vehicle_poses(std::vector<VehiclePose>& out) const {
  if (!geometry_) geometry_ = std::make_unique<const NetworkGeometry>(scenario_->network);
  const sim::SimState& st = *state_;
  const sim::Vehicles& s = st.vehicles;
  out.clear();
  for (std::int32_t d = 0; d < st.lists.count(); ++d)
    for (const std::int32_t v : st.lists[d]) {
      const Pose p = geometry_->at(d, s.dis[v]);
      out.push_back({s.id[v], p.x, p.y, p.heading});
    }
}

}  // namespace greenwave
