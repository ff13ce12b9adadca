#include "agent_env.hpp"

#include <cmath>

#include "greenwave/core/error.hpp"
#include "greenwave/networks/scenario_io.hpp"

namespace greenwave::cli {

std::shared_ptr<const CompiledScenario> load_for_agents(const Args& args) {
  const std::string& path = args.positional().at(0);
  v1::Scenario scenario = read_scenario(path, args.get_or("flow", ""));
  if (args.get("horizon")) {
    const double horizon = args.get_double("horizon", 0);
    if (horizon <= 0) throw ConfigError("--horizon", "expected a positive number of seconds");
    // Set before compiling: flows are expanded into departures only up to the horizon.
    scenario.mutable_settings()->set_horizon(horizon);
  }
  return std::make_shared<const CompiledScenario>(compile_scenario(scenario, path));
}

OwnedTrafficEnv make_traffic_env(const Args& args, std::shared_ptr<const CompiledScenario> scenario,
                                 const std::string& observation, const std::string& reward) {
  const long long threads = args.get_int("threads", 1);
  if (threads < 1 || threads > 1024) throw ConfigError("--threads", "expected 1..1024, got " + std::to_string(threads));
  auto sim = std::make_unique<Simulator>(std::move(scenario), SimOptions{static_cast<int>(threads)});
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
