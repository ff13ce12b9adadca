// Warnings: conditions a user should know about that do not stop the run (a file found by a
// fallback rule, a roadnet without demand). Libraries report them here; the front end decides
// where they go.
#pragma once

#include <functional>
#include <string>

namespace greenwave {

/// Receives one warning as a one-line message.
using WarningHandler = std::function<void(const std::string& message)>;

/// Reports `message` to the current handler (by default: "greenwave: warning: MESSAGE" on stderr).
void warn(const std::string& message);

/// Installs `handler` (an empty one restores the default) and returns the previous handler.
WarningHandler set_warning_handler(WarningHandler handler);

}  // namespace greenwave
