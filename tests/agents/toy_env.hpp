// A tiny two-agent contextual bandit on the Env interface, for the agents tests.
#pragma once

#include <algorithm>
#include <vector>

#include "greenwave/core/error.hpp"
#include "greenwave/core/rng.hpp"
#include "greenwave/env/env.hpp"

namespace greenwave::toy {

/// Each step every agent sees a random context c in {0, 1, 2} (one-hot, plus an agent-id flag)
/// and earns 1 when its action equals c % (its action count). Agent 0 has 3 actions, agent 1
/// has 2 (its third action is masked). The episode ends after `length` steps: terminated when
/// `terminal`, else truncated. Metric "hits" counts rewarded actions this episode.
class ToyBandit final : public Env {
 public:
  explicit ToyBandit(int length = 8, bool terminal = false) : length_(length), terminal_(terminal) {
    spec_.name = "toy_bandit";
    spec_.agent_ids = {"a0", "a1"};
    spec_.observation.shape = {4};
    spec_.observation.high = 1.0f;
    spec_.observation.components = {{"context", 0, 3, 0.0f, 1.0f}, {"agent", 3, 1, 0.0f, 1.0f}};
    spec_.action_counts = {3, 2};
    spec_.max_actions = 3;
    spec_.reward_names = {"hit"};
  }
  const EnvSpec& spec() const override { return spec_; }
  void reset(std::uint64_t seed, std::span<float> obs, StepInfo& info) override {
    rng_.reseed(seed);
    t_ = 0;
    hits_ = 0;
    draw(obs);
    fill(info);
  }
  void step(std::span<const std::int32_t> actions, std::span<float> obs, std::span<float> rewards,
            StepInfo& info) override {
    if (t_ >= length_) throw ActionError("toy_bandit: step after the end");
    for (int a = 0; a < 2; ++a) {
      if (actions[a] < 0 || actions[a] >= spec_.action_counts[a]) throw ActionError("toy_bandit: masked action");
      rewards[a] = actions[a] == context_[a] % spec_.action_counts[a] ? 1.0f : 0.0f;
      hits_ += static_cast<int>(rewards[a]);
    }
    ++t_;
    draw(obs);
    fill(info);
  }
  void action_mask(std::span<std::uint8_t> mask) const override {
    std::fill(mask.begin(), mask.end(), std::uint8_t{1});
    mask[5] = 0;  // agent 1, action 2
  }
  const std::vector<std::string>& metric_names() const override { return names_; }

 private:
  void draw(std::span<float> obs) {
    std::fill(obs.begin(), obs.end(), 0.0f);
    for (int a = 0; a < 2; ++a) {
      context_[a] = static_cast<int>(rng_.below(3));
      obs[a * 4 + context_[a]] = 1.0f;
      obs[a * 4 + 3] = static_cast<float>(a);
    }
  }
  void fill(StepInfo& info) const {
    info.time = t_;
    info.terminated = t_ >= length_ && terminal_;
    info.truncated = t_ >= length_ && !terminal_;
    info.metric_values = {static_cast<double>(hits_)};
    info.ignored.assign(2, 0);  // every action takes effect
  }

  EnvSpec spec_;
  std::vector<std::string> names_{"hits"};
  int length_;
  bool terminal_;
  Rng rng_;
  int t_ = 0;
  int hits_ = 0;
  int context_[2] = {0, 0};
};

}  // namespace greenwave::toy
