// Private to engine/sim: Simulator::for_each_part, the one way the step runs work on the
// threads' parts (docs/simulator.md, "Parallel step and locality").
#pragma once

#include <cstdint>

#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/partitioner.h>
#include <oneapi/tbb/task_arena.h>

#include "greenwave/sim/part_share.hpp"
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
        [&](std::int32_t p) { fn(p); },
        tbb::static_partitioner());
  });
}

template <class Before, class Fn>
void Simulator::work_shared(std::int32_t p, std::int32_t begin, std::int32_t end, std::int32_t chunk, Before&& before, Fn&& fn) {
  const auto parts = static_cast<std::int32_t>(part_rank_begin_.size());
  if (parts == 1) {  // nobody to share with
    before();
    fn(begin, end);
    return;
  }
  shares_[p].offer(begin, end, chunk);
  before();
  for (auto c = shares_[p].take_front(); c.first < c.second; c = shares_[p].take_front()) fn(c.first, c.second);
  // Done with its own: help the next parts, from the ends of their ranges.
  for (std::int32_t q = 1; q < parts; ++q) {
    PartShare& other = shares_[(p + q) % parts];
    for (auto c = other.take_back(); c.first < c.second; c = other.take_back()) fn(c.first, c.second);
  }
}

template <class Fn>
void Simulator::work_shared(std::int32_t p, std::int32_t begin, std::int32_t end, std::int32_t chunk, Fn&& fn) {
  work_shared(p, begin, end, chunk, [] {}, fn);
}

}  // namespace greenwave
