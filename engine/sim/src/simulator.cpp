// The native simulator's step pipeline (see docs/architecture.md and docs/simulator.md).
#include "greenwave/sim/simulator.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <limits>
#include <utility>
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>

#include "greenwave/core/error.hpp"
#include "for_each_part.hpp"
#include "vehicles.hpp"

namespace greenwave {
namespace {
constexpr double kEps = 1e-8;
constexpr double kQueueSpeed = 0.1;     // m/s: below this a vehicle is queued (CityFlow)
constexpr double kTurnSpeed = 8.3333;   // m/s on turning movements (CityFlow's default)
constexpr double kYieldDistance = 5.0;  // m: stop this far before a crossing when yielding
constexpr double kEnterSpeedFree = 2.0; // m/s: a lane whose tail moves this fast can be entered
constexpr std::int32_t kSlotChunk = 64;     // vehicle slots per chunk of a work_shared pass
constexpr std::int32_t kDrivableChunk = 32; // entries of active_ per chunk of a work_shared pass

/// Appends ids to a shared array from one thread's range of a parallel phase: entries are
/// buffered and the shared cursor is advanced once per batch, so threads rarely contend on it.
class BatchAppender {
 public:
  /// Appends to out[cursor++] (out must have room for every entry appended).
  BatchAppender(std::int32_t* out, std::atomic<std::int32_t>& cursor) : out_(out), cursor_(cursor) {}
  BatchAppender(const BatchAppender&) = delete;
  BatchAppender& operator=(const BatchAppender&) = delete;
  ~BatchAppender() { flush(); }
  /// Appends one id (in batches: the order in the shared array is unspecified).
  void push(std::int32_t x) {
    buf_[n_++] = x;
    if (n_ == kBatch) flush();
  }
  /// Writes the buffered ids out.
  void flush() {
    if (n_ == 0) return;
    const std::int32_t at = cursor_.fetch_add(n_, std::memory_order_relaxed);
    std::copy(buf_, buf_ + n_, out_ + at);
    n_ = 0;
  }

 private:
  static constexpr std::int32_t kBatch = 64;
  std::int32_t* out_;
  std::atomic<std::int32_t>& cursor_;
  std::int32_t buf_[kBatch];
  std::int32_t n_ = 0;
};
}  // namespace

std::size_t Simulator::bytes_per_vehicle() {
  // drivable, route_pos, route, type, id, enter_link_step, leader, blocker, n_drivable,
  // n_route_pos, n_blocker (11 x 4) + dis, speed, enter, wait, gap, last_change, n_speed, n_dis
  // (8 x 8) + priority (4) + n_finished (1) + a slot in one drivable list (4) + free_slots,
  // movers_ and next_ entries (3 x 4).
  return 11 * 4 + 8 * 8 + 4 + 1 + 4 + 3 * 4;
}

namespace {
/// Heap bytes a vector holds (its capacity).
template <class V>
std::size_t heap_bytes(const V& v) {
  return v.capacity() * sizeof(typename V::value_type);
}
}  // namespace

std::size_t Simulator::vehicle_state_bytes() const {
  std::size_t n = veh_->allocated_bytes() + heap_bytes(movers_) + heap_bytes(mover_keys_) + heap_bytes(moving_bits_) + heap_bytes(next_);
  n += lists_.pool_bytes();
  for (const auto& queue : lane_entry_queue_) n += queue.capacity() * sizeof(std::int32_t);
  return n;
}

std::size_t Simulator::state_bytes() const {
  return vehicle_state_bytes() + lists_.index_bytes() + heap_bytes(lane_entry_queue_) + heap_bytes(lane_entry_waiting_) + heap_bytes(entry_queued_bits_) +
         heap_bytes(occupied_bits_) + heap_bytes(active_bits_) + heap_bytes(lane_out_occupied_) + heap_bytes(active_) + heap_bytes(rank_order_) +
         heap_bytes(rank_of_) + heap_bytes(part_rank_begin_) + heap_bytes(part_slot_begin_) + heap_bytes(active_end_) + heap_bytes(renumber_bases_) + heap_bytes(notified_) + heap_bytes(entry_lanes_) +
         heap_bytes(phase_) + heap_bytes(in_clearance_) + heap_bytes(clearance_left_) + heap_bytes(time_in_phase_) +
         heap_bytes(movement_open_) + heap_bytes(conflict_mirror_) + heap_bytes(movement_claimed_) + heap_bytes(drivable_length_) + heap_bytes(drivable_speed_limit_) + heap_bytes(notify_vehicle_) + heap_bytes(notify_distance_) +
         heap_bytes(lane_count_) + heap_bytes(lane_queue_) + heap_bytes(lane_speed_sum_) + heap_bytes(lane_wait_sum_) +
         heap_bytes(lane_departures_) + heap_bytes(lane_hanging_) + heap_bytes(lane_front_next_) + heap_bytes(samples_);
}

Simulator::Simulator(std::shared_ptr<const CompiledScenario> scenario, SimOptions options)
    : scenario_(std::move(scenario)),
      net_(&scenario_->network),
      demand_(&scenario_->demand),
      dt_(scenario_->settings.dt),
      parallel_min_items_(options.parallel_min_items),
      veh_(std::make_unique<Vehicles>()) {
  set_threads(options.threads);
  const RoadNetwork& net = *net_;
  drivable_length_.reserve(static_cast<std::size_t>(net.num_lanes() + net.num_movements()));
  drivable_speed_limit_.reserve(drivable_length_.capacity());
  for (LaneId l = 0; l < net.num_lanes(); ++l) {
    drivable_length_.push_back(net.lane_length[l]);
    drivable_speed_limit_.push_back(net.lane_speed_limit[l]);
  }
  for (MovementId m = 0; m < net.num_movements(); ++m) {
    drivable_length_.push_back(net.movement_length[m]);
    drivable_speed_limit_.push_back(net.movement_speed_limit[m]);
  }
  // Mirror of each conflict entry: the entry on the other movement that describes the same crossing.
  conflict_mirror_.assign(net.conflicts.size(), kNone);
  for (MovementId m = 0; m < net.num_movements(); ++m) {
    for (std::int32_t c = net.movement_conflict_begin[m]; c < net.movement_conflict_begin[m + 1]; ++c) {
      const Conflict& cf = net.conflicts[c];
      for (std::int32_t d = net.movement_conflict_begin[cf.other]; d < net.movement_conflict_begin[cf.other + 1]; ++d)
        if (net.conflicts[d].other == m && net.conflicts[d].distance == cf.other_distance) conflict_mirror_[c] = d;
      GW_CHECK(conflict_mirror_[c] != kNone, "conflict without mirror");
    }
  }
  // Lanes a departure may enter: the lanes of every route's first road (enter_waiting visits only these).
  std::vector<std::uint8_t> entry(static_cast<std::size_t>(net.num_lanes()), 0);
  for (const Departure& d : demand_->departures) {
    scheduled_in_horizon_ += d.time < scenario_->settings.horizon;
    for (const LaneId l : net.lanes_of(demand_->route(d.route)[0])) entry[l] = 1;
  }
  for (LaneId l = 0; l < net.num_lanes(); ++l)
    if (entry[l]) entry_lanes_.push_back(l);
  for (const VehicleType& vt : demand_->vehicle_types) {
    type_reach_.push_back(vt.max_speed * vt.max_speed / vt.usual_neg_acc / 2 + vt.max_speed * dt_ * 2);
    type_max_brake_.push_back(FollowerBrake::of(vt.max_neg_acc));
    type_usual_brake_.push_back(FollowerBrake::of(vt.usual_neg_acc));
  }
  int exponent = 0;
  dt_power_of_two_ = std::frexp(dt_, &exponent) == 0.5;
  inverse_dt_ = 1 / dt_;
  build_rank_order();
  reset(scenario_->settings.seed);
}

Simulator::~Simulator() = default;

void Simulator::set_threads(int threads) {
  if (threads < 1) throw ConfigError("threads", "expected a positive thread count, got " + std::to_string(threads));
  threads_ = threads;
  arena_ = std::make_unique<tbb::task_arena>(threads);
  shares_ = std::make_unique<PartShare[]>(static_cast<std::size_t>(threads));
  // TBB allocates when an arena first runs work: do it now, not in the first parallel step.
  if (threads > 1) arena_->execute([] { tbb::parallel_for(0, 2, [](int) {}); });
  if (!rank_order_.empty()) compute_parts();  // else the constructor computes them at reset
}

std::pair<std::int64_t, std::int64_t> Simulator::equal_share(std::int64_t n, std::int32_t p) const {
  const auto parts = static_cast<std::int64_t>(part_rank_begin_.size());
  return {n * p / parts, n * (p + 1) / parts};
}

std::pair<std::int32_t, std::int32_t> Simulator::part_slots(std::int32_t p) const {
  const auto parts = static_cast<std::int32_t>(part_slot_begin_.size());
  const std::int32_t n = veh_->size();
  return {std::min(part_slot_begin_[p], n), p + 1 < parts ? std::min(part_slot_begin_[p + 1], n) : n};
}

void Simulator::reset(std::uint64_t seed) {
  const RoadNetwork& net = *net_;
  rng_.reseed(seed);
  step_count_ = 0;
  next_departure_ = 0;
  clear_growable_state();
  lane_entry_waiting_.assign(net.num_lanes(), 0);
  phase_.assign(net.num_intersections(), 0);
  in_clearance_.assign(net.num_intersections(), 0);
  clearance_left_.assign(net.num_intersections(), 0);
  time_in_phase_.assign(net.num_intersections(), 0);
  movement_open_.assign(net.num_movements(), 0);
  lane_count_.assign(net.num_lanes(), 0);
  lane_queue_.assign(net.num_lanes(), 0);
  lane_speed_sum_.assign(net.num_lanes(), 0);
  lane_wait_sum_.assign(net.num_lanes(), 0);
  lane_departures_.assign(net.num_lanes(), 0);
  departed_ = entered_ = finished_ = running_ = vehicle_updates_ = lane_changes_ = 0;
  finished_travel_time_ = finished_delay_index_ = 0;
  rebuild_step_index();
  update_signals();
}

void Simulator::rebuild_step_index() {
  const RoadNetwork& net = *net_;
  const std::int32_t drivables = lists_.count();
  const Vehicles& s = *veh_;
  grow_slot_scratch();
  next_.assign(static_cast<std::size_t>(s.size()), kNone);
  for (std::int32_t v = 0; v < s.size(); ++v)
    if (s.drivable[v] >= 0) refresh_next(v);
  entry_queued_bits_.assign((static_cast<std::size_t>(net.num_lanes()) + 63) / 64, 0);
  for (const LaneId l : entry_lanes_)
    if (!lane_entry_queue_[l].empty()) entry_queued_bits_[static_cast<std::size_t>(l) >> 6] |= std::uint64_t{1} << (l & 63);
  lane_hanging_.assign(static_cast<std::size_t>(net.num_lanes()), kNone);
  lane_front_next_.assign(static_cast<std::size_t>(net.num_lanes()), kNone);
  for (LaneId l = 0; l < net.num_lanes(); ++l) {
    lane_hanging_[l] = tail_hangs_from(l);
    if (!lists_[l].empty()) lane_front_next_[l] = next_[lists_[l].front()];
  }
  occupied_bits_.assign((static_cast<std::size_t>(drivables) + 63) / 64, 0);
  active_bits_.assign(occupied_bits_.size(), 0);
  lane_out_occupied_.assign(static_cast<std::size_t>(net.num_lanes()), 0);
  for (std::int32_t d = 0; d < drivables; ++d)
    if (!lists_[d].empty()) mark_occupied(d);
  active_.assign(static_cast<std::size_t>(drivables), kNone);
  active_count_ = 0;
  compute_parts();  // and refresh_active
  // No conflict claims between steps (the leaver pass clears them once the actions read them).
  notify_vehicle_.assign(net.conflicts.size(), kNone);
  movement_claimed_.assign(static_cast<std::size_t>(net.num_movements()), Claimed::kNo);
  notify_distance_.assign(net.conflicts.size(), 0);
  notified_.assign(static_cast<std::size_t>(net.num_movements()), kNone);
  notified_count_ = 0;
}

void Simulator::refresh_part(std::int32_t p) {
  const auto parts = static_cast<std::int32_t>(part_rank_begin_.size());
  const auto words = static_cast<std::int32_t>(active_bits_.size());
  // Part p owns the bitmap words of its ranks (cuts are multiples of 64 ranks, or the end), and
  // active_ from its first rank on.
  auto first_word = [&](std::int32_t q) { return q < parts ? (part_rank_begin_[q] + 63) / 64 : words; };
  std::int32_t k = part_rank_begin_[p];
  for (std::int32_t w = first_word(p); w < first_word(p + 1); ++w)
    for (std::uint64_t bits = active_bits_[w]; bits != 0; bits &= bits - 1) active_[k++] = rank_order_[w * 64 + std::countr_zero(bits)];
  active_end_[p] = k;
}

void Simulator::unmark_emptied(std::int32_t d) {
  // Both bitmaps' words are shared: by drivable id between parts, and by rank between the
  // chunks of one part's range that another part takes over.
  const std::int32_t r = rank_of_[d];
  std::atomic_ref<std::uint64_t>(active_bits_[static_cast<std::size_t>(r) >> 6]).fetch_and(~(std::uint64_t{1} << (r & 63)), std::memory_order_relaxed);
  std::atomic_ref<std::uint64_t>(occupied_bits_[static_cast<std::size_t>(d) >> 6]).fetch_and(~(std::uint64_t{1} << (d & 63)), std::memory_order_relaxed);
  const std::int32_t lanes = net_->num_lanes();
  if (d < lanes) {
    lane_count_[d] = lane_queue_[d] = 0;
    lane_speed_sum_[d] = lane_wait_sum_[d] = 0;
    lane_hanging_[d] = kNone;
  } else {
    // Movements from one lane may be emptied by different parts.
    std::atomic_ref<std::int32_t>(lane_out_occupied_[net_->movement_from_lane[d - lanes]]).fetch_sub(1, std::memory_order_relaxed);
  }
}

void Simulator::count_active() {
  newly_occupied_ = false;
  active_count_ = 0;
  for (std::size_t p = 0; p < active_end_.size(); ++p) active_count_ += active_end_[p] - part_rank_begin_[p];
}

void Simulator::refresh_active(bool split) {
  for_each_part(split, [&](std::int32_t p) { refresh_part(p); });
  count_active();
}

bool Simulator::demand_done() const {
  return next_departure_ >= demand_->departures.size() && running_ == 0 && departed_ == entered_;
}

PhaseRequest Simulator::request_phase(IntersectionId i, std::int32_t phase) {
  GW_CHECK(phase >= 0 && phase < net_->phase_count(i), "phase out of range (the env validates actions)");
  if (phase == phase_[i]) return PhaseRequest::Kept;
  if (in_clearance_[i]) return PhaseRequest::InClearance;
  if (time_in_phase_[i] + kEps < scenario_->settings.min_green) return PhaseRequest::TooEarly;
  phase_[i] = phase;
  time_in_phase_[i] = 0;
  clearance_left_[i] = scenario_->settings.yellow;
  in_clearance_[i] = clearance_left_[i] > kEps;
  update_signals_at(i);
  return PhaseRequest::Switched;
}

SignalState Simulator::signal(IntersectionId i) const { return {phase_[i], in_clearance_[i] != 0, time_in_phase_[i]}; }

void Simulator::update_signals() {
  for (IntersectionId i = 0; i < net_->num_intersections(); ++i) update_signals_at(i);
}

void Simulator::update_signals_at(IntersectionId i) {
  const RoadNetwork& net = *net_;
  const MovementId first = net.intersection_movement_begin[i], last = net.intersection_movement_begin[i + 1];
  // The phase's green flags for the intersection's movements, in order (none in clearance).
  const bool phase_rules = net.intersection_signalized[i] && !in_clearance_[i];
  const std::uint8_t* green =
      phase_rules ? net.phase_green.data() + net.phase_green_begin[net.intersection_phase_begin[i] + phase_[i]] : nullptr;
  for (MovementId m = first; m < last; ++m) {
    const bool open = net.movement_always_green[m] != 0 || (green != nullptr && green[m - first] != 0);
    movement_open_[m] = open ? 1 : 0;
  }
}

void Simulator::advance_signal_timers(IntersectionId first, IntersectionId last) {
  for (IntersectionId i = first; i < last; ++i) {
    time_in_phase_[i] += dt_;
    if (in_clearance_[i]) {
      clearance_left_[i] -= dt_;
      if (clearance_left_[i] <= kEps) {
        in_clearance_[i] = 0;
        update_signals_at(i);
      }
    }
  }
}

// ---------------------------------------------------------------- path planning

Simulator::Cursor Simulator::next_drivable(std::int32_t v, Cursor at) const {
  const RoadNetwork& net = *net_;
  const std::int32_t lanes = net.num_lanes();
  if (at.drivable >= lanes) return {net.movement_to_lane[at.drivable - lanes], at.route_pos + 1};
  const auto route = demand_->route(veh_->route[v]);
  const std::int32_t p = at.route_pos;
  if (p + 1 >= static_cast<std::int32_t>(route.size())) return {kNone, p};
  const RoadId next_road = route[p + 1];
  const RoadId after = p + 2 < static_cast<std::int32_t>(route.size()) ? route[p + 2] : kNone;
  // CityFlow's choice: among links to the next road (preferring those whose end lane continues
  // to the road after), the one whose end lane index is closest to the current lane index.
  MovementId best = kNone, best_any = kNone;
  int best_diff = std::numeric_limits<int>::max(), best_any_diff = best_diff;
  const int cur_index = net.lane_index[at.drivable];
  for (MovementId m : net.movements_from(at.drivable)) {
    const LaneId to = net.movement_to_lane[m];
    if (net.lane_road[to] != next_road) continue;
    const int diff = std::abs(net.lane_index[to] - cur_index);
    if (diff < best_any_diff) best_any_diff = diff, best_any = m;
    if (after != kNone) {
      bool continues = false;
      for (MovementId m2 : net.movements_from(to)) continues = continues || net.lane_road[net.movement_to_lane[m2]] == after;
      if (!continues) continue;
    }
    if (diff < best_diff) best_diff = diff, best = m;
  }
  if (best == kNone) best = best_any;
  if (best == kNone) return {kNone, p};
  return {lanes + best, p};
}

Simulator::Cursor Simulator::next_of(std::int32_t v) const {
  const std::int32_t n = next_[v];
  return {n, veh_->route_pos[v] + (n != kNone && n < net_->num_lanes() ? 1 : 0)};
}

void Simulator::refresh_next(std::int32_t v) {
  next_[v] = next_drivable(v, {veh_->drivable[v], veh_->route_pos[v]}).drivable;
}

// ---------------------------------------------------------------- step phases

void Simulator::spawn() {
  const RoadNetwork& net = *net_;
  const double now = time();
  const auto& deps = demand_->departures;
  while (next_departure_ < deps.size() && deps[next_departure_].time <= now + kEps) {
    const Departure& d = deps[next_departure_++];
    const auto route = demand_->route(d.route);
    // First lane: uniformly among the lanes of the first road that lead to the second.
    LaneId candidates[64];
    int n = 0;
    for (LaneId l : net.lanes_of(route[0])) {
      bool ok = route.size() == 1;
      for (MovementId m : net.movements_from(l)) ok = ok || net.lane_road[net.movement_to_lane[m]] == route[1];
      if (ok && n < 64) candidates[n++] = l;
    }
    if (n == 0) for (LaneId l : net.lanes_of(route[0])) if (n < 64) candidates[n++] = l;
    const LaneId lane = candidates[rng_.below(static_cast<std::uint64_t>(n))];
    const std::int32_t v = veh_->allocate();
    Vehicles& s = *veh_;
    grow_slot_scratch();
    if (next_.size() < static_cast<std::size_t>(s.size())) next_.resize(static_cast<std::size_t>(s.size()), kNone);
    s.drivable[v] = kWaiting;
    s.route_pos[v] = 0;
    s.route[v] = d.route;
    s.id[v] = static_cast<std::int32_t>(next_departure_ - 1);
    s.type[v] = d.vehicle_type;
    s.enter[v] = now;
    s.dis[v] = 0;
    s.speed[v] = 0;
    s.wait[v] = 0;
    s.priority[v] = static_cast<std::uint32_t>(rng_.next() >> 32);
    s.enter_link_step[v] = kNotOnLink;
    s.leader[v] = s.blocker[v] = kNone;
    s.n_drivable[v] = lane;  // remembers the chosen entry lane while waiting
    lane_entry_queue_[lane].push_back(v);
    ++lane_entry_waiting_[lane];
    entry_queued_bits_[static_cast<std::size_t>(lane) >> 6] |= std::uint64_t{1} << (lane & 63);
    ++departed_;
  }
}

void Simulator::enter_waiting() {
  const double now = time();
  for (std::size_t w = 0; w < entry_queued_bits_.size(); ++w) {
    for (std::uint64_t bits = entry_queued_bits_[w]; bits != 0; bits &= bits - 1) {
      const LaneId l = static_cast<LaneId>(w * 64) + std::countr_zero(bits);
      enter_first_waiting(l, now);
    }
  }
}

void Simulator::enter_first_waiting(LaneId l, double now) {
  Vehicles& s = *veh_;
  auto& queue = lane_entry_queue_[l];
  const std::int32_t v = queue.front();
  const VehicleType& vt = demand_->vehicle_types[s.type[v]];
  const std::int32_t tail = lists_.empty(l) ? kNone : lists_.back(l);
  if (tail != kNone && !(s.dis[tail] > demand_->vehicle_types[s.type[tail]].length + vt.min_gap)) return;
  queue.pop_front();
  --lane_entry_waiting_[l];
  if (queue.empty()) entry_queued_bits_[static_cast<std::size_t>(l) >> 6] &= ~(std::uint64_t{1} << (l & 63));
  s.drivable[v] = l;
  refresh_next(v);
  s.enter[v] = now;
  lists_.push_back(l, v);
  if (tail == kNone) lane_front_next_[l] = next_[v];
  mark_occupied(l);
  ++entered_;
  ++running_;
  leader_of(v, tail);
}

void Simulator::notify_conflicts() {
  const RoadNetwork& net = *net_;
  const std::int32_t lanes = net.num_lanes();
  const Vehicles& s = *veh_;
  // Every entry is kNone here: the leaver pass cleared the ones set last step.
  std::atomic<std::int32_t> notified{0};
  // Sets the entries of movement m; `front_enters`: the first vehicle of its start lane takes it
  // next and it is open. `hanging`: lane_hanging_ of m's end lane.
  auto notify_movement = [&](BatchAppender& out, MovementId m, bool front_enters, RoadId hanging) {
    const std::int32_t c0 = net.movement_conflict_begin[m], c1 = net.movement_conflict_begin[m + 1];
    std::int32_t c = c1 - 1;  // walk the crossings from the far end back (CityFlow's order)
    auto notify = [&](std::int32_t veh, double distance) {
      if (c == c1 - 1) out.push(m);
      notify_vehicle_[c] = veh;
      notify_distance_[c] = distance;
      // Parts may mark the same movement at once (each stores 1).
      std::atomic_ref<Claimed>(movement_claimed_[net.conflicts[c].other]).store(Claimed::kYes, std::memory_order_relaxed);
      --c;
    };
    const double link_len = net.movement_length[m];
    // 1. the last vehicle on the end lane, if it came through this movement and its tail is still over crossings
    // (it came from this movement when its previous road's lane feeds this movement: approximated by its route)
    if (hanging != kNone && hanging == net.lane_road[net.movement_from_lane[m]]) {
      const std::int32_t v = lists_[net.movement_to_lane[m]].back();
      const double tail = s.dis[v] - demand_->vehicle_types[s.type[v]].length;
      while (c >= c0) {
        const double cross_distance = link_len - net.conflicts[c].distance;
        if (cross_distance + tail < net.conflicts[c].leave_distance) notify(v, -(s.dis[v] + cross_distance));
        else break;
      }
    }
    // 2. vehicles on the movement, front first
    for (const std::int32_t v : lists_[lanes + m]) {
      const double d = s.dis[v];
      const double len = demand_->vehicle_types[s.type[v]].length;
      while (c >= c0) {
        const double cross_distance = net.conflicts[c].distance;
        if (d > cross_distance) {
          if (d - cross_distance - len <= net.conflicts[c].leave_distance) notify(v, cross_distance - d);
          else break;
        } else {
          notify(v, cross_distance - d);
        }
      }
    }
    // 3. the first vehicle on the start lane, if this movement is its next and it is open
    if (front_enters) {
      const LaneId start = net.movement_from_lane[m];
      const std::int32_t front = lists_[start].front();
      const double d = net.lane_length[start] - s.dis[front];
      while (c >= c0) notify(front, d + net.conflicts[c].distance);
    }
  };
  // Parallel over occupied drivables. Only movements next to one can get entries; each is set by
  // one owner: itself if occupied, else its start lane if that lane's front vehicle enters it, else
  // its end lane if that lane's last vehicle came through it and hangs out over its crossings.
  auto has_conflicts = [&](MovementId m) { return net.movement_conflict_begin[m] != net.movement_conflict_begin[m + 1]; };
  auto front_enters = [&](MovementId m) {
    const LaneId start = net.movement_from_lane[m];
    return movement_open_[m] != 0 && occupied(start) && lane_front_next_[start] == lanes + m;
  };
  auto visit = [&](BatchAppender& out, std::int32_t d) {
    if (d >= lanes) {
      const MovementId m = d - lanes;
      if (has_conflicts(m)) notify_movement(out, m, front_enters(m), lane_hanging_[net.movement_to_lane[m]]);
      return;
    }
    const std::int32_t next = lane_front_next_[d];
    if (next >= lanes && movement_open_[next - lanes] != 0 && !occupied(next) && has_conflicts(next - lanes))
      notify_movement(out, next - lanes, true, lane_hanging_[net.movement_to_lane[next - lanes]]);
    const RoadId hanging = lane_hanging_[d];
    if (hanging == kNone) return;
    for (const MovementId m : net.movements_into(d))
      if (net.lane_road[net.movement_from_lane[m]] == hanging && has_conflicts(m) && !occupied(lanes + m) && !front_enters(m))
        notify_movement(out, m, false, hanging);
  };
  // Drivables entered since the last refresh join active_ first, each part its own (a refresh
  // reads the bitmaps and writes only the part's range of active_).
  const bool refresh = newly_occupied_;
  for_each_part(split_, [&](std::int32_t p) {
    if (refresh) refresh_part(p);
    BatchAppender out(notified_.data(), notified);
    work_shared(p, part_rank_begin_[p], active_end_[p], kDrivableChunk, [&](std::int32_t begin, std::int32_t end) {
      for (std::int32_t k = begin; k < end; ++k) visit(out, active_[k]);
    });
  });
  if (refresh) count_active();
  notified_count_ = notified.load();
}

double Simulator::no_collision_speed(double vL, double dL, double vF, FollowerBrake brake, double gap, double interval,
                                     double target_gap, double gap_term) {
  const double c = vF * interval / 2 + target_gap - 0.5 * vL * vL / dL - gap;
  const double a = brake.a;
  const double b = 0.5 * interval;
  if (b * b < 4 * a * c) return -100;
  const double v1 = brake.half_over_a * (std::sqrt(b * b - 4 * a * c) - b);
  const double v2 = 2 * vL - dL * interval + gap_term;
  return std::min(v1, v2);
}

double Simulator::next_speed(std::int32_t v) {
  const Vehicles& s = *veh_;
  const VehicleType& vt = demand_->vehicle_types[s.type[v]];
  const RoadNetwork& net = *net_;
  const std::int32_t d = s.drivable[v];
  const std::int32_t lanes = net.num_lanes();
  const double speed = s.speed[v];
  const double drivable_max = drivable_speed_limit_[d];
  double out = std::min({vt.max_speed, speed + vt.max_pos_acc * dt_, drivable_max});

  const std::int32_t leader = s.leader[v];
  if (leader != kNone) {
    const VehicleType& lt = demand_->vehicle_types[s.type[leader]];
    const double gap = s.gap[v];
    const double vl = s.speed[leader];
    if (scenario_->settings.vehicle_model == VehicleModel::IDM) {
      const double s0 = vt.min_gap, T = vt.headway_time > 0 ? vt.headway_time : 1.0;
      const double a = vt.usual_pos_acc, b = vt.usual_neg_acc;
      const double s_star = s0 + std::max(0.0, speed * T + speed * (speed - vl) / (2 * std::sqrt(a * b)));
      const double ratio = speed / std::max(drivable_max, 0.1);
      const double acc = a * (1 - ratio * ratio * ratio * ratio - (s_star / std::max(gap, 0.01)) * (s_star / std::max(gap, 0.01)));
      out = std::min(out, speed + acc * dt_);
      out = std::min(out, no_collision_speed(vl, lt.max_neg_acc, speed, type_max_brake_[s.type[v]], gap, dt_, 0, over_dt(2 * gap)));
    } else {
      const std::int32_t type = s.type[v];
      double u = no_collision_speed(vl, lt.max_neg_acc, speed, type_max_brake_[type], gap, dt_, 0, over_dt(2 * gap));
      const double assume_decel = speed > vl ? speed - vl : 0;
      u = std::min(u, no_collision_speed(vl, lt.usual_neg_acc, speed, type_usual_brake_[type], gap, dt_, vt.min_gap,
                                         over_dt(2 * (gap - vt.min_gap))));
      u = std::min(u, (gap + (vl + assume_decel / 2) * dt_ - speed * dt_ / 2) / (vt.headway_time + dt_ / 2));
      out = std::min(out, u);
    }
  }

  // Intersection-related limits: within braking reach of the lane end, or on a movement.
  bool related = d >= lanes;
  Cursor next{kNone, 0};
  if (!related) {
    if (net.lane_length[d] - s.dis[v] <= type_reach_[s.type[v]]) {
      next = next_of(v);
      related = next.drivable >= lanes;
    }
  }
  if (related) out = std::min(out, intersection_speed(v, dt_, next));
  return std::max(out, speed - vt.max_neg_acc * dt_);
}

namespace {
struct Kinematics {
  double speed, len, usual_pos_acc, usual_neg_acc, max_neg_acc, max_speed;
  double min_brake() const { return 0.5 * speed * speed / max_neg_acc; }
  bool can_yield(double dist) const {
    return (dist > 0 && min_brake() < dist - kYieldDistance) || (dist < 0 && dist + len < 0);
  }
  double stop_before_speed(double distance, double interval) const {
    distance = std::max(distance, 0.0);
    const double next = speed + usual_pos_acc * interval;
    const double brake_after_accel = (speed + next) * interval / 2 + next * next / usual_neg_acc / 2;
    if (brake_after_accel < distance) return next;
    const double take = 2 * distance / (speed + kEps) / interval;
    if (take >= 1) return speed - speed / static_cast<int>(take);
    return speed - speed / take;
  }
  double distance_until_speed(double target, double acc, double interval) const {
    if (target <= speed) return 0;
    const int steps1 = static_cast<int>(std::floor((target - speed) / acc / interval));
    const double speed1 = speed + steps1 * acc / interval;
    const double dis1 = (speed + speed1) * (steps1 * interval) / 2;
    return dis1 + (speed1 < target ? (speed1 + target) * interval / 2 : 0);
  }
  int reach_steps(double distance, double target, double acc, double interval) const {
    if (distance <= 0) return 0;
    if (speed > target) return static_cast<int>(std::ceil(distance / speed));
    const double until = distance_until_speed(target, acc, interval);
    if (until > distance)
      return static_cast<int>(std::ceil((std::sqrt(speed * speed + 2 * acc * distance) - speed) / acc / interval));
    return static_cast<int>(std::ceil((target - speed) / acc / interval) + std::ceil((distance - until) / target / interval));
  }
};
}  // namespace

bool Simulator::can_pass(std::int32_t v, std::int32_t c, double distance_to_link_start) const {
  const Vehicles& s = *veh_;
  const RoadNetwork& net = *net_;
  const std::int32_t mirror = conflict_mirror_[c];
  const std::int32_t foe = notify_vehicle_[mirror];
  if (foe == kNone || foe == v) return true;
  auto kin = [&](std::int32_t x) {
    const VehicleType& t = demand_->vehicle_types[s.type[x]];
    return Kinematics{s.speed[x], t.length, t.usual_pos_acc, t.usual_neg_acc, t.max_neg_acc, t.max_speed};
  };
  const Kinematics me = kin(v), them = kin(foe);
  const Conflict& cf = net.conflicts[c];
  const MovementId my_link = net.conflicts[mirror].other;
  const MovementId foe_link = cf.other;
  const double d1 = cf.distance - distance_to_link_start, d2 = notify_distance_[mirror];
  if (!me.can_yield(d1)) return true;
  int yield = 0;
  if (!them.can_yield(d2)) yield = 1;
  // CityFlow's priority: straight over left over right (lower Turn value wins).
  const int t1 = 3 - static_cast<int>(net.movement_turn[my_link]);
  const int t2 = 3 - static_cast<int>(net.movement_turn[foe_link]);
  auto reach = [&](const Kinematics& k, double dist, MovementId link) {
    const double target = net.movement_turn[link] == Turn::Straight ? k.max_speed : kTurnSpeed;
    return k.reach_steps(dist, target, k.usual_pos_acc, dt_);
  };
  if (yield == 0) {
    if (t1 > t2) {
      yield = -1;
    } else if (t1 < t2) {
      if (d2 > 0) {
        if (reach(them, d2, foe_link) > reach(me, d1, my_link)) yield = -1;
      } else if (d2 + them.len < 0) {
        yield = -1;
      }
      if (yield == 0) yield = 1;
    } else {
      if (d2 > 0) {
        const int foe_steps = reach(them, d2, foe_link), my_steps = reach(me, d1, my_link);
        if (foe_steps > my_steps) yield = -1;
        else if (foe_steps < my_steps) yield = 1;
        else if (s.enter_link_step[v] == s.enter_link_step[foe]) {
          if (d1 == d2) yield = std::pair(s.priority[v], s.id[v]) > std::pair(s.priority[foe], s.id[foe]) ? -1 : 1;
          else yield = d1 < d2 ? -1 : 1;
        } else {
          yield = s.enter_link_step[v] < s.enter_link_step[foe] ? -1 : 1;
        }
      } else {
        yield = d2 + them.len < 0 ? -1 : 1;
      }
    }
  }
  if (yield == 1) {
    // Break yield cycles (A waits for B waits for ... A): follow the blockers, Floyd-style.
    std::int32_t fast = foe, slow = foe;
    int guard = 0;
    while (fast != kNone && s.blocker[fast] != kNone && ++guard < 1'000'000) {
      slow = s.blocker[slow];
      fast = s.blocker[s.blocker[fast]];
      if (slow == fast) {
        yield = -1;
        break;
      }
    }
  }
  return yield == -1;
}

double Simulator::intersection_speed(std::int32_t v, double interval, Cursor next) {
  Vehicles& s = *veh_;
  const RoadNetwork& net = *net_;
  const std::int32_t lanes = net.num_lanes();
  const VehicleType& vt = demand_->vehicle_types[s.type[v]];
  const Kinematics me{s.speed[v], vt.length, vt.usual_pos_acc, vt.usual_neg_acc, vt.max_neg_acc, vt.max_speed};
  const std::int32_t d = s.drivable[v];
  double out = vt.max_speed;
  MovementId link = kNone;
  if (d < lanes) {
    if (next.drivable >= lanes) {
      link = next.drivable - lanes;
      bool can_enter = true;
      const auto end = lists_[net.movement_to_lane[link]];
      if (occupied(net.movement_to_lane[link]) && !end.empty()) {
        const std::int32_t tail = end.back();
        can_enter = s.dis[tail] > demand_->vehicle_types[s.type[tail]].length + vt.length || s.speed[tail] >= kEnterSpeedFree;
      }
      const double remaining = net.lane_length[d] - s.dis[v];
      if ((!movement_open_[link] || !can_enter) && !(me.min_brake() > remaining))
        return std::min(out, me.stop_before_speed(remaining, interval));
      if (net.movement_turn[link] != Turn::Straight) out = std::min(out, kTurnSpeed);
    }
  } else {
    link = d - lanes;
  }
  if (link == kNone || movement_claimed_[link] == Claimed::kNo) return out;  // no crossing of it is claimed
  const double to_start = d < lanes ? -(net.lane_length[d] - s.dis[v]) : s.dis[v];
  for (std::int32_t c = net.movement_conflict_begin[link]; c < net.movement_conflict_begin[link + 1]; ++c) {
    const double on_link = net.conflicts[c].distance;
    if (on_link < to_start) continue;
    if (!can_pass(v, c, to_start)) {
      out = std::min(out, me.stop_before_speed(on_link - to_start - kYieldDistance, interval));
      s.n_blocker[v] = notify_vehicle_[conflict_mirror_[c]];
      break;
    }
  }
  return out;
}

// Flattened: the speed functions it calls are inlined into its loop.
[[gnu::flatten]] void Simulator::compute_actions() {
  // Per running vehicle (its slot still holds a drivable); each writes only its own next state, so
  // slots in contiguous blocks give each thread its own cache lines.
  for_each_part(split_, [&](std::int32_t p) {
    const auto [first, last] = part_slots(p);
    work_shared(p, first, last, kSlotChunk, [&](std::int32_t begin, std::int32_t end) {
      for (std::int32_t v = begin; v < end; ++v) compute_action(v);
    });
  });
}

void Simulator::compute_action(std::int32_t v) {
  Vehicles& s = *veh_;
  const std::int32_t d = s.drivable[v];
  if (d < 0) return;
  s.n_blocker[v] = kNone;
  double speed = next_speed(v);
  const double cur = s.speed[v];
  double delta;
  if (speed < 0) {
    delta = 0.5 * cur * cur / demand_->vehicle_types[s.type[v]].max_neg_acc;
    speed = 0;
  } else {
    delta = (cur + speed) * dt_ / 2;
  }
  s.n_speed[v] = speed;
  // Advance along the planned path, crossing into following drivables.
  Cursor at{d, s.route_pos[v]};
  double dis = s.dis[v] + delta;
  s.n_finished[v] = 0;
  for (int hop = 0;; ++hop) {
    const double len = drivable_length_[at.drivable];
    if (dis <= len) break;
    const Cursor next = hop == 0 ? next_of(v) : next_drivable(v, at);
    if (next.drivable == kNone) {
      s.n_finished[v] = 1;
      break;
    }
    dis -= len;
    at = next;
  }
  s.n_dis[v] = dis;
  s.n_drivable[v] = at.drivable;
  s.n_route_pos[v] = at.route_pos;
}

void Simulator::move_vehicles() {
  Vehicles& s = *veh_;
  const RoadNetwork& net = *net_;
  const std::int32_t lanes = net.num_lanes();
  const double now = time();
  // Per occupied drivable (parallel, own list only): drop vehicles that leave it and note them
  // in movers_ (in any order; sorted below).
  movers_.resize(static_cast<std::size_t>(s.size()));
  std::atomic<std::int32_t> leaving{0};
  std::atomic<std::int64_t> freed{0};  // list blocks given up, summed per part
  const std::int64_t notified = notified_count_;
  for_each_part(split_, [&](std::int32_t p) {
    // The conflict entries were read by the actions and are dead now: each part clears those of
    // an equal share of the movements given entries this step, and an equal share of the
    // claimed flags (none is set when no movement was given entries).
    if (notified > 0) {
      const auto [first_flag, last_flag] = equal_share(static_cast<std::int64_t>(movement_claimed_.size()), p);
      std::fill(movement_claimed_.begin() + first_flag, movement_claimed_.begin() + last_flag, Claimed::kNo);
    }
    const auto [first_notified, last_notified] = equal_share(notified, p);
    for (std::int64_t k = first_notified; k < last_notified; ++k) {
      const MovementId m = notified_[static_cast<std::size_t>(k)];
      std::fill(notify_vehicle_.begin() + net.movement_conflict_begin[m], notify_vehicle_.begin() + net.movement_conflict_begin[m + 1], kNone);
    }
    BatchAppender out(movers_.data(), leaving);
    std::int64_t part_freed = 0;
    work_shared(p, part_rank_begin_[p], active_end_[p], kDrivableChunk, [&](std::int32_t begin, std::int32_t end) {
      for (std::int32_t k = begin; k < end; ++k) {
        const std::int32_t d = active_[k];
        const std::span<std::int32_t> list = lists_.items(d);
        std::int32_t w = 0;
        for (const std::int32_t v : list) {
          if (!s.n_finished[v] && s.n_drivable[v] == d) {
            if (list[w] != v) list[w] = v;  // written only when it moves: no line dirtied in vain
            ++w;
          } else {
            out.push(v);
          }
        }
        if (w == static_cast<std::int32_t>(list.size())) continue;
        if (d < lanes) lane_departures_[d] += static_cast<std::int64_t>(list.size()) - w;
        part_freed += lists_.shrink(d, w);
        if (w == 0) unmark_emptied(d);
      }
    });
    freed.fetch_add(part_freed, std::memory_order_relaxed);
  });
  notified_count_ = 0;
  lists_.released(freed.load());
  movers_.resize(static_cast<std::size_t>(leaving.load()));
  // Serially, in a fixed order: finished vehicles leave (by slot); movers join their new
  // drivable front-most first (ties by slot).
  const auto finishers_end = std::partition(movers_.begin(), movers_.end(), [&](std::int32_t v) { return s.n_finished[v] != 0; });
  std::sort(movers_.begin(), finishers_end);
  for (auto it = movers_.begin(); it != finishers_end; ++it) {
    const std::int32_t v = *it;
    const double tt = now - demand_->departures[s.id[v]].time;
    finished_travel_time_ += tt;
    const double fft = demand_->route_free_flow_time[s.route[v]];
    finished_delay_index_ += fft > 0 ? (now - s.enter[v]) / fft : 1.0;
    ++finished_;
    --running_;
    s.drivable[v] = kFree;
    s.free_slots.push_back(v);
  }
  // Serially, in a fixed order: movers join their new drivable front-most first (ties by slot).
  auto insert_movers = [&] {
    // Sorted by keys copied out of n_dis, so that the comparisons load no vehicle's slot.
    mover_keys_.clear();
    for (auto it = finishers_end; it != movers_.end(); ++it) mover_keys_.push_back({s.n_dis[*it], *it});
    std::sort(mover_keys_.begin(), mover_keys_.end(), [](const MoverKey& a, const MoverKey& b) {
      return a.dis > b.dis || (a.dis == b.dis && a.slot < b.slot);
    });
    // The movers' drivables are scattered: their data is prefetched a few movers ahead, in
    // stages that follow the loads (the mover's drivable, that list's header, its last item).
    const auto movers = static_cast<std::int32_t>(mover_keys_.size());
    for (std::int32_t k = 0; k < movers; ++k) {
      if (k + 8 < movers) __builtin_prefetch(&s.n_drivable[mover_keys_[k + 8].slot]);
      if (k + 4 < movers) {
        const std::int32_t ahead_d = s.n_drivable[mover_keys_[k + 4].slot];
        lists_.prefetch_header(ahead_d);
        __builtin_prefetch(&rank_of_[ahead_d]);
      }
      if (k + 2 < movers) lists_.prefetch_back(s.n_drivable[mover_keys_[k + 2].slot]);
      const std::int32_t v = mover_keys_[k].slot;
      const std::int32_t d = s.n_drivable[v];
      if (d < lanes && !lists_.empty(d)) {
        // Vehicles from different movements can merge into one lane in the same step; none may
        // end up inside the one ahead (CityFlow lets them overlap; we hold them at its tail).
        const std::int32_t ahead = lists_.back(d);
        const double tail = s.n_dis[ahead] - demand_->vehicle_types[s.type[ahead]].length;
        if (s.n_dis[v] > tail) {
          s.n_speed[v] = std::min(s.n_speed[v], s.n_speed[ahead]);
          if (tail >= 0) {
            s.n_dis[v] = tail;
          } else {
            // The one ahead still hangs out of the intersection: wait at the movement's end.
            const Cursor here{s.drivable[v], s.route_pos[v]};
            const Cursor link = here.drivable >= lanes ? here : next_of(v);
            s.n_drivable[v] = link.drivable;
            s.n_route_pos[v] = link.route_pos;
            s.n_dis[v] = net.movement_length[link.drivable - lanes];
            if (link.drivable == s.drivable[v]) {
              // Back onto the movement it was dropped from above: at its front, behind any vehicle
              // already held there this step.
              const auto held = lists_[link.drivable];
              std::int32_t at = 0;
              while (at < static_cast<std::int32_t>(held.size()) && s.n_dis[held[at]] >= s.n_dis[v]) ++at;
              lists_.insert(link.drivable, at, v);
              mark_occupied(link.drivable);
              continue;
            }
            lists_.push_back(link.drivable, v);
            mark_occupied(link.drivable);
            s.enter_link_step[v] = link_step();
            continue;
          }
        }
      }
      lists_.push_back(d, v);
      mark_occupied(d);
      s.enter_link_step[v] = d >= lanes ? link_step() : kNotOnLink;
    }
  };
  if (!split_) {
    // Unsplit (one thread, or too few vehicles to split): the insertion, then one pass that
    // commits every running vehicle (the slots still on a drivable: finished ones were freed above).
    insert_movers();
    for (std::int32_t v = 0; v < s.size(); ++v) commit(v);
    refresh_active(false);
    return;
  }
  // The movers, marked by slot, so that the two passes below can tell them from the vehicles that
  // stay (the insertion changes some movers' next drivable, so comparing would race).
  moving_bits_.resize((static_cast<std::size_t>(s.size()) + 63) / 64);
  for (auto it = finishers_end; it != movers_.end(); ++it) moving_bits_[static_cast<std::size_t>(*it) >> 6] |= std::uint64_t{1} << (*it & 63);
  auto moving = [&](std::int32_t v) { return ((moving_bits_[static_cast<std::size_t>(v) >> 6] >> (v & 63)) & 1) != 0; };
  // One pass: part 0 inserts the movers while every part commits the next state of the vehicles
  // that stay on their drivable (the insertion reads only the next-state buffer of vehicles
  // other than the movers). The other parts commit their own block of slots, then help with part
  // 0's block from its end while part 0, done inserting, takes it from its start, so the
  // insertion does not leave the other threads waiting. A second pass: each part refreshes its
  // share of active_ and commits its movers. The running vehicles are the slots still on a
  // drivable (finished ones were freed above); a blocker that finished this step no longer blocks.
  for_each_part(split_, [&](std::int32_t p) {
    const auto [first, last] = part_slots(p);
    auto insert = [&] {
      if (p == 0) insert_movers();
    };
    work_shared(p, first, last, kSlotChunk, insert, [&](std::int32_t begin, std::int32_t end) {
      for (std::int32_t v = begin; v < end; ++v)
        if (!moving(v)) commit(v);
    });
  });
  for_each_part(split_, [&](std::int32_t p) {
    const auto [first, last] = part_slots(p);
    work_shared(p, first, last, kSlotChunk, [&] { refresh_part(p); }, [&](std::int32_t begin, std::int32_t end) {
      for (std::int32_t v = begin; v < end; ++v)
        if (moving(v)) commit(v);
    });
  });
  for (auto it = finishers_end; it != movers_.end(); ++it) moving_bits_[static_cast<std::size_t>(*it) >> 6] = 0;
  count_active();
}

void Simulator::commit(std::int32_t v) {
  Vehicles& s = *veh_;
  if (s.drivable[v] < 0) return;
  const bool moved = s.drivable[v] != s.n_drivable[v] || s.route_pos[v] != s.n_route_pos[v];
  s.drivable[v] = s.n_drivable[v];
  s.route_pos[v] = s.n_route_pos[v];
  if (moved) refresh_next(v);
  s.dis[v] = s.n_dis[v];
  s.speed[v] = s.n_speed[v];
  const std::int32_t b = s.n_blocker[v];
  s.blocker[v] = b != kNone && !s.n_finished[b] ? b : kNone;
  if (s.speed[v] < kQueueSpeed) s.wait[v] += dt_;
}

std::int32_t Simulator::link_step() const {
  // Beyond 2^31 - 2 steps every later entry ties (then distance and the priority draw decide).
  return static_cast<std::int32_t>(std::min<std::int64_t>(step_count_, kNotOnLink - 1));
}

void Simulator::leader_of(std::int32_t v, std::int32_t ahead_on_same) {
  if (ahead_on_same == kNone) return leader_beyond(v);
  Vehicles& s = *veh_;
  s.leader[v] = ahead_on_same;
  s.gap[v] = s.dis[ahead_on_same] - demand_->vehicle_types[s.type[ahead_on_same]].length - s.dis[v];
}

void Simulator::leader_beyond(std::int32_t v) {
  Vehicles& s = *veh_;
  const RoadNetwork& net = *net_;
  const std::int32_t lanes = net.num_lanes();
  s.leader[v] = kNone;
  const double horizon = type_reach_[s.type[v]];
  Cursor at{s.drivable[v], s.route_pos[v]};
  double dis = drivable_length_[at.drivable] - s.dis[v];
  for (int hop = 0; hop < 64; ++hop) {
    const Cursor next = hop == 0 ? next_of(v) : next_drivable(v, at);
    if (next.drivable == kNone) return;
    if (next.drivable >= lanes) {
      // Movements from one lane may overlap: the nearest tail on any of them leads.
      const LaneId start = net.movement_from_lane[next.drivable - lanes];
      if (lane_out_occupied_[start] != 0) {  // else none of them holds a vehicle
        for (const MovementId m : net.movements_from(start)) {
          if (!occupied(lanes + m)) continue;  // the bitmap is exact and cheaper than the list
          const std::int32_t cand = lists_.back(lanes + m);
          const double gap = dis + s.dis[cand] - demand_->vehicle_types[s.type[cand]].length;
          if (s.leader[v] == kNone || gap < s.gap[v]) {
            s.leader[v] = cand;
            s.gap[v] = gap;
          }
        }
        if (s.leader[v] != kNone) return;
      }
    } else {
      const auto list = lists_[next.drivable];
      if (!list.empty()) {
        const std::int32_t cand = list.back();
        s.leader[v] = cand;
        s.gap[v] = dis + s.dis[cand] - demand_->vehicle_types[s.type[cand]].length;
        return;
      }
    }
    dis += drivable_length_[next.drivable];
    if (dis > horizon) return;
    at = next;
  }
}

void Simulator::update_leaders_stats_and_signals() {
  const Vehicles& s = *veh_;
  const std::int32_t lanes = net_->num_lanes();
  // One pass over each occupied drivable's list (lanes off active_ are empty, their statistics
  // already zero); then each part advances the signal timers of an equal share of the
  // intersections (nothing in this pass reads which movements are open).
  for_each_part(split_, [&](std::int32_t p) {
    work_shared(p, part_rank_begin_[p], active_end_[p], kDrivableChunk, [&](std::int32_t begin, std::int32_t end) {
      for (std::int32_t k = begin; k < end; ++k) {
        const std::int32_t d = active_[k];
        const auto list = lists_[d];
        std::int32_t ahead = kNone, queued = 0;
        double speed = 0, wait = 0;
        for (const std::int32_t v : list) {
          leader_of(v, ahead);
          ahead = v;
          queued += s.speed[v] < kQueueSpeed;
          speed += s.speed[v];
          wait += s.wait[v];
        }
        if (d >= lanes) continue;
        lane_hanging_[d] = tail_hangs_from(d);
        lane_front_next_[d] = next_[list.front()];
        lane_count_[d] = static_cast<std::int32_t>(list.size());
        lane_queue_[d] = queued;
        lane_speed_sum_[d] = speed;
        lane_wait_sum_[d] = wait;
      }
    });
    const auto [first, last] = equal_share(net_->num_intersections(), p);
    advance_signal_timers(static_cast<IntersectionId>(first), static_cast<IntersectionId>(last));
  });
}

RoadId Simulator::tail_hangs_from(LaneId l) const {
  const auto list = lists_[l];
  if (list.empty()) return kNone;
  const Vehicles& s = *veh_;
  const std::int32_t v = list.back();
  if (!(s.dis[v] - demand_->vehicle_types[s.type[v]].length < 0 && s.route_pos[v] > 0)) return kNone;
  return demand_->route(s.route[v])[s.route_pos[v] - 1];
}

void Simulator::step() {
  if (step_count_ > 0 && step_count_ % kRenumberPeriod == 0) renumber_slots();
  spawn();
  enter_waiting();
  // One choice per step for all its passes: a thread never reads lines another wrote in a pass
  // that did not need to split.
  split_ = threads_ > 1 && running_ >= parallel_min_items_;
  notify_conflicts();
  compute_actions();
  move_vehicles();
  change_lanes();
  if (scenario_->settings.lane_change) refresh_active(split_);  // lane changes may occupy new lanes
  update_leaders_stats_and_signals();
  vehicle_updates_ += running_;
  ++step_count_;
  const auto period_steps = std::max<std::int64_t>(1, std::llround(scenario_->settings.metric_period / dt_));
  if (step_count_ % period_steps == 0) samples_.push_back({time(), entered_, delay_index_now()});
}

// ---------------------------------------------------------------- metrics

double Simulator::delay_index_now() const {
  const Vehicles& s = *veh_;
  const RoadNetwork& net = *net_;
  const std::int32_t lanes = net.num_lanes();
  const double now = time();
  double sum = finished_delay_index_;
  for (std::int32_t v = 0; v < s.size(); ++v) {
    if (s.drivable[v] < 0) continue;
    const auto route = demand_->route(s.route[v]);
    const double fft = demand_->route_free_flow_time[s.route[v]];
    // Free-flow time of the rest: the rest of the current road (none inside an intersection), then later roads.
    double rest = 0;
    std::int32_t p = s.route_pos[v];
    if (s.drivable[v] < lanes) {
      const RoadId r = net.lane_road[s.drivable[v]];
      rest += std::max(0.0, net.road_length[r] - s.dis[v]) / (net.road_length[r] / net.road_free_flow_time[r]);
    }
    for (std::size_t k = static_cast<std::size_t>(p) + 1; k < route.size(); ++k) rest += net.road_free_flow_time[route[k]];
    sum += fft > 0 ? (now - s.enter[v] + rest) / fft : 1.0;
  }
  const std::int64_t served = entered_;
  return served > 0 ? sum / static_cast<double>(served) : 1.0;
}

Metrics Simulator::metrics() const {
  const Vehicles& s = *veh_;
  Metrics m;
  m.time = time();
  m.served_vehicles = entered_;
  m.delay_index = delay_index_now();
  m.throughput = finished_;
  m.vehicles_scheduled = scheduled_in_horizon_;
  m.departed = departed_;
  m.running = running_;
  m.waiting_to_enter = departed_ - entered_;
  m.horizon = scenario_->settings.horizon;
  double unfinished = 0, speed = 0;
  std::int64_t queued = 0;
  for (std::int32_t v = 0; v < s.size(); ++v) {
    if (s.drivable[v] == kFree) continue;
    unfinished += m.time - demand_->departures[s.id[v]].time;
    if (s.drivable[v] >= 0) {
      speed += s.speed[v];
      queued += s.speed[v] < kQueueSpeed;
    }
  }
  m.queued = queued;
  m.mean_speed = running_ > 0 ? speed / static_cast<double>(running_) : 0;
  m.average_travel_time = departed_ > 0 ? (finished_travel_time_ + unfinished) / static_cast<double>(departed_) : 0;
  m.average_travel_time_finished = finished_ > 0 ? finished_travel_time_ / static_cast<double>(finished_) : 0;
  return m;
}

std::vector<VehicleView> Simulator::vehicles() const {
  const Vehicles& s = *veh_;
  std::vector<VehicleView> out;
  for (std::int32_t d = 0; d < lists_.count(); ++d)
    for (const std::int32_t v : lists_[d]) {
      const VehicleType& t = demand_->vehicle_types[s.type[v]];
      out.push_back({v, s.id[v], d, s.dis[v], s.speed[v], t.length, t.max_speed, s.route[v]});
    }
  return out;
}

}  // namespace greenwave
