// The hand-written controllers on hand-derived schedules: a scenario's own fixed-time plan run
// as CityFlow runs its lightphases (clearance only where the plan has one), the plan without
// clearance stages (the scenario's clearance before every green), and SOTL with LibSignal's
// queue thresholds on hand-set queues.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "../engine/env/fake_backend.hpp"
#include "../scenario_text.hpp"
#include "greenwave/control/controllers.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/networks/scenario_io.hpp"
#include "greenwave/sim/simulator.hpp"

namespace greenwave {
namespace {

// testing::kSignalizedCross (phases 0 "WE" and 1 "SN", an always-green right turn), dt 1 s,
// clearance (yellow) 4 s, action_interval 10 s, and the plan `plan` (text of its stages).
std::shared_ptr<const CompiledScenario> node_with_plan(const std::string& plan) {
  return testing::compile_text(std::string(testing::kSignalizedCross) +
                                   "settings { horizon: 600 yellow: 4 action_interval: 10 dt: 1 }\n"
                                   "signal_plans { intersection: \"M\" " + plan + " }",
                               "plan");
}

constexpr IntersectionId kM = 5;

// What the signal of M shows for the step starting at each second of [0, seconds): 'c' clearance,
// '0' or '1' the green phase.
std::string schedule(const std::shared_ptr<const CompiledScenario>& sc, int seconds) {
  Simulator sim(sc);
  auto fixed = make_controller("fixed", *sc);
  EXPECT_DOUBLE_EQ(fixed->interval(), 1.0) << "a plan's stages may end on any step";
  sim.reset(0);
  std::string out;
  for (int t = 0; t < seconds; ++t) {
    fixed->decide(sim);
    const SignalState st = sim.signal(kM);
    out += st.in_clearance ? 'c' : static_cast<char>('0' + st.phase);
    sim.step();
  }
  return out;
}

std::string repeat(char c, int n) { return std::string(static_cast<std::size_t>(n), c); }

TEST(FixedTimePlan, CityFlowLightphasesRunAsCityFlowCyclesThem) {
  // Hangzhou's shape: the clearance lightphase once per cycle, then the greens back to back.
  // CityFlow (rlTrafficLight false) starts in lightphase 0 and holds each for its time:
  // clearance [0, 4), green 0 [4, 34), green 1 [34, 54) with no clearance in between, then the
  // clearance again [54, 58), green 0 [58, 88), green 1 [88, 108).
  const auto sc = node_with_plan(
      "stages { clearance: true duration: 4 } stages { phase: 0 duration: 30 } stages { phase: 1 duration: 20 }");
  const std::string cycle = repeat('c', 4) + repeat('0', 30) + repeat('1', 20);
  EXPECT_EQ(schedule(sc, 108), cycle + cycle);
}

TEST(FixedTimePlan, ClearanceAfterEveryGreenAsInCityFlowsExample) {
  // CityFlow's example: green, clearance, green, clearance. Green 0 [0, 30), clearance [30, 34),
  // green 1 [34, 54), clearance [54, 58), green 0 [58, 88) ...
  const auto sc = node_with_plan(
      "stages { phase: 0 duration: 30 } stages { clearance: true duration: 4 } stages { phase: 1 duration: 20 } "
      "stages { clearance: true duration: 4 }");
  EXPECT_EQ(schedule(sc, 112), repeat('0', 30) + "cccc" + repeat('1', 20) + "cccc" + repeat('0', 30) + "cccc" +
                                   repeat('1', 20));
}

TEST(FixedTimePlan, WithoutClearanceStagesTheScenarioClearancePrecedesEveryGreenButTheFirst) {
  // The first stage starts at t = 0 without clearance; every later switch inserts yellow = 4 s.
  const auto sc = node_with_plan("stages { phase: 0 duration: 30 } stages { phase: 1 duration: 20 }");
  EXPECT_EQ(schedule(sc, 112), repeat('0', 30) + "cccc" + repeat('1', 20) + "cccc" + repeat('0', 30) + "cccc" +
                                   repeat('1', 20));
}

TEST(FixedTimePlan, OffsetStartsThePlanThatManySecondsIntoItsCycle) {
  // Cycle: clearance [0, 4), green 0 [4, 34), green 1 [34, 54); 54 s.
  const std::string plan =
      "stages { clearance: true duration: 4 } stages { phase: 0 duration: 30 } stages { phase: 1 duration: 20 }";
  // Offset 10 is inside green 0: its remaining 24 s, green 1, then the cycle from its start.
  EXPECT_EQ(schedule(node_with_plan(plan + " offset: 10"), 98),
            repeat('0', 24) + repeat('1', 20) + "cccc" + repeat('0', 30) + repeat('1', 20));
  // Offset 2 is inside the clearance: its remaining 2 s.
  EXPECT_EQ(schedule(node_with_plan(plan + " offset: 2"), 52), "cc" + repeat('0', 30) + repeat('1', 20));
  // Offsets are taken modulo the cycle: -4 and 104 are both position 50, inside green 1.
  const std::string at_50 = repeat('1', 4) + "cccc" + repeat('0', 30);
  EXPECT_EQ(schedule(node_with_plan(plan + " offset: -4"), 38), at_50);
  EXPECT_EQ(schedule(node_with_plan(plan + " offset: 104"), 38), at_50);
}

TEST(FixedTimePlan, OffsetInTheTrailingClearanceRunsItsRestThenTheFirstGreen) {
  // Green 0 [0, 30), clearance [30, 34), green 1 [34, 54), clearance [54, 58): offset 56 leaves
  // 2 s of the last clearance.
  const auto own = node_with_plan(
      "stages { phase: 0 duration: 30 } stages { clearance: true duration: 4 } stages { phase: 1 duration: 20 } "
      "stages { clearance: true duration: 4 } offset: 56");
  EXPECT_EQ(schedule(own, 56), "cc" + repeat('0', 30) + "cccc" + repeat('1', 20));
  // Without clearance stages the scenario's yellow (4 s) ends each green, the last one included:
  // the same 58 s cycle, so offset 56 gives the same schedule.
  const auto yellow = node_with_plan("stages { phase: 0 duration: 30 } stages { phase: 1 duration: 20 } offset: 56");
  EXPECT_EQ(schedule(yellow, 56), "cc" + repeat('0', 30) + "cccc" + repeat('1', 20));
}

TEST(FixedTimePlan, TwoClearanceStagesInARowAreRefusedByName) {
  try {
    node_with_plan("stages { clearance: true duration: 4 } stages { clearance: true duration: 4 } "
                   "stages { phase: 0 duration: 30 }");
    FAIL() << "expected a ScenarioError";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("/signal_plans/0/stages/0/clearance: a clearance stage must be followed by a green stage"),
              std::string::npos)
        << e.what();
  }
}

TEST(FixedTimeDefault, WithoutPlanSwitchesCyclicallyOnceTheTimerReaches30sAtDecisions) {
  // REFERENCE.md §3: decisions every 10 s; at t = 30 the timer is 30 -> clearance 4 s then phase 1;
  // the timer restarts at the switch, so the next switch is at t = 60 (timer 30).
  const auto sc = node_with_plan("stages { phase: 0 duration: 30 }");
  auto no_plan = std::make_shared<CompiledScenario>(*sc);
  no_plan->plans.clear();
  auto fixed = make_controller("fixed", *no_plan);
  EXPECT_DOUBLE_EQ(fixed->interval(), 10.0);
  Simulator sim(no_plan);
  sim.reset(0);
  std::string out;
  for (int t = 0; t < 70; ++t) {
    if (t % 10 == 0) fixed->decide(sim);
    const SignalState st = sim.signal(kM);
    out += st.in_clearance ? 'c' : static_cast<char>('0' + st.phase);
    sim.step();
  }
  EXPECT_EQ(out, repeat('0', 30) + "cccc" + repeat('1', 26) + "cccc" + repeat('0', 6));
}

// The fake backend's intersection C: phase 0 = N+S through (lanes 1, 13) with the four
// always-green right turns (lanes 2, 8, 14, 20); the other incoming lanes (0, 6, 7, 12, 18, 19)
// are red.
class SotlLibSignal : public ::testing::Test {
 protected:
  void SetUp() override {
    RunSettings settings;
    settings.yellow = 5;
    settings.action_interval = 10;
    backend = std::make_unique<testing::FakeBackend>(testing::make_test_scenario(settings));
    backend->reset(0);
  }
  // Decides at t = 10 s (timer 10 s >= the 10 s minimum) and returns C's signal afterwards.
  SignalState decide_at_10s() {
    auto sotl = make_controller("sotl-libsignal", backend->scenario());
    for (int k = 0; k < 10; ++k) backend->step();
    sotl->decide(*backend);
    return backend->signal(0);
  }
  std::unique_ptr<testing::FakeBackend> backend;
};

TEST_F(SotlLibSignal, SwitchesWhenGreenQueuesAtMost20AndRedMoreThan30) {
  backend->queues[1] = 12;
  backend->queues[13] = 8;  // green 20
  backend->queues[0] = 16;
  backend->queues[19] = 15;  // red 31
  const SignalState st = decide_at_10s();
  EXPECT_EQ(st.phase, 1);
  EXPECT_TRUE(st.in_clearance);
}

TEST_F(SotlLibSignal, KeepsWhenRedQueuesOnly30) {
  backend->queues[1] = 20;
  backend->queues[0] = 30;
  EXPECT_EQ(decide_at_10s().phase, 0);
}

TEST_F(SotlLibSignal, AlwaysGreenRightTurnLanesCountAsGreen) {
  backend->queues[1] = 20;
  backend->queues[20] = 1;  // W right turn: green 21
  backend->queues[0] = 31;
  EXPECT_EQ(decide_at_10s().phase, 0);
}

TEST_F(SotlLibSignal, KeepsBeforeTheMinimumTime) {
  backend->queues[0] = 100;
  auto sotl = make_controller("sotl-libsignal", backend->scenario());
  for (int k = 0; k < 9; ++k) backend->step();
  sotl->decide(*backend);  // timer 9 s
  EXPECT_EQ(backend->signal(0).phase, 0);
}

TEST(Controllers, UnknownNameIsAConfigErrorListingTheNames) {
  const auto sc = node_with_plan("stages { phase: 0 duration: 30 }");
  try {
    make_controller("greedy", *sc);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("expected fixed, maxpressure, sotl or sotl-libsignal"), std::string::npos);
  }
}

}  // namespace
}  // namespace greenwave
