// Snapshots of the whole mutable simulator state as greenwave.v1.Snapshot (docs/simulator.md,
// "Snapshots"): restore-then-run equals run-straight-through bit for bit.
#include <array>
#include <bit>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

#include "greenwave/core/error.hpp"
#include "greenwave/core/output_file.hpp"
#include "greenwave/sim/simulator.hpp"
#include "greenwave/v1/snapshot.pb.h"
#include "sim_state.hpp"
#include "stages.hpp"

namespace greenwave {
using sim::kFree;
using sim::kNotOnLink;
using sim::kWaiting;
using sim::Vehicles;

namespace {

/// Bumped whenever the meaning of a Snapshot field changes.
// 2: vehicle ids, int32 enter_link_step; 3: no departure times (the vehicle id gives them),
// 32-bit priorities.
constexpr std::uint32_t kSnapshotFormat = 3;

/// FNV-1a 64 over the parts of a scenario that a snapshot's indices and times depend on.
class Fingerprint {
 public:
  /// Mixes n raw bytes.
  void bytes(const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t k = 0; k < n; ++k) h_ = (h_ ^ p[k]) * 1099511628211ULL;
  }
  /// Mixes one integer (widened to 64 bits) or the bit pattern of one double.
  void add(std::int64_t x) { bytes(&x, sizeof x); }
  void add(std::int32_t x) { add(static_cast<std::int64_t>(x)); }
  void add(double x) { add(std::bit_cast<std::int64_t>(x)); }
  /// Mixes a string with its length.
  void add(const std::string& s) {
    add(static_cast<std::int64_t>(s.size()));
    bytes(s.data(), s.size());
  }
  /// Mixes a vector with its length.
  template <class T>
  void add_all(const std::vector<T>& v) {
    add(static_cast<std::int64_t>(v.size()));
    for (const T& x : v) add(x);
  }
  /// The hash so far.
  std::uint64_t value() const { return h_; }

 private:
  std::uint64_t h_ = 1469598103934665603ULL;
};

/// The fingerprint of the network (ids, lanes, movements, conflicts, phases), the demand
/// (routes, vehicle types, departures) and dt: what a snapshot must match to be restored.
std::uint64_t scenario_fingerprint(const CompiledScenario& sc) {
  const RoadNetwork& n = sc.network;
  const Demand& d = sc.demand;
  Fingerprint f;
  f.add(sc.settings.dt);
  f.add_all(n.intersection_ids);
  f.add_all(n.intersection_phase_begin);
  f.add_all(n.road_ids);
  f.add_all(n.road_lane_begin);
  f.add_all(n.lane_length);
  f.add_all(n.movement_from_lane);
  f.add_all(n.movement_to_lane);
  f.add_all(n.movement_conflict_begin);
  f.add(static_cast<std::int64_t>(d.vehicle_types.size()));
  f.add_all(d.route_begin);
  f.add_all(d.route_roads);
  f.add(static_cast<std::int64_t>(d.departures.size()));
  for (const Departure& dep : d.departures) {
    f.add(dep.time);
    f.add(dep.route);
    f.add(dep.vehicle_type);
  }
  return f.value();
}

/// FNV-1a 64 of a byte string (the state checksum).
std::uint64_t checksum(const std::string& bytes) {
  Fingerprint f;
  f.bytes(bytes.data(), bytes.size());
  return f.value();
}

/// 16 hex digits.
std::string hex(std::uint64_t x) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(x));
  return buf;
}

/// Copies a std::vector into a repeated Protobuf field.
template <class Field, class T>
void put(Field* field, const std::vector<T>& v) {
  field->Reserve(static_cast<int>(v.size()));
  for (const T& x : v) field->Add(x);
}

/// Copies a repeated Protobuf field into a std::vector (keeping its allocation when large enough).
template <class T, class Field>
void get(std::vector<T>& v, const Field& field) {
  v.assign(field.begin(), field.end());
}

/// A byte vector as a Protobuf bytes value, and back.
std::string to_bytes(const std::vector<std::uint8_t>& v) { return std::string(v.begin(), v.end()); }

void from_bytes(std::vector<std::uint8_t>& v, const std::string& s) { v.assign(s.begin(), s.end()); }

/// Throws ConfigError("snapshot.<field>", what) unless ok.
void need(bool ok, const char* field, const std::string& what) {
  if (!ok) throw ConfigError(std::string("snapshot.") + field, what);
}

/// Checks that a repeated field (or bytes) has the size the scenario implies.
template <class Field>
void need_size(const Field& field, std::size_t expected, const char* name) {
  const auto got = static_cast<std::size_t>(field.size());
  need(got == expected, name, "expected " + std::to_string(expected) + " entries, got " + std::to_string(got));
}

}  // namespace

// Every field of every state group is either saved (and restored) below or derived: rebuilt from
// the saved ones by rebuild_step_index, or scratch that is dead between steps. The lists name
// them; a field added to a group fails to compile here until it is listed and, if saved,
// written and read below.
template <class Group, std::size_t saved, std::size_t derived>
constexpr bool all_listed(const std::array<const char*, saved>&, const std::array<const char*, derived>&) {
  return saved + derived == sim::field_count<Group>();
}
static_assert(all_listed<sim::SimState>(std::array{"clock", "vehicles", "lists", "entry", "signals", "lane", "acc"},
                                        std::array{"claims", "index", "parts", "move"}));
static_assert(all_listed<sim::Clock>(std::array{"step_count", "rng", "next_departure"}, std::array<const char*, 0>{}));
static_assert(all_listed<Vehicles>(std::array{"drivable", "route_pos", "dis", "speed", "route", "type", "id", "enter",
                                              "priority", "enter_link_step", "wait", "leader", "blocker", "gap",
                                              "last_change", "n_speed", "n_dis", "n_drivable", "n_route_pos", "n_blocker",
                                              "n_finished", "free_slots"},
                                   std::array<const char*, 0>{}));
static_assert(all_listed<sim::EntryQueues>(std::array{"queue"}, std::array{"waiting (the queues' sizes)", "queued_bits"}));
static_assert(all_listed<sim::Signals>(std::array{"phase", "in_clearance", "clearance_left", "time_in_phase", "movement_open"},
                                       std::array<const char*, 0>{}));
static_assert(all_listed<sim::LaneStats>(std::array{"count", "queue", "speed_sum", "wait_sum", "departures"}, std::array<const char*, 0>{}));
static_assert(all_listed<sim::Accumulators>(std::array{"departed", "entered", "finished", "running", "vehicle_updates", "lane_changes",
                                                       "finished_travel_time", "finished_delay_index", "samples"},
                                            std::array<const char*, 0>{}));
static_assert(all_listed<sim::Claims>(std::array<const char*, 0>{},
                                      std::array{"vehicle", "distance", "movement_claimed", "notified", "notified_count"}));
static_assert(all_listed<sim::StepIndex>(std::array<const char*, 0>{},
                                         std::array{"next", "occupied_bits", "active_bits", "lane_out_occupied", "active",
                                                    "active_end", "active_count", "newly_occupied", "lane_hanging", "lane_front_next"}));
static_assert(all_listed<sim::Parts>(std::array<const char*, 0>{}, std::array{"arena", "threads", "parallel_min_items", "split", "rank_begin",
                                                                           "slot_begin", "renumber_bases", "shares"}));
static_assert(all_listed<sim::MoveScratch>(std::array<const char*, 0>{}, std::array{"movers", "moving_bits", "mover_keys"}));

std::string Simulator::save_snapshot() const {
  const sim::SimState& st = *state_;
  const Vehicles& s = st.vehicles;
  v1::SnapshotState snap;
  snap.set_step_count(st.clock.step_count);
  for (const std::uint64_t w : st.clock.rng.state) snap.add_rng_state(w);
  snap.set_next_departure(st.clock.next_departure);

  v1::SnapshotVehicles& sv = *snap.mutable_vehicles();
  put(sv.mutable_drivable(), s.drivable);
  put(sv.mutable_route_pos(), s.route_pos);
  put(sv.mutable_dis(), s.dis);
  put(sv.mutable_speed(), s.speed);
  put(sv.mutable_route(), s.route);
  put(sv.mutable_type(), s.type);
  put(sv.mutable_id(), s.id);
  put(sv.mutable_enter(), s.enter);
  put(sv.mutable_priority(), s.priority);
  put(sv.mutable_enter_link_step(), s.enter_link_step);
  put(sv.mutable_wait(), s.wait);
  put(sv.mutable_leader(), s.leader);
  put(sv.mutable_blocker(), s.blocker);
  put(sv.mutable_gap(), s.gap);
  put(sv.mutable_n_speed(), s.n_speed);
  put(sv.mutable_n_dis(), s.n_dis);
  put(sv.mutable_n_drivable(), s.n_drivable);
  put(sv.mutable_n_route_pos(), s.n_route_pos);
  put(sv.mutable_n_blocker(), s.n_blocker);
  sv.set_n_finished(to_bytes(s.n_finished));
  put(sv.mutable_free_slots(), s.free_slots);
  put(sv.mutable_last_change(), s.last_change);

  for (std::int32_t d = 0; d < st.lists.count(); ++d) {
    snap.add_drivable_list_size(st.lists.size(d));
    for (const std::int32_t v : st.lists[d]) snap.add_drivable_list_items(v);
  }
  for (const auto& queue : st.entry.queue) {
    snap.add_entry_queue_size(static_cast<std::int32_t>(queue.size()));
    for (std::size_t k = 0; k < queue.size(); ++k) snap.add_entry_queue_items(queue[k]);
  }

  v1::SnapshotSignals& sg = *snap.mutable_signals();
  put(sg.mutable_phase(), st.signals.phase);
  sg.set_in_clearance(to_bytes(st.signals.in_clearance));
  put(sg.mutable_clearance_left(), st.signals.clearance_left);
  put(sg.mutable_time_in_phase(), st.signals.time_in_phase);
  sg.set_movement_open(to_bytes(st.signals.movement_open));

  put(snap.mutable_lane_count(), st.lane.count);
  put(snap.mutable_lane_queue(), st.lane.queue);
  put(snap.mutable_lane_speed_sum(), st.lane.speed_sum);
  put(snap.mutable_lane_wait_sum(), st.lane.wait_sum);
  put(snap.mutable_lane_departures(), st.lane.departures);

  snap.set_departed(st.acc.departed);
  snap.set_entered(st.acc.entered);
  snap.set_finished(st.acc.finished);
  snap.set_running(st.acc.running);
  snap.set_vehicle_updates(st.acc.vehicle_updates);
  snap.set_lane_changes(st.acc.lane_changes);
  snap.set_finished_travel_time(st.acc.finished_travel_time);
  snap.set_finished_delay_index(st.acc.finished_delay_index);
  for (const MetricSample& m : st.acc.samples) {
    v1::SnapshotSample& out = *snap.add_samples();
    out.set_time(m.time);
    out.set_served_vehicles(m.served_vehicles);
    out.set_delay_index(m.delay_index);
  }
  v1::Snapshot envelope;
  envelope.set_format_version(kSnapshotFormat);
  envelope.set_scenario_fingerprint(scenario_fingerprint(*scenario_));
  envelope.set_scenario_name(scenario_->name);
  GW_CHECK(snap.SerializeToString(envelope.mutable_state()), "snapshot serialisation failed");
  envelope.set_state_checksum(checksum(envelope.state()));
  std::string bytes;
  GW_CHECK(envelope.SerializeToString(&bytes), "snapshot serialisation failed");
  return bytes;
}

void Simulator::restore_snapshot(std::string_view bytes) {
  const sim::SimModel& model = *model_;
  sim::SimState& st = *state_;
  const RoadNetwork& net = *model.net;
  const std::int32_t lanes = net.num_lanes();
  const std::int32_t drivables = lanes + net.num_movements();
  const std::size_t ni = static_cast<std::size_t>(net.num_intersections());

  // ---- parse and validate everything before touching the state
  v1::Snapshot envelope;
  need(bytes.size() < static_cast<std::size_t>(INT_MAX), "bytes", "snapshot too large (" + std::to_string(bytes.size()) + " bytes)");
  need(envelope.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())), "bytes",
       "not a greenwave.v1.Snapshot (Protobuf parse failed on " + std::to_string(bytes.size()) + " bytes)");
  need(envelope.format_version() == kSnapshotFormat, "format_version",
       "expected " + std::to_string(kSnapshotFormat) + ", got " + std::to_string(envelope.format_version()) +
           (bytes.empty() ? " (empty input)" : ""));
  const std::uint64_t mine = scenario_fingerprint(*scenario_);
  if (envelope.scenario_fingerprint() != mine)
    throw ScenarioError(scenario_->source, "snapshot",
                        "snapshot of scenario '" + envelope.scenario_name() + "' (fingerprint " +
                            hex(envelope.scenario_fingerprint()) + ") cannot be restored into scenario '" + scenario_->name +
                            "' (fingerprint " + hex(mine) + ")");
  need(checksum(envelope.state()) == envelope.state_checksum(), "state_checksum",
       "the state bytes are corrupt (checksum " + hex(checksum(envelope.state())) + ", expected " +
           hex(envelope.state_checksum()) + ")");
  v1::SnapshotState snap;
  need(snap.ParseFromString(envelope.state()), "state", "not a greenwave.v1.SnapshotState (Protobuf parse failed)");
  need(snap.step_count() >= 0, "step_count", "negative: " + std::to_string(snap.step_count()));
  need_size(snap.rng_state(), 4, "rng_state");
  need(snap.next_departure() <= model.demand->departures.size(), "next_departure",
       std::to_string(snap.next_departure()) + " exceeds the " + std::to_string(model.demand->departures.size()) + " departures");

  const v1::SnapshotVehicles& sv = snap.vehicles();
  const std::size_t n = static_cast<std::size_t>(sv.drivable_size());
  const auto slots = static_cast<std::int32_t>(n);
  need_size(sv.route_pos(), n, "vehicles.route_pos");
  need_size(sv.dis(), n, "vehicles.dis");
  need_size(sv.speed(), n, "vehicles.speed");
  need_size(sv.route(), n, "vehicles.route");
  need_size(sv.type(), n, "vehicles.type");
  need_size(sv.id(), n, "vehicles.id");
  need_size(sv.enter(), n, "vehicles.enter");
  need_size(sv.priority(), n, "vehicles.priority");
  need_size(sv.enter_link_step(), n, "vehicles.enter_link_step");
  need_size(sv.wait(), n, "vehicles.wait");
  need_size(sv.leader(), n, "vehicles.leader");
  need_size(sv.blocker(), n, "vehicles.blocker");
  need_size(sv.gap(), n, "vehicles.gap");
  need_size(sv.n_speed(), n, "vehicles.n_speed");
  need_size(sv.n_dis(), n, "vehicles.n_dis");
  need_size(sv.n_drivable(), n, "vehicles.n_drivable");
  need_size(sv.n_route_pos(), n, "vehicles.n_route_pos");
  need_size(sv.n_blocker(), n, "vehicles.n_blocker");
  need_size(sv.n_finished(), n, "vehicles.n_finished");
  need_size(sv.last_change(), n, "vehicles.last_change");
  std::int64_t running = 0, waiting = 0, free = 0;
  auto slot_ok = [&](std::int32_t x) { return x >= 0 && x < slots; };
  auto ref_ok = [&](std::int32_t x) { return x == kNone || (slot_ok(x) && sv.drivable(x) >= 0); };
  for (std::int32_t v = 0; v < slots; ++v) {
    const std::int32_t d = sv.drivable(v);
    const std::string at = "slot " + std::to_string(v);
    need(d == kFree || d == kWaiting || (d >= 0 && d < drivables), "vehicles.drivable", at + ": bad drivable " + std::to_string(d));
    if (d == kFree) {
      ++free;
      continue;
    }
    (d == kWaiting ? waiting : running) += 1;
    const std::int32_t r = sv.route(v);
    need(r >= 0 && r < model.demand->num_routes(), "vehicles.route", at + ": bad route " + std::to_string(r));
    need(sv.type(v) >= 0 && sv.type(v) < static_cast<std::int32_t>(model.demand->vehicle_types.size()), "vehicles.type",
         at + ": bad vehicle type " + std::to_string(sv.type(v)));
    need(sv.id(v) >= 0 && static_cast<std::size_t>(sv.id(v)) < snap.next_departure(), "vehicles.id",
         at + ": bad vehicle id " + std::to_string(sv.id(v)));
    need(sv.enter_link_step(v) >= 0 && sv.enter_link_step(v) <= kNotOnLink, "vehicles.enter_link_step",
         at + ": bad step " + std::to_string(sv.enter_link_step(v)));
    need(sv.route_pos(v) >= 0 && sv.route_pos(v) < static_cast<std::int32_t>(model.demand->route(r).size()), "vehicles.route_pos",
         at + ": bad route position " + std::to_string(sv.route_pos(v)));
    need(std::isfinite(sv.dis(v)) && std::isfinite(sv.speed(v)) && sv.speed(v) >= 0, "vehicles.dis",
         at + ": position or speed not a finite distance/speed");
    need(sv.n_drivable(v) >= kWaiting && sv.n_drivable(v) < drivables, "vehicles.n_drivable", at + ": bad next drivable");
    if (d == kWaiting)
      need(sv.n_drivable(v) >= 0 && sv.n_drivable(v) < lanes, "vehicles.n_drivable", at + ": waiting without an entry lane");
    if (d >= 0) {
      need(ref_ok(sv.leader(v)), "vehicles.leader", at + ": leader is not a running vehicle");
      need(ref_ok(sv.blocker(v)), "vehicles.blocker", at + ": blocker is not a running vehicle");
    }
    need(sv.n_blocker(v) == kNone || slot_ok(sv.n_blocker(v)), "vehicles.n_blocker", at + ": bad slot");
  }
  need(running == snap.running(), "running",
       std::to_string(snap.running()) + " disagrees with the " + std::to_string(running) + " running slots");
  need(waiting == snap.departed() - snap.entered(), "departed",
       "departed - entered = " + std::to_string(snap.departed() - snap.entered()) + " disagrees with the " +
           std::to_string(waiting) + " waiting slots");
  need(static_cast<std::int64_t>(sv.free_slots_size()) == free, "vehicles.free_slots",
       "lists " + std::to_string(sv.free_slots_size()) + " slots for " + std::to_string(free) + " free ones");
  std::vector<std::uint8_t> seen(n, 0);
  for (const std::int32_t v : sv.free_slots()) {
    need(slot_ok(v) && sv.drivable(v) == kFree && !seen[v], "vehicles.free_slots", "bad or repeated slot " + std::to_string(v));
    seen[v] = 1;
  }
  need_size(snap.drivable_list_size(), static_cast<std::size_t>(drivables), "drivable_list_size");
  {
    std::int64_t k = 0;
    for (std::int32_t d = 0; d < drivables; ++d) {
      const std::int32_t count = snap.drivable_list_size(d);
      need(count >= 0 && k + count <= snap.drivable_list_items_size(), "drivable_list_size",
           "drivable " + std::to_string(d) + ": bad count " + std::to_string(count));
      for (std::int32_t c = 0; c < count; ++c, ++k) {
        const std::int32_t v = snap.drivable_list_items(static_cast<int>(k));
        need(slot_ok(v) && sv.drivable(v) == d && !seen[v], "drivable_list_items",
             "drivable " + std::to_string(d) + ": slot " + std::to_string(v) + " is not a vehicle on it, or repeated");
        seen[v] = 1;
      }
    }
    need(k == snap.drivable_list_items_size() && k == running, "drivable_list_items",
         std::to_string(snap.drivable_list_items_size()) + " entries for " + std::to_string(running) + " running vehicles");
  }
  need_size(snap.entry_queue_size(), static_cast<std::size_t>(lanes), "entry_queue_size");
  {
    std::int64_t k = 0;
    for (LaneId l = 0; l < lanes; ++l) {
      const std::int32_t count = snap.entry_queue_size(l);
      need(count >= 0 && k + count <= snap.entry_queue_items_size(), "entry_queue_size",
           "lane " + std::to_string(l) + ": bad count " + std::to_string(count));
      for (std::int32_t c = 0; c < count; ++c, ++k) {
        const std::int32_t v = snap.entry_queue_items(static_cast<int>(k));
        need(slot_ok(v) && sv.drivable(v) == kWaiting && sv.n_drivable(v) == l && !seen[v], "entry_queue_items",
             "lane " + std::to_string(l) + ": slot " + std::to_string(v) + " is not waiting for it, or repeated");
        seen[v] = 1;
      }
    }
    need(k == snap.entry_queue_items_size() && k == waiting, "entry_queue_items",
         std::to_string(snap.entry_queue_items_size()) + " entries for " + std::to_string(waiting) + " waiting vehicles");
  }
  const v1::SnapshotSignals& sg = snap.signals();
  need_size(sg.phase(), ni, "signals.phase");
  need_size(sg.in_clearance(), ni, "signals.in_clearance");
  need_size(sg.clearance_left(), ni, "signals.clearance_left");
  need_size(sg.time_in_phase(), ni, "signals.time_in_phase");
  need_size(sg.movement_open(), static_cast<std::size_t>(net.num_movements()), "signals.movement_open");
  for (IntersectionId i = 0; i < net.num_intersections(); ++i)
    need(sg.phase(i) >= 0 && sg.phase(i) < std::max(1, net.phase_count(i)), "signals.phase",
         "intersection " + net.intersection_ids[i] + ": phase " + std::to_string(sg.phase(i)) + " out of range");
  for (const auto* f : {&snap.lane_count(), &snap.lane_queue()}) need_size(*f, static_cast<std::size_t>(lanes), "lane_count");
  for (const auto* f : {&snap.lane_speed_sum(), &snap.lane_wait_sum()}) need_size(*f, static_cast<std::size_t>(lanes), "lane_speed_sum");
  need_size(snap.lane_departures(), static_cast<std::size_t>(lanes), "lane_departures");

  // ---- commit (nothing below can fail)
  Vehicles& s = st.vehicles;
  get(s.drivable, sv.drivable());
  get(s.route_pos, sv.route_pos());
  get(s.dis, sv.dis());
  get(s.speed, sv.speed());
  get(s.route, sv.route());
  get(s.type, sv.type());
  get(s.id, sv.id());
  get(s.enter, sv.enter());
  get(s.priority, sv.priority());
  get(s.enter_link_step, sv.enter_link_step());
  get(s.wait, sv.wait());
  get(s.leader, sv.leader());
  get(s.blocker, sv.blocker());
  get(s.gap, sv.gap());
  get(s.last_change, sv.last_change());
  get(s.n_speed, sv.n_speed());
  get(s.n_dis, sv.n_dis());
  get(s.n_drivable, sv.n_drivable());
  get(s.n_route_pos, sv.n_route_pos());
  get(s.n_blocker, sv.n_blocker());
  from_bytes(s.n_finished, sv.n_finished());
  get(s.free_slots, sv.free_slots());

  st.clock.step_count = snap.step_count();
  for (int w = 0; w < 4; ++w) st.clock.rng.state[w] = snap.rng_state(w);
  st.clock.next_departure = static_cast<std::size_t>(snap.next_departure());
  {
    int k = 0;
    st.lists.reset(drivables);
    for (std::int32_t d = 0; d < drivables; ++d) {
      for (std::int32_t c = 0; c < snap.drivable_list_size(d); ++c) st.lists.push_back(d, snap.drivable_list_items(k++));
    }
  }
  {
    int k = 0;
    for (LaneId l = 0; l < lanes; ++l) {
      auto& queue = st.entry.queue[l];
      queue.clear();
      for (std::int32_t c = 0; c < snap.entry_queue_size(l); ++c) queue.push_back(snap.entry_queue_items(k++));
      st.entry.waiting[l] = static_cast<std::int32_t>(queue.size());
    }
  }
  st.move.movers.clear();
  get(st.signals.phase, sg.phase());
  from_bytes(st.signals.in_clearance, sg.in_clearance());
  get(st.signals.clearance_left, sg.clearance_left());
  get(st.signals.time_in_phase, sg.time_in_phase());
  from_bytes(st.signals.movement_open, sg.movement_open());
  get(st.lane.count, snap.lane_count());
  get(st.lane.queue, snap.lane_queue());
  get(st.lane.speed_sum, snap.lane_speed_sum());
  get(st.lane.wait_sum, snap.lane_wait_sum());
  get(st.lane.departures, snap.lane_departures());
  st.acc.departed = snap.departed();
  st.acc.entered = snap.entered();
  st.acc.finished = snap.finished();
  st.acc.running = snap.running();
  st.acc.vehicle_updates = snap.vehicle_updates();
  st.acc.lane_changes = snap.lane_changes();
  st.acc.finished_travel_time = snap.finished_travel_time();
  st.acc.finished_delay_index = snap.finished_delay_index();
  st.acc.samples.clear();
  for (const v1::SnapshotSample& m : snap.samples()) st.acc.samples.push_back({m.time(), m.served_vehicles(), m.delay_index()});
  sim::rebuild_step_index(model, st);  // the step's index of occupied drivables and notified movements
}

void Simulator::save_snapshot_file(const std::string& path) const { write_file_atomically(path, save_snapshot()); }

void Simulator::restore_snapshot_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("snapshot file", "cannot read " + path + ": " + std::strerror(errno));
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw ConfigError("snapshot file", "error reading " + path);
  try {
    restore_snapshot(bytes);
  } catch (const ConfigError& e) {
    throw ConfigError("snapshot file", path + ": " + e.what());
  }
}

}  // namespace greenwave
