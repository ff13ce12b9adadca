// Small gradient-boosted regression trees for a few hundred samples.
#include <algorithm>
#include <numeric>

#include "greenwave/core/error.hpp"
#include "greenwave/nas/metrics.hpp"
#include "greenwave/nas/regressors.hpp"

namespace greenwave::nas {

namespace {

constexpr double kShrinkage = 0.1;
constexpr int kMinLeaf = 5;

using Node = BoostedTrees::Node;

// Grows the subtree over `rows` fitting `residual`; returns its node index.
int grow(const Eigen::MatrixXd& x, const Eigen::VectorXd& residual, std::vector<int> rows, int depth,
         std::vector<Node>& tree) {
  double sum = 0;
  for (int r : rows) sum += residual[r];
  const int self = static_cast<int>(tree.size());
  tree.push_back({});
  tree[static_cast<std::size_t>(self)].value = sum / static_cast<double>(rows.size());
  if (depth == 0 || static_cast<int>(rows.size()) < 2 * kMinLeaf) return self;
  // Best split by squared-error reduction: maximise sum_l^2/n_l + sum_r^2/n_r.
  double best_gain = sum * sum / static_cast<double>(rows.size()) + 1e-12;
  int best_feature = -1;
  double best_threshold = 0;
  std::vector<int> order = rows;
  for (Eigen::Index f = 0; f < x.cols(); ++f) {
    std::sort(order.begin(), order.end(), [&](int a, int b) { return x(a, f) < x(b, f); });
    double left = 0;
    for (std::size_t k = 0; k + 1 < order.size(); ++k) {
      left += residual[order[k]];
      const double v = x(order[k], f), next = x(order[k + 1], f);
      const auto nl = static_cast<double>(k + 1), nr = static_cast<double>(order.size() - k - 1);
      if (v == next || nl < kMinLeaf || nr < kMinLeaf) continue;
      const double gain = left * left / nl + (sum - left) * (sum - left) / nr;
      if (gain > best_gain) best_gain = gain, best_feature = static_cast<int>(f), best_threshold = 0.5 * (v + next);
    }
  }
  if (best_feature < 0) return self;
  std::vector<int> l, r;
  for (int row : rows) (x(row, best_feature) <= best_threshold ? l : r).push_back(row);
  tree[static_cast<std::size_t>(self)].feature = best_feature;
  tree[static_cast<std::size_t>(self)].threshold = best_threshold;
  const int li = grow(x, residual, std::move(l), depth - 1, tree);
  const int ri = grow(x, residual, std::move(r), depth - 1, tree);
  tree[static_cast<std::size_t>(self)].left = li;
  tree[static_cast<std::size_t>(self)].right = ri;
  return self;
}

// The leaf value of one row.
double evaluate(const std::vector<Node>& tree, const Eigen::MatrixXd& x, Eigen::Index row) {
  int n = 0;
  while (tree[static_cast<std::size_t>(n)].feature >= 0) {
    const Node& node = tree[static_cast<std::size_t>(n)];
    n = x(row, node.feature) <= node.threshold ? node.left : node.right;
  }
  return tree[static_cast<std::size_t>(n)].value;
}

// Fits `count` trees; returns the base value and the trees.
std::pair<double, std::vector<std::vector<Node>>> boost(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, int count,
                                                        int depth) {
  const double base = y.mean();
  Eigen::VectorXd pred = Eigen::VectorXd::Constant(y.size(), base);
  std::vector<int> all(static_cast<std::size_t>(y.size()));
  std::iota(all.begin(), all.end(), 0);
  std::vector<std::vector<Node>> trees;
  for (int t = 0; t < count; ++t) {
    std::vector<Node> tree;
    grow(x, y - pred, all, depth, tree);
    for (auto& node : tree) node.value *= kShrinkage;
    for (Eigen::Index r = 0; r < y.size(); ++r) pred[r] += evaluate(tree, x, r);
    trees.push_back(std::move(tree));
  }
  return {base, std::move(trees)};
}

// Predictions of the first `count` trees.
Eigen::VectorXd apply(double base, const std::vector<std::vector<Node>>& trees, std::size_t count, const Eigen::MatrixXd& x) {
  Eigen::VectorXd out = Eigen::VectorXd::Constant(x.rows(), base);
  for (std::size_t t = 0; t < count; ++t)
    for (Eigen::Index r = 0; r < x.rows(); ++r) out[r] += evaluate(trees[t], x, r);
  return out;
}

}  // namespace

void BoostedTrees::fit(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
  GW_CHECK(x.rows() == y.size() && x.rows() > 1 && !tree_counts_.empty(), "BoostedTrees::fit: bad input");
  int count = tree_counts_.front();
  if (tree_counts_.size() > 1) {
    // One boosting run per fold up to the largest count; every count is scored on its prefix.
    const int n = static_cast<int>(y.size());
    const std::vector<int> fold_of = fold_assignment(n, std::min(folds_, n), seed_);
    std::vector<Eigen::VectorXd> oof(tree_counts_.size(), Eigen::VectorXd(n));
    const int most = *std::max_element(tree_counts_.begin(), tree_counts_.end());
    for (int f = 0; f < std::min(folds_, n); ++f) {
      const Eigen::MatrixXd held = rows_of(x, fold_of, f, true);
      auto [base, trees] = boost(rows_of(x, fold_of, f, false), rows_of(y, fold_of, f, false), most, depth_);
      for (std::size_t c = 0; c < tree_counts_.size(); ++c) {
        const Eigen::VectorXd p = apply(base, trees, static_cast<std::size_t>(tree_counts_[c]), held);
        Eigen::Index k = 0;
        for (int r = 0; r < n; ++r)
          if (fold_of[static_cast<std::size_t>(r)] == f) oof[c][r] = p[k++];
      }
    }
    double best = -2;
    for (std::size_t c = 0; c < tree_counts_.size(); ++c) {
      const double t = kendall_tau(oof[c], y);
      if (t > best) best = t, count = tree_counts_[c];
    }
  }
  std::tie(base_, trees_) = boost(x, y, count, depth_);
}

Eigen::VectorXd BoostedTrees::predict(const Eigen::MatrixXd& x) const {
  GW_CHECK(!trees_.empty(), "BoostedTrees::predict before fit");
  return apply(base_, trees_, trees_.size(), x);
}

nlohmann::json BoostedTrees::to_json() const {
  nlohmann::json trees = nlohmann::json::array();
  for (const auto& tree : trees_) {
    nlohmann::json nodes = nlohmann::json::array();
    for (const Node& n : tree) nodes.push_back({n.feature, n.threshold, n.left, n.right, n.value});
    trees.push_back(nodes);
  }
  return {{"type", "gbt"}, {"base", base_}, {"trees", trees}};
}

std::unique_ptr<BoostedTrees> BoostedTrees::from_json(const nlohmann::json& j) {
  auto b = std::make_unique<BoostedTrees>();
  b->base_ = j.at("base").get<double>();
  for (const auto& tree : j.at("trees")) {
    std::vector<Node> nodes;
    for (const auto& n : tree)
      nodes.push_back({n.at(0).get<int>(), n.at(1).get<double>(), n.at(2).get<int>(), n.at(3).get<int>(), n.at(4).get<double>()});
    b->trees_.push_back(std::move(nodes));
  }
  return b;
}

}  // namespace greenwave::nas
