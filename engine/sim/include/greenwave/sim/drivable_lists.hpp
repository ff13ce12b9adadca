// The vehicles on each drivable, front first, in one pooled buffer (docs/simulator.md, "Memory and
// allocation"): the pool follows the vehicles held at once, not every drivable's busiest moment.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace greenwave {

/// One list of vehicle slots per drivable, each a contiguous block of a shared pool. A block's
/// capacity is a power of two; a list that empties gives its block up, and the pool is compacted
/// when its end is reached. The pool holds at least twice the most block capacity ever in use at
/// once and keeps it across reset(), so after a first episode nothing allocates. Spans into a
/// list stay valid only until the next push_back or insert on any list.
class DrivableLists {
 public:
  /// Sets the number of lists, all empty; keeps the pool and its high-water mark.
  void reset(std::int32_t lists);
  /// Number of lists.
  std::int32_t count() const { return static_cast<std::int32_t>(blocks_.size()); }
  /// List d, front first.
  std::span<const std::int32_t> operator[](std::int32_t d) const { return {pool_.data() + blocks_[d].offset, static_cast<std::size_t>(blocks_[d].size)}; }
  /// List d, writable in place (to filter it or rename its slots).
  std::span<std::int32_t> items(std::int32_t d) { return {pool_.data() + blocks_[d].offset, static_cast<std::size_t>(blocks_[d].size)}; }
  /// Number of vehicles on d.
  std::int32_t size(std::int32_t d) const { return blocks_[d].size; }
  /// True when d holds no vehicle.
  bool empty(std::int32_t d) const { return blocks_[d].size == 0; }
  /// The front vehicle of d (d not empty).
  std::int32_t front(std::int32_t d) const { return pool_[blocks_[d].offset]; }
  /// The last vehicle of d (d not empty).
  std::int32_t back(std::int32_t d) const { return pool_[blocks_[d].offset + blocks_[d].size - 1]; }
  /// Hints that d's list header will be read soon (a cache prefetch; no effect on the lists).
  void prefetch_header(std::int32_t d) const { __builtin_prefetch(blocks_.data() + d); }
  /// Hints that d's last item will be read or written soon (reads d's header).
  void prefetch_back(std::int32_t d) const {
    const Block& b = blocks_[d];
    __builtin_prefetch(pool_.data() + b.offset + (b.size > 0 ? b.size - 1 : 0), 1);
  }
  /// Appends v at the back of d (serial only: it may move every list).
  void push_back(std::int32_t d, std::int32_t v) {
    if (blocks_[d].size == blocks_[d].capacity) make_room(d);
    pool_[blocks_[d].offset + blocks_[d].size++] = v;
  }
  /// Inserts v before index `at` of d (serial only).
  void insert(std::int32_t d, std::int32_t at, std::int32_t v);
  /// Removes index `at` of d (serial only).
  void erase(std::int32_t d, std::int32_t at);
  /// Keeps the first n vehicles of d (serial only).
  void truncate(std::int32_t d, std::int32_t n) { live_ -= shrink(d, n); }
  /// truncate() that is safe to call on different lists in parallel: returns the block capacity
  /// it gave up, which the caller passes to released() once the parallel work is done.
  std::int32_t shrink(std::int32_t d, std::int32_t n) {
    Block& b = blocks_[d];
    b.size = n;
    if (n > 0) return 0;
    const std::int32_t freed = b.capacity;
    b.capacity = 0;
    return freed;
  }
  /// Accounts for block capacity that shrink() gave up.
  void released(std::int64_t capacity) { live_ -= capacity; }
  /// Block capacity of d (0 when it has no block).
  std::int32_t capacity(std::int32_t d) const { return blocks_[d].capacity; }
  /// For a renumbering that numbers the items of `lists`, in that order and front first,
  /// consecutively from `first_item`: lays their blocks out back to back from pool index
  /// `pool_at` (so that lists near in the order are near in memory) and writes the new numbers.
  /// Safe to call at once on disjoint lists and pool ranges once nothing reads the old items;
  /// then laid_out() with the end of all the ranges, which together must name every list.
  void renumber(std::span<const std::int32_t> lists, std::int32_t pool_at, std::int32_t first_item);
  /// Ends a lay-out by renumber(): pool_[end, size) is free.
  void laid_out(std::int32_t end) { end_ = end; }
  /// Heap bytes of the pool (the part that grows with the vehicles).
  std::size_t pool_bytes() const { return pool_.capacity() * sizeof(std::int32_t); }
  /// Heap bytes of the per-list index (fixed by the network).
  std::size_t index_bytes() const { return blocks_.capacity() * sizeof(Block) + order_.capacity() * sizeof(std::int32_t); }

 private:
  struct Block {
    std::int32_t offset = 0;    // first item in pool_
    std::int32_t size = 0;
    std::int32_t capacity = 0;  // 0 (no block) or a power of two
  };
  /// Moves full list d into a block of twice its capacity (1 when it has none).
  void make_room(std::int32_t d);
  /// Offset of a new block of `capacity` items, compacting or growing the pool first if needed.
  std::int32_t allocate(std::int32_t capacity);
  /// Moves every block, in pool order, to the front of a pool of `pool_size` items.
  void compact(std::size_t pool_size);

  std::vector<Block> blocks_;        // per list
  std::vector<std::int32_t> pool_;   // its size is the pool's usable capacity
  std::int32_t end_ = 0;             // pool_[end_, size) is free
  std::int64_t live_ = 0;            // block capacity held by non-empty lists (and shrink()'s not yet released)
  std::int64_t high_water_ = 0;      // most of live_ ever
  std::vector<std::int32_t> order_;  // scratch for compact(): lists with a block
};

}  // namespace greenwave
