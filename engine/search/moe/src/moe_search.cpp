#include "greenwave/search/moe/moe_search.hpp"

#include <algorithm>
#include <cmath>
#include <deque>

#include "greenwave/core/error.hpp"
#include "greenwave/core/rng.hpp"

namespace greenwave::moe {

namespace {

std::size_t at(std::int32_t i) { return static_cast<std::size_t>(i); }

void validate_list(const char* field, const std::vector<std::int64_t>& values, std::int64_t min) {
  if (values.empty()) throw ConfigError(field, "the grid list is empty");
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i] < min) throw ConfigError(field, "grid value " + std::to_string(values[i]) + " is below " + std::to_string(min));
    if (i > 0 && values[i] <= values[i - 1]) throw ConfigError(field, "grid values must be strictly ascending");
  }
}

std::int32_t size_of(const std::vector<std::int64_t>& v) { return static_cast<std::int32_t>(v.size()); }

}  // namespace

GridPoint random_valid_point(const SearchProblem& pr, Rng& rng) {
  const SearchGrid& g = pr.grid;
  while (true) {
    GridPoint p{static_cast<std::int32_t>(rng.below(g.experts.size())), static_cast<std::int32_t>(rng.below(g.active_experts.size())),
                static_cast<std::int32_t>(rng.below(g.shared_experts.size())), static_cast<std::int32_t>(rng.below(g.d_expert.size()))};
    if (is_valid(pr, p)) return p;
  }
}

GridPoint neighbour(const GridPoint& p, int field, int step) {
  GridPoint q = p;
  std::int32_t* idx[] = {&q.experts, &q.active_experts, &q.shared_experts, &q.d_expert};
  *idx[field] += step;
  return q;
}

std::int64_t EvaluationLog::key(const GridPoint& p) const {
  const SearchGrid& g = problem_.grid;
  return ((static_cast<std::int64_t>(p.experts) * size_of(g.active_experts) + p.active_experts) * size_of(g.shared_experts) +
          p.shared_experts) * size_of(g.d_expert) + p.d_expert;
}

bool EvaluationLog::seen(const GridPoint& p) const { return done_.contains(key(p)); }

const Evaluation& EvaluationLog::evaluate(const GridPoint& p) {
  const auto [it, fresh] = done_.try_emplace(key(p));
  if (!fresh) return it->second;
  const Evaluation& e = it->second = evaluate_point(problem_, p);
  ++result_.evaluations;
  if (e.within_budget && (!result_.found || e.efficiency_leverage > result_.evaluation.efficiency_leverage)) {
    result_.found = true;
    result_.point = p;
    result_.config = config_at(problem_, p);
    result_.evaluation = e;
  }
  return e;
}

void validate(const SearchProblem& pr) {
  if (!(std::isfinite(pr.compute) && pr.compute > 0)) throw ConfigError("compute", "expected a positive FLOP count, got " + std::to_string(pr.compute));
  if (!(std::isfinite(pr.max_total_params) && pr.max_total_params > 0))
    throw ConfigError("max_total_params", "expected a positive parameter count, got " + std::to_string(pr.max_total_params));
  if (!(pr.max_active_params > 0)) throw ConfigError("max_active_params", "expected a positive parameter count, got " + std::to_string(pr.max_active_params));
  validate_list("experts", pr.grid.experts, 1);
  validate_list("active_experts", pr.grid.active_experts, 1);
  validate_list("shared_experts", pr.grid.shared_experts, 0);
  validate_list("d_expert", pr.grid.d_expert, 1);
  if (pr.grid.active_experts.front() > pr.grid.experts.back())
    throw ConfigError("active_experts", "no grid value fits under the largest expert count");
  validate(config_at(pr, GridPoint{size_of(pr.grid.experts) - 1, 0, 0, 0}));  // d_model, layers, dense_layers
}

MoeConfig config_at(const SearchProblem& pr, const GridPoint& p) {
  MoeConfig c;
  c.experts = pr.grid.experts[at(p.experts)];
  c.active_experts = pr.grid.active_experts[at(p.active_experts)];
  c.shared_experts = pr.grid.shared_experts[at(p.shared_experts)];
  c.d_expert = pr.grid.d_expert[at(p.d_expert)];
  c.d_model = pr.d_model;
  c.layers = pr.layers;
  c.dense_layers = pr.dense_layers;
  return c;
}

bool is_valid(const SearchProblem& pr, const GridPoint& p) {
  const SearchGrid& g = pr.grid;
  const auto in = [](std::int32_t i, const std::vector<std::int64_t>& v) { return i >= 0 && i < size_of(v); };
  if (!in(p.experts, g.experts) || !in(p.active_experts, g.active_experts) || !in(p.shared_experts, g.shared_experts) ||
      !in(p.d_expert, g.d_expert))
    return false;
  return g.active_experts[at(p.active_experts)] <= g.experts[at(p.experts)];
}

std::int64_t valid_points(const SearchProblem& pr) {
  std::int64_t n = 0;
  for (const std::int64_t e : pr.grid.experts)
    for (const std::int64_t ea : pr.grid.active_experts) n += ea <= e ? 1 : 0;
  return n * static_cast<std::int64_t>(pr.grid.shared_experts.size() * pr.grid.d_expert.size());
}

Evaluation evaluate_point(const SearchProblem& pr, const GridPoint& p) {
  const MoeConfig c = config_at(pr, p);
  Evaluation e;
  e.efficiency_leverage = efficiency_leverage(c, pr.compute);
  e.params = parameter_count(c);
  // Overshoot in log space: ln(used / budget) where positive.
  const double over_total = std::max(0.0, std::log(e.params.total / pr.max_total_params));
  const double over_active = std::isinf(pr.max_active_params) ? 0.0 : std::max(0.0, std::log(e.params.active / pr.max_active_params));
  e.within_budget = over_total == 0 && over_active == 0;
  e.score = std::log(e.efficiency_leverage) - kBudgetPenalty * (over_total + over_active);
  return e;
}

SearchResult search_exhaustive(const SearchProblem& pr) {
  validate(pr);
  EvaluationLog log(pr);
  const SearchGrid& g = pr.grid;
  for (std::int32_t e = 0; e < size_of(g.experts); ++e)
    for (std::int32_t ea = 0; ea < size_of(g.active_experts); ++ea)
      for (std::int32_t es = 0; es < size_of(g.shared_experts); ++es)
        for (std::int32_t de = 0; de < size_of(g.d_expert); ++de)
          if (const GridPoint p{e, ea, es, de}; is_valid(pr, p)) log.evaluate(p);
  return log.result();
}

SearchResult search_random(const SearchProblem& pr, std::int64_t evaluations, std::uint64_t seed) {
  validate(pr);
  if (evaluations < 1) throw ConfigError("evaluations", "expected >= 1, got " + std::to_string(evaluations));
  const std::int64_t n = std::min(evaluations, valid_points(pr));
  Rng rng(seed);
  EvaluationLog log(pr);
  while (log.evaluations() < n) log.evaluate(random_valid_point(pr, rng));
  return log.result();
}

SearchResult search_evolution(const SearchProblem& pr, std::int64_t evaluations, std::uint64_t seed, std::int32_t population,
                              std::int32_t sample) {
  validate(pr);
  if (evaluations < 1) throw ConfigError("evaluations", "expected >= 1, got " + std::to_string(evaluations));
  if (population < 1) throw ConfigError("population", "expected >= 1, got " + std::to_string(population));
  if (sample < 1 || sample > population)
    throw ConfigError("sample", "expected 1..population (" + std::to_string(population) + "), got " + std::to_string(sample));
  const std::int64_t n = std::min(evaluations, valid_points(pr));
  Rng rng(seed);
  EvaluationLog log(pr);
  const auto fresh_point = [&] {
    GridPoint p = random_valid_point(pr, rng);
    while (log.seen(p)) p = random_valid_point(pr, rng);
    return p;
  };
  std::deque<std::pair<GridPoint, double>> members;  // oldest first, with their scores
  while (std::ssize(members) < population && log.evaluations() < n) {
    const GridPoint p = fresh_point();
    members.emplace_back(p, log.evaluate(p).score);
  }
  while (log.evaluations() < n) {
    std::size_t best = rng.below(members.size());
    for (std::int32_t k = 1; k < sample; ++k) {
      const std::size_t j = rng.below(members.size());
      if (members[j].second > members[best].second) best = j;
    }
    // Every valid one-step move of the parent to an unevaluated point, one of them at random.
    const GridPoint parent = members[best].first;
    std::vector<GridPoint> moves;
    for (int field = 0; field < 4; ++field)
      for (const int step : {-1, 1})
        if (const GridPoint q = neighbour(parent, field, step); is_valid(pr, q) && !log.seen(q)) moves.push_back(q);
    const GridPoint child = moves.empty() ? fresh_point() : moves[rng.below(moves.size())];
    members.emplace_back(child, log.evaluate(child).score);
    members.pop_front();
  }
  return log.result();
}

}  // namespace greenwave::moe
