// Wall time of the named phases of a longer task (loading a scenario: reading files, parsing,
// each part of compiling), collected on request for `greenwave info --timing` and bench/bench_load.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace greenwave {

/// Seconds spent in one phase: wall time, and the CPU time of the whole process meanwhile (all
/// threads; on a machine shared with other jobs the steadier of the two).
struct PhaseTime {
  double wall = 0;  ///< wall-clock seconds
  double cpu = 0;   ///< process CPU seconds (user + system, every thread)
};

/// Seconds per phase name, in the order each name first ran (a repeated name adds up).
class PhaseTimes {
 public:
  /// Adds `time` to phase `name`.
  void add(const std::string& name, PhaseTime time);
  /// (name, time) in first-run order.
  const std::vector<std::pair<std::string, PhaseTime>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, PhaseTime>> items_;
};

/// Makes ScopedPhase timers on the calling thread add to `times` (nullptr: stop); returns the
/// previous collector.
PhaseTimes* collect_phases(PhaseTimes* times);

/// Adds the wall and process CPU time from its construction to its destruction to phase `name` of
/// the calling thread's collector; costs one pointer test when nothing collects.
class ScopedPhase {
 public:
  /// Starts timing phase `name` (a string literal: it is kept by pointer).
  explicit ScopedPhase(const char* name);
  ~ScopedPhase();
  ScopedPhase(const ScopedPhase&) = delete;
  ScopedPhase& operator=(const ScopedPhase&) = delete;

 private:
  const char* name_;
  PhaseTimes* times_;
  std::chrono::steady_clock::time_point start_;
  double cpu_start_ = 0;
};

}  // namespace greenwave
