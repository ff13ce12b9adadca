// PartShare: every item of an offered range goes to exactly one thread, the owner's chunks come
// from the start in order, and helpers' chunks from the end.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "greenwave/sim/part_share.hpp"

namespace greenwave {
namespace {

TEST(PartShare, OwnerTakesFromTheStartHelpersFromTheEnd) {
  PartShare share;
  share.offer(10, 35, 10);  // chunks [10,20) [20,30) [30,35)
  EXPECT_EQ(share.take_front(), std::make_pair(10, 20));
  EXPECT_EQ(share.take_back(), std::make_pair(30, 35));
  EXPECT_EQ(share.take_back(), std::make_pair(20, 30));
  const auto none = share.take_front();
  EXPECT_GE(none.first, none.second);
  const auto none_back = share.take_back();
  EXPECT_GE(none_back.first, none_back.second);
}

TEST(PartShare, AnEmptyRangeHasNoChunks) {
  PartShare share;
  const auto before = share.take_back();  // never offered
  EXPECT_GE(before.first, before.second);
  share.offer(7, 7, 64);
  const auto c = share.take_front();
  EXPECT_GE(c.first, c.second);
  share.offer(9, 3, 64);  // an inverted range is empty too
  const auto inverted = share.take_back();
  EXPECT_GE(inverted.first, inverted.second);
}

TEST(PartShare, EveryItemGoesToExactlyOneThreadUnderContention) {
  constexpr int kItems = 10'007, kChunk = 7, kHelpers = 3, kRounds = 200;
  PartShare share;
  std::vector<std::atomic<int>> visits(kItems);
  for (int round = 0; round < kRounds; ++round) {
    for (auto& v : visits) v.store(0, std::memory_order_relaxed);
    share.offer(0, kItems, kChunk);
    std::atomic<bool> go{false};
    auto visit = [&](std::pair<std::int32_t, std::int32_t> c) {
      for (std::int32_t i = c.first; i < c.second; ++i) visits[static_cast<std::size_t>(i)].fetch_add(1, std::memory_order_relaxed);
    };
    std::vector<std::thread> helpers;
    for (int h = 0; h < kHelpers; ++h)
      helpers.emplace_back([&] {
        while (!go.load(std::memory_order_acquire)) {
        }
        for (auto c = share.take_back(); c.first < c.second; c = share.take_back()) visit(c);
      });
    go.store(true, std::memory_order_release);
    std::int32_t last_front = -1;
    for (auto c = share.take_front(); c.first < c.second; c = share.take_front()) {
      ASSERT_GT(c.first, last_front) << "the owner's chunks come in order";
      ASSERT_EQ(c.first % kChunk, 0);
      last_front = c.first;
      visit(c);
    }
    for (auto& t : helpers) t.join();
    for (int i = 0; i < kItems; ++i) ASSERT_EQ(visits[static_cast<std::size_t>(i)].load(), 1) << "item " << i << " in round " << round;
  }
}

}  // namespace
}  // namespace greenwave
