// The `greenwave` command-line program: one binary, one subcommand per job (see docs/cli.md).
#include <cstring>
#include <exception>
#include <iostream>
#include <string>

#include "args.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/core/version.hpp"

namespace {

constexpr const char* kUsage = R"(greenwave — train and evaluate traffic-signal control agents

usage: greenwave [--version] [--help] <command> [options]

commands:
  info SCENARIO          counts and checks of a scenario
  convert SCENARIO OUT   convert any supported format to native .pbtxt/.pb
  generate grid|arterial synthetic scenarios
  run SCENARIO           simulate one episode with a controller
  bench SCENARIO         throughput of the bare simulator
  train SCENARIO         train an agent
  eval SCENARIO          evaluate an agent or a baseline
  merge                  WSM checkpoint merging
  inspect FILE.h5        summary of a trajectory file

Each command has --help. Errors go to stderr with a non-zero exit status.
)";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  try {
    if (command == "--version") {
      std::cout << "greenwave " << greenwave::version() << "\n";
      return 0;
    }
    std::cerr << "greenwave: unknown command '" << command << "' (see greenwave --help)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "greenwave " << command << ": " << e.what() << "\n";
    return 1;
  }
}
