// `greenwave-agents`: the `greenwave` subcommands that link LibTorch (train, eval, merge, and
// `nas search` / `moe search` with --method dqn) or libsumo (`run` / `bench` with --backend sumo).
// The `greenwave` program executes it for them with its own argv, so argv[1] is the command.
#include <iostream>
#include <iterator>

#include "commands.hpp"

namespace {

constexpr greenwave::cli::Command kAgentCommands[] = {
    {"train", "train a DQN agent on a scenario", greenwave::cli::cmd_train},
    {"eval", "evaluate a checkpoint or a baseline controller", greenwave::cli::cmd_eval},
    {"merge", "WSM checkpoint merging (or only its weights)", greenwave::cli::cmd_merge},
    {"nas", "architecture-performance predictors and search", greenwave::cli::cmd_nas},
    {"moe", "MoE efficiency leverage: el, config, optimal, search", greenwave::cli::cmd_moe},
    {"run", "simulate one episode with a baseline controller", greenwave::cli::cmd_run},
    {"bench", "throughput of the bare simulator", greenwave::cli::cmd_bench},
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "greenwave-agents: run through `greenwave` (train, eval, merge, nas/moe search --method dqn, run/bench --backend sumo)\n";
    return 2;
  }
  return greenwave::cli::dispatch(kAgentCommands, static_cast<int>(std::size(kAgentCommands)), argc, argv);
}
