#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <span>
#include <vector>

#include "greenwave/agents/replay.hpp"
#include "greenwave/core/error.hpp"

namespace greenwave {
namespace {

// One stream, obs of size 1 holding the state index, 2 actions.
struct OneStream {
  std::array<float, 1> obs{}, next_obs{}, reward{};
  std::array<std::int32_t, 1> action{};
  std::array<std::uint8_t, 2> next_mask{1, 1};
  std::array<std::uint8_t, 1> terminated{}, truncated{};

  void add(ReplayBuffer& buffer, int state, float r, bool term = false, bool trunc = false) {
    obs[0] = static_cast<float>(state);
    next_obs[0] = static_cast<float>(state + 1);
    action[0] = state % 2;
    reward[0] = r;
    terminated[0] = term;
    truncated[0] = trunc;
    buffer.add({obs, action, reward, next_obs, next_mask, terminated, truncated});
  }
};

// The 3-transition episode s0 -r=1-> s1 -r=2-> s2 -r=4-> s3 with n = 2, gamma = 0.5.
// Row for s0: 1 + 0.5 * 2 = 2, bootstraps from s2 with 0.25.
// Row for s1: 2 + 0.5 * 4 = 4 from s3; row for s2: 4 from s3.
TEST(ReplayNStep, TerminationFoldsWithoutBootstrap) {
  ReplayBuffer buffer(8, 1, 2, 1, 2, 0.5, false, 0.0);
  OneStream s;
  s.add(buffer, 0, 1.0f);
  EXPECT_EQ(buffer.size(), 0);  // the 2-step window is not full yet
  s.add(buffer, 1, 2.0f);
  ASSERT_EQ(buffer.size(), 1);
  s.add(buffer, 2, 4.0f, /*term=*/true);
  ASSERT_EQ(buffer.size(), 3);
  const ReplayStorage& r = buffer.storage();
  EXPECT_EQ(r.obs, (std::vector<float>{0, 1, 2, 0, 0, 0, 0, 0}));
  EXPECT_EQ(r.actions[0], 0);
  EXPECT_EQ(r.actions[1], 1);
  EXPECT_FLOAT_EQ(r.returns[0], 2.0f);
  EXPECT_FLOAT_EQ(r.discounts[0], 0.25f);
  EXPECT_FLOAT_EQ(r.next_obs[0], 2.0f);
  EXPECT_FLOAT_EQ(r.returns[1], 4.0f);
  EXPECT_FLOAT_EQ(r.discounts[1], 0.0f);
  EXPECT_FLOAT_EQ(r.next_obs[1], 3.0f);
  EXPECT_FLOAT_EQ(r.returns[2], 4.0f);
  EXPECT_FLOAT_EQ(r.discounts[2], 0.0f);
  EXPECT_FLOAT_EQ(r.next_obs[2], 3.0f);
  EXPECT_EQ(r.pending_count[0], 0);
}

// Each stored row keeps the mask its own observation was acted under, through the n-step
// window: with n = 2, s0 acted under (1, 0), s1 under (0, 1), s2 under none given (all allowed).
TEST(ReplayNStep, RowsKeepTheMaskTheirObsWasActedUnder) {
  ReplayBuffer buffer(8, 1, 2, 1, 2, 0.5, false, 0.0);
  OneStream s;
  const std::array<std::uint8_t, 2> first{1, 0}, second{0, 1};
  const auto add = [&](int state, std::span<const std::uint8_t> mask, bool term) {
    s.obs[0] = static_cast<float>(state);
    s.next_obs[0] = static_cast<float>(state + 1);
    s.terminated[0] = term;
    buffer.add({s.obs, s.action, s.reward, s.next_obs, s.next_mask, s.terminated, s.truncated, {}, mask});
  };
  add(0, first, false);
  add(1, second, false);
  add(2, {}, true);
  ASSERT_EQ(buffer.size(), 3);
  EXPECT_EQ(buffer.storage().masks, (std::vector<std::uint8_t>{1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  ReplaySample sample;
  Rng rng(1);
  buffer.sample(16, 1.0, rng, sample);
  for (std::size_t i = 0; i < 16; ++i) {
    const std::int64_t row = sample.indices[i];
    const std::vector<std::uint8_t> want = row == 0 ? std::vector<std::uint8_t>{1, 0}
                                           : row == 1 ? std::vector<std::uint8_t>{0, 1}
                                                      : std::vector<std::uint8_t>{1, 1};
    EXPECT_EQ(std::vector<std::uint8_t>(sample.masks.begin() + 2 * static_cast<std::ptrdiff_t>(i),
                                        sample.masks.begin() + 2 * static_cast<std::ptrdiff_t>(i) + 2),
              want)
        << "sample " << i << " (row " << row << ")";
  }
}

TEST(ReplayNStep, TruncationFoldsWithBootstrap) {
  ReplayBuffer buffer(8, 1, 2, 1, 2, 0.5, false, 0.0);
  OneStream s;
  s.add(buffer, 0, 1.0f);
  s.add(buffer, 1, 2.0f);
  s.add(buffer, 2, 4.0f, /*term=*/false, /*trunc=*/true);
  const ReplayStorage& r = buffer.storage();
  ASSERT_EQ(buffer.size(), 3);
  EXPECT_FLOAT_EQ(r.returns[1], 4.0f);
  EXPECT_FLOAT_EQ(r.discounts[1], 0.25f);  // two rewards folded, then gamma^2 * V(s3)
  EXPECT_FLOAT_EQ(r.returns[2], 4.0f);
  EXPECT_FLOAT_EQ(r.discounts[2], 0.5f);   // one reward, then gamma * V(s3)
  EXPECT_FLOAT_EQ(r.next_obs[2], 3.0f);
}

TEST(ReplayNStep, TerminationWinsOverTruncation) {
  ReplayBuffer buffer(4, 1, 2, 1, 1, 0.9, false, 0.0);
  OneStream s;
  s.add(buffer, 0, 1.0f, true, true);
  EXPECT_FLOAT_EQ(buffer.storage().discounts[0], 0.0f);
}

TEST(ReplayNStep, OneStepStoresImmediately) {
  ReplayBuffer buffer(4, 1, 2, 1, 1, 0.9, false, 0.0);
  OneStream s;
  s.add(buffer, 0, 3.0f);
  ASSERT_EQ(buffer.size(), 1);
  EXPECT_FLOAT_EQ(buffer.storage().returns[0], 3.0f);
  EXPECT_FLOAT_EQ(buffer.storage().discounts[0], 0.9f);
}

TEST(ReplayBuffer, StreamsKeepSeparateWindows) {
  ReplayBuffer buffer(8, 1, 1, 2, 2, 1.0, false, 0.0);
  std::array<float, 2> obs{}, next_obs{}, reward{};
  std::array<std::int32_t, 2> action{};
  std::array<std::uint8_t, 2> mask{1, 1}, term{}, trunc{};
  for (int t = 0; t < 2; ++t) {
    obs = {static_cast<float>(t), 100.0f + static_cast<float>(t)};
    reward = {1.0f, 10.0f};
    buffer.add({obs, action, reward, next_obs, mask, term, trunc});
  }
  ASSERT_EQ(buffer.size(), 2);
  EXPECT_FLOAT_EQ(buffer.storage().obs[0], 0.0f);
  EXPECT_FLOAT_EQ(buffer.storage().returns[0], 2.0f);
  EXPECT_FLOAT_EQ(buffer.storage().obs[1], 100.0f);
  EXPECT_FLOAT_EQ(buffer.storage().returns[1], 20.0f);
}

TEST(ReplayBuffer, InvalidRowsAreSkipped) {
  ReplayBuffer buffer(8, 1, 1, 2, 1, 1.0, false, 0.0);
  const std::array<float, 2> obs{1.0f, 2.0f}, next_obs{}, reward{5.0f, 7.0f};
  const std::array<std::int32_t, 2> action{};
  const std::array<std::uint8_t, 2> mask{1, 1}, term{}, trunc{}, valid{0, 1};
  buffer.add({obs, action, reward, next_obs, mask, term, trunc, valid});
  ASSERT_EQ(buffer.size(), 1);
  EXPECT_FLOAT_EQ(buffer.storage().obs[0], 2.0f);
  EXPECT_FLOAT_EQ(buffer.storage().returns[0], 7.0f);
}

TEST(ReplayBuffer, RingOverwritesOldestRows) {
  ReplayBuffer buffer(3, 1, 2, 1, 1, 0.9, false, 0.0);
  OneStream s;
  for (int i = 0; i < 5; ++i) s.add(buffer, i, 0.0f);
  EXPECT_EQ(buffer.size(), 3);
  EXPECT_EQ(buffer.storage().obs, (std::vector<float>{3, 4, 2}));
  EXPECT_EQ(buffer.storage().next, 2);
}

TEST(SumTree, FindsByPrefixMass) {
  SumTree tree(5);
  const double values[] = {1, 0, 3, 2, 4};
  for (int i = 0; i < 5; ++i) tree.set(i, values[i]);
  EXPECT_DOUBLE_EQ(tree.total(), 10.0);
  EXPECT_EQ(tree.find(0.0), 0);
  EXPECT_EQ(tree.find(0.999), 0);
  EXPECT_EQ(tree.find(1.0), 2);  // leaf 1 has no mass
  EXPECT_EQ(tree.find(3.999), 2);
  EXPECT_EQ(tree.find(4.0), 3);
  EXPECT_EQ(tree.find(9.999), 4);
  tree.set(2, 0.5);
  EXPECT_DOUBLE_EQ(tree.total(), 7.5);
}

TEST(PrioritizedReplay, SamplesProportionallyToPriority) {
  const double eps = 1e-6;
  ReplayBuffer buffer(4, 1, 2, 1, 1, 0.9, /*prioritized=*/true, /*alpha=*/1.0);
  OneStream s;
  for (int i = 0; i < 4; ++i) s.add(buffer, i, 0.0f);
  const std::int64_t rows[] = {0, 1, 2, 3};
  const float td[] = {1.0f, -2.0f, 3.0f, 4.0f};  // priorities ~1, 2, 3, 4 (sign ignored)
  buffer.update_priorities(rows, td, eps);
  Rng rng(7);
  ReplaySample sample;
  std::array<double, 4> counts{};
  const int draws = 5000;
  for (int k = 0; k < draws; ++k) {
    buffer.sample(8, 0.5, rng, sample);
    for (const auto i : sample.indices) counts[static_cast<std::size_t>(i)] += 1;
  }
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(counts[static_cast<std::size_t>(i)] / (8.0 * draws), (i + 1) / 10.0, 0.01) << i;
  // Importance weights (N P(i))^-beta, normalised by the batch maximum: w_i ∝ p_i^-0.5.
  buffer.sample(8, 0.5, rng, sample);
  for (std::size_t k = 0; k < sample.indices.size(); ++k) {
    const double p = static_cast<double>(sample.indices[k] + 1);
    double min_p = 4.0;
    for (const auto i : sample.indices) min_p = std::min(min_p, static_cast<double>(i + 1));
    EXPECT_NEAR(sample.weights[k], std::sqrt(min_p / p), 1e-5);
  }
}

TEST(PrioritizedReplay, NewRowsGetTheMaxPriority) {
  ReplayBuffer buffer(4, 1, 2, 1, 1, 0.9, true, 1.0);
  OneStream s;
  s.add(buffer, 0, 0.0f);
  const std::int64_t rows[] = {0};
  const float td[] = {5.0f};
  buffer.update_priorities(rows, td, 0.0);
  s.add(buffer, 1, 0.0f);
  EXPECT_DOUBLE_EQ(buffer.storage().priorities[1], 5.0);
}

TEST(ReplayBuffer, RestoreRejectsOtherGeometry) {
  ReplayBuffer a(4, 1, 2, 1, 1, 0.9, false, 0.0);
  ReplayBuffer b(5, 1, 2, 1, 1, 0.9, false, 0.0);
  EXPECT_THROW(b.restore(a.storage()), ConfigError);
  OneStream s;
  s.add(a, 0, 1.0f);
  ReplayBuffer c(4, 1, 2, 1, 1, 0.9, false, 0.0);
  c.restore(a.storage());
  EXPECT_EQ(c.size(), 1);
  EXPECT_EQ(c.storage().returns, a.storage().returns);
}

}  // namespace
}  // namespace greenwave
