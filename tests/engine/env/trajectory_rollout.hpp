// Writes fake-backend episodes to a trajectory file; shared by the env tests and the
// env_trajectory_writer program the h5py test runs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fake_backend.hpp"
#include "greenwave/env/traffic_env.hpp"
#include "greenwave/env/trajectory_writer.hpp"

namespace greenwave::testing {

/// Fake-backend env and writer for `path`: observations of 81 floats per agent, 2 agents.
struct TrajectoryRollout {
  /// Builds the env (dynamic fake, horizon `horizon_s`) and creates the file.
  TrajectoryRollout(const std::string& path, double horizon_s)
      : backend(make_scenario(horizon_s)),
        env(backend, {"lane_count,lane_queue,out_lane_count,pressure,phase,time_in_phase,phase_pressure,cbengine",
                      "pressure:1,queue:0.25"}),
        writer(path, env.spec(), env.metric_names(),
               {backend.scenario().content_hash, env.reward().text(), env.config().to_json(), 42}) {
    backend.dynamic = true;
    obs.resize(static_cast<std::size_t>(2 * env.spec().observation.size()));
  }

  /// Resets with `seed` and starts an episode in the file.
  void begin(std::uint64_t seed) {
    env.reset(seed, obs, info);
    writer.begin_episode(seed, obs);
  }
  /// Takes `steps` steps (actions cycle through the phases) and appends each; stops early at
  /// the end of the episode. Returns the steps taken.
  int run(int steps) {
    for (int t = 0; t < steps; ++t) {
      actions = {t % 4, t % 2};
      env.step(actions, obs, rewards, info);
      writer.append(actions, rewards, obs, info);
      if (info.terminated || info.truncated) return t + 1;
    }
    return steps;
  }

  static std::shared_ptr<CompiledScenario> make_scenario(double horizon_s) {
    RunSettings s;
    s.horizon = horizon_s;
    return make_test_scenario(s);
  }

  FakeBackend backend;
  TrafficEnv env;
  TrajectoryWriter writer;
  std::vector<float> obs;
  std::vector<float> rewards = std::vector<float>(2);
  std::vector<std::int32_t> actions = std::vector<std::int32_t>(2);
  StepInfo info;
};

}  // namespace greenwave::testing
