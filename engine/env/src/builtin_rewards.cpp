// The built-in rewards; docs/rewards.md gives each formula. All are per agent, over the agent's
// incoming lanes (or its movements for pressure), and "higher is better".
#include <cmath>
#include <cstdlib>

#include "greenwave/env/reward.hpp"

namespace greenwave {
namespace {

// queue = -(vehicles with speed < 0.1 m/s on the incoming lanes).
double queue_reward(const RewardView& v) {
  std::int64_t queued = 0;
  for (const LaneId l : v.agent.incoming_lanes) queued += v.lane_queues[static_cast<std::size_t>(l)];
  return -static_cast<double>(queued);
}

// pressure = -|sum over movements of (vehicles on the from-lane - vehicles on the to-lane)|.
double pressure_reward(const RewardView& v) {
  std::int64_t pressure = 0;
  for (const MovementId m : v.agent.movements) {
    pressure += v.lane_counts[static_cast<std::size_t>(v.network.movement_from_lane[m])];
    pressure -= v.lane_counts[static_cast<std::size_t>(v.network.movement_to_lane[m])];
  }
  return -static_cast<double>(std::llabs(pressure));
}

// wait_time = (previous - current accumulated waiting time on the incoming lanes) / 100.
double wait_time_reward(const RewardView& v) {
  double diff = 0;
  for (const LaneId l : v.agent.incoming_lanes) {
    const auto i = static_cast<std::size_t>(l);
    diff += v.prev_lane_waiting_times[i] - v.lane_waiting_times[i];
  }
  return diff / 100.0;
}

// delay = -sum over incoming lanes of (vehicles - speed sum / speed limit).
double delay_reward(const RewardView& v) {
  double delay = 0;
  for (const LaneId l : v.agent.incoming_lanes) {
    const auto i = static_cast<std::size_t>(l);
    delay += v.lane_counts[i] - v.lane_speed_sums[i] / v.network.lane_speed_limit[i];
  }
  return -delay;
}

// throughput = vehicles that left the incoming lanes into the intersection this interval.
double throughput_reward(const RewardView& v) {
  std::int64_t left = 0;
  for (const LaneId l : v.agent.incoming_lanes) {
    const auto i = static_cast<std::size_t>(l);
    left += v.lane_departures[i] - v.prev_lane_departures[i];
  }
  return static_cast<double>(left);
}

// avg_speed = mean over vehicles on the incoming lanes of speed / speed limit; 1 when empty.
double avg_speed_reward(const RewardView& v) {
  double normalized = 0;
  std::int64_t vehicles = 0;
  for (const LaneId l : v.agent.incoming_lanes) {
    const auto i = static_cast<std::size_t>(l);
    normalized += v.lane_speed_sums[i] / v.network.lane_speed_limit[i];
    vehicles += v.lane_counts[i];
  }
  return vehicles == 0 ? 1.0 : normalized / static_cast<double>(vehicles);
}

// citybrain = throughput - lost vehicle-seconds / ((threshold - 1) * mean trip free-flow time):
// vehicles moved on, less the share of the delay-index budget the interval's lost time used.
double citybrain_reward(const RewardView& v) {
  std::int64_t served = 0;
  double lost_per_s = 0;
  for (const LaneId l : v.agent.incoming_lanes) {
    const auto i = static_cast<std::size_t>(l);
    served += v.lane_departures[i] - v.prev_lane_departures[i];
    lost_per_s += v.lane_counts[i] - v.lane_speed_sums[i] / v.network.lane_speed_limit[i];
  }
  if (!(v.trip_free_flow_time > 0)) return static_cast<double>(served);
  return static_cast<double>(served) - v.interval * lost_per_s / ((kCityBrainThreshold - 1.0) * v.trip_free_flow_time);
}

}  // namespace

double mean_trip_free_flow_time(const Demand& demand) {
  if (demand.departures.empty()) return 0;
  double sum = 0;
  for (const Departure& d : demand.departures) sum += demand.route_free_flow_time[static_cast<std::size_t>(d.route)];
  return sum / static_cast<double>(demand.departures.size());
}

void register_builtin_rewards(RewardRegistry& registry) {
  registry.register_reward("queue", queue_reward);
  registry.register_reward("pressure", pressure_reward);
  registry.register_reward("wait_time", wait_time_reward);
  registry.register_reward("delay", delay_reward);
  registry.register_reward("throughput", throughput_reward);
  registry.register_reward("avg_speed", avg_speed_reward);
  registry.register_reward("citybrain", citybrain_reward);
}

}  // namespace greenwave
