// Private to engine/sim: Simulator::for_each_part, the one way the step runs work on the
// threads' parts (docs/simulator.md, "Parallel step and locality").
#pragma once

#include <chrono>
#include <cstdint>

#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/partitioner.h>
#include <oneapi/tbb/task_arena.h>

#include "greenwave/sim/simulator.hpp"

namespace greenwave {

template <class Fn>
void Simulator::for_each_part(bool split, Fn&& fn) {
  const auto parts = static_cast<std::int32_t>(part_rank_begin_.size());
  if (parts == 1 || !split) {
    for (std::int32_t p = 0; p < parts; ++p) fn(p);
    return;
  }
  // One task per part, each part always on the same arena slot (static partitioner), so a
  // thread's per-slot and per-drivable phases work on the same vehicles.
  arena_->execute([&] {
    tbb::parallel_for(
        0, parts,
        [&](std::int32_t p) {
          const auto start = std::chrono::steady_clock::now();
          fn(p);
          part_clock_[static_cast<std::size_t>(p)].seconds +=
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        },
        tbb::static_partitioner());
  });
}

}  // namespace greenwave
