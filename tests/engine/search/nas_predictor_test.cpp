// greenwave::nas: metrics, encodings and the ensemble weight search on values worked by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "greenwave/core/error.hpp"
#include "greenwave/nas/dataset.hpp"
#include "greenwave/nas/encoding.hpp"
#include "greenwave/nas/ensemble.hpp"
#include "greenwave/nas/metrics.hpp"
#include "greenwave/nas/regressors.hpp"

namespace greenwave::nas {
namespace {

TEST(NasMetrics, KendallTauByHand) {
  Eigen::VectorXd a(4), b(4);
  a << 1, 2, 3, 4;
  b << 1, 3, 2, 4;  // one discordant pair of six
  EXPECT_NEAR(kendall_tau(a, b), 4.0 / 6.0, 1e-12);
  Eigen::VectorXd c(3), d(3);
  c << 1, 1, 2;  // one tie in c: tau-b = 2 / sqrt(2 * 3)
  d << 1, 2, 3;
  EXPECT_NEAR(kendall_tau(c, d), 2.0 / std::sqrt(6.0), 1e-12);
  EXPECT_NEAR(rmse(a, b), std::sqrt(2.0 / 4.0), 1e-12);
}

TEST(NasMetrics, FoldsAreNearEqualAndCoverEverySample) {
  auto f = fold_assignment(11, 3, 42);
  std::vector<int> sizes(3, 0);
  for (int k : f) ++sizes[static_cast<std::size_t>(k)];
  EXPECT_EQ(sizes, (std::vector<int>{4, 4, 3}));
  EXPECT_THROW(fold_assignment(3, 5, 0), ConfigError);
}

TEST(NasEncoding, OneHotModuloCountsOnTheVaryingGene) {
  Eigen::MatrixXd genes(3, 2);
  genes << 1, 5, 2, 5, 3, 5;  // gene 1 is constant: not encoded
  Encoder e = Encoder::fit(parse_encoding("onehot+mod2+counts"), genes);
  ASSERT_EQ(e.width(), 3 + 2 + 3);
  Eigen::MatrixXd row(1, 2);
  row << 2, 5;
  Eigen::RowVectorXd expected(8);
  expected << 0, 1, 0, /*2 mod 2*/ 1, 0, /*counts of 1,2,3*/ 0, 1, 0;
  EXPECT_EQ(e.encode(row).row(0), expected);
  EXPECT_THROW(parse_encoding("onehot+mod1"), ConfigError);
  EXPECT_THROW(parse_encoding("onehot", "1,x"), ConfigError);
}

TEST(NasDataset, StringArchsAreOneGenePerCharacter) {
  nlohmann::ordered_json doc = {{"x", {{"arch", "ab"}, {"rank", 2}}}, {"y", {{"arch", "ba"}, {"rank", 1}}}};
  ArchDataset d = parse_dataset(doc, "<memory>", {"arch", "rank", true, 1.0});
  ASSERT_EQ(d.genes.cols(), 2);
  EXPECT_EQ(d.genes(0, 0), 'a');
  EXPECT_EQ(d.genes(1, 0), 'b');
  EXPECT_TRUE(d.categorical);
  EXPECT_EQ(d.targets[1], 1.0);
}

TEST(NasEnsemble, WeightSearchPicksTheMemberThatRanksRight) {
  Eigen::VectorXd y(5);
  y << 1, 2, 3, 4, 5;
  Eigen::MatrixXd oof(5, 2);
  oof << 1, 5, 2, 4, 3, 3, 4, 2, 5, 1;  // member 0 ranks perfectly, member 1 reversed
  auto w = select_weights(oof, y, 10);
  EXPECT_EQ(w, (std::vector<double>{1.0, 0.0}));
}

TEST(NasEnsemble, NnlsWeightsOnOrthogonalMembersByHand) {
  // Centred, mutually orthogonal members a, b, c and y = a + 3b - 2c: least squares gives
  // (1, 3, -2); c's negative weight is clipped to 0, which leaves a and b's unchanged
  // (orthogonality), so the weights are (1, 3, 0) / 4.
  Eigen::MatrixXd oof(4, 3);
  oof << 1, 0, 1, -1, 0, 1, 0, 1, -1, 0, -1, -1;
  Eigen::VectorXd y = oof.col(0) + 3 * oof.col(1) - 2 * oof.col(2);
  y.array() += 10;  // the target's mean does not matter
  auto w = nnls_weights(oof, y);
  ASSERT_EQ(w.size(), 3u);
  EXPECT_NEAR(w[0], 0.25, 1e-9);
  EXPECT_NEAR(w[1], 0.75, 1e-9);
  EXPECT_NEAR(w[2], 0.0, 1e-12);
  // Every member anti-correlated: no positive weight, so equal weights.
  EXPECT_EQ(nnls_weights(-oof.leftCols(1), oof.col(0)), (std::vector<double>{1.0}));
}

}  // namespace
}  // namespace greenwave::nas

namespace greenwave::nas {
namespace {

TEST(NasBoostedTrees, OneStumpOnAStepByHand) {
  // y = 0 for x < 5, 1 for x >= 5: base 0.5, the best split is x <= 4.5, and one tree of
  // shrinkage 0.1 moves each side by 0.1 * (its mean residual -0.5 or +0.5).
  Eigen::MatrixXd x(10, 1);
  Eigen::VectorXd y(10);
  for (int i = 0; i < 10; ++i) x(i, 0) = i, y[i] = i < 5 ? 0.0 : 1.0;
  BoostedTrees trees({1}, 1);
  trees.fit(x, y);
  Eigen::MatrixXd probe(2, 1);
  probe << 2, 7;
  const Eigen::VectorXd p = trees.predict(probe);
  EXPECT_NEAR(p[0], 0.45, 1e-12);
  EXPECT_NEAR(p[1], 0.55, 1e-12);
  // The model file round-trips.
  const Eigen::VectorXd q = BoostedTrees::from_json(trees.to_json())->predict(probe);
  EXPECT_EQ(p, q);
}

}  // namespace
}  // namespace greenwave::nas
