// `greenwave merge`: WSM checkpoint merging, or only the merge weights.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "args.hpp"
#include "commands.hpp"
#include "greenwave/agents/dqn.hpp"
#include "greenwave/agents/wsm.hpp"
#include "greenwave/core/error.hpp"

namespace greenwave::cli {

int cmd_merge(int argc, char** argv) {
  const Args args(argc, argv, 2, {"json", "help", "weights-only", "force"}, {"shape", "out", "count"});
  const auto& ckpts = args.positional();
  const bool weights_only = args.flag("weights-only");
  if (args.flag("help") || (weights_only ? !ckpts.empty() : ckpts.empty())) {
    std::cout << "usage: greenwave merge --shape linear|cosine|1-sqrt|ema CKPT... --out CKPT [--force] [--json]\n"
                 "       greenwave merge --shape linear|cosine|1-sqrt|ema --weights-only --count N [--json]\n"
                 "Merges DQN checkpoints (oldest first) with WSM weights that emulate the given learning-rate\n"
                 "decay (merged parameters = sum_j c_j theta_j), or prints only the weights c_j for N checkpoints.\n"
                 "An existing --out is refused unless --force replaces it.\n";
    return args.flag("help") ? 0 : 2;
  }
  if (!args.get("shape")) throw ConfigError("--shape", "required (linear, cosine, 1-sqrt or ema)");
  const DecayShape shape = parse_decay_shape(*args.get("shape"));
  long long count = static_cast<long long>(ckpts.size());
  if (weights_only) {
    if (!args.get("count")) throw ConfigError("--count", "required with --weights-only");
    count = args.get_int("count", 0);
    if (count < 1 || count > 100000) throw ConfigError("--count", "expected 1..100000, got " + std::to_string(count));
    if (args.get("out")) throw ConfigError("--out", "not used with --weights-only");
  } else {
    if (args.get("count")) throw ConfigError("--count", "only with --weights-only (the checkpoints are counted)");
    if (!args.get("out")) throw ConfigError("--out", "required: where to write the merged checkpoint");
    args.refuse_overwrite(*args.get("out"), "--out");
  }
  const std::vector<double> weights = wsm_merge_weights(shape, static_cast<int>(count));
  if (!weights_only) merge_checkpoints(ckpts, weights, *args.get("out"));
  if (args.flag("json")) {
    std::cout << nlohmann::json{{"weights", weights}}.dump() << "\n";
    return 0;
  }
  for (std::size_t j = 0; j < weights.size(); ++j) {
    char line[64];
    std::snprintf(line, sizeof line, "%8.6f", weights[j]);
    std::cout << line << (weights_only ? "" : "  " + ckpts[j]) << "\n";
  }
  if (!weights_only) std::cout << "wrote " << *args.get("out") << "\n";
  return 0;
}

}  // namespace greenwave::cli
