// Private to engine/sim: the simulator's vehicle state in struct-of-arrays, shared by the step
// pipeline (simulator.cpp), lane changing (lane_change.cpp) and snapshots (snapshot.cpp).
#pragma once

#include <cstdint>
#include <vector>

#include "greenwave/sim/simulator.hpp"

namespace greenwave {

/// Marks a free vehicle slot in Simulator::Vehicles::drivable.
inline constexpr std::int32_t kFree = -1;
/// Marks a vehicle that departed but waits in its entry lane's queue.
inline constexpr std::int32_t kWaiting = -2;

/// Vehicles::last_change of a vehicle that has not changed lanes.
inline constexpr double kNeverChanged = -1e300;

/// Vehicle state in struct-of-arrays; a slot is reused after its vehicle finishes.
struct Simulator::Vehicles {
  // committed state
  std::vector<std::int32_t> drivable;   // kFree, kWaiting, or a drivable id
  std::vector<std::int32_t> route_pos;  // index in the route of the current (or last) road
  std::vector<double> dis, speed;
  std::vector<std::int32_t> route, type;
  std::vector<double> depart, enter;    // scheduled departure; time it entered its first lane
  std::vector<std::uint64_t> priority;
  std::vector<std::int64_t> enter_link_step;
  std::vector<double> wait;             // seconds queued, accumulated
  std::vector<std::int32_t> leader, blocker;
  std::vector<double> gap;
  std::vector<double> last_change;      // time of the last lane change (lane_change on)
  // next-state buffer (written by the parallel action phase)
  std::vector<double> n_speed, n_dis;
  std::vector<std::int32_t> n_drivable, n_route_pos, n_blocker;
  std::vector<std::uint8_t> n_finished;
  std::vector<std::int32_t> free_slots;

  /// Number of slots (free ones included).
  std::int32_t size() const { return static_cast<std::int32_t>(drivable.size()); }
  /// Empties every array, keeping its allocation (the high-water mark of earlier episodes).
  void clear() {
    for (auto* v : {&drivable, &route_pos, &route, &type, &leader, &blocker, &n_drivable, &n_route_pos, &n_blocker, &free_slots})
      v->clear();
    for (auto* v : {&dis, &speed, &depart, &enter, &wait, &gap, &last_change, &n_speed, &n_dis}) v->clear();
    priority.clear();
    enter_link_step.clear();
    n_finished.clear();
  }
  /// Raises every column's capacity to at least n slots.
  void reserve(std::size_t n) {
    for (auto* v : {&drivable, &route_pos, &route, &type, &leader, &blocker, &n_drivable, &n_route_pos, &n_blocker, &free_slots})
      v->reserve(n);
    for (auto* v : {&dis, &speed, &depart, &enter, &wait, &gap, &last_change, &n_speed, &n_dis}) v->reserve(n);
    priority.reserve(n);
    enter_link_step.reserve(n);
    n_finished.reserve(n);
  }
  /// Heap bytes the arrays hold (capacity, not size): part of Simulator::state_bytes().
  std::size_t allocated_bytes() const {
    std::size_t n = priority.capacity() * sizeof(std::uint64_t) + enter_link_step.capacity() * sizeof(std::int64_t) + n_finished.capacity();
    for (const auto* v : {&drivable, &route_pos, &route, &type, &leader, &blocker, &n_drivable, &n_route_pos, &n_blocker, &free_slots})
      n += v->capacity() * sizeof(std::int32_t);
    for (const auto* v : {&dis, &speed, &depart, &enter, &wait, &gap, &last_change, &n_speed, &n_dis}) n += v->capacity() * sizeof(double);
    return n;
  }
  /// A slot for a new vehicle: the most recently freed one, else a new one at the end.
  std::int32_t allocate() {
    if (!free_slots.empty()) {
      const std::int32_t s = free_slots.back();
      free_slots.pop_back();
      last_change[s] = kNeverChanged;
      return s;
    }
    const std::int32_t s = size();
    // Grow every column together by a quarter when full, so the slots' memory stays within 1.25x of
    // the most vehicles held at once (not the number of departures).
    if (drivable.size() == drivable.capacity()) reserve(drivable.size() + drivable.size() / 4 + 16);
    for (auto* v : {&drivable, &route_pos, &route, &type, &leader, &blocker, &n_drivable, &n_route_pos, &n_blocker})
      v->push_back(kFree);
    for (auto* v : {&dis, &speed, &depart, &enter, &wait, &gap, &n_speed, &n_dis}) v->push_back(0);
    last_change.push_back(kNeverChanged);
    priority.push_back(0);
    enter_link_step.push_back(0);
    n_finished.push_back(0);
    return s;
  }
};

}  // namespace greenwave
