// HDF5 trajectory logging: one group per episode, appended step by step, flushed at each
// episode end (schema in docs/trajectories.md; readable with plain h5py).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "greenwave/env/env.hpp"

namespace greenwave {

/// Version of the trajectory file layout written by TrajectoryWriter (file attribute).
inline constexpr std::int32_t kTrajectorySchemaVersion = 1;

/// File-level facts stored as attributes.
struct TrajectoryMeta {
  std::string scenario_hash;  ///< CompiledScenario::content_hash
  std::string reward_spec;    ///< canonical reward text, e.g. "pressure:1,queue:0.25"
  std::string env_config;     ///< the env config as a JSON object
  std::uint64_t seed = 0;     ///< the run's base seed
};

/// Writes episodes of one env into an HDF5 file. Per episode `episode_NNNNNN` holds
/// observations (T+1, agents, obs) starting with the reset observation, actions (T, agents),
/// rewards (T, agents), ignored (T, agents), terminated (T), truncated (T) and metrics
/// (T, n_metrics). Datasets are chunked, shuffled + deflate-compressed and extended every step.
/// The file is flushed at each episode end; until then nothing of the open episode reaches the
/// file's metadata, so a killed process leaves every finished episode readable.
class TrajectoryWriter {
 public:
  /// Creates the file under a temporary name beside `path`, renamed onto `path` at the first
  /// episode end (or at destruction); throws IoError when the OS refuses it. Every write
  /// throws IoError on an OS failure (full disk); the writer then writes nothing more.
  TrajectoryWriter(const std::string& path, const EnvSpec& spec, std::vector<std::string> metric_names,
                   TrajectoryMeta meta);
  /// Flushes and closes the file (an open episode is ended first).
  ~TrajectoryWriter();
  TrajectoryWriter(const TrajectoryWriter&) = delete;
  TrajectoryWriter& operator=(const TrajectoryWriter&) = delete;

  /// Starts episode group episode_<count> with its seed and reset observation (agents x obs).
  void begin_episode(std::uint64_t seed, std::span<const float> observation);
  /// Appends one step: the actions taken, then the resulting rewards, observation and info.
  void append(std::span<const std::int32_t> actions, std::span<const float> rewards,
              std::span<const float> observation, const StepInfo& info);
  /// Closes the open episode and flushes the file to disk.
  void end_episode();
  /// Episodes ended so far.
  std::int64_t episodes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace greenwave
