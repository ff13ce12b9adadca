// `greenwave plot`: learning curves, metric comparisons and replay time series, drawn by the bundled matplotlib script
// tools/plot/greenwave_plot.py (copied next to the binary at build time).
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "args.hpp"
#include "commands.hpp"
#include "greenwave/core/error.hpp"

extern char** environ;

namespace greenwave::cli {

namespace {

namespace fs = std::filesystem;

// The plot script: $GREENWAVE_PLOT_SCRIPT, else greenwave_plot.py beside this binary, else the
// source tree's copy; ConfigError naming the places looked at when none exists.
std::string plot_script() {
  if (const char* s = std::getenv("GREENWAVE_PLOT_SCRIPT")) {
    if (!fs::is_regular_file(s)) throw ConfigError("GREENWAVE_PLOT_SCRIPT", std::string("no such file: ") + s);
    return s;
  }
  std::error_code ec;
  const fs::path beside = fs::read_symlink("/proc/self/exe", ec).parent_path() / "greenwave_plot.py";
  if (!ec && fs::is_regular_file(beside)) return beside.string();
  if (fs::is_regular_file(GREENWAVE_PLOT_SCRIPT_SOURCE)) return GREENWAVE_PLOT_SCRIPT_SOURCE;
  throw ConfigError("plot", "the plot script is missing (looked for " + beside.string() + " and " +
                                GREENWAVE_PLOT_SCRIPT_SOURCE + ")");
}

}  // namespace

int cmd_plot(int argc, char** argv) {
  const Args args(argc, argv, 2, {"help", "force"}, {"out", "title"});
  if (args.flag("help") || args.positional().empty()) {
    std::cout << "usage: greenwave plot INPUT... --out FILE.png|.svg|.pdf [--title TEXT] [--force]\n"
                 "Draws one figure from inputs of one kind; the extension of --out picks the format:\n"
                 "  training directories (`greenwave train --out DIR`, DIR/metrics.jsonl): learning curves of\n"
                 "    average travel time, delay index, served vehicles and episode return per episode, one line\n"
                 "    per DIR (greedy evaluations as markers);\n"
                 "  metrics files (.json from `greenwave run|eval --json > F.json`, or a greenwave.sweep table\n"
                 "    .json/.csv): bars of average travel time, served vehicles and delay index per file (named\n"
                 "    by the file) or per sweep agent (mean, min-max whiskers);\n"
                 "  replays (.gwr from `run|eval --replay`): served vehicles, delay index and average travel\n"
                 "    time against simulated time, one line per replay.\n"
                 "Needs matplotlib for the Python at $GREENWAVE_PYTHON (default " GREENWAVE_PYTHON ").\n";
    return args.flag("help") ? 0 : 2;
  }
  const auto out = args.get("out");
  if (!out || out->empty()) throw ConfigError("--out", "the image file to write (.png, .svg or .pdf) is required");
  const std::string ext = std::filesystem::path(*out).extension().string();
  if (ext != ".png" && ext != ".svg" && ext != ".pdf")
    throw ConfigError("--out", "'" + *out + "': the extension picks the format: .png, .svg or .pdf");
  args.refuse_overwrite(*out, "--out");
  const char* env_python = std::getenv("GREENWAVE_PYTHON");
  const std::string python = env_python && *env_python ? env_python : GREENWAVE_PYTHON;
  if (::access(python.c_str(), X_OK) != 0)
    throw ConfigError("GREENWAVE_PYTHON", "no Python interpreter at " + python + " (set GREENWAVE_PYTHON)");

  std::vector<std::string> words = {python, plot_script()};
  words.insert(words.end(), args.positional().begin(), args.positional().end());
  words.insert(words.end(), {"--out", *out});
  if (const auto title = args.get("title")) words.insert(words.end(), {"--title", *title});
  std::vector<char*> child_argv;
  for (std::string& w : words) child_argv.push_back(w.data());
  child_argv.push_back(nullptr);
  pid_t pid = 0;
  if (const int err = ::posix_spawn(&pid, python.c_str(), nullptr, nullptr, child_argv.data(), environ); err != 0)
    throw ConfigError("GREENWAVE_PYTHON", "cannot run " + python + ": " + std::strerror(err));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw ConfigError("plot", std::string("waiting for the plot script failed: ") + std::strerror(errno));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  std::cerr << "greenwave plot: the plot script was killed by signal " << WTERMSIG(status) << "\n";
  return 1;
}

}  // namespace greenwave::cli
