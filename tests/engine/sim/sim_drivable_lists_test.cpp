// DrivableLists: the pooled per-drivable vehicle lists behave like one std::vector per list
// while their pool follows the items held at once.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "greenwave/sim/drivable_lists.hpp"

namespace greenwave {
namespace {

void expect_same(const DrivableLists& lists, const std::vector<std::vector<std::int32_t>>& model, int op) {
  ASSERT_EQ(lists.count(), static_cast<std::int32_t>(model.size()));
  for (std::int32_t d = 0; d < lists.count(); ++d) {
    const auto got = lists[d];
    ASSERT_EQ(std::vector<std::int32_t>(got.begin(), got.end()), model[d]) << "list " << d << " after operation " << op;
    ASSERT_EQ(lists.size(d), static_cast<std::int32_t>(model[d].size()));
    ASSERT_EQ(lists.empty(d), model[d].empty());
    if (!model[d].empty()) {
      ASSERT_EQ(lists.front(d), model[d].front());
      ASSERT_EQ(lists.back(d), model[d].back());
    }
  }
}

TEST(DrivableLists, MatchOneVectorPerListThroughCompactionsAndGrowth) {
  constexpr std::int32_t kLists = 40;
  DrivableLists lists;
  lists.reset(kLists);
  std::vector<std::vector<std::int32_t>> model(kLists);
  std::mt19937 rng(7);
  std::int32_t next_item = 0;
  const std::size_t first_pool = lists.pool_bytes();
  for (int op = 0; op < 20000; ++op) {
    const auto d = static_cast<std::int32_t>(rng() % kLists);
    auto& m = model[d];
    switch (rng() % 5) {
      case 0:
      case 1:
        lists.push_back(d, next_item);
        m.push_back(next_item++);
        break;
      case 2: {
        const auto at = static_cast<std::int32_t>(rng() % (m.size() + 1));
        lists.insert(d, at, next_item);
        m.insert(m.begin() + at, next_item++);
        break;
      }
      case 3:
        if (!m.empty()) {
          const auto at = static_cast<std::int32_t>(rng() % m.size());
          lists.erase(d, at);
          m.erase(m.begin() + at);
        }
        break;
      default: {
        const auto n = static_cast<std::int32_t>(rng() % (m.size() + 1)) / 2;
        lists.truncate(d, n);
        m.resize(static_cast<std::size_t>(n));
      }
    }
    if (op % 97 == 0) expect_same(lists, model, op);
  }
  expect_same(lists, model, 20000);
  EXPECT_GT(lists.pool_bytes(), first_pool);
  // Writing through items() changes the list in place.
  for (std::int32_t d = 0; d < kLists; ++d)
    for (std::int32_t& v : lists.items(d)) v = -v;
  for (auto& m : model)
    for (std::int32_t& v : m) v = -v;
  expect_same(lists, model, -1);
  // Renumbering in another order, in two halves as two threads' parts would: every list keeps
  // its length, its items become consecutive numbers in that order, and the blocks lie back to
  // back in that order.
  std::vector<std::int32_t> order(kLists);
  for (std::int32_t d = 0; d < kLists; ++d) order[d] = kLists - 1 - d;
  const std::span<const std::int32_t> halves[2] = {std::span(order).first(kLists / 2), std::span(order).subspan(kLists / 2)};
  std::int32_t first_items = 0, first_capacity = 0;
  for (const std::int32_t d : halves[0]) {
    first_items += lists.size(d);
    first_capacity += lists.capacity(d);
  }
  std::int32_t end = first_capacity;
  for (const std::int32_t d : halves[1]) end += lists.capacity(d);
  lists.renumber(halves[1], first_capacity, first_items);
  lists.renumber(halves[0], 0, 0);
  lists.laid_out(end);
  std::int32_t number = 0;
  for (const std::int32_t d : order)
    for (auto& item : model[d]) item = number++;
  expect_same(lists, model, -2);
  const std::int32_t* previous_block_end = nullptr;
  for (const std::int32_t d : order) {
    if (lists.empty(d)) continue;
    if (previous_block_end != nullptr) {
      EXPECT_EQ(lists[d].data(), previous_block_end) << "list " << d << " does not follow the one before it";
    }
    previous_block_end = lists[d].data() + lists.capacity(d);
  }
  // The pool goes on working after the lay-out.
  for (std::int32_t d = 0; d < kLists; ++d) {
    lists.push_back(d, number);
    model[d].push_back(number++);
  }
  expect_same(lists, model, -3);
}

TEST(DrivableLists, PoolFollowsTheItemsHeldNotEveryListsBusiestMoment) {
  // 2,000 lists take turns: at any time 10 of them hold 8 items each. One std::vector per list
  // would end up holding 2,000 x 8 items.
  constexpr std::int32_t kLists = 2000;
  DrivableLists lists;
  auto run = [&] {
    lists.reset(kLists);
    for (std::int32_t d = 0; d < kLists; ++d) {
      for (std::int32_t k = 0; k < 8; ++k) lists.push_back(d, k);
      if (d >= 10) lists.truncate(d - 10, 0);
    }
  };
  run();
  const std::size_t pool = lists.pool_bytes();
  // Block capacity in use at once: at most ten full lists (8 each) and the filling list's old and
  // new blocks (4 + 8). The pool keeps twice that plus 64 items of slack and grows by at most
  // a quarter beyond it.
  EXPECT_LE(pool, (2 * (10 * 8 + 4 + 8) + 64) * 5 / 4 * sizeof(std::int32_t));
  EXPECT_LT(pool, kLists * 8 * sizeof(std::int32_t) / 10);
  // reset() keeps the pool, and the same sequence again stays within it.
  run();
  EXPECT_EQ(lists.pool_bytes(), pool);
  for (std::int32_t d = kLists - 10; d < kLists; ++d) EXPECT_EQ(lists.size(d), 8);
  EXPECT_TRUE(lists.empty(0));
}

}  // namespace
}  // namespace greenwave
