// The deterministic random number generator used everywhere state must be reproducible.
#pragma once

#include <cstdint>

namespace greenwave {

/// SplitMix64-seeded xoshiro256** generator: small (32 bytes), fast, identical on every
/// platform, and trivially serialisable into snapshots (unlike std::mt19937's unspecified
/// distributions).
class Rng {
 public:
  /// Seeds the four state words from one 64-bit seed.
  explicit Rng(std::uint64_t seed = 0) noexcept { reseed(seed); }
  /// Restarts the sequence from a seed.
  void reseed(std::uint64_t seed) noexcept;
  /// Next 64 random bits.
  std::uint64_t next() noexcept;
  /// Uniform double in [0, 1).
  double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Uniform integer in [0, n); n must be > 0.
  std::uint64_t below(std::uint64_t n) noexcept;
  /// The raw state, for snapshots.
  std::uint64_t state[4];
};

/// Mixes a base seed with a stream index (for `seed + env_id` style derived seeds that do not
/// collide across streams).
std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t stream) noexcept;

}  // namespace greenwave
