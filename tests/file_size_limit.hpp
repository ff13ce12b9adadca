// Fault injection for output tests: a file-size limit (RLIMIT_FSIZE, what `ulimit -f` sets)
// makes every write past `bytes` fail with EFBIG, as a full disk fails with ENOSPC.
#pragma once

#include <sys/resource.h>

#include <csignal>
#include <cstddef>

namespace greenwave::testing {

/// Lowers this process's file-size limit to `bytes` for its lifetime. SIGXFSZ is ignored
/// meanwhile, so a write past the limit returns EFBIG instead of killing the process.
class FileSizeLimit {
 public:
  /// Applies the limit (the soft one; the hard limit is kept so it can be raised back).
  explicit FileSizeLimit(std::size_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    rlimit lowered = saved_;
    lowered.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &lowered);
    previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);
  }
  /// Restores the previous limit and SIGXFSZ handler.
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, previous_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit saved_{};
  void (*previous_handler_)(int) = SIG_DFL;
};

}  // namespace greenwave::testing
