#include "greenwave/env/vector_env.hpp"

#include <algorithm>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include "greenwave/core/error.hpp"

namespace greenwave {

VectorEnv::VectorEnv(std::vector<std::unique_ptr<Env>> envs, int num_threads, AutoresetMode mode)
    : envs_(std::move(envs)), mode_(mode) {
  if (envs_.empty()) throw ConfigError("num_envs", "a VectorEnv needs at least one env");
  for (std::size_t i = 0; i < envs_.size(); ++i)
    if (!envs_[i]) throw ConfigError("envs", "env " + std::to_string(i) + " is null");
  const EnvSpec& first = spec();
  agents_ = static_cast<std::size_t>(first.num_agents());
  obs_size_ = static_cast<std::size_t>(first.observation.size());
  max_actions_ = static_cast<std::size_t>(first.max_actions);
  for (std::size_t i = 1; i < envs_.size(); ++i) {
    const EnvSpec& s = envs_[i]->spec();
    if (static_cast<std::size_t>(s.num_agents()) != agents_ || static_cast<std::size_t>(s.observation.size()) != obs_size_ ||
        static_cast<std::size_t>(s.max_actions) != max_actions_)
      throw ConfigError("envs", "env " + std::to_string(i) + " has shape (agents " + std::to_string(s.num_agents()) +
                                    ", obs " + std::to_string(s.observation.size()) + ", max_actions " +
                                    std::to_string(s.max_actions) + "), env 0 has (" + std::to_string(agents_) +
                                    ", " + std::to_string(obs_size_) + ", " + std::to_string(max_actions_) + ")");
  }
  infos_.resize(envs_.size());
  done_.assign(envs_.size(), 0);
  episode_.assign(envs_.size(), 0);
  masks_.resize(envs_.size() * agents_ * max_actions_);
  set_num_threads(num_threads);
}

void VectorEnv::set_num_threads(int n) {
  if (n < 0) throw ConfigError("num_threads", "must be >= 0 (0 = all cores), got " + std::to_string(n));
  arena_ = n == 0 ? std::make_unique<tbb::task_arena>() : std::make_unique<tbb::task_arena>(n);
  arena_->initialize();
}

void VectorEnv::check_size(const char* what, std::size_t got, std::size_t per_env) const {
  if (got != per_env * envs_.size())
    throw ActionError(std::string(what) + " buffer has " + std::to_string(got) + " elements, expected " +
                      std::to_string(per_env * envs_.size()) + " (N = " + std::to_string(envs_.size()) + " x " +
                      std::to_string(per_env) + ")");
}

void VectorEnv::reset(std::uint64_t seed, std::span<float> obs) {
  check_size("observation", obs.size(), agents_ * obs_size_);
  seed_ = seed;
  arena_->execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, envs_.size(), 1), [&](const tbb::blocked_range<std::size_t>& r) {
      for (std::size_t i = r.begin(); i != r.end(); ++i) {
        envs_[i]->reset(seed + i, obs.subspan(i * agents_ * obs_size_, agents_ * obs_size_), infos_[i]);
        done_[i] = 0;
        episode_[i] = 0;
      }
    });
  });
  was_reset_ = true;
}

void VectorEnv::step(std::span<const std::int32_t> actions, std::span<float> obs, std::span<float> rewards,
                     std::span<std::uint8_t> terminated, std::span<std::uint8_t> truncated) {
  if (!was_reset_) throw ActionError("step: call reset() before the first step");
  check_size("action", actions.size(), agents_);
  check_size("observation", obs.size(), agents_ * obs_size_);
  check_size("reward", rewards.size(), agents_);
  check_size("terminated", terminated.size(), 1);
  check_size("truncated", truncated.size(), 1);
  action_mask(masks_);
  for (std::size_t i = 0; i < envs_.size(); ++i) {
    if (done_[i] && mode_ == AutoresetMode::Disabled)
      throw ActionError("step: env " + std::to_string(i) + " has ended and autoreset is disabled; call reset()");
    if (done_[i]) continue;  // its actions are ignored: it autoresets
    for (std::size_t a = 0; a < agents_; ++a) {
      const std::int32_t act = actions[i * agents_ + a];
      if (act < 0 || static_cast<std::size_t>(act) >= max_actions_ || !masks_[(i * agents_ + a) * max_actions_ + static_cast<std::size_t>(act)])
        throw ActionError("step: action " + std::to_string(act) + " of env " + std::to_string(i) + " agent '" +
                          envs_[i]->spec().agent_ids[a] + "' is out of range or masked");
    }
  }
  const std::size_t n_env = envs_.size();
  arena_->execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n_env, 1), [&](const tbb::blocked_range<std::size_t>& r) {
      for (std::size_t i = r.begin(); i != r.end(); ++i) {
        const std::span<float> o = obs.subspan(i * agents_ * obs_size_, agents_ * obs_size_);
        const std::span<float> rw = rewards.subspan(i * agents_, agents_);
        if (done_[i]) {
          ++episode_[i];
          envs_[i]->reset(seed_ + i + episode_[i] * n_env, o, infos_[i]);
          std::fill(rw.begin(), rw.end(), 0.0f);
        } else {
          envs_[i]->step(actions.subspan(i * agents_, agents_), o, rw, infos_[i]);
        }
        terminated[i] = infos_[i].terminated;
        truncated[i] = infos_[i].truncated;
        done_[i] = infos_[i].terminated || infos_[i].truncated;
      }
    });
  });
}

void VectorEnv::action_mask(std::span<std::uint8_t> mask) const {
  check_size("action mask", mask.size(), agents_ * max_actions_);
  for (std::size_t i = 0; i < envs_.size(); ++i)
    envs_[i]->action_mask(mask.subspan(i * agents_ * max_actions_, agents_ * max_actions_));
}

}  // namespace greenwave
