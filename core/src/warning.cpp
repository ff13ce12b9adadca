#include "greenwave/core/warning.hpp"

#include <cstdio>
#include <mutex>
#include <utility>

namespace greenwave {
namespace {
std::mutex& handler_mutex() {
  static std::mutex m;
  return m;
}
WarningHandler& current_handler() {
  static WarningHandler h;
  return h;
}
}  // namespace

void warn(const std::string& message) {
  WarningHandler handler;
  {
    const std::lock_guard lock(handler_mutex());
    handler = current_handler();
  }
  if (handler) {
    handler(message);
  } else {
    std::fprintf(stderr, "greenwave: warning: %s\n", message.c_str());
  }
}

WarningHandler set_warning_handler(WarningHandler handler) {
  const std::lock_guard lock(handler_mutex());
  return std::exchange(current_handler(), std::move(handler));
}

}  // namespace greenwave
