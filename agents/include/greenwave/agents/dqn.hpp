// The DQN agent: one Q-network shared by every intersection (parameter sharing), Double DQN,
// optional dueling head, n-step returns, uniform or prioritized replay, LibTorch underneath.
// This header does not include Torch (pimpl), so the CLI and the Python module stay cheap.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "greenwave/agents/agent.hpp"
#include "greenwave/agents/dqn_config.hpp"

namespace greenwave {

/// The sizes a DQN agent is built for (stored in checkpoints beside the config).
struct DqnShape {
  std::int64_t obs_size = 0;     ///< flat observation length of one agent
  std::int32_t num_actions = 0;  ///< width of the Q head = max actions over agents
  std::int64_t rows = 1;         ///< rows per act/observe call (environments x agents)
};

/// Training progress counters (checkpointed, so a resumed run continues exactly).
struct DqnCounters {
  std::int64_t steps = 0;      ///< calls to observe
  std::int64_t updates = 0;    ///< gradient updates done
  std::int64_t episodes = 0;   ///< training episodes finished (record_episode)
};

/// What a checkpoint file holds besides the network weights.
enum class CheckpointContents : std::uint8_t {
  Full,         ///< weights, target network, optimizer, replay buffer, RNG, counters: resumes exactly
  WeightsOnly,  ///< config, shape and online weights: enough to act and to merge
};

/// "cuda" when the LibTorch in use has CUDA and a device is visible, else "cpu" (for "auto");
/// "cpu" stays "cpu"; "cuda" without CUDA throws ConfigError naming `device`.
std::string resolve_device(const std::string& requested);

/// Deep Q-learning agent (see docs/agents.md for the algorithm top to bottom).
class DqnAgent final : public Agent {
 public:
  /// A fresh agent: seeds LibTorch and its own Rng from config.seed, initialises the networks.
  DqnAgent(const DqnConfig& config, const DqnShape& shape);
  /// Loads a checkpoint written by save(); `device` overrides the saved device ("" keeps it).
  /// act() accepts any number of rows; observe() needs the saved shape's rows. Throws
  /// ConfigError naming the file when it is missing, unreadable, inconsistent or does not match
  /// its digest (altered or damaged).
  static std::unique_ptr<DqnAgent> load(const std::string& path, const std::string& device = "");
  ~DqnAgent() override;
  DqnAgent(const DqnAgent&) = delete;
  DqnAgent& operator=(const DqnAgent&) = delete;

  /// "dqn".
  std::string name() const override;
  /// Nothing to do: exploration and replay continue across episodes.
  void begin_episode(std::uint64_t seed) override;
  /// Counts one finished training episode (the trainer calls it; resumes continue the count).
  void record_episode();
  /// Epsilon-greedy (explore) or greedy over masked Q-values; masked actions are never chosen.
  void act(std::span<const float> obs, std::span<const std::uint8_t> mask, std::span<std::int32_t> actions,
           bool explore) override;
  /// Stores the step in the replay buffer and advances the step counter.
  void observe(const TransitionBatch& batch) override;
  /// Runs the updates due at the current step (train_frequency, gradient_steps, learning_starts);
  /// call it once after each observe().
  TrainStats train() override;
  /// One gradient update on a sampled minibatch, regardless of the schedule; returns its loss.
  double update();

  /// Writes a checkpoint (torch archive) to `path` via a temporary and a rename; throws IoError
  /// (the previous file intact) when the OS refuses the write.
  void save(const std::string& path, CheckpointContents contents = CheckpointContents::Full) const;
  /// Q-values of the online network for rows x obs_size observations (rows x num_actions);
  /// `mask` (rows x num_actions, empty = all allowed) only matters to a dueling head, whose
  /// advantages are centred on their mean over the allowed actions. Masked entries are not -inf.
  std::vector<float> q_values(std::span<const float> obs, std::span<const std::uint8_t> mask = {}) const;
  /// All online-network parameters, flattened in registration order.
  std::vector<float> parameters() const;
  /// Overwrites the online and target networks with flattened parameters (same layout as
  /// parameters()); throws ConfigError on a size mismatch.
  void set_parameters(std::span<const double> flat);
  /// Sets the optimizer's learning rate (for warm-up schedules).
  void set_learning_rate(double lr);
  /// Attaches a caller-defined JSON string saved with checkpoints (the CLI stores the env's
  /// observation and reward spec there, so eval rebuilds the same env).
  void set_metadata(const std::string& json);
  /// The metadata string ("{}" unless set or loaded).
  const std::string& metadata() const;
  /// Epsilon of the behaviour policy at the current step.
  double epsilon() const;

  /// The configuration (device resolved).
  const DqnConfig& config() const;
  /// The sizes the agent was built for.
  const DqnShape& shape() const;
  /// Progress counters.
  const DqnCounters& counters() const;

 private:
  struct Impl;
  explicit DqnAgent(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Merges checkpoints: every parameter becomes Σ_j weights[j] θ_j (computed in double), written
/// as a WeightsOnly checkpoint to `out` with the newest (last) checkpoint's config. `paths`
/// oldest first; weights.size() == paths.size(); the networks must have identical shapes.
void merge_checkpoints(std::span<const std::string> paths, std::span<const double> weights,
                       const std::string& out);

}  // namespace greenwave
