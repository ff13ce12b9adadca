// The VectorEnv throughput measurement that bench/ and `greenwave bench` report.
#pragma once

#include <cstdint>

#include "greenwave/env/vector_env.hpp"

namespace greenwave {

/// One throughput measurement of a VectorEnv.
struct Throughput {
  std::int64_t env_steps = 0;       ///< env steps taken (N x vector steps)
  double wall_s = 0;                ///< wall-clock seconds of the stepping (reset excluded)
  double env_steps_per_s = 0;       ///< env_steps / wall_s
};

/// Resets `env` with `seed`, then times `vector_steps` steps under a deterministic cycling
/// policy (agent a of env i takes phase (step + a) mod its action count; autoresets included).
Throughput measure_throughput(VectorEnv& env, std::int64_t vector_steps, std::uint64_t seed);

}  // namespace greenwave
