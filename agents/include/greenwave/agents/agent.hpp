// The interface every controller (learned or hand-written) presents to the trainer and to eval.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace greenwave {

/// One environment step seen by a learner, as rows: one row per (environment, agent) pair, in the
/// same order on every call (row r is always the same intersection of the same environment).
/// All spans are caller-owned and only read during the call.
struct TransitionBatch {
  std::span<const float> obs;                ///< rows x obs_size, the observation acted on
  std::span<const std::int32_t> actions;     ///< rows, the actions taken
  std::span<const float> rewards;            ///< rows, the rewards received
  std::span<const float> next_obs;           ///< rows x obs_size, the observation after the step
  std::span<const std::uint8_t> next_mask;   ///< rows x max_actions, action mask after the step
  std::span<const std::uint8_t> terminated;  ///< rows, 1 when the episode ended by itself
  std::span<const std::uint8_t> truncated;   ///< rows, 1 when the episode was cut (time limit)
  /// rows, 0 for a row to skip (a VectorEnv autoreset step, or an env idling until the others
  /// finish); empty = every row is valid.
  std::span<const std::uint8_t> valid = {};
  /// rows x max_actions, the action mask `obs` was acted under (a dueling head averages its
  /// advantages over these); empty = every action was allowed.
  std::span<const std::uint8_t> mask = {};
};

/// What one call to Agent::train did.
struct TrainStats {
  std::int64_t updates = 0;  ///< gradient updates performed by this call
  double loss = 0;           ///< mean loss over those updates (0 when none)
};

/// A controller: chooses one discrete action per row from observations and action masks, and
/// optionally learns from transitions. Baselines ignore observe/train.
class Agent {
 public:
  virtual ~Agent() = default;
  /// A short name for logs ("dqn", "maxpressure", ...).
  virtual std::string name() const = 0;
  /// Called at the start of every episode (before the first act) with the episode's seed.
  virtual void begin_episode(std::uint64_t seed) = 0;
  /// Writes one action per row into `actions`; obs is rows x obs_size, mask rows x max_actions
  /// (1 = allowed). Only allowed actions are chosen. `explore` selects the behaviour policy
  /// (e.g. epsilon-greedy) instead of the greedy one.
  virtual void act(std::span<const float> obs, std::span<const std::uint8_t> mask,
                   std::span<std::int32_t> actions, bool explore) = 0;
  /// Records one step of experience (a no-op for agents that do not learn).
  virtual void observe(const TransitionBatch& batch) = 0;
  /// Runs the gradient updates that are due after the experience seen so far.
  virtual TrainStats train() = 0;
};

}  // namespace greenwave
