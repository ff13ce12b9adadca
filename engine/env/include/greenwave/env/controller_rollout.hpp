// A hand-written SignalController's episode seen through the env layer, for trajectory files
// of the baselines (`greenwave run --trajectory`).
#pragma once

#include <cstdint>
#include <string>

#include "greenwave/env/traffic_env.hpp"
#include "greenwave/sim/controllers.hpp"

namespace greenwave {

/// Runs one episode of `controller` on `backend` exactly as run_episode() drives it (reset with
/// `seed`, a decision every controller.interval() seconds from t = 0, one backend step at a
/// time), seen through a TrafficEnv with `config`, and writes it to the trajectory file `path`
/// (created or truncated). At each env decision (every action_interval) the recorded action of
/// an agent is the phase its intersection holds or is switching to after the controller's
/// decision at that time; `ignored` flags the controller's requests that could not take effect
/// then; rewards are the env's `config.reward`. The episode ends at the horizon (truncated) or
/// when all demand has left (terminated). Returns the final metrics. Throws ConfigError on a
/// bad config, IoError when the trajectory file cannot be written.
Metrics record_controller_episode(TrafficBackend& backend, SignalController& controller, const TrafficEnvConfig& config,
                                  std::uint64_t seed, const std::string& path);

}  // namespace greenwave
