// `greenwave moe search --method dqn`: a DQN trained on MoeConfigEnv, then greedy episodes until
// the evaluation budget is spent (built only with agents/).
#pragma once

#include <cstdint>
#include <string>

#include "greenwave/search/moe/moe_search.hpp"

namespace greenwave::cli {

/// Options of the DQN search.
struct MoeDqnOptions {
  std::int32_t steps = 24;           ///< decisions per env episode
  int episodes = 300;                ///< training episodes (0 with a checkpoint)
  std::string checkpoint;            ///< a DQN trained by `greenwave train --env moe`; empty = train here
  std::string device = "cpu";        ///< LibTorch device
  std::uint64_t seed = 0;            ///< training and rollout seed
};

/// What the DQN search produced: the best configuration within budget over its greedy
/// episodes (exactly `evaluations` distinct configurations evaluated), and the training's
/// evaluations (env steps, repeats included).
struct MoeDqnOutcome {
  moe::SearchResult result;               ///< best of the greedy episodes
  std::int64_t training_evaluations = 0;  ///< configurations evaluated while training
};

/// Trains (or loads) the DQN and runs greedy episodes that never move to a configuration
/// already evaluated, the first from a seeded random start and each later one from the best
/// configuration so far, until `evaluations` distinct configurations have been evaluated
/// (docs/moe.md "Search quality").
MoeDqnOutcome moe_search_dqn(const moe::SearchProblem& problem, std::int64_t evaluations, const MoeDqnOptions& options);

}  // namespace greenwave::cli
