// Reading a trajectory file back: the summary `greenwave inspect` prints.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace greenwave {

/// What a trajectory file holds (file attributes and per-episode step counts).
struct TrajectorySummary {
  std::int32_t schema_version = 0;
  std::string scenario_hash;
  std::string reward_spec;
  std::string env_config;
  std::uint64_t seed = 0;
  std::int64_t agents = 0;                 ///< agents per step
  std::int64_t observation_size = 0;       ///< floats per agent observation
  std::vector<std::string> metric_names;   ///< columns of each episode's metrics
  std::vector<std::int64_t> episode_steps; ///< steps per episode, in episode order
  /// Total steps over all episodes.
  std::int64_t steps() const;
};

/// Reads the summary of the trajectory file at `path`; throws ConfigError naming the path and
/// the missing or malformed object when it is not a greenwave trajectory file.
TrajectorySummary read_trajectory_summary(const std::string& path);

}  // namespace greenwave
