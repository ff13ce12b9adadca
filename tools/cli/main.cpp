// The `greenwave` command-line program: one subcommand per job (see docs/cli.md). The commands
// that need LibTorch run in `greenwave-agents`, executed in place of this process.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <string>

#include "commands.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/core/version.hpp"

namespace greenwave::cli {

int exec_agents(int /*argc*/, char** argv) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const std::filesystem::path program = (ec ? std::filesystem::path(argv[0]) : self).parent_path() / "greenwave-agents";
  ::execv(program.c_str(), argv);
  std::cerr << "greenwave " << argv[1] << ": cannot start " << program.string() << ": " << std::strerror(errno)
            << " (it is built beside greenwave when LibTorch is found)\n";
  return 1;
}

}  // namespace greenwave::cli

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
    {"plot", "learning curves, metric comparisons, replay series (PNG/SVG)", greenwave::cli::cmd_plot},
    {"view", "serve the web viewer of a replay on localhost", greenwave::cli::cmd_view},
    {"nas", "architecture-performance predictors and search", greenwave::cli::cmd_nas},
    {"moe", "MoE efficiency leverage: el, config, optimal, search", greenwave::cli::cmd_moe},
#ifdef GREENWAVE_AGENTS_PROGRAM
    {"train", "train a DQN agent on a scenario", greenwave::cli::exec_agents},
    {"eval", "evaluate a checkpoint or a baseline controller", greenwave::cli::exec_agents},
    {"merge", "WSM checkpoint merging (or only its weights)", greenwave::cli::exec_agents},
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
  if (std::strcmp(argv[1], "--version") == 0) argv[1] = const_cast<char*>("version");
  return greenwave::cli::dispatch(kCommands, static_cast<int>(std::size(kCommands)), argc, argv);
}
