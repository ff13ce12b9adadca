#include "greenwave/agents/wsm.hpp"

#include <cmath>
#include <numbers>

#include "greenwave/core/error.hpp"

namespace greenwave {

DecayShape parse_decay_shape(const std::string& name) {
  if (name == "linear") return DecayShape::Linear;
  if (name == "cosine") return DecayShape::Cosine;
  if (name == "1-sqrt") return DecayShape::OneMinusSqrt;
  if (name == "ema") return DecayShape::Ema;
  throw ConfigError("shape", "unknown decay shape '" + name + "' (expected linear, cosine, 1-sqrt or ema)");
}

namespace {
double decay(DecayShape shape, double t) {
  switch (shape) {
    case DecayShape::Linear: return 1.0 - t;
    case DecayShape::Cosine: return 0.5 * (1.0 + std::cos(std::numbers::pi * t));
    case DecayShape::OneMinusSqrt: return 1.0 - std::sqrt(t);
    case DecayShape::Ema: return 1.0 - std::pow(0.1, 1.0 - t);
  }
  return 0.0;
}
}  // namespace

std::vector<double> wsm_merge_weights(DecayShape shape, int count) {
  if (count < 1) throw ConfigError("count", "need at least one checkpoint, got " + std::to_string(count));
  const int k = count - 1;  // number of updates between the oldest and the newest checkpoint
  std::vector<double> c(count, 0.0);
  if (k == 0) {
    c[0] = 1.0;
    return c;
  }
  // w_i = f(i / (k + 1)) for i = 1..k keeps w_k > 0 so the newest checkpoint always counts,
  // which is the reading that reproduces REFERENCE.md's published cosine weights.
  std::vector<double> w(k + 2, 0.0);
  for (int i = 1; i <= k; ++i) w[i] = decay(shape, static_cast<double>(i) / (k + 1));
  c[0] = 1.0 - w[1];
  for (int j = 1; j < k; ++j) c[j] = w[j] - w[j + 1];
  c[k] = w[k];
  return c;
}

}  // namespace greenwave
