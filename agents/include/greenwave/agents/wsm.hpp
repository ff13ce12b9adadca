// WSM (Warmup-Stable-Merge) checkpoint-merge weights that emulate a learning-rate decay.
#pragma once

#include <string>
#include <vector>

namespace greenwave {

/// Decay shapes WSM can emulate (REFERENCE.md §5), w_i = f(i / k).
enum class DecayShape { Linear, Cosine, OneMinusSqrt, Ema };

/// Parses "linear", "cosine", "1-sqrt" or "ema"; throws ConfigError naming the field otherwise.
DecayShape parse_decay_shape(const std::string& name);

/// Merge weights c_0..c_{count-1} (oldest checkpoint first) for merging `count` checkpoints so
/// that the merged model equals applying the last count-1 updates with the decay shape's
/// weights (the WSM theorem). Non-negative, summing to 1. count must be >= 1.
std::vector<double> wsm_merge_weights(DecayShape shape, int count);

}  // namespace greenwave
