// The signal switching rules of docs/simulator.md ("Signals") on the real simulator: min green,
// the clearance's length and what it opens (always-green right turns only), a request for the
// current phase never inserting a clearance, and requests during a clearance ignored.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "greenwave/networks/scenario_io.hpp"
#include "greenwave/sim/simulator.hpp"
#include "../../scenario_text.hpp"

namespace greenwave {
namespace {

// testing::kSignalizedCross: a through movement (0: W->E) in phase 0, a cross movement (1: S->N)
// in phase 1, and an always-green right turn (2: W->R) open in every phase and during clearance;
// yellow 4 s, min_green 12 s, dt 1 s unless given.
std::shared_ptr<const CompiledScenario> node(double yellow = 4, double min_green = 12) {
  return testing::compile_text(std::string(testing::kSignalizedCross) + "settings { horizon: 600 yellow: " +
                                   std::to_string(yellow) + " min_green: " + std::to_string(min_green) + " }",
                               "switching");
}

constexpr IntersectionId kM = 5;
constexpr MovementId kWE = 0, kSN = 1, kRight = 2;

TEST(Switching, MinGreenRefusesEarlySwitchesAndCountsFromTheLastSwitch) {
  Simulator sim(node());
  ASSERT_EQ(sim.scenario().network.intersection_ids[kM], "M");
  // At reset the phase 0 green starts; min_green is 12 s.
  for (int k = 0; k < 11; ++k) sim.step();
  EXPECT_EQ(sim.request_phase(kM, 1), PhaseRequest::TooEarly);  // 11 s < 12 s
  EXPECT_EQ(sim.signal(kM).phase, 0);
  EXPECT_FALSE(sim.signal(kM).in_clearance);
  sim.step();
  EXPECT_EQ(sim.request_phase(kM, 1), PhaseRequest::Switched);  // 12 s
  // The timer restarts at the switch and counts through the clearance and the next green:
  // back to phase 0 only 12 s after this switch, clearance included.
  for (int k = 0; k < 11; ++k) sim.step();
  EXPECT_DOUBLE_EQ(sim.signal(kM).time_in_phase, 11.0);
  EXPECT_EQ(sim.request_phase(kM, 0), PhaseRequest::TooEarly);
  sim.step();
  EXPECT_EQ(sim.request_phase(kM, 0), PhaseRequest::Switched);
}

TEST(Switching, ClearanceLastsYellowSecondsAndOpensOnlyAlwaysGreenMovements) {
  Simulator sim(node(/*yellow=*/4, /*min_green=*/0));
  sim.step();
  EXPECT_TRUE(sim.movement_open(kWE));
  EXPECT_FALSE(sim.movement_open(kSN));
  EXPECT_TRUE(sim.movement_open(kRight));
  ASSERT_EQ(sim.request_phase(kM, 1), PhaseRequest::Switched);
  // 4 steps of clearance (t = 1..5): neither green open, the right turn open, the upcoming phase
  // reported with in_clearance.
  for (int k = 0; k < 4; ++k) {
    EXPECT_TRUE(sim.signal(kM).in_clearance) << "clearance step " << k;
    EXPECT_EQ(sim.signal(kM).phase, 1);
    EXPECT_FALSE(sim.movement_open(kWE)) << "clearance step " << k;
    EXPECT_FALSE(sim.movement_open(kSN)) << "clearance step " << k;
    EXPECT_TRUE(sim.movement_open(kRight)) << "clearance step " << k;
    sim.step();
  }
  // Then phase 1's green.
  EXPECT_FALSE(sim.signal(kM).in_clearance);
  EXPECT_FALSE(sim.movement_open(kWE));
  EXPECT_TRUE(sim.movement_open(kSN));
  EXPECT_TRUE(sim.movement_open(kRight));
  EXPECT_DOUBLE_EQ(sim.signal(kM).time_in_phase, 4.0);
}

TEST(Switching, KeepingThePhaseNeverInsertsAClearance) {
  Simulator sim(node(/*yellow=*/4, /*min_green=*/0));
  for (int k = 0; k < 50; ++k) {
    EXPECT_EQ(sim.request_phase(kM, 0), PhaseRequest::Kept);
    sim.step();
    EXPECT_FALSE(sim.signal(kM).in_clearance);
    EXPECT_TRUE(sim.movement_open(kWE));
  }
  EXPECT_DOUBLE_EQ(sim.signal(kM).time_in_phase, 50.0);  // never restarted
}

TEST(Switching, RequestsDuringAClearanceAreIgnored) {
  Simulator sim(node(/*yellow=*/4, /*min_green=*/0));
  ASSERT_EQ(sim.request_phase(kM, 1), PhaseRequest::Switched);
  sim.step();
  EXPECT_EQ(sim.request_phase(kM, 0), PhaseRequest::InClearance);  // not taken back
  // The phase the clearance leads to is the current one: kept (the rule for the same phase comes
  // first), and the clearance goes on.
  EXPECT_EQ(sim.request_phase(kM, 1), PhaseRequest::Kept);
  EXPECT_TRUE(sim.signal(kM).in_clearance);
  for (int k = 1; k < 4; ++k) sim.step();
  // The clearance ran its full 4 s to the phase first requested.
  EXPECT_FALSE(sim.signal(kM).in_clearance);
  EXPECT_EQ(sim.signal(kM).phase, 1);
  EXPECT_TRUE(sim.movement_open(kSN));
}

}  // namespace
}  // namespace greenwave
