// An Env that lives in a child process, for backends that keep process-wide state (libsumo holds
// one simulation per process): N ProcessEnvs run N simulations side by side, and a VectorEnv over
// them steps the children in parallel.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <vector>

#include "greenwave/env/env.hpp"

namespace greenwave {

/// Runs the Env that `make` builds in a forked child and forwards every call to it over a socket
/// pair: the spec and metric names once, then per call the action/seed going in and the
/// observations, rewards, StepInfo, a TrafficEnv's clearance flags and the action mask coming
/// back (a few hundred bytes per agent per step). `make` runs in the child only, so the parent
/// never touches the backend's process-wide state. Errors in the child come back as the same exception type (ActionError, ConfigError,
/// ScenarioError; anything else as std::runtime_error) with its message. The child exits when
/// the ProcessEnv is destroyed.
class ProcessEnv final : public Env {
 public:
  /// Forks the child and waits for its spec; throws what `make` threw.
  explicit ProcessEnv(std::function<std::unique_ptr<Env>()> make);
  ~ProcessEnv() override;
  ProcessEnv(const ProcessEnv&) = delete;
  ProcessEnv& operator=(const ProcessEnv&) = delete;

  const EnvSpec& spec() const override { return spec_; }
  void reset(std::uint64_t seed, std::span<float> obs, StepInfo& info) override;
  void step(std::span<const std::int32_t> actions, std::span<float> obs, std::span<float> rewards,
            StepInfo& info) override;
  void action_mask(std::span<std::uint8_t> mask) const override;
  const std::vector<std::string>& metric_names() const override { return metric_names_; }
  /// Whether agent `agent`'s intersection is in clearance after the last reset or step (the
  /// child's TrafficEnv::in_clearance; false for an env that is not a TrafficEnv).
  bool in_clearance(std::int32_t agent) const;
  /// The child's process id.
  pid_t child() const { return child_; }

 private:
  int fd_ = -1;
  pid_t child_ = -1;
  EnvSpec spec_;
  std::vector<std::string> metric_names_;
  std::vector<std::uint8_t> clearance_;  // per agent, from the last reply
};

}  // namespace greenwave
