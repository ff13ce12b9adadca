// One function per `greenwave` subcommand; each parses its own options from argv[2..].
#pragma once

namespace greenwave::cli {

/// A subcommand entry point: returns the process exit status, throws on bad input.
using CommandFn = int (*)(int argc, char** argv);

/// One row of the subcommand table.
struct Command {
  const char* name;     ///< as typed after `greenwave`
  const char* summary;  ///< one line for `greenwave --help`
  CommandFn run;
};

// Each subcommand lives in tools/cli/cmd_<name>.cpp. Add a declaration here and a row to
// kCommands in main.cpp.

}  // namespace greenwave::cli
