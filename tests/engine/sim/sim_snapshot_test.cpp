// Snapshots: restore-then-run equals run-straight-through bit for bit; bad bytes are rejected.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "greenwave/core/error.hpp"
#include "greenwave/networks/scenario_io.hpp"
#include "greenwave/control/controllers.hpp"
#include "greenwave/sim/simulator.hpp"
#include "greenwave/v1/snapshot.pb.h"
#include "sim_scenarios.hpp"
#include "sim_test_support.hpp"

namespace greenwave {
namespace {
using testing::grid;

/// Every observable value of every step, as exact bit patterns.
using Trace = std::vector<std::uint64_t>;

void record(Trace& t, double x) { t.push_back(std::bit_cast<std::uint64_t>(x)); }
void record(Trace& t, std::int64_t x) { t.push_back(static_cast<std::uint64_t>(x)); }

/// Steps from the simulator's current time to `end_step` under MaxPressure (stateless, so it
/// needs no snapshot of its own), recording metrics, signals, lane statistics and every vehicle.
Trace run_to(Simulator& sim, std::int64_t end_step) {
  const CompiledScenario& sc = sim.scenario();
  MaxPressureController controller(10, sc.settings.action_interval);
  const auto every = static_cast<std::int64_t>(controller.interval() / sc.settings.dt);
  Trace t;
  while (sim.steps() < end_step) {
    if (sim.steps() % every == 0) controller.decide(sim);
    sim.step();
    const Metrics m = sim.metrics();
    for (double x : {m.time, m.delay_index, m.average_travel_time, m.average_travel_time_finished, m.mean_speed}) record(t, x);
    for (std::int64_t x : {m.served_vehicles, m.throughput, m.departed, m.running, m.waiting_to_enter, m.queued}) record(t, x);
    record(t, sim.vehicle_updates());
    record(t, sim.lane_changes());
    for (const VehicleView& v : sim.vehicles()) {
      record(t, std::int64_t{v.slot});
      record(t, std::int64_t{v.id});
      record(t, std::int64_t{v.drivable});
      record(t, v.distance);
      record(t, v.speed);
      record(t, std::int64_t{v.route});
    }
    for (IntersectionId i : sc.network.signalized) {
      const SignalState st = sim.signal(i);
      record(t, std::int64_t{st.phase});
      record(t, std::int64_t{st.in_clearance});
      record(t, st.time_in_phase);
    }
    for (LaneId l = 0; l < sc.network.num_lanes(); ++l) {
      record(t, std::int64_t{sim.lane_vehicle_counts()[l]});
      record(t, std::int64_t{sim.lane_queue_counts()[l]});
      record(t, sim.lane_waiting_times()[l]);
      record(t, sim.lane_departures()[l]);
      record(t, std::int64_t{sim.lane_entry_waiting()[l]});
    }
  }
  for (const MetricSample& s : sim.metric_samples()) {
    record(t, s.time);
    record(t, s.served_vehicles);
    record(t, s.delay_index);
  }
  return t;
}

/// Runs k steps, snapshots, runs to the end; then restores into a fresh simulator (other thread
/// count) and into the same one, and checks both reruns are bit-identical to the first.
void expect_restore_identical(const std::shared_ptr<const CompiledScenario>& sc, std::int64_t k, std::int64_t end) {
  Simulator sim(sc, {1});
  sim.reset(11);
  run_to(sim, k);
  const std::string snap = sim.save_snapshot();
  const Trace straight = run_to(sim, end);
  ASSERT_GT(straight.size(), 0u);

  Simulator fresh(sc, testing::split_options(2));
  fresh.restore_snapshot(snap);
  EXPECT_EQ(fresh.steps(), k);
  EXPECT_EQ(fresh.save_snapshot(), snap) << "save(restore(s)) != s";
  const Trace from_fresh = run_to(fresh, end);
  EXPECT_TRUE(from_fresh == straight) << "restored into a fresh simulator: trajectories differ";

  sim.restore_snapshot(snap);
  const Trace from_same = run_to(sim, end);
  EXPECT_TRUE(from_same == straight) << "restored into the same simulator: trajectories differ";
}

TEST(Snapshot, HangzhouRestoreThenRunIsBitIdentical) {
  GW_REQUIRE_DATA(cfg, "cityflow/hangzhou_4x4/config.json");
  const auto sc = load_scenario(cfg);
  expect_restore_identical(sc, 1200, 3600);
}

TEST(Snapshot, GeneratedGridRestoreThenRunIsBitIdentical) {
  const auto sc = grid(900);
  expect_restore_identical(sc, 300, 900);
}

TEST(Snapshot, GeneratedGridWithLaneChangingRestoreThenRunIsBitIdentical) {
  const auto sc = grid(900, true);
  expect_restore_identical(sc, 300, 900);
}

// snapshot.cpp fails to compile when a SimState field is neither saved nor declared derived;
// this checks the other side: save_snapshot() fills every field of the schema (a field added to
// greenwave.v1.SnapshotState but never written would restore as its default). Two runs between
// them hold every kind of state: a congested grid (entry queues) and corridors (lane changes).
TEST(Snapshot, SaveFillsEveryFieldOfTheSchema) {
  std::set<const google::protobuf::FieldDescriptor*> filled;
  std::vector<const google::protobuf::Descriptor*> messages;
  for (const auto& sc : {grid(900), testing::corridors(2, true)}) {
    Simulator sim(sc);
    run_to(sim, 300);
    v1::Snapshot envelope;
    ASSERT_TRUE(envelope.ParseFromString(sim.save_snapshot()));
    v1::SnapshotState state;
    ASSERT_TRUE(state.ParseFromString(envelope.state()));
    messages.clear();
    for (const google::protobuf::Message* m :
         std::initializer_list<const google::protobuf::Message*>{&envelope, &state, &state.vehicles(), &state.signals()}) {
      std::vector<const google::protobuf::FieldDescriptor*> set;
      m->GetReflection()->ListFields(*m, &set);
      filled.insert(set.begin(), set.end());
      messages.push_back(m->GetDescriptor());
    }
  }
  for (const google::protobuf::Descriptor* d : messages)
    for (int k = 0; k < d->field_count(); ++k)
      EXPECT_TRUE(filled.count(d->field(k))) << d->full_name() << "." << d->field(k)->name() << " is never written";
}

TEST(Snapshot, SnapshotAtTimeZeroRestoresAFreshEpisode) {
  const auto sc = grid(600);
  Simulator sim(sc);
  sim.reset(5);
  const std::string zero = sim.save_snapshot();
  const Trace straight = run_to(sim, 200);
  sim.restore_snapshot(zero);
  EXPECT_EQ(sim.steps(), 0);
  EXPECT_EQ(sim.metrics().departed, 0);
  EXPECT_TRUE(run_to(sim, 200) == straight);
}

TEST(Snapshot, FileRoundTrip) {
  const auto sc = grid(600);
  Simulator sim(sc);
  run_to(sim, 150);
  const std::string path = (std::filesystem::path(GREENWAVE_BINARY_DIR) / "sim_snapshot_test.snap").string();
  sim.save_snapshot_file(path);
  const Trace straight = run_to(sim, 300);
  Simulator other(sc);
  other.restore_snapshot_file(path);
  EXPECT_TRUE(run_to(other, 300) == straight);
  std::filesystem::remove(path);
  EXPECT_THROW(other.restore_snapshot_file(path), ConfigError);
}

/// True when restoring `bytes` throws ConfigError or ScenarioError (any other outcome is false).
bool rejected(Simulator& sim, const std::string& bytes) {
  try {
    sim.restore_snapshot(bytes);
  } catch (const ConfigError&) {
    return true;
  } catch (const ScenarioError&) {
    return true;
  }
  return false;
}

TEST(Snapshot, CorruptBytesAreRejectedAndLeaveTheStateUnchanged) {
  const auto sc = grid(900);
  Simulator sim(sc);
  run_to(sim, 200);
  const std::string good = sim.save_snapshot();
  ASSERT_GT(good.size(), 1000u);

  EXPECT_TRUE(rejected(sim, ""));
  EXPECT_TRUE(rejected(sim, "not a snapshot at all"));
  EXPECT_TRUE(rejected(sim, std::string(4096, '\xff')));
  // Every truncation point and every single-byte change (a sample of positions) is caught.
  for (std::size_t cut = 0; cut < good.size(); cut += 1 + good.size() / 97)
    EXPECT_TRUE(rejected(sim, good.substr(0, cut))) << "truncated at " << cut;
  for (std::size_t pos = 0; pos < good.size(); pos += 1 + good.size() / 211) {
    std::string bad = good;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x5a);
    EXPECT_TRUE(rejected(sim, bad)) << "byte " << pos << " changed";
  }
  try {
    sim.restore_snapshot(good.substr(0, good.size() / 2));
    ADD_FAILURE() << "half a snapshot was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("snapshot"), std::string::npos) << e.what();
  }

  // The failed restores changed nothing: the run continues exactly as a clean copy does.
  Simulator clean(sc);
  clean.restore_snapshot(good);
  EXPECT_TRUE(run_to(sim, 400) == run_to(clean, 400));
}

/// Re-signs a snapshot whose state was edited (as a forger would), so only validation stands
/// between the bytes and the simulator.
std::string forge(const std::string& good, const std::function<void(v1::SnapshotState&)>& edit) {
  v1::Snapshot envelope;
  EXPECT_TRUE(envelope.ParseFromString(good));
  v1::SnapshotState state;
  EXPECT_TRUE(state.ParseFromString(envelope.state()));
  edit(state);
  state.SerializeToString(envelope.mutable_state());
  std::uint64_t h = 1469598103934665603ULL;  // FNV-1a 64, as snapshot.cpp
  for (const unsigned char c : envelope.state()) h = (h ^ c) * 1099511628211ULL;
  envelope.set_state_checksum(h);
  return envelope.SerializeAsString();
}

TEST(Snapshot, InconsistentStateIsRejectedNamingTheField) {
  const auto sc = grid(900);
  Simulator sim(sc);
  run_to(sim, 200);
  const std::string good = sim.save_snapshot();
  EXPECT_EQ(forge(good, [](v1::SnapshotState&) {}), good);  // the forger signs like save does
  ASSERT_GT(sim.running(), 2);
  const std::int32_t some_free = [&] {
    v1::Snapshot e;
    e.ParseFromString(good);
    v1::SnapshotState st;
    st.ParseFromString(e.state());
    return st.vehicles().free_slots_size() > 0 ? st.vehicles().free_slots(0) : -1;
  }();
  struct Case {
    const char* field;
    std::function<void(v1::SnapshotState&)> edit;
  };
  std::vector<Case> cases = {
      {"snapshot.drivable_list_items", [](v1::SnapshotState& st) { st.set_drivable_list_items(0, 1 << 30); }},
      {"snapshot.drivable_list_items", [](v1::SnapshotState& st) { st.set_drivable_list_items(1, st.drivable_list_items(0)); }},
      {"snapshot.vehicles.dis", [](v1::SnapshotState& st) { st.mutable_vehicles()->mutable_dis()->RemoveLast(); }},
      {"snapshot.vehicles.route", [](v1::SnapshotState& st) { st.mutable_vehicles()->set_route(st.drivable_list_items(0), -7); }},
      {"snapshot.vehicles.drivable", [](v1::SnapshotState& st) { st.mutable_vehicles()->set_drivable(0, 1 << 28); }},
      {"snapshot.vehicles.id", [](v1::SnapshotState& st) { st.mutable_vehicles()->set_id(st.drivable_list_items(0), -5); }},
      {"snapshot.vehicles.id", [](v1::SnapshotState& st) { st.mutable_vehicles()->mutable_id()->RemoveLast(); }},
      {"snapshot.vehicles.enter_link_step",
       [](v1::SnapshotState& st) { st.mutable_vehicles()->set_enter_link_step(st.drivable_list_items(0), std::int64_t{1} << 40); }},
      {"snapshot.signals.phase", [](v1::SnapshotState& st) { st.mutable_signals()->set_phase(st.signals().phase_size() - 1, 99); }},
      {"snapshot.running", [](v1::SnapshotState& st) { st.set_running(st.running() + 1); }},
      {"snapshot.rng_state", [](v1::SnapshotState& st) { st.clear_rng_state(); }},
      {"snapshot.next_departure", [](v1::SnapshotState& st) { st.set_next_departure(1u << 31); }},
  };
  // A waiting vehicle with a leader: found by fuzz_snapshot, renumbering read out of range.
  cases.push_back({"snapshot.vehicles.leader", [](v1::SnapshotState& st) {
                     ASSERT_GT(st.entry_queue_items_size(), 0);
                     st.mutable_vehicles()->set_leader(st.entry_queue_items(0), -25);
                   }});
  if (some_free >= 0)
    cases.push_back({"snapshot.vehicles.leader",
                     [some_free](v1::SnapshotState& st) { st.mutable_vehicles()->set_leader(st.drivable_list_items(0), some_free); }});
  for (const Case& c : cases) {
    try {
      sim.restore_snapshot(forge(good, c.edit));
      ADD_FAILURE() << "accepted a snapshot with a bad " << c.field;
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.field(), c.field) << e.what();
    }
  }
  Simulator clean(sc);
  clean.restore_snapshot(good);
  EXPECT_TRUE(run_to(sim, 300) == run_to(clean, 300)) << "a rejected restore changed the state";
}

TEST(Snapshot, AnotherScenariosSnapshotIsRejectedWithItsName) {
  const auto a = grid(900, false, 3);
  const auto b = grid(900, false, 4);  // same network, other demand
  Simulator sa(a), sb(b);
  run_to(sa, 100);
  try {
    sb.restore_snapshot(sa.save_snapshot());
    ADD_FAILURE() << "a snapshot of another scenario was accepted";
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("fingerprint"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("grid_3x3"), std::string::npos) << e.what();
  }
  EXPECT_EQ(sb.steps(), 0);
}

}  // namespace
}  // namespace greenwave
