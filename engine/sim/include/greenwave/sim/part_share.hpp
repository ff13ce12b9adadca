// PartShare: one thread's range of work items that other threads may help with, in chunks
// (docs/simulator.md, "Parallel step and locality").
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <utility>

namespace greenwave {

/// One part's range of work items, shared in chunks: the part takes chunks from its start while
/// parts done with their own take chunks from its end, until they meet; each chunk goes to
/// exactly one thread. Between parallel passes every range is used up.
class alignas(64) PartShare {
 public:
  /// Offers [begin, end) in chunks of `chunk` items (the owner, at the start of its task).
  void offer(std::int32_t begin, std::int32_t end, std::int32_t chunk) {
    begin_ = begin;
    end_ = end;
    chunk_ = chunk;
    const std::int32_t chunks = end > begin ? (end - begin + chunk - 1) / chunk : 0;
    ends_.store(pack(0, static_cast<std::uint32_t>(chunks)), std::memory_order_release);
  }
  /// The next chunk from the start (the owner); empty once none are left.
  std::pair<std::int32_t, std::int32_t> take_front() { return take(true); }
  /// The next chunk from the end (a helper); empty once none are left.
  std::pair<std::int32_t, std::int32_t> take_back() { return take(false); }

 private:
  static std::uint64_t pack(std::uint32_t front, std::uint32_t back) { return std::uint64_t{front} << 32 | back; }
  std::pair<std::int32_t, std::int32_t> take(bool from_front) {
    std::uint64_t ends = ends_.load(std::memory_order_acquire);
    for (;;) {
      const auto front = static_cast<std::uint32_t>(ends >> 32), back = static_cast<std::uint32_t>(ends);
      if (front >= back) return {0, 0};
      const std::uint32_t chunk = from_front ? front : back - 1;
      const std::uint64_t left = from_front ? pack(front + 1, back) : pack(front, back - 1);
      if (ends_.compare_exchange_weak(ends, left, std::memory_order_acq_rel, std::memory_order_acquire)) {
        const std::int32_t first = begin_ + static_cast<std::int32_t>(chunk) * chunk_;
        return {first, std::min(first + chunk_, end_)};
      }
    }
  }
  std::atomic<std::uint64_t> ends_{0};  ///< chunks [front, back) are left (front in the high half)
  std::int32_t begin_ = 0, end_ = 0, chunk_ = 1;
};

}  // namespace greenwave
