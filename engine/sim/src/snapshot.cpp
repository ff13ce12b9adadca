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

/// Copies a byte vector into a Protobuf bytes value.
void put(std::string* field, const std::vector<std::uint8_t>& v) { field->assign(v.begin(), v.end()); }

/// Copies a Protobuf bytes value into a byte vector.
void get(std::vector<std::uint8_t>& v, const std::string& field) { v.assign(field.begin(), field.end()); }

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

// Snapshots are written and read one SimState group at a time: save_<group>, check_<group> (all
// validation, before anything is changed) and restore_<group>. Every field of every group is
// either saved or derived (rebuilt from the saved groups by rebuild_step_index, or scratch that is
// dead between steps). The column groups (vehicles, signals, lane statistics) are saved, checked
// and restored by walking one table per group, and each table's length is checked against the
// group's field count; the other groups name their fields in lists checked the same way. A field
// added to a group fails to compile here until it is saved (in its table or its group's
// functions) or declared derived.

/// One saved column of a state group: its name, its member, and its Snapshot field (read, write).
#define GW_SNAPSHOT_COLUMN(f, Group, member, Msg, field) \
  f(#member, &Group::member, [](const Msg& m) -> const auto& { return m.field(); }, [](Msg& m) { return m.mutable_##field(); })

/// The number of columns a table calls f with.
template <class Table>
consteval std::size_t column_count(Table table) {
  std::size_t n = 0;
  table([&n](auto&&...) { ++n; });
  return n;
}

/// True when the saved and derived names of a group cover its field count.
template <class Group, std::size_t saved, std::size_t derived>
constexpr bool all_listed(const std::array<const char*, saved>&, const std::array<const char*, derived>&) {
  return saved + derived == sim::field_count<Group>();
}

static_assert(all_listed<sim::SimState>(std::array{"clock", "vehicles", "lists", "entry", "signals", "lane", "acc"},
                                        std::array{"claims", "index", "parts", "move"}));
// Derived groups: rebuild_step_index (step_index.cpp) rebuilds them after a restore.
static_assert(all_listed<sim::Claims>(std::array<const char*, 0>{},
                                      std::array{"vehicle", "distance", "movement_claimed", "notified", "notified_count"}));
static_assert(all_listed<sim::StepIndex>(std::array<const char*, 0>{},
                                         std::array{"next", "occupied_bits", "active_bits", "lane_out_occupied", "active",
                                                    "active_end", "active_count", "newly_occupied", "lane_hanging", "lane_front_next"}));
static_assert(all_listed<sim::Parts>(std::array<const char*, 0>{}, std::array{"arena", "threads", "parallel_min_items", "split", "rank_begin",
                                                                           "slot_begin", "renumber_bases", "shares"}));
static_assert(all_listed<sim::MoveScratch>(std::array<const char*, 0>{}, std::array{"movers", "moving_bits", "mover_keys"}));

/// What the checks of the vehicle slots found, for the checks of the groups that refer to them.
struct SlotCensus {
  std::int64_t running = 0, waiting = 0, free = 0;
  std::vector<std::uint8_t> listed;  ///< per slot: already found in free_slots, a list or a queue
};

// ---- Clock
static_assert(all_listed<sim::Clock>(std::array{"step_count", "rng", "next_departure"}, std::array<const char*, 0>{}));

/// Saves the clock.
void save_clock(const sim::Clock& c, v1::SnapshotState& snap) {
  snap.set_step_count(c.step_count);
  for (const std::uint64_t w : c.rng.state) snap.add_rng_state(w);
  snap.set_next_departure(c.next_departure);
}

/// Checks the saved clock.
void check_clock(const sim::SimModel& model, const v1::SnapshotState& snap) {
  need(snap.step_count() >= 0, "step_count", "negative: " + std::to_string(snap.step_count()));
  need_size(snap.rng_state(), 4, "rng_state");
  need(snap.next_departure() <= model.demand->departures.size(), "next_departure",
       std::to_string(snap.next_departure()) + " exceeds the " + std::to_string(model.demand->departures.size()) + " departures");
}

/// Restores the clock.
void restore_clock(sim::Clock& c, const v1::SnapshotState& snap) {
  c.step_count = snap.step_count();
  for (int w = 0; w < 4; ++w) c.rng.state[w] = snap.rng_state(w);
  c.next_departure = static_cast<std::size_t>(snap.next_departure());
}

// ---- Vehicles: every per-slot column, then the free slots.

/// The per-slot columns of Vehicles with their SnapshotVehicles fields (all but free_slots).
template <class F>
constexpr void vehicle_columns(F&& f) {
  using V = Vehicles;
  using M = v1::SnapshotVehicles;
  GW_SNAPSHOT_COLUMN(f, V, drivable, M, drivable);
  GW_SNAPSHOT_COLUMN(f, V, route_pos, M, route_pos);
  GW_SNAPSHOT_COLUMN(f, V, dis, M, dis);
  GW_SNAPSHOT_COLUMN(f, V, speed, M, speed);
  GW_SNAPSHOT_COLUMN(f, V, route, M, route);
  GW_SNAPSHOT_COLUMN(f, V, type, M, type);
  GW_SNAPSHOT_COLUMN(f, V, id, M, id);
  GW_SNAPSHOT_COLUMN(f, V, enter, M, enter);
  GW_SNAPSHOT_COLUMN(f, V, priority, M, priority);
  GW_SNAPSHOT_COLUMN(f, V, enter_link_step, M, enter_link_step);
  GW_SNAPSHOT_COLUMN(f, V, wait, M, wait);
  GW_SNAPSHOT_COLUMN(f, V, leader, M, leader);
  GW_SNAPSHOT_COLUMN(f, V, blocker, M, blocker);
  GW_SNAPSHOT_COLUMN(f, V, gap, M, gap);
  GW_SNAPSHOT_COLUMN(f, V, last_change, M, last_change);
  GW_SNAPSHOT_COLUMN(f, V, n_speed, M, n_speed);
  GW_SNAPSHOT_COLUMN(f, V, n_dis, M, n_dis);
  GW_SNAPSHOT_COLUMN(f, V, n_drivable, M, n_drivable);
  GW_SNAPSHOT_COLUMN(f, V, n_route_pos, M, n_route_pos);
  GW_SNAPSHOT_COLUMN(f, V, n_blocker, M, n_blocker);
  GW_SNAPSHOT_COLUMN(f, V, n_finished, M, n_finished);
}
static_assert(column_count([](auto&& f) { vehicle_columns(f); }) + 1 /* free_slots */ == sim::field_count<Vehicles>(),
              "a Vehicles field is neither a saved column nor free_slots");

/// Saves the vehicle slots.
void save_vehicles(const Vehicles& s, v1::SnapshotVehicles& sv) {
  vehicle_columns([&](const char*, auto member, auto, auto field) { put(field(sv), s.*member); });
  put(sv.mutable_free_slots(), s.free_slots);
}

/// Checks the saved vehicle slots (columns of one length, each slot's values in range) and
/// counts running, waiting and free slots.
SlotCensus check_vehicles(const sim::SimModel& model, const v1::SnapshotState& snap) {
  const v1::SnapshotVehicles& sv = snap.vehicles();
  const std::int32_t lanes = model.net->num_lanes();
  const std::int32_t drivables = lanes + model.net->num_movements();
  const std::size_t n = static_cast<std::size_t>(sv.drivable_size());
  const auto slots = static_cast<std::int32_t>(n);
  vehicle_columns([&](const char* name, auto, auto field, auto) {
    need_size(field(sv), n, (std::string("vehicles.") + name).c_str());
  });
  SlotCensus census;
  auto slot_ok = [&](std::int32_t x) { return x >= 0 && x < slots; };
  auto ref_ok = [&](std::int32_t x) { return x == kNone || (slot_ok(x) && sv.drivable(x) >= 0); };
  for (std::int32_t v = 0; v < slots; ++v) {
    const std::int32_t d = sv.drivable(v);
    const std::string at = "slot " + std::to_string(v);
    need(d == kFree || d == kWaiting || (d >= 0 && d < drivables), "vehicles.drivable", at + ": bad drivable " + std::to_string(d));
    if (d == kFree) {
      ++census.free;
      continue;
    }
    (d == kWaiting ? census.waiting : census.running) += 1;
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
    if (d == kWaiting) {
      need(sv.n_drivable(v) >= 0 && sv.n_drivable(v) < lanes, "vehicles.n_drivable", at + ": waiting without an entry lane");
      // Departure clears both; renumbering renames them, so a stray one would index out of range.
      need(sv.leader(v) == kNone, "vehicles.leader", at + ": a waiting vehicle has no leader");
      need(sv.blocker(v) == kNone, "vehicles.blocker", at + ": a waiting vehicle has no blocker");
    } else {
      need(ref_ok(sv.leader(v)), "vehicles.leader", at + ": leader is not a running vehicle");
      need(ref_ok(sv.blocker(v)), "vehicles.blocker", at + ": blocker is not a running vehicle");
    }
    need(sv.n_blocker(v) == kNone || slot_ok(sv.n_blocker(v)), "vehicles.n_blocker", at + ": bad slot");
  }
  need(static_cast<std::int64_t>(sv.free_slots_size()) == census.free, "vehicles.free_slots",
       "lists " + std::to_string(sv.free_slots_size()) + " slots for " + std::to_string(census.free) + " free ones");
  census.listed.assign(n, 0);
  for (const std::int32_t v : sv.free_slots()) {
    need(slot_ok(v) && sv.drivable(v) == kFree && !census.listed[v], "vehicles.free_slots", "bad or repeated slot " + std::to_string(v));
    census.listed[v] = 1;
  }
  return census;
}

/// Restores the vehicle slots.
void restore_vehicles(Vehicles& s, const v1::SnapshotVehicles& sv) {
  vehicle_columns([&](const char*, auto member, auto field, auto) { get(s.*member, field(sv)); });
  get(s.free_slots, sv.free_slots());
}

// ---- Drivable lists (one DrivableLists, saved as CSR: sizes, then items)

/// Saves the vehicles on each drivable, front first.
void save_lists(const DrivableLists& lists, v1::SnapshotState& snap) {
  for (std::int32_t d = 0; d < lists.count(); ++d) {
    snap.add_drivable_list_size(lists.size(d));
    for (const std::int32_t v : lists[d]) snap.add_drivable_list_items(v);
  }
}

/// Checks that the lists hold exactly the running vehicles, each on its own drivable, once.
void check_lists(const sim::SimModel& model, const v1::SnapshotState& snap, SlotCensus& census) {
  const std::int32_t drivables = model.net->num_lanes() + model.net->num_movements();
  const v1::SnapshotVehicles& sv = snap.vehicles();
  const auto slots = static_cast<std::int32_t>(census.listed.size());
  need_size(snap.drivable_list_size(), static_cast<std::size_t>(drivables), "drivable_list_size");
  std::int64_t k = 0;
  for (std::int32_t d = 0; d < drivables; ++d) {
    const std::int32_t count = snap.drivable_list_size(d);
    need(count >= 0 && k + count <= snap.drivable_list_items_size(), "drivable_list_size",
         "drivable " + std::to_string(d) + ": bad count " + std::to_string(count));
    for (std::int32_t c = 0; c < count; ++c, ++k) {
      const std::int32_t v = snap.drivable_list_items(static_cast<int>(k));
      need(v >= 0 && v < slots && sv.drivable(v) == d && !census.listed[v], "drivable_list_items",
           "drivable " + std::to_string(d) + ": slot " + std::to_string(v) + " is not a vehicle on it, or repeated");
      census.listed[v] = 1;
    }
  }
  need(k == snap.drivable_list_items_size() && k == census.running, "drivable_list_items",
       std::to_string(snap.drivable_list_items_size()) + " entries for " + std::to_string(census.running) + " running vehicles");
}

/// Restores the lists.
void restore_lists(const sim::SimModel& model, DrivableLists& lists, const v1::SnapshotState& snap) {
  const std::int32_t drivables = model.net->num_lanes() + model.net->num_movements();
  int k = 0;
  lists.reset(drivables);
  for (std::int32_t d = 0; d < drivables; ++d)
    for (std::int32_t c = 0; c < snap.drivable_list_size(d); ++c) lists.push_back(d, snap.drivable_list_items(k++));
}

// ---- Entry queues (saved as CSR; waiting and queued_bits are derived from them)
static_assert(all_listed<sim::EntryQueues>(std::array{"queue"}, std::array{"waiting (the queues' sizes)", "queued_bits"}));

/// Saves each lane's entry queue, head first.
void save_entry(const sim::EntryQueues& entry, v1::SnapshotState& snap) {
  for (const auto& queue : entry.queue) {
    snap.add_entry_queue_size(static_cast<std::int32_t>(queue.size()));
    for (std::size_t k = 0; k < queue.size(); ++k) snap.add_entry_queue_items(queue[k]);
  }
}

/// Checks that the queues hold exactly the waiting vehicles, each in its entry lane's, once.
void check_entry(const sim::SimModel& model, const v1::SnapshotState& snap, SlotCensus& census) {
  const std::int32_t lanes = model.net->num_lanes();
  const v1::SnapshotVehicles& sv = snap.vehicles();
  const auto slots = static_cast<std::int32_t>(census.listed.size());
  need_size(snap.entry_queue_size(), static_cast<std::size_t>(lanes), "entry_queue_size");
  std::int64_t k = 0;
  for (LaneId l = 0; l < lanes; ++l) {
    const std::int32_t count = snap.entry_queue_size(l);
    need(count >= 0 && k + count <= snap.entry_queue_items_size(), "entry_queue_size",
         "lane " + std::to_string(l) + ": bad count " + std::to_string(count));
    for (std::int32_t c = 0; c < count; ++c, ++k) {
      const std::int32_t v = snap.entry_queue_items(static_cast<int>(k));
      need(v >= 0 && v < slots && sv.drivable(v) == kWaiting && sv.n_drivable(v) == l && !census.listed[v], "entry_queue_items",
           "lane " + std::to_string(l) + ": slot " + std::to_string(v) + " is not waiting for it, or repeated");
      census.listed[v] = 1;
    }
  }
  need(k == snap.entry_queue_items_size() && k == census.waiting, "entry_queue_items",
       std::to_string(snap.entry_queue_items_size()) + " entries for " + std::to_string(census.waiting) + " waiting vehicles");
}

/// Restores the queues and their sizes (queued_bits: rebuild_step_index).
void restore_entry(sim::EntryQueues& entry, const v1::SnapshotState& snap) {
  int k = 0;
  for (std::size_t l = 0; l < entry.queue.size(); ++l) {
    auto& queue = entry.queue[l];
    queue.clear();
    for (std::int32_t c = 0; c < snap.entry_queue_size(static_cast<int>(l)); ++c) queue.push_back(snap.entry_queue_items(k++));
    entry.waiting[l] = static_cast<std::int32_t>(queue.size());
  }
}

// ---- Signals: per-intersection columns, then the open movements.

/// The per-intersection columns of Signals with their SnapshotSignals fields (all but movement_open).
template <class F>
constexpr void signal_columns(F&& f) {
  using S = sim::Signals;
  using M = v1::SnapshotSignals;
  GW_SNAPSHOT_COLUMN(f, S, phase, M, phase);
  GW_SNAPSHOT_COLUMN(f, S, in_clearance, M, in_clearance);
  GW_SNAPSHOT_COLUMN(f, S, clearance_left, M, clearance_left);
  GW_SNAPSHOT_COLUMN(f, S, time_in_phase, M, time_in_phase);
}
static_assert(column_count([](auto&& f) { signal_columns(f); }) + 1 /* movement_open */ == sim::field_count<sim::Signals>(),
              "a Signals field is neither a saved column nor movement_open");

/// Saves the signals.
void save_signals(const sim::Signals& g, v1::SnapshotSignals& sg) {
  signal_columns([&](const char*, auto member, auto, auto field) { put(field(sg), g.*member); });
  put(sg.mutable_movement_open(), g.movement_open);
}

/// Checks the saved signals (sizes, phases in range).
void check_signals(const sim::SimModel& model, const v1::SnapshotSignals& sg) {
  const RoadNetwork& net = *model.net;
  signal_columns([&](const char* name, auto, auto field, auto) {
    need_size(field(sg), static_cast<std::size_t>(net.num_intersections()), (std::string("signals.") + name).c_str());
  });
  need_size(sg.movement_open(), static_cast<std::size_t>(net.num_movements()), "signals.movement_open");
  for (IntersectionId i = 0; i < net.num_intersections(); ++i)
    need(sg.phase(i) >= 0 && sg.phase(i) < std::max(1, net.phase_count(i)), "signals.phase",
         "intersection " + net.intersection_ids[i] + ": phase " + std::to_string(sg.phase(i)) + " out of range");
}

/// Restores the signals.
void restore_signals(sim::Signals& g, const v1::SnapshotSignals& sg) {
  signal_columns([&](const char*, auto member, auto field, auto) { get(g.*member, field(sg)); });
  get(g.movement_open, sg.movement_open());
}

// ---- Lane statistics: per-lane columns.

/// The columns of LaneStats with their SnapshotState fields.
template <class F>
constexpr void lane_columns(F&& f) {
  using L = sim::LaneStats;
  using M = v1::SnapshotState;
  GW_SNAPSHOT_COLUMN(f, L, count, M, lane_count);
  GW_SNAPSHOT_COLUMN(f, L, queue, M, lane_queue);
  GW_SNAPSHOT_COLUMN(f, L, speed_sum, M, lane_speed_sum);
  GW_SNAPSHOT_COLUMN(f, L, wait_sum, M, lane_wait_sum);
  GW_SNAPSHOT_COLUMN(f, L, departures, M, lane_departures);
}
static_assert(column_count([](auto&& f) { lane_columns(f); }) == sim::field_count<sim::LaneStats>(),
              "a LaneStats field is not a saved column");

/// Saves the lane statistics.
void save_lane(const sim::LaneStats& g, v1::SnapshotState& snap) {
  lane_columns([&](const char*, auto member, auto, auto field) { put(field(snap), g.*member); });
}

/// Checks the saved lane statistics' sizes.
void check_lane(const sim::SimModel& model, const v1::SnapshotState& snap) {
  lane_columns([&](const char* name, auto, auto field, auto) {
    need_size(field(snap), static_cast<std::size_t>(model.net->num_lanes()), (std::string("lane_") + name).c_str());
  });
}

/// Restores the lane statistics.
void restore_lane(sim::LaneStats& g, const v1::SnapshotState& snap) {
  lane_columns([&](const char*, auto member, auto field, auto) { get(g.*member, field(snap)); });
}

// ---- Metric accumulators
static_assert(all_listed<sim::Accumulators>(std::array{"departed", "entered", "finished", "running", "vehicle_updates", "lane_changes",
                                                       "finished_travel_time", "finished_delay_index", "samples"},
                                            std::array<const char*, 0>{}));

/// Saves the accumulators.
void save_acc(const sim::Accumulators& a, v1::SnapshotState& snap) {
  snap.set_departed(a.departed);
  snap.set_entered(a.entered);
  snap.set_finished(a.finished);
  snap.set_running(a.running);
  snap.set_vehicle_updates(a.vehicle_updates);
  snap.set_lane_changes(a.lane_changes);
  snap.set_finished_travel_time(a.finished_travel_time);
  snap.set_finished_delay_index(a.finished_delay_index);
  for (const MetricSample& m : a.samples) {
    v1::SnapshotSample& out = *snap.add_samples();
    out.set_time(m.time);
    out.set_served_vehicles(m.served_vehicles);
    out.set_delay_index(m.delay_index);
  }
}

/// Checks that the running and waiting counts agree with the slots.
void check_acc(const v1::SnapshotState& snap, const SlotCensus& census) {
  need(census.running == snap.running(), "running",
       std::to_string(snap.running()) + " disagrees with the " + std::to_string(census.running) + " running slots");
  need(census.waiting == snap.departed() - snap.entered(), "departed",
       "departed - entered = " + std::to_string(snap.departed() - snap.entered()) + " disagrees with the " +
           std::to_string(census.waiting) + " waiting slots");
}

/// Restores the accumulators.
void restore_acc(sim::Accumulators& a, const v1::SnapshotState& snap) {
  a.departed = snap.departed();
  a.entered = snap.entered();
  a.finished = snap.finished();
  a.running = snap.running();
  a.vehicle_updates = snap.vehicle_updates();
  a.lane_changes = snap.lane_changes();
  a.finished_travel_time = snap.finished_travel_time();
  a.finished_delay_index = snap.finished_delay_index();
  a.samples.clear();
  for (const v1::SnapshotSample& m : snap.samples()) a.samples.push_back({m.time(), m.served_vehicles(), m.delay_index()});
}

#undef GW_SNAPSHOT_COLUMN

/// Parses and checks the envelope (format, scenario, checksum) and returns the state inside.
v1::SnapshotState open_envelope(std::string_view bytes, const CompiledScenario& scenario) {
  v1::Snapshot envelope;
  need(bytes.size() < static_cast<std::size_t>(INT_MAX), "bytes", "snapshot too large (" + std::to_string(bytes.size()) + " bytes)");
  need(envelope.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())), "bytes",
       "not a greenwave.v1.Snapshot (Protobuf parse failed on " + std::to_string(bytes.size()) + " bytes)");
  need(envelope.format_version() == kSnapshotFormat, "format_version",
       "expected " + std::to_string(kSnapshotFormat) + ", got " + std::to_string(envelope.format_version()) +
           (bytes.empty() ? " (empty input)" : ""));
  const std::uint64_t mine = scenario_fingerprint(scenario);
  if (envelope.scenario_fingerprint() != mine)
    throw ScenarioError(scenario.source, "snapshot",
                        "snapshot of scenario '" + envelope.scenario_name() + "' (fingerprint " +
                            hex(envelope.scenario_fingerprint()) + ") cannot be restored into scenario '" + scenario.name +
                            "' (fingerprint " + hex(mine) + ")");
  need(checksum(envelope.state()) == envelope.state_checksum(), "state_checksum",
       "the state bytes are corrupt (checksum " + hex(checksum(envelope.state())) + ", expected " +
           hex(envelope.state_checksum()) + ")");
  v1::SnapshotState snap;
  need(snap.ParseFromString(envelope.state()), "state", "not a greenwave.v1.SnapshotState (Protobuf parse failed)");
  return snap;
}

}  // namespace

std::string Simulator::save_snapshot() const {
  // The episode's departure times come from its reset seed, which a snapshot does not record.
  if (jittered_) throw ConfigError("demand_jitter", "snapshots of a run with demand jitter are not supported; set demand_jitter to 0");
  const sim::SimState& st = *state_;
  v1::SnapshotState snap;
  save_clock(st.clock, snap);
  save_vehicles(st.vehicles, *snap.mutable_vehicles());
  save_lists(st.lists, snap);
  save_entry(st.entry, snap);
  save_signals(st.signals, *snap.mutable_signals());
  save_lane(st.lane, snap);
  save_acc(st.acc, snap);
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
  // The episode's departure times come from its reset seed, which a snapshot does not record.
  if (jittered_) throw ConfigError("demand_jitter", "snapshots of a run with demand jitter are not supported; set demand_jitter to 0");
  const sim::SimModel& model = *model_;
  sim::SimState& st = *state_;
  // Everything is parsed and checked before the state is touched.
  const v1::SnapshotState snap = open_envelope(bytes, *scenario_);
  check_clock(model, snap);
  SlotCensus census = check_vehicles(model, snap);
  check_lists(model, snap, census);
  check_entry(model, snap, census);
  check_signals(model, snap.signals());
  check_lane(model, snap);
  check_acc(snap, census);
  // Commit (nothing below can fail), then rebuild the derived groups.
  restore_clock(st.clock, snap);
  restore_vehicles(st.vehicles, snap.vehicles());
  restore_lists(model, st.lists, snap);
  restore_entry(st.entry, snap);
  restore_signals(st.signals, snap.signals());
  restore_lane(st.lane, snap);
  restore_acc(st.acc, snap);
  st.move.movers.clear();
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
