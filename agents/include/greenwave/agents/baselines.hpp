// The baselines behind the Agent interface: a uniformly random agent, and the hand-written signal
// controllers of greenwave::control (fixed, maxpressure, sotl, sotl-libsignal), the same
// implementation `greenwave run --controller` uses. A controller drives the signals through the
// env's ControlledBackend (make_baseline_env); its agent only reports the phases it chose.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "greenwave/agents/agent.hpp"
#include "greenwave/core/rng.hpp"
#include "greenwave/env/env.hpp"
#include "greenwave/env/traffic_env.hpp"

namespace greenwave {

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

/// The agent of an env whose ControlledBackend's controller decides: it answers each row with
/// the phase the intersection holds or is switching to (the hot entry of its `phase` component),
/// which the controller chose; the backend ignores the request either way.
class ControllerAgent final : public NonLearningAgent {
 public:
  /// `name` is the controller's; throws ConfigError when `spec` has no `phase` component.
  ControllerAgent(const EnvSpec& spec, std::string name);
  std::string name() const override { return name_; }
  void begin_episode(std::uint64_t) override {}
  void act(std::span<const float> obs, std::span<const std::uint8_t> mask, std::span<std::int32_t> actions,
           bool explore) override;

 private:
  std::string name_;
  std::int64_t obs_size_, width_, phase_;
};

/// The baseline names: "random", then greenwave::control's controller_names().
std::vector<std::string> baseline_names();

/// True when `name` is one of baseline_names().
bool is_baseline(const std::string& name);

/// The observation components baseline `name` needs ("phase"), as a TrafficEnvConfig::observation
/// string; throws ConfigError naming the baselines for an unknown name.
std::string baseline_observation(const std::string& name);

/// A TrafficEnv on `backend` for baseline `name`: a controller's env wraps the backend in a
/// ControlledBackend driven by make_controller(name, scenario); random's is the plain env.
/// Throws ConfigError for an unknown name or a bad config.
std::unique_ptr<TrafficEnv> make_baseline_env(const std::string& name, std::unique_ptr<TrafficBackend> backend,
                                              TrafficEnvConfig config);

/// Builds baseline `name` for `env` (from make_baseline_env for a controller); `seed` seeds random.
std::unique_ptr<Agent> make_baseline(const std::string& name, const TrafficEnv& env, std::uint64_t seed);

}  // namespace greenwave
