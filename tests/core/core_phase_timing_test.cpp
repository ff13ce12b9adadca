#include <gtest/gtest.h>

#include "greenwave/core/phase_timing.hpp"

namespace greenwave {
namespace {

TEST(PhaseTimes, RepeatedNamesAddUpInFirstRunOrder) {
  PhaseTimes t;
  t.add("parse", {1.0, 0.5});
  t.add("compile", {2.0, 1.5});
  t.add("parse", {0.25, 0.125});
  ASSERT_EQ(t.items().size(), 2u);
  EXPECT_EQ(t.items()[0].first, "parse");
  EXPECT_DOUBLE_EQ(t.items()[0].second.wall, 1.25);
  EXPECT_DOUBLE_EQ(t.items()[0].second.cpu, 0.625);
  EXPECT_EQ(t.items()[1].first, "compile");
  EXPECT_DOUBLE_EQ(t.items()[1].second.wall, 2.0);
}

TEST(ScopedPhase, AddsToTheCollectorOnlyWhileOneCollects) {
  { const ScopedPhase before("before"); }  // nothing collects: no effect
  PhaseTimes t;
  EXPECT_EQ(collect_phases(&t), nullptr);
  {
    const ScopedPhase a("a");
    const ScopedPhase b("b");
  }
  { const ScopedPhase a("a"); }
  EXPECT_EQ(collect_phases(nullptr), &t);
  { const ScopedPhase after("after"); }
  ASSERT_EQ(t.items().size(), 2u);  // "b" ends first, then "a" (twice, added up)
  EXPECT_EQ(t.items()[0].first, "b");
  EXPECT_EQ(t.items()[1].first, "a");
  for (const auto& [name, time] : t.items()) {
    EXPECT_GE(time.wall, 0.0) << name;
    EXPECT_GE(time.cpu, 0.0) << name;
  }
}

}  // namespace
}  // namespace greenwave
