#include "greenwave/core/error.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace greenwave {
namespace {
std::string join_location(const std::string& file, const std::string& where, const std::string& what) {
  std::string out = file.empty() ? std::string("<memory>") : file;
  if (!where.empty()) out += ":" + where;
  return out + ": " + what;
}
}  // namespace

ScenarioError::ScenarioError(const std::string& file, const std::string& where, const std::string& what)
    : std::runtime_error(join_location(file, where, what)), file_(file), where_(where) {}

ConfigError::ConfigError(const std::string& field, const std::string& what)
    : std::runtime_error(field + ": " + what), field_(field) {}

IoError::IoError(const std::string& path, const std::string& action, int error_number)
    : std::runtime_error(path + ": cannot " + action + ": " + std::strerror(error_number)),
      path_(path),
      error_number_(error_number) {}

namespace detail {
void check_failed(const char* expr, const char* file, int line, const char* msg) {
  std::fprintf(stderr, "greenwave: internal check failed: %s (%s) at %s:%d\n", msg, expr, file, line);
  std::abort();
}
}  // namespace detail
}  // namespace greenwave
