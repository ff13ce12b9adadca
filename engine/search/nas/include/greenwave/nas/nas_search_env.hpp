// Architecture search as an environment on the Env interface: change one gene or stop, rewarded
// by the frozen predictor's improvement.
#pragma once

#include <memory>
#include <string>

#include "greenwave/core/rng.hpp"
#include "greenwave/env/env.hpp"
#include "greenwave/nas/search.hpp"

namespace greenwave::nas {

/// Options of NasSearchEnv.
struct NasSearchConfig {
  int max_steps = 32;          ///< gene changes before the episode is truncated
  double reward_scale = 1.0;   ///< reward = reward_scale * (new score - previous score)
};

/// One agent. Observation: per free gene a one-hot of its current value, then the fraction of
/// max_steps used. Actions: (free gene, value) pairs in gene order, then "stop" (the last
/// action); setting a gene to the value it holds is masked. An episode starts from a random
/// architecture (from the reset seed). Metrics: "score" (the current architecture's score,
/// higher = better), "prediction" (its predicted target), "best_score" (best score of the
/// episode) and "predictor_calls" (calls since construction).
class NasSearchEnv final : public Env {
 public:
  /// An env searching `predictor`'s space (shared, frozen); its recorder keeps the best of the
  /// first `record_limit` predictor calls.
  NasSearchEnv(std::shared_ptr<const Predictor> predictor, NasSearchConfig config, std::int64_t record_limit = INT64_MAX);
  const EnvSpec& spec() const override { return spec_; }
  void reset(std::uint64_t seed, std::span<float> obs, StepInfo& info) override;
  void step(std::span<const std::int32_t> actions, std::span<float> obs, std::span<float> rewards,
            StepInfo& info) override;
  void action_mask(std::span<std::uint8_t> mask) const override;
  const std::vector<std::string>& metric_names() const override { return metric_names_; }
  /// Every score computed so far, best per call, over all episodes.
  const ScoreRecorder& recorder() const { return recorder_; }
  /// The current architecture's genes.
  const Eigen::VectorXd& genes() const { return genes_; }

 private:
  std::shared_ptr<const Predictor> predictor_;
  NasSearchConfig config_;
  SearchSpace space_;
  ScoreRecorder recorder_;
  EnvSpec spec_;
  std::vector<std::string> metric_names_ = {"score", "prediction", "best_score", "predictor_calls"};
  std::vector<int> action_gene_;      // per action: index into free genes (-1 = stop)
  std::vector<double> action_value_;  // per action: the value it sets
  std::vector<int> first_action_;     // per free gene: its first action
  Eigen::VectorXd genes_;
  double score_ = 0, best_score_ = 0;
  int steps_ = 0;
  bool done_ = true;
  void write(std::span<float> obs, StepInfo& info) const;
};

}  // namespace greenwave::nas
