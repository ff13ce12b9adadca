// Private to engine/sim: appending ids to a shared array from the parts of a parallel pass
// (the conflict claims' notified movements, the move stage's movers).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>

namespace greenwave::sim {

/// Appends ids to a shared array from one thread's range of a parallel phase: entries are
/// buffered and the shared cursor is advanced once per batch, so threads rarely contend on it.
class BatchAppender {
 public:
  /// Appends to out[cursor++] (out must have room for every entry appended).
  BatchAppender(std::int32_t* out, std::atomic<std::int32_t>& cursor) : out_(out), cursor_(cursor) {}
  BatchAppender(const BatchAppender&) = delete;
  BatchAppender& operator=(const BatchAppender&) = delete;
  ~BatchAppender() { flush(); }
  /// Appends one id (in batches: the order in the shared array is unspecified).
  void push(std::int32_t x) {
    buf_[n_++] = x;
    if (n_ == kBatch) flush();
  }
  /// Writes the buffered ids out.
  void flush() {
    if (n_ == 0) return;
    const std::int32_t at = cursor_.fetch_add(n_, std::memory_order_relaxed);
    std::copy(buf_, buf_ + n_, out_ + at);
    n_ = 0;
  }

 private:
  static constexpr std::int32_t kBatch = 64;
  std::int32_t* out_;
  std::atomic<std::int32_t>& cursor_;
  std::int32_t buf_[kBatch];
  std::int32_t n_ = 0;
};

}  // namespace greenwave::sim
