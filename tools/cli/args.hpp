// A small command-line parser: positionals, `--key value`, `--key=value` and flags.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace greenwave::cli {

/// Parsed arguments of one subcommand; unknown options are rejected with ConfigError.
class Args {
 public:
  /// Parses argv[first..argc); `flags` take no value, `options` take one.
  Args(int argc, char** argv, int first, std::set<std::string> flags, std::set<std::string> options);
  /// The positional arguments in order.
  const std::vector<std::string>& positional() const { return positional_; }
  /// True when a flag was given.
  bool flag(const std::string& name) const { return flags_given_.count(name) != 0; }
  /// The value of an option, if given.
  std::optional<std::string> get(const std::string& name) const;
  /// Every value of an option given several times, in order (empty when not given).
  std::vector<std::string> get_all(const std::string& name) const;
  /// The value of an option or a default.
  std::string get_or(const std::string& name, const std::string& fallback) const;
  /// An integer option, validated; throws ConfigError naming the option on a bad value.
  long long get_int(const std::string& name, long long fallback) const;
  /// The --seed option (a non-negative integer below 2^64) or `fallback`; every command reads
  /// its seed through this, so a negative or malformed seed is the same ConfigError everywhere.
  std::uint64_t get_seed(std::uint64_t fallback) const;
  /// Throws ConfigError naming `option` when `path` exists and --force was not given: commands
  /// that write results never replace an earlier run silently.
  void refuse_overwrite(const std::string& path, const std::string& option) const;
  /// A floating-point option, validated; throws ConfigError naming the option on a bad value.
  double get_double(const std::string& name, double fallback) const;

 private:
  std::vector<std::string> positional_;
  std::set<std::string> flags_given_;
  std::map<std::string, std::string> values_;
  std::map<std::string, std::vector<std::string>> all_values_;
};

}  // namespace greenwave::cli
