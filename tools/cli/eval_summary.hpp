// `greenwave eval` over several scenarios and agents: the episodes of each (scenario, agent)
// pair, and their mean and spread.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "greenwave/agents/trainer.hpp"
#include "greenwave/sim/citybrain_score.hpp"

namespace greenwave::cli {

/// The episodes one agent ran on one scenario.
struct EvalRun {
  std::string scenario;                  ///< the scenario file
  std::string agent;                     ///< checkpoint path or baseline name
  std::vector<EpisodeResult> episodes;   ///< in seed order
  std::vector<CityBrainScore> citybrain; ///< per episode, with --score citybrain
  /// The mean of every metric over the episodes.
  EpisodeResult mean() const;
};

/// Mean and spread of every metric over all episodes of all runs (each episode weighs the same).
struct EvalSummary {
  EpisodeResult mean;                    ///< metric means
  std::int64_t episodes = 0;             ///< episodes summarised
  std::vector<double> std;               ///< sample standard deviation (n - 1; 0 for one episode), by metric
  std::vector<double> min, max;          ///< extremes, by metric
  /// {key: value} over the spread keys (the metrics object's keys but horizon_s) of `values`.
  nlohmann::json json(const std::vector<double>& values) const;
};

/// Summarises the runs (at least one episode in all).
EvalSummary summarize(const std::vector<EvalRun>& runs);

/// Prints the spread table (mean, std, min, max) of ATT, delay index and throughput.
void print_spread(std::ostream& out, const EvalSummary& s);

}  // namespace greenwave::cli
