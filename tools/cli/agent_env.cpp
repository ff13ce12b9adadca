#include "agent_env.hpp"

#include <cmath>

#include "backend_option.hpp"
#include "greenwave/agents/baselines.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/env/process_env.hpp"
#include "sim_options.hpp"

namespace greenwave::cli {

OwnedTrafficEnv make_traffic_env(const Args& args, std::shared_ptr<const CompiledScenario> scenario,
                                 const std::string& observation, const std::string& reward, bool worker,
                                 const std::string& baseline, const std::string& replay) {
  TrafficEnvConfig config;
  config.observation = observation;
  config.reward = reward;
  OwnedTrafficEnv out;
  if (worker && sumo_backend_option(args)) {
    if (!replay.empty()) throw ConfigError("--replay", "not available when the SUMO backend runs in a worker process");
    // The backend is built in the child: the parent never loads a simulation into libsumo.
    out.env = std::make_unique<ProcessEnv>([&args, scenario, config, baseline]() -> std::unique_ptr<Env> {
      if (!baseline.empty()) return make_baseline_env(baseline, make_backend(args, scenario), config);
      return std::make_unique<TrafficEnv>(make_backend(args, scenario), config);
    });
    return out;
  }
  auto backend = make_backend(args, std::move(scenario));
  out.sim = dynamic_cast<Simulator*>(backend.get());
  if (!replay.empty()) {
    auto recorder = std::make_unique<ReplayRecorder>(std::move(backend), replay);
    out.replay = recorder.get();
    backend = std::move(recorder);
  }
  auto env = baseline.empty() ? std::make_unique<TrafficEnv>(std::move(backend), config)
                              : make_baseline_env(baseline, std::move(backend), config);
  out.traffic = env.get();
  out.env = std::move(env);
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
