#include "greenwave/env/throughput.hpp"

#include <chrono>
#include <vector>

namespace greenwave {

Throughput measure_throughput(VectorEnv& env, std::int64_t vector_steps, std::uint64_t seed) {
  const EnvSpec& spec = env.spec();
  const auto n = static_cast<std::size_t>(env.num_envs());
  const auto agents = static_cast<std::size_t>(spec.num_agents());
  std::vector<float> obs(n * agents * static_cast<std::size_t>(spec.observation.size()));
  std::vector<float> rewards(n * agents);
  std::vector<std::int32_t> actions(n * agents);
  std::vector<std::uint8_t> terminated(n);
  std::vector<std::uint8_t> truncated(n);
  env.reset(seed, obs);
  const auto start = std::chrono::steady_clock::now();
  for (std::int64_t t = 0; t < vector_steps; ++t) {
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t a = 0; a < agents; ++a)
        actions[i * agents + a] =
            static_cast<std::int32_t>((static_cast<std::size_t>(t) + a) % static_cast<std::size_t>(env.env(static_cast<std::int32_t>(i)).spec().action_counts[a]));
    env.step(actions, obs, rewards, terminated, truncated);
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Throughput out;
  out.env_steps = vector_steps * static_cast<std::int64_t>(n);
  out.wall_s = wall;
  out.env_steps_per_s = wall > 0 ? static_cast<double>(out.env_steps) / wall : 0;
  return out;
}

}  // namespace greenwave
