// NasSearchEnv: one gene change per step, the frozen predictor's improvement as reward.
#include "greenwave/nas/nas_search_env.hpp"

#include <algorithm>

#include "greenwave/core/error.hpp"

namespace greenwave::nas {

NasSearchEnv::NasSearchEnv(std::shared_ptr<const Predictor> predictor, NasSearchConfig config, std::int64_t record_limit)
    : predictor_(std::move(predictor)),
      config_(config),
      space_(SearchSpace::of(*predictor_)),
      recorder_(*predictor_, record_limit) {
  if (config_.max_steps < 1) throw ConfigError("max_steps", "expected at least 1, got " + std::to_string(config_.max_steps));
  if (!(config_.reward_scale > 0)) throw ConfigError("reward_scale", "expected a positive number, got " + std::to_string(config_.reward_scale));
  std::int64_t width = 0;
  for (std::size_t i = 0; i < space_.free_genes.size(); ++i) {
    first_action_.push_back(static_cast<int>(action_gene_.size()));
    for (double v : space_.values[i]) {
      action_gene_.push_back(static_cast<int>(i));
      action_value_.push_back(v);
    }
    width += static_cast<std::int64_t>(space_.values[i].size());
  }
  action_gene_.push_back(-1);  // stop
  action_value_.push_back(0);
  spec_.name = "nas";
  spec_.agent_ids = {"search"};
  spec_.observation.shape = {width + 1};
  spec_.observation.low = 0;
  spec_.observation.high = 1;
  spec_.observation.components = {{"gene_onehot", 0, width, 0.0f, 1.0f}, {"steps_used", width, 1, 0.0f, 1.0f}};
  spec_.action_counts = {static_cast<std::int32_t>(action_gene_.size())};
  spec_.max_actions = spec_.action_counts[0];
  spec_.reward_names = {"score_improvement"};
}

void NasSearchEnv::write(std::span<float> obs, StepInfo& info) const {
  std::fill(obs.begin(), obs.end(), 0.0f);
  for (std::size_t i = 0; i < space_.free_genes.size(); ++i) {
    const auto& values = space_.values[i];
    const auto k = std::lower_bound(values.begin(), values.end(), genes_[space_.free_genes[i]]) - values.begin();
    obs[static_cast<std::size_t>(first_action_[i] + k)] = 1.0f;
  }
  obs.back() = static_cast<float>(steps_) / static_cast<float>(config_.max_steps);
  info.time = steps_;
  const double prediction = predictor_->lower_is_better ? -score_ : score_;
  info.metric_values = {score_, prediction, best_score_, static_cast<double>(recorder_.calls())};
  info.ignored.assign(1, 0);
}

void NasSearchEnv::reset(std::uint64_t seed, std::span<float> obs, StepInfo& info) {
  if (obs.size() != static_cast<std::size_t>(spec_.observation.size()))
    throw ActionError("NasSearchEnv::reset: observation buffer has " + std::to_string(obs.size()) + " floats, expected " +
                      std::to_string(spec_.observation.size()));
  Rng rng(seed);
  genes_ = space_.sample(rng);
  score_ = best_score_ = recorder_.score(genes_);
  steps_ = 0;
  done_ = false;
  info.terminated = info.truncated = false;
  write(obs, info);
}

void NasSearchEnv::step(std::span<const std::int32_t> actions, std::span<float> obs, std::span<float> rewards,
                        StepInfo& info) {
  if (done_) throw ActionError("NasSearchEnv::step: the episode has ended; call reset");
  if (actions.size() != 1 || rewards.size() != 1 || obs.size() != static_cast<std::size_t>(spec_.observation.size()))
    throw ActionError("NasSearchEnv::step: expected 1 action, 1 reward and " + std::to_string(spec_.observation.size()) +
                      " observation floats");
  const std::int32_t a = actions[0];
  if (a < 0 || a >= spec_.max_actions) throw ActionError("NasSearchEnv::step: action " + std::to_string(a) + " out of range");
  const int i = action_gene_[static_cast<std::size_t>(a)];
  if (i >= 0 && genes_[space_.free_genes[static_cast<std::size_t>(i)]] == action_value_[static_cast<std::size_t>(a)])
    throw ActionError("NasSearchEnv::step: action " + std::to_string(a) + " is masked (the gene already holds that value)");
  ++steps_;
  rewards[0] = 0.0f;
  if (i < 0) {
    info.terminated = true;
  } else {
    genes_[space_.free_genes[static_cast<std::size_t>(i)]] = action_value_[static_cast<std::size_t>(a)];
    const double s = recorder_.score(genes_);
    rewards[0] = static_cast<float>(config_.reward_scale * (s - score_));
    score_ = s;
    best_score_ = std::max(best_score_, s);
    info.terminated = false;
  }
  info.truncated = !info.terminated && steps_ >= config_.max_steps;
  done_ = info.terminated || info.truncated;
  write(obs, info);
}

void NasSearchEnv::action_mask(std::span<std::uint8_t> mask) const {
  if (mask.size() != static_cast<std::size_t>(spec_.max_actions))
    throw ActionError("NasSearchEnv::action_mask: expected " + std::to_string(spec_.max_actions) + " entries");
  for (std::size_t a = 0; a < mask.size(); ++a) {
    const int i = action_gene_[a];
    mask[a] = (i < 0 || genes_[space_.free_genes[static_cast<std::size_t>(i)]] != action_value_[a]) ? 1 : 0;
  }
}

}  // namespace greenwave::nas
