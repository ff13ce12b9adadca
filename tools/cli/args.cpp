#include "args.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "greenwave/core/error.hpp"

namespace greenwave::cli {

Args::Args(int argc, char** argv, int first, std::set<std::string> flags, std::set<std::string> options) {
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.size() > 2 && arg.rfind("--", 0) == 0) {
      std::string name = arg.substr(2);
      std::optional<std::string> value;
      if (const auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      if (flags.count(name)) {
        if (value) throw ConfigError("--" + name, "is a flag and takes no value");
        flags_given_.insert(name);
      } else if (options.count(name)) {
        if (!value) {
          if (i + 1 >= argc) throw ConfigError("--" + name, "needs a value");
          value = argv[++i];
        }
        values_[name] = *value;
        all_values_[name].push_back(*value);
      } else {
        throw ConfigError(arg, "unknown option (see --help)");
      }
    } else {
      positional_.push_back(arg);
    }
  }
}

std::optional<std::string> Args::get(const std::string& name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Args::get_all(const std::string& name) const {
  const auto it = all_values_.find(name);
  return it == all_values_.end() ? std::vector<std::string>{} : it->second;
}

std::string Args::get_or(const std::string& name, const std::string& fallback) const {
  return get(name).value_or(fallback);
}

long long Args::get_int(const std::string& name, long long fallback) const {
  const auto v = get(name);
  if (!v) return fallback;
  errno = 0;
  char* end = nullptr;
  const long long x = std::strtoll(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0' || errno == ERANGE)
    throw ConfigError("--" + name, "expected an integer, got '" + *v + "'");
  return x;
}

std::uint64_t Args::get_seed(std::uint64_t fallback) const {
  const auto v = get("seed");
  if (!v) return fallback;
  errno = 0;
  char* end = nullptr;
  const unsigned long long x = std::strtoull(v->c_str(), &end, 10);
  // strtoull accepts a sign (and wraps "-1"), so only digits are let through.
  if (v->empty() || v->find_first_not_of("0123456789") != std::string::npos || *end != '\0' || errno == ERANGE)
    throw ConfigError("--seed", "expected a non-negative integer below 2^64, got '" + *v + "'");
  return x;
}

void Args::refuse_overwrite(const std::string& path, const std::string& option) const {
  std::error_code ec;
  if (!flag("force") && std::filesystem::exists(path, ec))
    throw ConfigError(option, "'" + path + "' exists; pass --force to replace it (or choose another path)");
}

double Args::get_double(const std::string& name, double fallback) const {
  const auto v = get(name);
  if (!v) return fallback;
  char* end = nullptr;
  const double x = std::strtod(v->c_str(), &end);
  if (v->empty() || *end != '\0' || !std::isfinite(x))
    throw ConfigError("--" + name, "expected a finite number, got '" + *v + "'");
  return x;
}

}  // namespace greenwave::cli
