// A deterministic stand-in for the simulator in env tests: a hand-built two-intersection
// scenario and a backend whose lane arrays the test sets by hand (static mode) or that
// rewrites them from the seed, time and signals each step (dynamic mode).
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "greenwave/sim/backend.hpp"

namespace greenwave::testing {

/// Builds the test scenario. Intersections: 0 "C" (signalized, legs N,E,S,W, 4 phases),
/// 1 "X" (signalized T junction east of C, legs E,S,W with N missing, 2 phases) and five
/// boundaries. Roads (lanes): r0 bn->C, r1 C->bn, r2 X->C, r3 C->X, r4 bs->C, r5 C->bs,
/// r6 bw->C, r7 C->bw (3 lanes each: left, through, right); r8 bxs->X, r9 X->bxs, r10 bxe->X,
/// r11 X->bxe (2 lanes each). Lane ids: r0 0-2, r1 3-5, r2 6-8, r3 9-11, r4 12-14, r5 15-17,
/// r6 18-20, r7 21-23, r8 24-25, r9 26-27, r10 28-29, r11 30-31. Lanes 0-23 have a 10 m/s
/// limit, 24-31 20 m/s. Movements m0-m11 at C (per incoming road N,E,S,W: left, through,
/// right; rights always green), m12-m17 at X. Phases: C p0 N+S through, p1 N+S left,
/// p2 E+W through, p3 E+W left (each with the 4 rights); X p4 E-W through, p5 lefts (each
/// with X's 2 rights).
inline std::shared_ptr<CompiledScenario> make_test_scenario(RunSettings settings = {}) {
  auto s = std::make_shared<CompiledScenario>();
  s->name = "two_intersections";
  s->content_hash = "0123456789abcdef";
  s->settings = settings;
  RoadNetwork& n = s->network;
  n.intersection_ids = {"C", "X", "bn", "bs", "bw", "bxs", "bxe"};
  n.intersection_position.resize(7);
  n.intersection_boundary = {0, 0, 1, 1, 1, 1, 1};
  n.intersection_signalized = {1, 1, 0, 0, 0, 0, 0};
  n.signalized = {0, 1};
  n.intersection_movement_begin = {0, 12, 18, 18, 18, 18, 18, 18};
  n.intersection_phase_begin = {0, 4, 6, 6, 6, 6, 6, 6};
  n.intersection_leg_begin = {0, 4, 8, 8, 8, 8, 8, 8};
  n.legs = {{"N", 0, 1}, {"E", 2, 3},   {"S", 4, 5},   {"W", 6, 7},
            {"N", kNone, kNone}, {"E", 10, 11}, {"S", 8, 9}, {"W", 3, 2}};
  const std::vector<std::pair<IntersectionId, IntersectionId>> roads = {
      {2, 0}, {0, 2}, {1, 0}, {0, 1}, {3, 0}, {0, 3}, {4, 0}, {0, 4}, {5, 1}, {1, 5}, {6, 1}, {1, 6}};
  n.road_lane_begin = {0};
  for (std::size_t r = 0; r < roads.size(); ++r) {
    n.road_ids.push_back("r" + std::to_string(r));
    n.road_from.push_back(roads[r].first);
    n.road_to.push_back(roads[r].second);
    n.road_length.push_back(100);
    const std::int32_t lanes = r < 8 ? 3 : 2;
    n.road_free_flow_time.push_back(r < 8 ? 10 : 5);
    for (std::int32_t k = 0; k < lanes; ++k) {
      n.lane_road.push_back(static_cast<RoadId>(r));
      n.lane_index.push_back(k);
      n.lane_length.push_back(100);
      n.lane_speed_limit.push_back(r < 8 ? 10.0 : 20.0);
      n.lane_width.push_back(3.2);
    }
    n.road_lane_begin.push_back(n.road_lane_begin.back() + lanes);
  }
  struct M {
    LaneId from, to;
    Turn turn;
  };
  const std::vector<M> movements = {
      {0, 9, Turn::Left},   {1, 16, Turn::Straight},  {2, 23, Turn::Right},   // from N
      {6, 15, Turn::Left},  {7, 22, Turn::Straight},  {8, 5, Turn::Right},    // from E
      {12, 21, Turn::Left}, {13, 4, Turn::Straight},  {14, 11, Turn::Right},  // from S
      {18, 3, Turn::Left},  {19, 10, Turn::Straight}, {20, 17, Turn::Right},  // from W
      {10, 30, Turn::Straight}, {11, 26, Turn::Right},                       // X from W
      {24, 6, Turn::Left},      {25, 31, Turn::Right},                       // X from S
      {28, 7, Turn::Straight},  {29, 27, Turn::Left}};                       // X from E
  for (std::size_t m = 0; m < movements.size(); ++m) {
    n.movement_intersection.push_back(m < 12 ? 0 : 1);
    n.movement_from_lane.push_back(movements[m].from);
    n.movement_to_lane.push_back(movements[m].to);
    n.movement_turn.push_back(movements[m].turn);
    n.movement_length.push_back(20);
    n.movement_speed_limit.push_back(movements[m].turn == Turn::Straight ? 10 : 5);
    n.movement_always_green.push_back(movements[m].turn == Turn::Right);
  }
  n.movement_conflict_begin.assign(movements.size() + 1, 0);
  const auto lane_csr = [&](bool out, std::vector<std::int32_t>& begin, std::vector<MovementId>& items) {
    begin.assign(1, 0);
    for (LaneId l = 0; l < n.num_lanes(); ++l) {
      for (std::size_t m = 0; m < movements.size(); ++m)
        if ((out ? movements[m].from : movements[m].to) == l) items.push_back(static_cast<MovementId>(m));
      begin.push_back(static_cast<std::int32_t>(items.size()));
    }
  };
  lane_csr(true, n.lane_out_begin, n.lane_out_movements);
  lane_csr(false, n.lane_in_begin, n.lane_in_movements);
  const std::vector<std::vector<MovementId>> phases = {
      {1, 7, 2, 5, 8, 11}, {0, 6, 2, 5, 8, 11}, {4, 10, 2, 5, 8, 11}, {3, 9, 2, 5, 8, 11},
      {12, 16, 13, 15},    {14, 17, 13, 15}};
  n.phase_movement_begin = {0};
  n.phase_green_begin = {};
  for (std::size_t p = 0; p < phases.size(); ++p) {
    n.phase_names.push_back("p" + std::to_string(p));
    n.phase_movements.insert(n.phase_movements.end(), phases[p].begin(), phases[p].end());
    n.phase_movement_begin.push_back(static_cast<std::int32_t>(n.phase_movements.size()));
    const IntersectionId i = p < 4 ? 0 : 1;
    n.phase_green_begin.push_back(static_cast<std::int32_t>(n.phase_green.size()));
    for (MovementId m = n.intersection_movement_begin[i]; m < n.intersection_movement_begin[i + 1]; ++m)
      n.phase_green.push_back(std::find(phases[p].begin(), phases[p].end(), m) != phases[p].end());
  }
  n.phase_green_begin.push_back(static_cast<std::int32_t>(n.phase_green.size()));
  return s;
}

/// The fake simulator. Signals follow the documented switching rules (clearance of
/// settings.yellow seconds, min_green since the last switch started).
class FakeBackend final : public TrafficBackend {
 public:
  /// Lane arrays start at zero; tests may write them at any time.
  explicit FakeBackend(std::shared_ptr<const CompiledScenario> scenario) : scenario_(std::move(scenario)) {
    const auto lanes = static_cast<std::size_t>(scenario_->network.num_lanes());
    counts.assign(lanes, 0);
    queues.assign(lanes, 0);
    speed_sums.assign(lanes, 0);
    waiting.assign(lanes, 0);
    departures.assign(lanes, 0);
    signals_.resize(scenario_->network.intersection_ids.size());
    clearance_left_.resize(signals_.size());
  }

  bool dynamic = false;  ///< step() rewrites the lane arrays from seed, time and signals
  double demand_done_at = std::numeric_limits<double>::infinity();  ///< demand_done() from then on
  std::uint64_t last_seed = 0;                                      ///< seed of the last reset
  std::vector<std::int32_t> counts, queues;
  std::vector<double> speed_sums, waiting;
  std::vector<std::int64_t> departures;
  std::vector<VehiclePose> poses;  ///< what vehicle_poses() reports

  const CompiledScenario& scenario() const override { return *scenario_; }
  /// Resets time and signals (phase 0); lane arrays are zeroed in dynamic mode and kept in
  /// static mode so a test can set them before reset.
  void reset(std::uint64_t seed) override {
    last_seed = seed;
    time_ = 0;
    steps_ = 0;
    std::fill(signals_.begin(), signals_.end(), SignalState{});
    std::fill(clearance_left_.begin(), clearance_left_.end(), 0.0);
    if (dynamic) {
      std::fill(counts.begin(), counts.end(), 0);
      std::fill(queues.begin(), queues.end(), 0);
      std::fill(speed_sums.begin(), speed_sums.end(), 0.0);
      std::fill(waiting.begin(), waiting.end(), 0.0);
      std::fill(departures.begin(), departures.end(), 0);
    }
  }
  void step() override {
    const double dt = scenario_->settings.dt;
    time_ += dt;
    ++steps_;
    for (std::size_t i = 0; i < signals_.size(); ++i) {
      signals_[i].time_in_phase += dt;
      if (signals_[i].in_clearance) {
        clearance_left_[i] -= dt;
        if (clearance_left_[i] <= 1e-9) signals_[i].in_clearance = false;
      }
    }
    if (dynamic) rewrite_lanes();
  }
  double time() const override { return time_; }
  bool demand_done() const override { return time_ >= demand_done_at; }
  PhaseRequest request_phase(IntersectionId i, std::int32_t phase) override {
    SignalState& s = signals_[static_cast<std::size_t>(i)];
    if (s.in_clearance) return PhaseRequest::InClearance;
    if (phase == s.phase) return PhaseRequest::Kept;
    if (s.time_in_phase < scenario_->settings.min_green) return PhaseRequest::TooEarly;
    s = {phase, true, 0.0};
    clearance_left_[static_cast<std::size_t>(i)] = scenario_->settings.yellow;
    return PhaseRequest::Switched;
  }
  PhaseRequest switch_phase(IntersectionId i, std::int32_t phase, double clearance) override {
    SignalState& s = signals_[static_cast<std::size_t>(i)];
    if (s.in_clearance) return PhaseRequest::InClearance;
    if (phase == s.phase && clearance <= 0) return PhaseRequest::Kept;
    if (s.time_in_phase < scenario_->settings.min_green) return PhaseRequest::TooEarly;
    s = {phase, clearance > 0, 0.0};
    clearance_left_[static_cast<std::size_t>(i)] = clearance;
    return PhaseRequest::Switched;
  }
  SignalState signal(IntersectionId i) const override { return signals_[static_cast<std::size_t>(i)]; }
  std::span<const std::int32_t> lane_vehicle_counts() const override { return counts; }
  std::span<const std::int32_t> lane_queue_counts() const override { return queues; }
  std::span<const double> lane_speed_sums() const override { return speed_sums; }
  std::span<const double> lane_waiting_times() const override { return waiting; }
  std::span<const std::int64_t> lane_departures() const override { return departures; }
  /// time, queued (sum of queues), running (sum of counts), throughput (sum of departures),
  /// mean_speed and horizon from the lane arrays; served_vehicles = steps taken.
  void vehicle_poses(std::vector<VehiclePose>& out) const override { out = poses; }
  Metrics metrics() const override {
    Metrics m;
    m.time = time_;
    m.served_vehicles = steps_;
    m.queued = std::accumulate(queues.begin(), queues.end(), std::int64_t{0});
    m.running = std::accumulate(counts.begin(), counts.end(), std::int64_t{0});
    m.throughput = std::accumulate(departures.begin(), departures.end(), std::int64_t{0});
    const double speed = std::accumulate(speed_sums.begin(), speed_sums.end(), 0.0);
    m.mean_speed = m.running > 0 ? speed / static_cast<double>(m.running) : 0;
    m.horizon = scenario_->settings.horizon;
    return m;
  }

 private:
  static std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  }
  // Pseudo-random lane state from (seed, step, lane); lanes with a green movement hold half.
  void rewrite_lanes() {
    const RoadNetwork& n = scenario_->network;
    for (LaneId l = 0; l < n.num_lanes(); ++l) {
      const auto i = static_cast<std::size_t>(l);
      const std::uint64_t h = mix(last_seed * 1000003ULL + static_cast<std::uint64_t>(steps_) * 131ULL + i);
      bool green = false;
      for (const MovementId m : n.movements_from(l)) {
        const SignalState& s = signals_[static_cast<std::size_t>(n.movement_intersection[m])];
        green = green || (!s.in_clearance && n.is_green(n.intersection_phase_begin[n.movement_intersection[m]] + s.phase, m));
      }
      counts[i] = static_cast<std::int32_t>(h % 9) / (green ? 2 : 1);
      queues[i] = counts[i] / 2;
      speed_sums[i] = static_cast<double>(counts[i]) * static_cast<double>((h >> 8) % 10);
      waiting[i] += queues[i];
      departures[i] += green ? static_cast<std::int64_t>((h >> 16) % 3) : 0;
    }
  }

  std::shared_ptr<const CompiledScenario> scenario_;
  double time_ = 0;
  std::int64_t steps_ = 0;
  std::vector<SignalState> signals_;
  std::vector<double> clearance_left_;
};

}  // namespace greenwave::testing
