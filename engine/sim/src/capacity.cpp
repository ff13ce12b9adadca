// The growable state's memory policy (docs/simulator.md, "Memory and allocation"): capacity
// follows the most vehicles held at once and is kept across episodes, so the step allocates
// only while it passes an earlier high-water mark.
#include <algorithm>
#include <cmath>

#include "greenwave/sim/simulator.hpp"
#include "vehicles.hpp"

namespace greenwave {

void Simulator::clear_growable_state() {
  const RoadNetwork& net = *net_;
  const std::int32_t lanes = net.num_lanes();
  const std::int32_t drivables = lanes + net.num_movements();
  lists_.reset(drivables);
  veh_->clear();
  movers_.clear();
  if (static_cast<std::int32_t>(lane_entry_queue_.size()) != lanes) lane_entry_queue_.assign(lanes, {});
  for (auto& queue : lane_entry_queue_) queue.clear();
  // One delay-index sample per metric period up to the horizon.
  const RunSettings& st = scenario_->settings;
  samples_.clear();
  samples_.reserve(static_cast<std::size_t>(std::ceil(st.horizon / std::max(st.metric_period, st.dt))) + 2);
}

void Simulator::grow_slot_scratch() {
  const std::size_t slots = veh_->drivable.capacity();
  if (next_.capacity() < slots) next_.reserve(slots);
  if (movers_.capacity() < slots) movers_.reserve(slots);
  if (moving_bits_.capacity() < (slots + 63) / 64) moving_bits_.reserve((slots + 63) / 64);
}

}  // namespace greenwave
