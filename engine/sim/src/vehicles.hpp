// Private to engine/sim: the vehicles group of SimState (sim_state.hpp), per-slot columns in
// struct-of-arrays, and the markers its columns hold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace greenwave::sim {

/// Below this speed (m/s) a vehicle is queued (CityFlow).
inline constexpr double kQueueSpeed = 0.1;
/// Tolerance of time comparisons (departures, green and clearance times), seconds.
inline constexpr double kEps = 1e-8;

/// Marks a free vehicle slot in Vehicles::drivable.
inline constexpr std::int32_t kFree = -1;
/// Marks a vehicle that departed but waits in its entry lane's queue.
inline constexpr std::int32_t kWaiting = -2;

/// Vehicles::last_change of a vehicle that has not changed lanes.
inline constexpr double kNeverChanged = -1e300;
/// Steps between two renumberings of the vehicle slots (locality.cpp).
inline constexpr std::int64_t kRenumberPeriod = 50;

/// Vehicles::enter_link_step of a vehicle that is not on a movement.
inline constexpr std::int32_t kNotOnLink = std::numeric_limits<std::int32_t>::max();

/// Vehicle state in struct-of-arrays; a slot is reused after its vehicle finishes, and slots are
/// renumbered in drivable order every kRenumberPeriod steps (locality.cpp).
struct Vehicles {
  // committed state
  std::vector<std::int32_t> drivable;   // kFree, kWaiting, or a drivable id
  std::vector<std::int32_t> route_pos;  // index in the route of the current (or last) road
  std::vector<double> dis, speed;
  std::vector<std::int32_t> route, type;
  std::vector<std::int32_t> id;         // index in Demand::departures: the vehicle's stable identity
  std::vector<double> enter;            // time it entered its first lane (its departure: Demand::departures[id])
  std::vector<std::uint32_t> priority;  // a random draw (its high 32 bits) for conflict ties
  std::vector<std::int32_t> enter_link_step;  // step it entered its movement (kNotOnLink if not on one)
  std::vector<double> wait;             // seconds queued since it entered its current lane
  std::vector<std::int32_t> leader, blocker;
  std::vector<double> gap;
  std::vector<double> last_change;      // time of the last lane change (lane_change on)
  // next-state buffer (written by the parallel action phase). Between steps n_speed and n_dis
  // are dead (written before any read), so renumbering uses their storage as scratch; n_drivable
  // keeps a waiting vehicle's entry lane.
  std::vector<double> n_speed, n_dis;
  std::vector<std::int32_t> n_drivable, n_route_pos, n_blocker;
  std::vector<std::uint8_t> n_finished;
  std::vector<std::int32_t> free_slots;

  /// Calls f on every per-slot column of `self` (a Vehicles, const or not) that renumbering
  /// permutes: all but n_speed and n_dis.
  template <class Self, class F>
  static void permuted_columns(Self& self, F&& f) {
    f(self.drivable), f(self.route_pos), f(self.dis), f(self.speed), f(self.route), f(self.type), f(self.id);
    f(self.enter), f(self.priority), f(self.enter_link_step), f(self.wait), f(self.leader);
    f(self.blocker), f(self.gap), f(self.last_change), f(self.n_drivable), f(self.n_route_pos), f(self.n_blocker);
    f(self.n_finished);
  }
  /// Calls f on every per-slot column of `self`.
  template <class Self, class F>
  static void columns(Self& self, F&& f) {
    permuted_columns(self, f);
    f(self.n_speed), f(self.n_dis);
  }
  /// Number of slots (free ones included).
  std::int32_t size() const { return static_cast<std::int32_t>(drivable.size()); }
  /// Empties every array, keeping its allocation (the high-water mark of earlier episodes).
  void clear() {
    columns(*this, [](auto& c) { c.clear(); });
    free_slots.clear();
  }
  /// Raises every array's capacity to at least n slots.
  void reserve(std::size_t n) {
    columns(*this, [n](auto& c) { c.reserve(n); });
    free_slots.reserve(n);
  }
  /// Sets the number of slots to n (new ones value-initialised; capacity permitting, no allocation).
  void resize(std::size_t n) {
    columns(*this, [n](auto& c) { c.resize(n); });
  }
  /// Heap bytes the arrays hold (capacity, not size): part of Simulator::state_bytes().
  std::size_t allocated_bytes() const {
    std::size_t n = free_slots.capacity() * sizeof(std::int32_t);
    columns(*this, [&n](const auto& c) { n += c.capacity() * sizeof(c[0]); });
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
    resize(static_cast<std::size_t>(s) + 1);
    last_change[s] = kNeverChanged;
    return s;
  }
};

}  // namespace greenwave::sim
