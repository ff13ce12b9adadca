#include <gtest/gtest.h>
#include <google/protobuf/text_format.h>

#include "greenwave/core/error.hpp"
#include "greenwave/networks/phase_sets.hpp"

namespace greenwave {
namespace {

// A four-leg node: W and E arrive from opposite sides, N from above. Phases: 0 W+E through
// (paired), 1 W through + W left (two turn types), 2 W+N left (not opposite: 90 degrees apart),
// 3 W+E left (paired), 4 only the always-green right turn. The plan cycles 0, 1, 3, 4.
constexpr const char* kNode = R"pb(
  intersections { id: "W" position { x: -100 y: 0 } boundary: true }
  intersections { id: "E" position { x: 100 y: 0 } boundary: true }
  intersections { id: "N" position { x: 0 y: 100 } boundary: true }
  intersections { id: "M" position { x: 0 y: 0 } signalized: true
    movements { from_road: "WM" to_road: "ME" turn: TURN_STRAIGHT }
    movements { from_road: "EM" to_road: "MW" turn: TURN_STRAIGHT }
    movements { from_road: "WM" to_road: "MN" turn: TURN_LEFT }
    movements { from_road: "EM" to_road: "MN" turn: TURN_LEFT }
    movements { from_road: "NM" to_road: "ME" turn: TURN_LEFT }
    movements { from_road: "EM" to_road: "MN" turn: TURN_RIGHT always_green: true }
    phases { name: "WE" movements: 0 movements: 1 movements: 5 }
    phases { name: "W" movements: 0 movements: 2 }
    phases { name: "WN-left" movements: 2 movements: 4 }
    phases { name: "WE-left" movements: 2 movements: 3 movements: 5 }
    phases { name: "rights" movements: 5 }
  }
  roads { id: "WM" from_intersection: "W" to_intersection: "M" }
  roads { id: "EM" from_intersection: "E" to_intersection: "M" }
  roads { id: "NM" from_intersection: "N" to_intersection: "M" }
  signal_plans { intersection: "M" stages { phase: 0 duration: 20 } stages { phase: 1 duration: 10 }
                 stages { phase: 3 duration: 15 } stages { phase: 4 duration: 5 } }
)pb";

v1::Scenario node() {
  v1::Scenario s;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(kNode, &s));
  return s;
}

TEST(PhaseSets, FourKeepsThePairedPhasesInOrderAndRenumbersThePlan) {
  v1::Scenario s = node();
  select_phases(s, PhaseSet::Four);
  const auto& m = s.intersections(3);
  ASSERT_EQ(m.phases_size(), 2);
  EXPECT_EQ(m.phases(0).name(), "WE");
  EXPECT_EQ(m.phases(1).name(), "WE-left");
  ASSERT_EQ(s.signal_plans_size(), 1);
  const auto& plan = s.signal_plans(0);
  ASSERT_EQ(plan.stages_size(), 2);  // the stages of phases 1 and 4 are gone
  EXPECT_EQ(plan.stages(0).phase(), 0);
  EXPECT_DOUBLE_EQ(plan.stages(0).duration(), 20);
  EXPECT_EQ(plan.stages(1).phase(), 1);  // was phase 3
  EXPECT_DOUBLE_EQ(plan.stages(1).duration(), 15);
}

TEST(PhaseSets, AllChangesNothingAndANodeWithoutPairsKeepsItsPhases) {
  v1::Scenario s = node();
  const std::string before = s.SerializeAsString();
  select_phases(s, PhaseSet::All);
  EXPECT_EQ(s.SerializeAsString(), before);
  // Without phases 0 and 3 no phase is paired: the node keeps all, the plan is untouched.
  auto* phases = s.mutable_intersections(3)->mutable_phases();
  phases->DeleteSubrange(3, 1);
  phases->DeleteSubrange(0, 1);
  s.mutable_signal_plans(0)->mutable_stages()->DeleteSubrange(2, 2);
  const std::string unpaired = s.SerializeAsString();
  select_phases(s, PhaseSet::Four);
  EXPECT_EQ(s.SerializeAsString(), unpaired);
}

TEST(PhaseSets, UnknownNameIsAConfigErrorNamingTheOption) {
  EXPECT_EQ(parse_phase_set("four", "--phases"), PhaseSet::Four);
  try {
    parse_phase_set("8", "--phases");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "--phases: expected all or four, got '8'");
  }
}

}  // namespace
}  // namespace greenwave
