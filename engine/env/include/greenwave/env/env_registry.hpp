// The registry of named environments: what the trainer, the CLI (`--env NAME`) and Python
// (`greenwave.make(NAME, ...)`) build envs from, without depending on any one env.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "greenwave/env/env.hpp"

namespace greenwave {

/// One option an env accepts: `--NAME VALUE` on the command line, `NAME=value` in Python
/// (dashes become underscores there).
struct EnvOption {
  std::string name;           ///< e.g. "compute"
  std::string default_value;  ///< used when the option is not given; ignored when required
  std::string help;           ///< one line for --help and docs
  bool required = false;      ///< true: make() fails when it is missing
};

/// Option values by name, as text (the factory parses and validates them).
using EnvOptions = std::map<std::string, std::string>;

/// Builds an env from its options (every declared option present, defaults filled in). Throws
/// ConfigError naming the option for a bad value.
using EnvFactory = std::function<std::unique_ptr<Env>(const EnvOptions& options)>;

/// A named environment: how to build it and how training judges it.
struct EnvEntry {
  std::string name;                   ///< e.g. "traffic", "moe"
  std::string summary;                ///< one line for --help
  std::vector<EnvOption> options;     ///< the options the factory reads
  EnvFactory factory;                 ///< builds one env
  std::string best_metric = "return"; ///< evaluation metric that picks best.pt ("return" or a metric name)
  bool lower_is_better = false;       ///< direction of best_metric
};

/// Named env entries. Registration order is kept (it is the order of names()).
class EnvRegistry {
 public:
  /// Adds an entry; ConfigError on an empty or duplicate name, a missing factory, or a
  /// duplicate option name.
  void add(EnvEntry entry);
  /// True when `name` is registered.
  bool contains(const std::string& name) const;
  /// The entry called `name`; ConfigError listing the known names otherwise.
  const EnvEntry& at(const std::string& name) const;
  /// Registered names, in registration order.
  std::vector<std::string> names() const;
  /// `given` checked against the entry's options (ConfigError naming an unknown or missing
  /// required option) with the defaults of the options not given filled in.
  EnvOptions resolve(const std::string& name, const EnvOptions& given) const;
  /// Builds env `name` from resolve(name, given).
  std::unique_ptr<Env> make(const std::string& name, const EnvOptions& given) const;

 private:
  std::vector<EnvEntry> entries_;
};

/// `options` as a JSON object of strings (for config.json, checkpoints and trajectory files).
std::string env_options_to_json(const EnvOptions& options);
/// The inverse of env_options_to_json; ConfigError when `json` is not an object of strings.
EnvOptions env_options_from_json(const std::string& json);

}  // namespace greenwave
