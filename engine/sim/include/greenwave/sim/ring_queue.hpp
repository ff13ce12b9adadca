// A FIFO queue on a power-of-two ring buffer: after reserve() it never allocates while its
// size stays within the reservation (std::deque allocates and frees blocks as it drifts).
#pragma once

#include <cstddef>
#include <vector>

namespace greenwave {

/// FIFO of trivially copyable items on a growable ring buffer (the simulator's entry queues).
template <class T>
class RingQueue {
 public:
  /// True when the queue holds nothing.
  bool empty() const { return size_ == 0; }
  /// Number of queued items.
  std::size_t size() const { return size_; }
  /// Slots available before the next push_back would allocate.
  std::size_t capacity() const { return buf_.size(); }
  /// The k-th item from the head (k < size()).
  const T& operator[](std::size_t k) const { return buf_[(head_ + k) & (buf_.size() - 1)]; }
  /// The k-th item from the head, writable (k < size()).
  T& operator[](std::size_t k) { return buf_[(head_ + k) & (buf_.size() - 1)]; }
  /// The head item (queue not empty).
  const T& front() const { return buf_[head_]; }
  /// Removes the head item (queue not empty).
  void pop_front() {
    head_ = (head_ + 1) & (buf_.size() - 1);
    --size_;
  }
  /// Appends an item, doubling the buffer when full.
  void push_back(const T& item) {
    if (size_ == buf_.size()) grow(size_ + 1);
    buf_[(head_ + size_) & (buf_.size() - 1)] = item;
    ++size_;
  }
  /// Empties the queue, keeping its buffer.
  void clear() { head_ = size_ = 0; }
  /// Makes room for at least n items without further allocation.
  void reserve(std::size_t n) {
    if (n > buf_.size()) grow(n);
  }

 private:
  // Moves the items into a buffer of at least n slots (a power of two), head first.
  void grow(std::size_t n) {
    std::size_t cap = buf_.empty() ? 4 : buf_.size();
    while (cap < n) cap *= 2;
    std::vector<T> next(cap);
    for (std::size_t k = 0; k < size_; ++k) next[k] = (*this)[k];
    buf_.swap(next);
    head_ = 0;
  }

  std::vector<T> buf_;    // size is 0 or a power of two
  std::size_t head_ = 0;  // index of the front item
  std::size_t size_ = 0;
};

}  // namespace greenwave
