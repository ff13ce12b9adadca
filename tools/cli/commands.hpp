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

/// `greenwave run`: one episode with a baseline controller.
int cmd_run(int argc, char** argv);
/// `greenwave bench`: simulator throughput.
int cmd_bench(int argc, char** argv);

/// `greenwave info`: counts and validation of a scenario.
int cmd_info(int argc, char** argv);
/// `greenwave convert`: any supported format to native .pbtxt/.pb.
int cmd_convert(int argc, char** argv);
/// `greenwave generate`: synthetic grid and arterial scenarios.
int cmd_generate(int argc, char** argv);
/// `greenwave inspect`: summary of a trajectory file.
int cmd_inspect(int argc, char** argv);
/// `greenwave plot`: learning curves of training runs (runs the bundled matplotlib script).
int cmd_plot(int argc, char** argv);

/// `greenwave view`: serves the web viewer and a replay on localhost.
int cmd_view(int argc, char** argv);

/// `greenwave nas`: architecture-performance predictors and search (docs/nas.md).
int cmd_nas(int argc, char** argv);
/// `greenwave moe`: the MoE Efficiency-Leverage law, configurations and search.
int cmd_moe(int argc, char** argv);

/// Runs argv's command in `greenwave-agents` (the program beside this one that links LibTorch) by
/// replacing this process; returns only on failure, with an error naming the program.
int exec_agents(int argc, char** argv);
/// Runs the subcommand argv[1] from `commands`, printing errors as "greenwave CMD: ..." (exit 1)
/// and unknown commands with a hint (exit 2).
int dispatch(const Command* commands, int count, int argc, char** argv);

/// `greenwave train`: train a DQN (built only with agents/).
int cmd_train(int argc, char** argv);
/// `greenwave eval`: evaluate a checkpoint or a baseline (built only with agents/).
int cmd_eval(int argc, char** argv);
/// `greenwave merge`: WSM checkpoint merging (built only with agents/).
int cmd_merge(int argc, char** argv);

// Each subcommand lives in tools/cli/cmd_<name>.cpp. Add a declaration here and a row to
// kCommands in main.cpp (in agents_main.cpp too for a command that needs LibTorch).

}  // namespace greenwave::cli
