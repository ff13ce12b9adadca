#include "greenwave/core/phase_timing.hpp"

#include <algorithm>
#include <ctime>
#include <utility>

namespace greenwave {
namespace {

thread_local PhaseTimes* collector = nullptr;

/// CPU seconds of the whole process so far.
double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

}  // namespace

void PhaseTimes::add(const std::string& name, PhaseTime time) {
  const auto it = std::find_if(items_.begin(), items_.end(), [&](const auto& item) { return item.first == name; });
  if (it == items_.end()) {
    items_.emplace_back(name, time);
  } else {
    it->second.wall += time.wall;
    it->second.cpu += time.cpu;
  }
}

PhaseTimes* collect_phases(PhaseTimes* times) { return std::exchange(collector, times); }

ScopedPhase::ScopedPhase(const char* name) : name_(name), times_(collector) {
  if (!times_) return;
  start_ = std::chrono::steady_clock::now();
  cpu_start_ = process_cpu_seconds();
}

ScopedPhase::~ScopedPhase() {
  if (!times_) return;
  times_->add(name_, {std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(),
                      process_cpu_seconds() - cpu_start_});
}

}  // namespace greenwave
