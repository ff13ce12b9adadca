// `--env NAME` on the agent commands: envs built through the env catalog, their options taken
// from the command line as --OPTION VALUE.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "args.hpp"
#include "greenwave/agents/trainer.hpp"
#include "greenwave/env/env_registry.hpp"

namespace greenwave::cli {

/// The value of --NAME VALUE / --NAME=VALUE in argv[first..argc), if given (before full parsing).
std::optional<std::string> peek_option(int argc, char** argv, int first, const std::string& name);
/// The value of --env NAME / --env=NAME in argv[first..argc), if given (before full parsing,
/// which needs the env's option names).
std::optional<std::string> peek_env_option(int argc, char** argv, int first);
/// The option names of `entry`, as the command line accepts them.
std::set<std::string> env_option_names(const EnvEntry& entry);
/// The options of `entry` given on the command line.
EnvOptions env_options_from_args(const Args& args, const EnvEntry& entry);
/// The usage lines of `entry`'s options, for --help.
std::string env_options_help(const EnvEntry& entry);
/// The catalog's env names, comma-separated, for --help.
std::string env_names_text();
/// An episode result of any env: "return", "steps" and every metric by name.
nlohmann::json episode_result_json(const EpisodeResult& result);

}  // namespace greenwave::cli
