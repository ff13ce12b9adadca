// Random search and regularized evolution over a predictor's search space.
#include "greenwave/nas/search.hpp"

#include <deque>

#include "greenwave/core/error.hpp"
#include "greenwave/core/rng.hpp"

namespace greenwave::nas {

SearchSpace SearchSpace::of(const Predictor& predictor) {
  SearchSpace s;
  s.reference = predictor.reference;
  for (std::size_t g = 0; g < predictor.domains.size(); ++g)
    if (predictor.domains[g].size() > 1) {
      s.free_genes.push_back(static_cast<int>(g));
      s.values.push_back(predictor.domains[g]);
    }
  if (s.free_genes.empty()) throw ConfigError("model", "no gene varies in the predictor's training data: nothing to search");
  return s;
}

Eigen::VectorXd SearchSpace::sample(Rng& rng) const {
  Eigen::VectorXd genes = reference;
  for (std::size_t i = 0; i < free_genes.size(); ++i) genes[free_genes[i]] = values[i][rng.below(values[i].size())];
  return genes;
}

double ScoreRecorder::score(const Eigen::VectorXd& genes) {
  const double s = predictor_.score(genes.transpose())[0];
  if (++calls_ > limit_) return s;
  if (best_after_.empty() || s > best_after_.back()) {
    best_genes_ = genes;
    best_after_.push_back(s);
  } else {
    best_after_.push_back(best_after_.back());
  }
  return s;
}

void random_search(const SearchSpace& space, ScoreRecorder& recorder, std::int64_t budget, std::uint64_t seed) {
  Rng rng(seed);
  for (std::int64_t i = 0; i < budget; ++i) recorder.score(space.sample(rng));
}

void regularized_evolution(const SearchSpace& space, ScoreRecorder& recorder, std::int64_t budget, int population,
                           int sample, std::uint64_t seed) {
  if (population < 2) throw ConfigError("--population", "expected at least 2, got " + std::to_string(population));
  if (sample < 1 || sample > population)
    throw ConfigError("--sample", "expected 1.." + std::to_string(population) + ", got " + std::to_string(sample));
  Rng rng(seed);
  std::deque<std::pair<Eigen::VectorXd, double>> alive;
  std::int64_t used = 0;
  for (; used < budget && static_cast<int>(alive.size()) < population; ++used) {
    Eigen::VectorXd g = space.sample(rng);
    alive.emplace_back(g, recorder.score(g));
  }
  for (; used < budget; ++used) {
    std::size_t parent = rng.below(alive.size());
    for (int k = 1; k < sample; ++k) {
      std::size_t c = rng.below(alive.size());
      if (alive[c].second > alive[parent].second) parent = c;
    }
    Eigen::VectorXd child = alive[parent].first;
    // Mutate one free gene to a different value of its domain.
    const std::size_t i = rng.below(space.free_genes.size());
    const auto& values = space.values[i];
    const int gene = space.free_genes[i];
    double v = child[gene];
    while (v == child[gene]) v = values[rng.below(values.size())];
    child[gene] = v;
    alive.emplace_back(child, recorder.score(child));
    alive.pop_front();
  }
}

}  // namespace greenwave::nas
