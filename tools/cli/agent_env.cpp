#include "agent_env.hpp"

#include <cmath>

#include "sim_options.hpp"

namespace greenwave::cli {

OwnedTrafficEnv make_traffic_env(const Args& args, std::shared_ptr<const CompiledScenario> scenario,
                                 const std::string& observation, const std::string& reward) {
  auto sim = std::make_unique<Simulator>(std::move(scenario), SimOptions{threads_option(args)});
  OwnedTrafficEnv out;
  out.sim = sim.get();
  TrafficEnvConfig config;
  config.observation = observation;
  config.reward = reward;
  out.env = std::make_unique<TrafficEnv>(std::move(sim), config);
  return out;
}

Metrics to_metrics(const EpisodeResult& r) {
  Metrics m;
  m.served_vehicles = std::llround(r.metric("served_vehicles"));
  m.delay_index = r.metric("delay_index");
  m.average_travel_time = r.metric("average_travel_time");
  m.average_travel_time_finished = r.metric("average_travel_time_finished");
  m.throughput = std::llround(r.metric("throughput"));
  m.vehicles_scheduled = std::llround(r.metric("vehicles_scheduled"));
  m.horizon = r.metric("horizon_s");
  m.time = r.metric("time");
  return m;
}

}  // namespace greenwave::cli
