#include "eval_summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "greenwave/core/error.hpp"

namespace greenwave::cli {
namespace {

/// The metrics object's keys a spread is reported for (horizon_s is the same in every episode).
const std::vector<std::string> kSpreadKeys = {"served_vehicles", "delay_index", "average_travel_time",
                                              "average_travel_time_finished", "throughput", "vehicles_scheduled"};

/// The mean of every metric (and return, steps) over `episodes`.
EpisodeResult mean_of(const std::vector<const EpisodeResult*>& episodes) {
  GW_CHECK(!episodes.empty(), "eval: no episodes to summarise");
  EpisodeResult mean;
  mean.metric_names = episodes[0]->metric_names;
  mean.metric_values.assign(mean.metric_names.size(), 0.0);
  const double n = static_cast<double>(episodes.size());
  double steps = 0;
  for (const EpisodeResult* r : episodes) {
    if (r->metric_names != mean.metric_names) throw ConfigError("eval", "the scenarios report different metrics");
    for (std::size_t i = 0; i < r->metric_values.size(); ++i) mean.metric_values[i] += r->metric_values[i] / n;
    mean.total_reward += r->total_reward / n;
    steps += static_cast<double>(r->steps);
  }
  mean.steps = std::llround(steps / n);
  return mean;
}

}  // namespace

EpisodeResult EvalRun::mean() const {
  std::vector<const EpisodeResult*> all;
  for (const EpisodeResult& e : episodes) all.push_back(&e);
  return mean_of(all);
}

EvalSummary summarize(const std::vector<EvalRun>& runs) {
  std::vector<const EpisodeResult*> all;
  for (const EvalRun& run : runs)
    for (const EpisodeResult& e : run.episodes) all.push_back(&e);
  EvalSummary s;
  s.mean = mean_of(all);
  s.episodes = static_cast<std::int64_t>(all.size());
  const std::size_t k = s.mean.metric_names.size();
  s.std.assign(k, 0.0);
  s.min.assign(k, INFINITY);
  s.max.assign(k, -INFINITY);
  for (const EpisodeResult* r : all)
    for (std::size_t i = 0; i < k; ++i) {
      const double v = r->metric_values[i];
      s.std[i] += (v - s.mean.metric_values[i]) * (v - s.mean.metric_values[i]);
      s.min[i] = std::min(s.min[i], v);
      s.max[i] = std::max(s.max[i], v);
    }
  for (double& v : s.std) v = all.size() > 1 ? std::sqrt(v / static_cast<double>(all.size() - 1)) : 0.0;
  return s;
}

nlohmann::json EvalSummary::json(const std::vector<double>& values) const {
  nlohmann::json j = nlohmann::json::object();
  for (std::size_t i = 0; i < mean.metric_names.size(); ++i)
    if (std::find(kSpreadKeys.begin(), kSpreadKeys.end(), mean.metric_names[i]) != kSpreadKeys.end())
      j[mean.metric_names[i]] = values[i];
  return j;
}

void print_spread(std::ostream& out, const EvalSummary& s) {
  out << "\nspread over " << s.episodes << " episodes   mean        std         min         max\n";
  const std::pair<const char*, const char*> rows[] = {
      {"average_travel_time", "average travel time"}, {"delay_index", "delay index"}, {"throughput", "throughput"}};
  for (const auto& [key, label] : rows) {
    const auto it = std::find(s.mean.metric_names.begin(), s.mean.metric_names.end(), key);
    if (it == s.mean.metric_names.end()) continue;
    const auto i = static_cast<std::size_t>(it - s.mean.metric_names.begin());
    char buf[160];
    std::snprintf(buf, sizeof buf, "%-28s %-11.4g %-11.4g %-11.4g %-11.4g\n", label, s.mean.metric_values[i], s.std[i],
                  s.min[i], s.max[i]);
    out << buf;
  }
}

}  // namespace greenwave::cli
