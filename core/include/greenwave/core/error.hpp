// Typed errors for loading, configuration and file output, and the invariant-check macro of the step path.
#pragma once

#include <stdexcept>
#include <string>

namespace greenwave {

/// A scenario file or scenario content that cannot be used; the message names the file,
/// the line or JSON path, the offending value and what was expected.
class ScenarioError : public std::runtime_error {
 public:
  /// Builds "FILE:WHERE: WHAT" (WHERE is a line number or a JSON path; either may be empty).
  ScenarioError(const std::string& file, const std::string& where, const std::string& what);
  /// The file at fault ("" for in-memory content).
  const std::string& file() const noexcept { return file_; }
  /// The line ("line 12") or JSON path ("/roads/3/lanes") at fault, or "".
  const std::string& where() const noexcept { return where_; }

 private:
  std::string file_;
  std::string where_;
};

/// A configuration value (command-line option, env config, agent config) that is out of range
/// or malformed; the message names the field and the value.
class ConfigError : public std::runtime_error {
 public:
  /// Builds "FIELD: WHAT".
  ConfigError(const std::string& field, const std::string& what);
  /// The field at fault.
  const std::string& field() const noexcept { return field_; }

 private:
  std::string field_;
};

/// Bad input to an environment step (wrong shape, out-of-range or masked action, stepping a
/// finished episode); thrown before any state changes.
class ActionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// An operating-system error on a file: "PATH: cannot ACTION: REASON", REASON being strerror's
/// text for the errno (e.g. "No space left on device").
class IoError : public std::runtime_error {
 public:
  /// Builds the message from the file, what was being done and the errno value.
  IoError(const std::string& path, const std::string& action, int error_number);
  /// The file at fault.
  const std::string& path() const noexcept { return path_; }
  /// The errno value (ENOSPC, EFBIG, EACCES, ...).
  int error_number() const noexcept { return error_number_; }

 private:
  std::string path_;
  int error_number_;
};

namespace detail {
/// Prints the failed invariant with its location and aborts; never returns.
[[noreturn]] void check_failed(const char* expr, const char* file, int line, const char* msg);
}  // namespace detail

}  // namespace greenwave

/// Checks an internal invariant on any build type; a failure is a greenwave bug, so it aborts
/// with the expression and location instead of throwing through the step path.
#define GW_CHECK(expr, msg)                                                    \
  do {                                                                         \
    if (!(expr)) ::greenwave::detail::check_failed(#expr, __FILE__, __LINE__, msg); \
  } while (false)
