#include <gtest/gtest.h>

#include <set>

#include "greenwave/core/rng.hpp"

namespace greenwave {
namespace {

TEST(Rng, SameSeedSameSequence) {
  Rng a(42), b(42);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.next(), b.next());
}

TEST(Rng, DifferentSeedsDiffer) {
  Rng a(1), b(2);
  int same = 0;
  for (int i = 0; i < 100; ++i) same += a.next() == b.next();
  EXPECT_EQ(same, 0);
}

TEST(Rng, ReseedRestarts) {
  Rng a(7);
  const auto first = a.next();
  a.next();
  a.reseed(7);
  EXPECT_EQ(a.next(), first);
}

TEST(Rng, UniformAndBelowStayInRange) {
  Rng r(3);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 10000; ++i) {
    const double u = r.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    const auto k = r.below(6);
    ASSERT_LT(k, 6u);
    seen.insert(k);
  }
  EXPECT_EQ(seen.size(), 6u);
}

TEST(Rng, MixSeedSeparatesStreams) {
  EXPECT_NE(mix_seed(0, 0), mix_seed(0, 1));
  EXPECT_NE(mix_seed(0, 1), mix_seed(1, 0));
  EXPECT_EQ(mix_seed(5, 3), mix_seed(5, 3));
}

}  // namespace
}  // namespace greenwave
