// The one configuration struct of the DQN agent, with its JSON form (used by checkpoints and
// DIR/config.json). Defaults follow LibSignal (REFERENCE.md §3) where it has one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace greenwave {

/// Every hyperparameter of DqnAgent. Counts of "steps" are environment steps (calls to
/// Agent::observe, i.e. one decision of every row); "updates" are gradient updates.
struct DqnConfig {
  // Network.
  std::vector<std::int64_t> hidden_sizes{128, 128};  ///< widths of the ReLU MLP's hidden layers
  bool dueling = false;  ///< Q = V + A - mean(A) head instead of a plain linear head

  // Learning.
  double learning_rate = 1e-3;     ///< Adam learning rate (LibSignal: 1e-3)
  double adam_eps = 1e-8;          ///< Adam epsilon
  double gamma = 0.95;             ///< discount per decision (LibSignal: 0.95)
  int n_step = 1;                  ///< n of the n-step return (1 = one-step TD)
  bool double_dqn = true;          ///< online network picks the next action, target network rates it
  double huber_delta = 1.0;        ///< Huber loss threshold (smooth L1 beta)
  double max_grad_norm = 10.0;     ///< clip the global gradient norm to this (<= 0: no clipping)
  std::int64_t batch_size = 64;    ///< rows per gradient update (LibSignal: 64)
  std::int64_t learning_starts = 200;  ///< steps of experience before the first update
  std::int64_t train_frequency = 1;    ///< steps between rounds of updates
  std::int64_t gradient_steps = 1;     ///< updates per round

  // Target network.
  double tau = 1.0;  ///< Polyak factor: 1 = hard copy every target_update_interval updates
  std::int64_t target_update_interval = 100;  ///< updates between target updates (hard or soft)

  // Replay.
  std::int64_t buffer_size = 5000;  ///< transitions (rows) kept (LibSignal: 5000)
  bool prioritized = false;         ///< proportional prioritized replay (sum-tree) instead of uniform
  double per_alpha = 0.6;           ///< priority exponent: P(i) ∝ (|δ_i| + per_eps)^alpha
  double per_beta_start = 0.4;      ///< importance-sampling exponent at the first update
  std::int64_t per_beta_updates = 10000;  ///< updates over which beta rises linearly to 1
  double per_eps = 1e-6;            ///< added to |δ| so no transition gets probability 0

  // Exploration (linear epsilon schedule over steps).
  double epsilon_start = 1.0;           ///< epsilon at step 0
  double epsilon_end = 0.05;            ///< epsilon after epsilon_decay_steps
  std::int64_t epsilon_decay_steps = 2000;  ///< steps from epsilon_start to epsilon_end

  // Execution.
  std::uint64_t seed = 0;      ///< seeds network init (torch::manual_seed), replay sampling, exploration
  std::string device = "cpu";  ///< "cpu", "cuda" (ConfigError when unavailable) or "auto"
  int torch_threads = 1;       ///< LibTorch intra-op threads on CPU (0 = LibTorch's default)
};

/// Checks every field's range; throws ConfigError naming the first bad field.
void validate(const DqnConfig& config);

/// The config as a JSON object (every field, stable key names = field names).
std::string dqn_config_to_json(const DqnConfig& config);

/// Parses a JSON object; absent keys keep their defaults, unknown keys and bad values throw
/// ConfigError naming the key. The result is validated.
DqnConfig dqn_config_from_json(const std::string& json);

}  // namespace greenwave
