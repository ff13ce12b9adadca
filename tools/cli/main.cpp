// The `greenwave` command-line program: one binary, one subcommand per job (see docs/cli.md).
#include <csignal>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>

#include "commands.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/core/version.hpp"

namespace {

using greenwave::cli::Command;

constexpr Command kCommands[] = {
    {"version", "print the version", [](int, char**) {
       std::cout << "greenwave " << greenwave::version() << "\n";
       return 0;
     }},
    {"run", "simulate one episode with a baseline controller", greenwave::cli::cmd_run},
    {"bench", "throughput of the bare simulator", greenwave::cli::cmd_bench},
    {"info", "counts and checks of a scenario", greenwave::cli::cmd_info},
    {"convert", "any scenario format to native .pbtxt/.pb", greenwave::cli::cmd_convert},
    {"generate", "synthetic grid, arterial or city scenarios", greenwave::cli::cmd_generate},
    {"inspect", "summary of a trajectory file", greenwave::cli::cmd_inspect},
    {"plot", "learning curves of training runs (PNG)", greenwave::cli::cmd_plot},
    {"nas", "architecture-performance predictors and search", greenwave::cli::cmd_nas},
    {"moe", "MoE efficiency leverage: el, config, optimal, search", greenwave::cli::cmd_moe},
#ifdef GREENWAVE_HAVE_AGENTS
    {"train", "train a DQN agent on a scenario", greenwave::cli::cmd_train},
    {"eval", "evaluate a checkpoint or a baseline controller", greenwave::cli::cmd_eval},
    {"merge", "WSM checkpoint merging (or only its weights)", greenwave::cli::cmd_merge},
#endif
};

void print_usage() {
  std::cout << "greenwave " << greenwave::version()
            << " — train and evaluate traffic-signal control agents\n\n"
               "usage: greenwave [--version] [--help] <command> [options]\n\ncommands:\n";
  for (const Command& c : kCommands) std::cout << "  " << c.name << std::string(12 - std::strlen(c.name), ' ') << c.summary << "\n";
  std::cout << "\nEach command has --help. Errors go to stderr with a non-zero exit status.\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    print_usage();
    return argc < 2 ? 2 : 0;
  }
  // A file-size limit (ulimit -f) then fails the write with EFBIG, reported like a full disk,
  // instead of killing the process with SIGXFSZ halfway through a file.
  std::signal(SIGXFSZ, SIG_IGN);
  std::string command = argv[1];
  if (command == "--version") command = "version";
  for (const Command& c : kCommands) {
    if (command != c.name) continue;
    try {
      return c.run(argc, argv);
    } catch (const std::exception& e) {
      std::cerr << "greenwave " << command << ": " << e.what() << "\n";
      return 1;
    }
  }
  std::cerr << "greenwave: unknown command '" << command << "' (see greenwave --help)\n";
  return 2;
}
