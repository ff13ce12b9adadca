// No heap allocation in the steady-state step (within the buffers' high-water marks): this
// executable replaces the global operator new to count calls made while Simulator::step() runs.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "greenwave/control/controllers.hpp"
#include "greenwave/sim/simulator.hpp"
#include "sim_scenarios.hpp"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<std::int64_t> g_allocations{0};

[[gnu::noinline]] void* counted_alloc(std::size_t n, std::size_t align = 0) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (n == 0) n = 1;
  void* p = align > alignof(std::max_align_t) ? std::aligned_alloc(align, (n + align - 1) / align * align) : std::malloc(n);
  return p;
}

// Not inlined, so the compiler does not pair a visible malloc with a visible delete and warn.
[[gnu::noinline]] void counted_free(void* p) noexcept { std::free(p); }
}  // namespace

// The replaced global allocation functions (every form forwards to counted_alloc / free).
void* operator new(std::size_t n) {
  if (void* p = counted_alloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (void* p = counted_alloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, std::align_val_t a) {
  if (void* p = counted_alloc(n, static_cast<std::size_t>(a))) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) {
  if (void* p = counted_alloc(n, static_cast<std::size_t>(a))) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted_alloc(n); }
void operator delete(void* p) noexcept { counted_free(p); }
void operator delete[](void* p) noexcept { counted_free(p); }
void operator delete(void* p, std::size_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::size_t) noexcept { counted_free(p); }
void operator delete(void* p, std::align_val_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { counted_free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { counted_free(p); }

namespace greenwave {
namespace {

/// Allocations made inside step() over `steps` steps after `warmup` steps (MaxPressure
/// decides every action interval; its own calls are not counted).
std::int64_t step_allocations(Simulator& sim, int warmup, int steps) {
  MaxPressureController controller(10, sim.scenario().settings.action_interval);
  const auto every = static_cast<std::int64_t>(controller.interval() / sim.scenario().settings.dt);
  std::int64_t counted = 0;
  for (int k = 0; k < warmup + steps; ++k) {
    if (sim.steps() % every == 0) controller.decide(sim);
    const std::int64_t before = g_allocations.load();
    g_counting = k >= warmup;
    sim.step();
    g_counting = false;
    counted += g_allocations.load() - before;
  }
  return counted;
}

std::vector<int>* g_sink = nullptr;  // keeps the counter test's allocation observable

TEST(AllocationCounter, SeesAllocations) {
  const std::int64_t before = g_allocations.load();
  g_counting = true;
  g_sink = new std::vector<int>(100);
  g_counting = false;
  EXPECT_GE(g_allocations.load() - before, 2);
  delete g_sink;
}

class StepAllocations : public ::testing::TestWithParam<int> {};

TEST_P(StepAllocations, NoneWhenAnEpisodeRepeatsOnAGrid) {
  const auto sc = testing::grid(900, false, 3, 6);
  Simulator sim(sc, testing::split_options(GetParam()));
  // The first episode grows the buffers to their high-water marks; reset keeps every capacity.
  step_allocations(sim, 0, 660);
  EXPECT_GE(testing::occupied_drivables(sim), 4 * testing::kSplitFrom) << "too few occupied drivables for TBB to split the work";
  sim.reset(sc->settings.seed);
  const std::int64_t n = step_allocations(sim, 0, 660);
  EXPECT_EQ(n, 0) << "allocations during 660 steps of a repeated episode with " << GetParam() << " threads";
}

TEST_P(StepAllocations, NoneWithLaneChangingWhenAnEpisodeRepeats) {
  const auto sc = testing::corridors(120, true);
  Simulator sim(sc, testing::split_options(GetParam()));
  sim.reset(9);
  step_allocations(sim, 0, 530);
  sim.reset(9);
  const std::int64_t n = step_allocations(sim, 0, 530);
  EXPECT_GT(sim.lane_changes(), 0);
  EXPECT_GE(testing::occupied_drivables(sim), 4 * testing::kSplitFrom) << "too few occupied drivables for TBB to split the work";
  EXPECT_EQ(n, 0) << "allocations during 530 steps with " << GetParam() << " threads";
}

TEST_P(StepAllocations, NoneWhenARestoredRunRepeats) {
  const auto sc = testing::grid(900);
  Simulator source(sc, {1});
  step_allocations(source, 200, 0);
  const std::string snapshot = source.save_snapshot();
  Simulator sim(sc, testing::split_options(GetParam()));
  sim.restore_snapshot(snapshot);
  step_allocations(sim, 0, 500);  // grows past the snapshot's sizes
  sim.restore_snapshot(snapshot);
  const std::int64_t n = step_allocations(sim, 0, 500);
  EXPECT_EQ(sim.steps(), 700);
  EXPECT_EQ(n, 0) << "allocations during 500 steps after a restore with " << GetParam() << " threads";
}

// The delay-index samples are reserved at reset, one per metric period up to the horizon; a run
// stepped to twice its horizon records exactly those and never moves the buffer.
TEST(MetricSamples, ReservedAtResetAndNeverGrownByStep) {
  const auto sc = testing::grid(900);  // horizon 900 s, metric period 120 s: samples at 120..840 s
  ASSERT_EQ(sc->settings.horizon, 900.0);
  ASSERT_EQ(sc->settings.metric_period, 120.0);
  Simulator sim(sc, {1});
  sim.reset(sc->settings.seed);
  const std::size_t capacity = sim.metric_samples().capacity();
  const MetricSample* storage = sim.metric_samples().data();
  EXPECT_GE(capacity, 7u);
  while (sim.time() < 1800.0) sim.step();
  std::vector<double> times;
  for (const MetricSample& m : sim.metric_samples()) times.push_back(m.time);
  EXPECT_EQ(times, (std::vector<double>{120, 240, 360, 480, 600, 720, 840}));
  EXPECT_EQ(sim.metric_samples().capacity(), capacity);
  EXPECT_EQ(sim.metric_samples().data(), storage);
}

TEST(StateMemory, FollowsTheVehiclesHeldNotTheDepartures) {
  const auto sc = testing::grid(200, false, 3, 6);
  Simulator sim(sc, {1});
  MaxPressureController controller(10, sc->settings.action_interval);
  std::int64_t peak_held = 0;  // running + waiting at an entry: each holds a slot
  while (sim.time() < sc->settings.horizon) {
    if (sim.steps() % 10 == 0) controller.decide(sim);
    sim.step();
    const Metrics m = sim.metrics();
    peak_held = std::max(peak_held, m.running + m.waiting_to_enter);
  }
  const auto departures = static_cast<std::int64_t>(sc->demand.departures.size());
  ASSERT_GT(departures, 3 * peak_held) << "the scenario must hold far fewer vehicles at once than it departs";
  // Slot columns grow by a quarter when full; the drivable lists add their own high-water marks.
  const double per_held = static_cast<double>(sim.vehicle_state_bytes()) / static_cast<double>(peak_held);
  EXPECT_LT(per_held, 2.0 * static_cast<double>(Simulator::bytes_per_vehicle()));
  EXPECT_GE(per_held, static_cast<double>(Simulator::bytes_per_vehicle()) - 16);
  EXPECT_GT(sim.state_bytes(), sim.vehicle_state_bytes());
}

INSTANTIATE_TEST_SUITE_P(Threads, StepAllocations, ::testing::Values(1, 2));

}  // namespace
}  // namespace greenwave
