// Experience replay for the parameter-shared DQN: flat CPU arrays, n-step folding per row
// stream, uniform or proportional prioritized sampling over a sum-tree.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "greenwave/agents/agent.hpp"
#include "greenwave/core/rng.hpp"

namespace greenwave {

/// A binary sum-tree over `capacity` non-negative leaf values: O(log n) update and
/// prefix-sum search, the data structure of proportional prioritized replay.
class SumTree {
 public:
  /// A tree of `capacity` leaves, all 0.
  explicit SumTree(std::int64_t capacity);
  /// Sets leaf i to `value` (>= 0).
  void set(std::int64_t i, double value);
  /// Leaf i's value.
  double get(std::int64_t i) const { return nodes_[static_cast<std::size_t>(leaves_ + i)]; }
  /// Sum of all leaves.
  double total() const { return nodes_[1]; }
  /// The leaf i with prefix(i) <= mass < prefix(i) + leaf(i); mass in [0, total()).
  std::int64_t find(double mass) const;

 private:
  std::int64_t leaves_;         // capacity rounded up to a power of two
  std::vector<double> nodes_;   // 1-based heap layout, leaves at [leaves_, 2 * leaves_)
};

/// Everything a ReplayBuffer holds, as flat arrays (what checkpoints store). Row i of the
/// stored transitions is (obs, mask, action, ret, next_obs, next_mask, discount): the target is
/// ret + discount * Q(next_obs) with discount = gamma^k when it bootstraps and 0 when the
/// episode terminated inside the n-step window.
struct ReplayStorage {
  std::vector<float> obs;             ///< capacity x obs_size
  std::vector<std::uint8_t> masks;    ///< capacity x max_actions, the mask obs was acted under
  std::vector<std::int32_t> actions;  ///< capacity
  std::vector<float> returns;         ///< capacity, discounted sum of up to n rewards
  std::vector<float> next_obs;        ///< capacity x obs_size
  std::vector<std::uint8_t> next_mask;  ///< capacity x max_actions
  std::vector<float> discounts;       ///< capacity, gamma^k or 0
  std::vector<double> priorities;     ///< capacity, (|delta| + eps)^alpha (prioritized only)
  std::int64_t size = 0;              ///< rows stored (<= capacity)
  std::int64_t next = 0;              ///< row written next (ring position)
  double max_priority = 1.0;          ///< priority given to new rows
  // The n-step windows not yet folded, per stream, oldest first.
  std::vector<float> pending_obs;          ///< streams x n x obs_size
  std::vector<std::uint8_t> pending_masks; ///< streams x n x max_actions
  std::vector<std::int32_t> pending_actions;  ///< streams x n
  std::vector<float> pending_rewards;      ///< streams x n
  std::vector<std::int32_t> pending_count; ///< streams
};

/// One sampled minibatch, flat and ready to be moved to a device in one copy per field.
struct ReplaySample {
  std::vector<std::int64_t> indices;   ///< stored row of each sample (for priority updates)
  std::vector<float> obs;              ///< batch x obs_size
  std::vector<std::uint8_t> masks;     ///< batch x max_actions, the mask obs was acted under
  std::vector<std::int64_t> actions;   ///< batch
  std::vector<float> returns;          ///< batch
  std::vector<float> next_obs;         ///< batch x obs_size
  std::vector<std::uint8_t> next_mask; ///< batch x max_actions
  std::vector<float> discounts;        ///< batch
  std::vector<float> weights;          ///< batch, importance-sampling weights (1 when uniform)
};

/// Replay memory of rows (one row = one agent's transition; all agents share it). Each of the
/// `streams` rows of a TransitionBatch keeps its own n-step window, folded into stored rows as
/// it fills; termination folds the window without bootstrap, truncation folds it with bootstrap.
class ReplayBuffer {
 public:
  /// An empty buffer; prioritized selects proportional prioritized replay with exponent alpha.
  ReplayBuffer(std::int64_t capacity, std::int64_t obs_size, std::int32_t max_actions,
               std::int64_t streams, int n_step, double gamma, bool prioritized, double alpha);
  /// Adds one step of every valid stream (batch rows must equal streams).
  void add(const TransitionBatch& batch);
  /// Stored rows available for sampling.
  std::int64_t size() const { return s_.size; }
  /// Maximum rows stored.
  std::int64_t capacity() const { return capacity_; }
  /// Draws `batch_size` rows (with replacement): uniformly, or stratified proportional to
  /// priority with importance weights (N P(i))^-beta normalised by the batch maximum.
  /// size() must be > 0.
  void sample(std::int64_t batch_size, double beta, Rng& rng, ReplaySample& out) const;
  /// Sets the priorities of sampled rows from their TD errors: (|delta| + eps)^alpha.
  void update_priorities(std::span<const std::int64_t> indices, std::span<const float> td_errors,
                         double eps);
  /// The whole content (for checkpoints).
  const ReplayStorage& storage() const { return s_; }
  /// Replaces the content with a saved one of the same geometry; throws ConfigError otherwise.
  void restore(ReplayStorage storage);

 private:
  // Folds the stream's whole pending window into one stored row for its oldest entry, then
  // drops that entry.
  void emit_oldest(std::int64_t stream, bool bootstrap, std::span<const float> next_obs,
                   std::span<const std::uint8_t> next_mask);

  std::int64_t capacity_, obs_size_, streams_;
  std::int32_t max_actions_;
  int n_step_;
  double gamma_;
  bool prioritized_;
  double alpha_;
  ReplayStorage s_;
  SumTree tree_;
};

}  // namespace greenwave
