// Stage 8, metric samples, and the metrics object (docs/metrics.md): the delay index over every
// served vehicle, a sample each metric period, and the network-wide metrics. Reads Vehicles,
// Accumulators and the model; sample_metrics appends to Accumulators::samples.
#include <algorithm>

#include "sim_state.hpp"
#include "stages.hpp"

namespace greenwave::sim {
double delay_index_now(const SimModel& model, const SimState& st) {
  const Vehicles& s = st.vehicles;
  const RoadNetwork& net = *model.net;
  const std::int32_t lanes = net.num_lanes();
  const double t = now(model, st);
  double sum = st.acc.finished_delay_index;
  for (std::int32_t v = 0; v < s.size(); ++v) {
    if (s.drivable[v] < 0) continue;
    const auto route = model.demand->route(s.route[v]);
    const double fft = model.demand->route_free_flow_time[s.route[v]];
    // Free-flow time of the rest: the rest of the current road (none inside an intersection), then later roads.
    double rest = 0;
    std::int32_t p = s.route_pos[v];
    if (s.drivable[v] < lanes) {
      const RoadId r = net.lane_road[s.drivable[v]];
      rest += std::max(0.0, net.road_length[r] - s.dis[v]) / (net.road_length[r] / net.road_free_flow_time[r]);
    }
    for (std::size_t k = static_cast<std::size_t>(p) + 1; k < route.size(); ++k) rest += net.road_free_flow_time[route[k]];
    sum += fft > 0 ? (t - s.enter[v] + rest) / fft : 1.0;
  }
  const std::int64_t served = st.acc.entered;
  return served > 0 ? sum / static_cast<double>(served) : 1.0;
}

Metrics metrics_now(const SimModel& model, const SimState& st) {
  const Vehicles& s = st.vehicles;
  Metrics m;
  m.time = now(model, st);
  m.served_vehicles = st.acc.entered;
  m.delay_index = delay_index_now(model, st);
  m.throughput = st.acc.finished;
  m.vehicles_scheduled = model.scheduled_in_horizon;
  m.departed = st.acc.departed;
  m.running = st.acc.running;
  m.waiting_to_enter = st.acc.departed - st.acc.entered;
  m.horizon = model.settings->horizon;
  double unfinished = 0, speed = 0;
  std::int64_t queued = 0;
  for (std::int32_t v = 0; v < s.size(); ++v) {
    if (s.drivable[v] == kFree) continue;
    unfinished += m.time - model.demand->departures[s.id[v]].time;
    if (s.drivable[v] >= 0) {
      speed += s.speed[v];
      queued += s.speed[v] < kQueueSpeed;
    }
  }
  m.queued = queued;
  m.mean_speed = st.acc.running > 0 ? speed / static_cast<double>(st.acc.running) : 0;
  m.average_travel_time = st.acc.departed > 0 ? (st.acc.finished_travel_time + unfinished) / static_cast<double>(st.acc.departed) : 0;
  m.average_travel_time_finished = st.acc.finished > 0 ? st.acc.finished_travel_time / static_cast<double>(st.acc.finished) : 0;
  return m;
}

void sample_metrics(const SimModel& model, SimState& st) {
  // None past the horizon: the buffer reserved at reset never grows in a step.
  if (st.clock.step_count % model.metric_period_steps == 0 && now(model, st) <= model.settings->horizon + 1e-9)
    st.acc.samples.push_back({now(model, st), st.acc.entered, delay_index_now(model, st)});
}

}  // namespace greenwave::sim
