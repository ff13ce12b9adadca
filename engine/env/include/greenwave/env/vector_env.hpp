// VectorEnv: N environments stepped in parallel into caller-owned (N, agents, ...) buffers.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include <tbb/task_arena.h>

#include "greenwave/env/env.hpp"

namespace greenwave {

/// What happens to an environment whose episode ended (as Gymnasium 1.0's AutoresetMode).
enum class AutoresetMode : std::uint8_t {
  NextStep,  ///< the next step() resets it: reset observation, reward 0, flags false; actions ignored
  Disabled,  ///< stepping it again throws ActionError; reset() the whole vector
};

/// N environments with the same shapes (agents, observation size, max actions), stepped in
/// parallel inside an owned TBB arena. Each env writes only its own slice of the batch
/// buffers, so results are identical for any thread count. Episode k (0-based) of env i is
/// reset with seed + i + k * N (seed + env_id for the first, as EnvPool).
class VectorEnv {
 public:
  /// Takes ownership of `envs` (at least one); ConfigError when their shapes differ.
  /// `num_threads` 0 = all cores.
  explicit VectorEnv(std::vector<std::unique_ptr<Env>> envs, int num_threads = 0,
                     AutoresetMode mode = AutoresetMode::NextStep);

  /// Number of environments N.
  std::int32_t num_envs() const { return static_cast<std::int32_t>(envs_.size()); }
  /// The spec of env 0 (all envs share its shapes).
  const EnvSpec& spec() const { return envs_.front()->spec(); }
  /// The declared autoreset mode.
  AutoresetMode autoreset_mode() const { return mode_; }
  /// Threads of the arena (after resolving 0 = all cores).
  int num_threads() const { return arena_->max_concurrency(); }
  /// Rebuilds the arena with `n` threads (0 = all cores); results do not change.
  void set_num_threads(int n);
  /// Env i, for its spec and metric names.
  const Env& env(std::int32_t i) const { return *envs_[static_cast<std::size_t>(i)]; }
  /// The info of env i's last reset or step.
  const StepInfo& info(std::int32_t i) const { return infos_[static_cast<std::size_t>(i)]; }

  /// Resets every env (env i with seed + i); obs is (N, agents, obs_size).
  void reset(std::uint64_t seed, std::span<float> obs);
  /// Steps every env. actions (N, agents); obs (N, agents, obs_size); rewards (N, agents);
  /// terminated and truncated (N). Every buffer size and every action (against the current
  /// masks) is checked before any env moves; ActionError names the env, agent and value.
  void step(std::span<const std::int32_t> actions, std::span<float> obs, std::span<float> rewards,
            std::span<std::uint8_t> terminated, std::span<std::uint8_t> truncated);
  /// Writes (N, agents, max_actions) masks; 1 = allowed.
  void action_mask(std::span<std::uint8_t> mask) const;

 private:
  void check_size(const char* what, std::size_t got, std::size_t per_env) const;

  std::vector<std::unique_ptr<Env>> envs_;
  std::vector<StepInfo> infos_;
  std::vector<std::uint8_t> done_;      ///< per env: the last step ended its episode
  std::vector<std::uint64_t> episode_;  ///< per env: index of the running episode
  std::vector<std::uint8_t> masks_;     ///< scratch for action checks
  std::uint64_t seed_ = 0;
  bool was_reset_ = false;
  AutoresetMode mode_;
  std::unique_ptr<tbb::task_arena> arena_;
  std::size_t agents_ = 0;
  std::size_t obs_size_ = 0;
  std::size_t max_actions_ = 0;
};

}  // namespace greenwave
