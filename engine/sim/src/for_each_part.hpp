// Private to engine/sim: the one way the stages run work on the threads' parts
// (docs/simulator.md, "Parallel step and locality"): for_each_part, work_shared, and the parts'
// shares of slots and items.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>

#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/partitioner.h>
#include <oneapi/tbb/task_arena.h>

#include "greenwave/sim/part_share.hpp"
#include "sim_state.hpp"

namespace greenwave::sim {

inline constexpr std::int32_t kSlotChunk = 64;      ///< vehicle slots per chunk of a work_shared pass
inline constexpr std::int32_t kDrivableChunk = 32;  ///< entries of StepIndex::active per chunk of a work_shared pass

/// Runs fn(p) for every part p: one task per part and thread when `split`, else in order on the
/// calling thread.
template <class Fn>
void for_each_part(const Parts& parts_of, bool split, Fn&& fn) {
  const auto parts = static_cast<std::int32_t>(parts_of.rank_begin.size());
  if (parts == 1 || !split) {
    for (std::int32_t p = 0; p < parts; ++p) fn(p);
    return;
  }
  // One task per part, each part always on the same arena slot (static partitioner), so a
  // thread's per-slot and per-drivable phases work on the same vehicles.
  parts_of.arena->execute([&] {
    tbb::parallel_for(
        0, parts,
        [&](std::int32_t p) { fn(p); },
        tbb::static_partitioner());
  });
}

/// Inside part p's task of for_each_part: offers its items [begin, end) in chunks of `chunk`,
/// runs before() once they are offered (other parts may take them meanwhile), then fn(first,
/// last) over its own chunks from the start, then over chunks taken from the ends of the other
/// parts' ranges. For work whose result does not depend on the thread.
template <class Before, class Fn>
void work_shared(const Parts& parts_of, std::int32_t p, std::int32_t begin, std::int32_t end, std::int32_t chunk, Before&& before, Fn&& fn) {
  const auto parts = static_cast<std::int32_t>(parts_of.rank_begin.size());
  if (parts == 1) {  // nobody to share with
    before();
    fn(begin, end);
    return;
  }
  PartShare* shares = parts_of.shares.get();
  shares[p].offer(begin, end, chunk);
  before();
  for (auto c = shares[p].take_front(); c.first < c.second; c = shares[p].take_front()) fn(c.first, c.second);
  // Done with its own: help the next parts, from the ends of their ranges.
  for (std::int32_t q = 1; q < parts; ++q) {
    PartShare& other = shares[(p + q) % parts];
    for (auto c = other.take_back(); c.first < c.second; c = other.take_back()) fn(c.first, c.second);
  }
}

/// work_shared with nothing to run before the chunks.
template <class Fn>
void work_shared(const Parts& parts_of, std::int32_t p, std::int32_t begin, std::int32_t end, std::int32_t chunk, Fn&& fn) {
  work_shared(parts_of, p, begin, end, chunk, [] {}, fn);
}

/// Part p's equal share [first, last) of n items (for work not tied to the parts' ranges).
inline std::pair<std::int64_t, std::int64_t> equal_share(const Parts& parts_of, std::int64_t n, std::int32_t p) {
  const auto parts = static_cast<std::int64_t>(parts_of.rank_begin.size());
  return {n * p / parts, n * (p + 1) / parts};
}

/// Part p's block of vehicle slots, [first, last).
inline std::pair<std::int32_t, std::int32_t> part_slots(const SimState& st, std::int32_t p) {
  const auto parts = static_cast<std::int32_t>(st.parts.slot_begin.size());
  const std::int32_t n = st.vehicles.size();
  return {std::min(st.parts.slot_begin[p], n), p + 1 < parts ? std::min(st.parts.slot_begin[p + 1], n) : n};
}

}  // namespace greenwave::sim
