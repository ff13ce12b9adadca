// Hand-written signal controllers behind the Agent interface: Random, FixedTime, MaxPressure and
// SOTL. They read named observation components (EnvSpec::observation.components), so the env
// must be built with the components baseline_observation() names.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "greenwave/agents/agent.hpp"
#include "greenwave/core/rng.hpp"
#include "greenwave/env/env.hpp"

namespace greenwave {

class TrafficEnv;

/// A controller that does not learn: observe and train do nothing.
class NonLearningAgent : public Agent {
 public:
  void observe(const TransitionBatch&) override {}
  TrainStats train() override { return {}; }
};

/// Uniformly random allowed actions; the stream is reseeded every episode from (seed, episode seed).
class RandomAgent final : public NonLearningAgent {
 public:
  /// A random controller with base seed `seed`.
  explicit RandomAgent(std::uint64_t seed) : seed_(seed) {}
  std::string name() const override { return "random"; }
  void begin_episode(std::uint64_t seed) override { rng_.reseed(mix_seed(seed_, seed)); }
  void act(std::span<const float> obs, std::span<const std::uint8_t> mask, std::span<std::int32_t> actions,
           bool explore) override;

 private:
  std::uint64_t seed_;
  Rng rng_;
};

/// Cycles through the allowed phases: at a decision, switches to the next phase (cyclically)
/// once the phase timer reaches `phase_time` seconds, else keeps (REFERENCE.md §3's FixedTime).
/// Needs the `phase` and `time_in_phase` components.
class FixedTimeAgent final : public NonLearningAgent {
 public:
  /// Throws ConfigError when a needed component is missing or phase_time <= 0.
  FixedTimeAgent(const EnvSpec& spec, double phase_time = 30.0);
  std::string name() const override { return "fixed"; }
  void begin_episode(std::uint64_t) override {}
  void act(std::span<const float> obs, std::span<const std::uint8_t> mask, std::span<std::int32_t> actions,
           bool explore) override;

 private:
  std::int64_t obs_size_, width_, phase_, timer_;
  double phase_time_;
};

/// MaxPressure: keeps the current phase while its timer is below `min_phase_time` seconds, else
/// picks the allowed phase with the largest `phase_pressure` (ties to the lowest index).
/// Needs the `phase_pressure`, `phase` and `time_in_phase` components.
class MaxPressureAgent final : public NonLearningAgent {
 public:
  /// Throws ConfigError when a needed component is missing or min_phase_time < 0.
  MaxPressureAgent(const EnvSpec& spec, double min_phase_time = 10.0);
  std::string name() const override { return "maxpressure"; }
  void begin_episode(std::uint64_t) override {}
  void act(std::span<const float> obs, std::span<const std::uint8_t> mask, std::span<std::int32_t> actions,
           bool explore) override;

 private:
  std::int64_t obs_size_, width_, pressure_, phase_, timer_;
  double min_phase_time_;
};

/// Thresholds of SOTL (self-organising traffic lights, Cools et al. 2008, as in LibSignal).
struct SotlConfig {
  double min_phase_time = 10.0;   ///< seconds a phase is held at least
  double max_green_queue = 20.0;  ///< switch only while the green phase's lanes queue at most this
  double min_red_queue = 30.0;    ///< ... and the other lanes queue more than this
};

/// Per agent, per phase: indices into the agent's `lane_queue` component of the incoming lanes
/// whose movements that phase serves.
using PhaseLanes = std::vector<std::vector<std::vector<std::int32_t>>>;

/// SOTL: after min_phase_time, switches to the next allowed phase when the current phase's
/// lanes queue few vehicles and the red lanes queue many. Needs `lane_queue`, `phase` and
/// `time_in_phase`, plus the phase-to-lane table (sotl_phase_lanes for a TrafficEnv).
class SotlAgent final : public NonLearningAgent {
 public:
  /// Throws ConfigError when a component is missing or the table does not fit the spec.
  SotlAgent(const EnvSpec& spec, PhaseLanes phase_lanes, SotlConfig config = {});
  std::string name() const override { return "sotl"; }
  void begin_episode(std::uint64_t) override {}
  void act(std::span<const float> obs, std::span<const std::uint8_t> mask, std::span<std::int32_t> actions,
           bool explore) override;

 private:
  std::int64_t obs_size_, width_, queue_, queue_size_, phase_, timer_;
  std::int32_t agents_;
  PhaseLanes phase_lanes_;
  SotlConfig config_;
};

/// The phase-to-incoming-lane table of a TrafficEnv's agents, for SotlAgent.
PhaseLanes sotl_phase_lanes(const TrafficEnv& env);

/// The observation components baseline `name` (random, fixed, maxpressure, sotl) needs, as a
/// TrafficEnvConfig::observation string; throws ConfigError for an unknown name.
std::string baseline_observation(const std::string& name);

/// Builds baseline `name` for a TrafficEnv whose observation includes baseline_observation(name).
std::unique_ptr<Agent> make_baseline(const std::string& name, const TrafficEnv& env, std::uint64_t seed);

}  // namespace greenwave
