// The pooled drivable lists' block allocation and compaction (docs/simulator.md, "Memory and
// allocation").
#include "greenwave/sim/drivable_lists.hpp"

#include <algorithm>
#include <numeric>

namespace greenwave {
namespace {
/// Free items kept beyond twice the high-water mark, so that small pools do not compact often.
constexpr std::int64_t kSlack = 64;
}  // namespace

void DrivableLists::reset(std::int32_t lists) {
  blocks_.assign(static_cast<std::size_t>(lists), Block{});
  order_.reserve(static_cast<std::size_t>(lists));
  end_ = 0;
  live_ = 0;
}

void DrivableLists::insert(std::int32_t d, std::int32_t at, std::int32_t v) {
  if (blocks_[d].size == blocks_[d].capacity) make_room(d);
  Block& b = blocks_[d];
  std::int32_t* items = pool_.data() + b.offset;
  std::copy_backward(items + at, items + b.size, items + b.size + 1);
  items[at] = v;
  ++b.size;
}

void DrivableLists::erase(std::int32_t d, std::int32_t at) {
  Block& b = blocks_[d];
  std::int32_t* items = pool_.data() + b.offset;
  std::copy(items + at + 1, items + b.size, items + at);
  truncate(d, b.size - 1);
}

void DrivableLists::make_room(std::int32_t d) {
  const std::int32_t old_capacity = blocks_[d].capacity;
  const std::int32_t offset = allocate(old_capacity == 0 ? 1 : 2 * old_capacity);  // may move blocks_[d]
  Block& b = blocks_[d];
  std::copy(pool_.begin() + b.offset, pool_.begin() + b.offset + b.size, pool_.begin() + offset);
  b.offset = offset;
  b.capacity = old_capacity == 0 ? 1 : 2 * old_capacity;
  live_ -= old_capacity;
}

std::int32_t DrivableLists::allocate(std::int32_t capacity) {
  // live_ counts the new block from here on; the caller's old block is released after the copy.
  live_ += capacity;
  high_water_ = std::max(high_water_, live_);
  const auto want = static_cast<std::size_t>(2 * high_water_ + kSlack);
  if (pool_.size() < want) {
    compact(std::max(want, pool_.size() + pool_.size() / 4));
  } else if (static_cast<std::size_t>(end_) + static_cast<std::size_t>(capacity) > pool_.size()) {
    compact(pool_.size());
  }
  // After compacting, the live blocks other than the new one fill at most pool_.size() / 2.
  const std::int32_t offset = end_;
  end_ += capacity;
  return offset;
}

void DrivableLists::renumber(std::span<const std::int32_t> lists, std::int32_t pool_at, std::int32_t first_item) {
  for (const std::int32_t d : lists) {
    Block& b = blocks_[d];
    if (b.capacity == 0) continue;
    b.offset = pool_at;
    std::iota(pool_.begin() + pool_at, pool_.begin() + pool_at + b.size, first_item);
    first_item += b.size;
    pool_at += b.capacity;
  }
}

void DrivableLists::compact(std::size_t pool_size) {
  order_.clear();
  for (std::int32_t d = 0; d < count(); ++d)
    if (blocks_[d].capacity > 0) order_.push_back(d);
  std::sort(order_.begin(), order_.end(), [&](std::int32_t a, std::int32_t b) { return blocks_[a].offset < blocks_[b].offset; });
  // Sliding each block down in pool order never overwrites a block not yet moved.
  std::vector<std::int32_t> grown;
  if (pool_size != pool_.size()) grown.resize(pool_size);
  std::int32_t* to = grown.empty() ? pool_.data() : grown.data();
  std::int32_t at = 0;
  for (const std::int32_t d : order_) {
    Block& b = blocks_[d];
    std::copy(pool_.begin() + b.offset, pool_.begin() + b.offset + b.size, to + at);
    b.offset = at;
    at += b.capacity;
  }
  if (!grown.empty()) pool_.swap(grown);
  end_ = at;
}

}  // namespace greenwave
