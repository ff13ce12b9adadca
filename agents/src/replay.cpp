#include "greenwave/agents/replay.hpp"

#include <algorithm>
#include <cmath>

#include "greenwave/core/error.hpp"

namespace greenwave {

namespace {
std::size_t idx(std::int64_t i) { return static_cast<std::size_t>(i); }
}  // namespace

SumTree::SumTree(std::int64_t capacity) : leaves_(1) {
  while (leaves_ < capacity) leaves_ *= 2;
  nodes_.assign(idx(2 * leaves_), 0.0);
}

void SumTree::set(std::int64_t i, double value) {
  std::int64_t node = leaves_ + i;
  nodes_[idx(node)] = value;
  // Recompute parents from their children (not by adding a delta) so sums never drift.
  for (node /= 2; node >= 1; node /= 2) nodes_[idx(node)] = nodes_[idx(2 * node)] + nodes_[idx(2 * node + 1)];
}

std::int64_t SumTree::find(double mass) const {
  std::int64_t node = 1;
  while (node < leaves_) {
    const double left = nodes_[idx(2 * node)];
    if (mass < left) {
      node = 2 * node;
    } else {
      mass -= left;
      node = 2 * node + 1;
    }
  }
  return node - leaves_;
}

ReplayBuffer::ReplayBuffer(std::int64_t capacity, std::int64_t obs_size, std::int32_t max_actions,
                           std::int64_t streams, int n_step, double gamma, bool prioritized, double alpha)
    : capacity_(capacity),
      obs_size_(obs_size),
      streams_(streams),
      max_actions_(max_actions),
      n_step_(n_step),
      gamma_(gamma),
      prioritized_(prioritized),
      alpha_(alpha),
      tree_(prioritized ? capacity : 1) {
  if (capacity < 1) throw ConfigError("buffer_size", "must be >= 1");
  if (obs_size < 1) throw ConfigError("obs_size", "must be >= 1");
  if (max_actions < 1) throw ConfigError("max_actions", "must be >= 1");
  if (streams < 1) throw ConfigError("streams", "must be >= 1");
  if (n_step < 1) throw ConfigError("n_step", "must be >= 1");
  s_.obs.assign(idx(capacity * obs_size), 0.0f);
  s_.masks.assign(idx(capacity * max_actions), 0);
  s_.actions.assign(idx(capacity), 0);
  s_.returns.assign(idx(capacity), 0.0f);
  s_.next_obs.assign(idx(capacity * obs_size), 0.0f);
  s_.next_mask.assign(idx(capacity * max_actions), 0);
  s_.discounts.assign(idx(capacity), 0.0f);
  s_.priorities.assign(prioritized ? idx(capacity) : 0, 0.0);
  s_.pending_obs.assign(idx(streams * n_step * obs_size), 0.0f);
  s_.pending_masks.assign(idx(streams * n_step * max_actions), 0);
  s_.pending_actions.assign(idx(streams * n_step), 0);
  s_.pending_rewards.assign(idx(streams * n_step), 0.0f);
  s_.pending_count.assign(idx(streams), 0);
}

void ReplayBuffer::add(const TransitionBatch& b) {
  GW_CHECK(static_cast<std::int64_t>(b.actions.size()) == streams_, "transition rows != replay streams");
  GW_CHECK(static_cast<std::int64_t>(b.obs.size()) == streams_ * obs_size_, "obs size mismatch");
  GW_CHECK(static_cast<std::int64_t>(b.next_obs.size()) == streams_ * obs_size_, "next_obs size mismatch");
  GW_CHECK(static_cast<std::int64_t>(b.next_mask.size()) == streams_ * max_actions_, "next_mask size mismatch");
  GW_CHECK(b.valid.empty() || static_cast<std::int64_t>(b.valid.size()) == streams_, "valid size mismatch");
  GW_CHECK(b.mask.empty() || static_cast<std::int64_t>(b.mask.size()) == streams_ * max_actions_, "mask size mismatch");
  for (std::int64_t r = 0; r < streams_; ++r) {
    if (!b.valid.empty() && !b.valid[idx(r)]) continue;
    std::int32_t& count = s_.pending_count[idx(r)];
    GW_CHECK(count < n_step_, "n-step window overflow");
    const std::int64_t slot = r * n_step_ + count;
    std::copy_n(b.obs.begin() + r * obs_size_, obs_size_, s_.pending_obs.begin() + slot * obs_size_);
    const auto slot_mask = s_.pending_masks.begin() + slot * max_actions_;
    if (b.mask.empty()) std::fill_n(slot_mask, max_actions_, std::uint8_t{1});
    else std::copy_n(b.mask.begin() + r * max_actions_, max_actions_, slot_mask);
    s_.pending_actions[idx(slot)] = b.actions[idx(r)];
    s_.pending_rewards[idx(slot)] = b.rewards[idx(r)];
    ++count;
    const auto next_obs = b.next_obs.subspan(idx(r * obs_size_), idx(obs_size_));
    const auto next_mask = b.next_mask.subspan(idx(r * max_actions_), idx(max_actions_));
    if (b.terminated[idx(r)] || b.truncated[idx(r)]) {
      // Termination has no future to bootstrap from; a time limit cut does (Pardo et al. 2018).
      const bool bootstrap = !b.terminated[idx(r)];
      while (count > 0) emit_oldest(r, bootstrap, next_obs, next_mask);
    } else if (count == n_step_) {
      emit_oldest(r, true, next_obs, next_mask);
    }
  }
}

void ReplayBuffer::emit_oldest(std::int64_t stream, bool bootstrap, std::span<const float> next_obs,
                               std::span<const std::uint8_t> next_mask) {
  std::int32_t& count = s_.pending_count[idx(stream)];
  const std::int64_t base = stream * n_step_;
  double ret = 0.0;
  double discount = 1.0;
  for (std::int32_t k = 0; k < count; ++k) {
    ret += discount * s_.pending_rewards[idx(base + k)];
    discount *= gamma_;
  }
  const std::int64_t row = s_.next;
  std::copy_n(s_.pending_obs.begin() + base * obs_size_, obs_size_, s_.obs.begin() + row * obs_size_);
  std::copy_n(s_.pending_masks.begin() + base * max_actions_, max_actions_, s_.masks.begin() + row * max_actions_);
  s_.actions[idx(row)] = s_.pending_actions[idx(base)];
  s_.returns[idx(row)] = static_cast<float>(ret);
  std::copy(next_obs.begin(), next_obs.end(), s_.next_obs.begin() + row * obs_size_);
  std::copy(next_mask.begin(), next_mask.end(), s_.next_mask.begin() + row * max_actions_);
  s_.discounts[idx(row)] = bootstrap ? static_cast<float>(discount) : 0.0f;
  if (prioritized_) {
    s_.priorities[idx(row)] = s_.max_priority;
    tree_.set(row, s_.max_priority);
  }
  s_.next = (s_.next + 1) % capacity_;
  s_.size = std::min(s_.size + 1, capacity_);
  // Drop the oldest entry of the window.
  std::copy(s_.pending_obs.begin() + (base + 1) * obs_size_, s_.pending_obs.begin() + (base + count) * obs_size_,
            s_.pending_obs.begin() + base * obs_size_);
  std::copy(s_.pending_masks.begin() + (base + 1) * max_actions_, s_.pending_masks.begin() + (base + count) * max_actions_,
            s_.pending_masks.begin() + base * max_actions_);
  std::copy(s_.pending_actions.begin() + base + 1, s_.pending_actions.begin() + base + count,
            s_.pending_actions.begin() + base);
  std::copy(s_.pending_rewards.begin() + base + 1, s_.pending_rewards.begin() + base + count,
            s_.pending_rewards.begin() + base);
  --count;
}

void ReplayBuffer::sample(std::int64_t batch_size, double beta, Rng& rng, ReplaySample& out) const {
  GW_CHECK(s_.size > 0, "sampling an empty replay buffer");
  const auto n = idx(batch_size);
  out.indices.resize(n);
  out.obs.resize(n * idx(obs_size_));
  out.masks.resize(n * idx(max_actions_));
  out.actions.resize(n);
  out.returns.resize(n);
  out.next_obs.resize(n * idx(obs_size_));
  out.next_mask.resize(n * idx(max_actions_));
  out.discounts.resize(n);
  out.weights.assign(n, 1.0f);
  if (prioritized_) {
    // Stratified: one draw per equal slice of the priority mass (Schaul et al. 2016, App. B).
    const double total = tree_.total();
    const double slice = total / static_cast<double>(batch_size);
    double max_weight = 0.0;
    std::vector<double> w(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double mass = std::min((static_cast<double>(i) + rng.uniform()) * slice, std::nextafter(total, 0.0));
      const std::int64_t row = std::min(tree_.find(mass), s_.size - 1);
      out.indices[i] = row;
      const double p = s_.priorities[idx(row)] / total;
      w[i] = std::pow(static_cast<double>(s_.size) * p, -beta);
      max_weight = std::max(max_weight, w[i]);
    }
    for (std::size_t i = 0; i < n; ++i) out.weights[i] = static_cast<float>(w[i] / max_weight);
  } else {
    for (std::size_t i = 0; i < n; ++i) out.indices[i] = static_cast<std::int64_t>(rng.below(idx(s_.size)));
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t row = out.indices[i];
    std::copy_n(s_.obs.begin() + row * obs_size_, obs_size_, out.obs.begin() + static_cast<std::int64_t>(i) * obs_size_);
    std::copy_n(s_.masks.begin() + row * max_actions_, max_actions_,
                out.masks.begin() + static_cast<std::int64_t>(i) * max_actions_);
    out.actions[i] = s_.actions[idx(row)];
    out.returns[i] = s_.returns[idx(row)];
    std::copy_n(s_.next_obs.begin() + row * obs_size_, obs_size_,
                out.next_obs.begin() + static_cast<std::int64_t>(i) * obs_size_);
    std::copy_n(s_.next_mask.begin() + row * max_actions_, max_actions_,
                out.next_mask.begin() + static_cast<std::int64_t>(i) * max_actions_);
    out.discounts[i] = s_.discounts[idx(row)];
  }
}

void ReplayBuffer::update_priorities(std::span<const std::int64_t> indices, std::span<const float> td_errors,
                                     double eps) {
  if (!prioritized_) return;
  GW_CHECK(indices.size() == td_errors.size(), "one TD error per sampled row");
  for (std::size_t i = 0; i < indices.size(); ++i) {
    const double p = std::pow(std::abs(static_cast<double>(td_errors[i])) + eps, alpha_);
    s_.priorities[idx(indices[i])] = p;
    tree_.set(indices[i], p);
    s_.max_priority = std::max(s_.max_priority, p);
  }
}

void ReplayBuffer::restore(ReplayStorage storage) {
  const auto same = [](std::size_t got, std::int64_t want) { return got == idx(want); };
  if (!same(storage.obs.size(), capacity_ * obs_size_) || !same(storage.masks.size(), capacity_ * max_actions_) ||
      !same(storage.pending_masks.size(), streams_ * n_step_ * max_actions_) || !same(storage.actions.size(), capacity_) ||
      !same(storage.returns.size(), capacity_) || !same(storage.next_obs.size(), capacity_ * obs_size_) ||
      !same(storage.next_mask.size(), capacity_ * max_actions_) || !same(storage.discounts.size(), capacity_) ||
      !same(storage.priorities.size(), prioritized_ ? capacity_ : 0) ||
      !same(storage.pending_obs.size(), streams_ * n_step_ * obs_size_) ||
      !same(storage.pending_actions.size(), streams_ * n_step_) ||
      !same(storage.pending_rewards.size(), streams_ * n_step_) ||
      !same(storage.pending_count.size(), streams_) || storage.size < 0 || storage.size > capacity_ ||
      storage.next < 0 || storage.next >= capacity_)
    throw ConfigError("replay", "saved replay buffer does not match this agent's geometry");
  s_ = std::move(storage);
  if (prioritized_)
    for (std::int64_t i = 0; i < capacity_; ++i) tree_.set(i, s_.priorities[idx(i)]);
}

}  // namespace greenwave
