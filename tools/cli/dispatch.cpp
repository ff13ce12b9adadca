#include <csignal>
#include <exception>
#include <iostream>
#include <string>

#include "commands.hpp"

namespace greenwave::cli {

int dispatch(const Command* commands, int count, int argc, char** argv) {
  // A file-size limit (ulimit -f) then fails the write with EFBIG, reported like a full disk,
  // instead of killing the process with SIGXFSZ halfway through a file.
  std::signal(SIGXFSZ, SIG_IGN);
  const std::string command = argv[1];
  for (const Command* c = commands; c != commands + count; ++c) {
    if (command != c->name) continue;
    try {
      return c->run(argc, argv);
    } catch (const std::exception& e) {
      std::cerr << "greenwave " << command << ": " << e.what() << "\n";
      return 1;
    }
  }
  std::cerr << "greenwave: unknown command '" << command << "' (see greenwave --help)\n";
  return 2;
}

}  // namespace greenwave::cli
