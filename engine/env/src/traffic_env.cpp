#include "greenwave/env/traffic_env.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "greenwave/core/error.hpp"

namespace greenwave {
namespace {

TrafficBackend& non_null(const std::unique_ptr<TrafficBackend>& backend) {
  if (!backend) throw ConfigError("backend", "TrafficEnv needs a backend, got null");
  return *backend;
}

std::int32_t decision_steps(const RunSettings& s) {
  const double ratio = s.action_interval / s.dt;
  const double rounded = std::round(ratio);
  if (!(s.dt > 0) || !(rounded >= 1) || std::abs(ratio - rounded) > 1e-9 * ratio)
    throw ConfigError("action_interval", "must be a positive multiple of dt (" + std::to_string(s.dt) +
                                             " s), got " + std::to_string(s.action_interval) + " s");
  return static_cast<std::int32_t>(rounded);
}

// Agents x max_actions: 1 for a phase that gives green to a movement beyond the always-green
// ones. An agent without such a phase keeps phase 0, so every row allows an action.
std::vector<std::uint8_t> phase_mask(const RoadNetwork& net, std::span<const AgentTopology> agents, std::int32_t width) {
  std::vector<std::uint8_t> mask(agents.size() * static_cast<std::size_t>(width), 0);
  for (std::size_t a = 0; a < agents.size(); ++a) {
    std::uint8_t* row = mask.data() + a * static_cast<std::size_t>(width);
    for (std::int32_t k = 0; k < agents[a].phase_count; ++k) {
      for (const MovementId m : net.movements_of_phase(agents[a].first_phase + k))
        if (!net.movement_always_green[m]) row[k] = 1;
    }
    if (std::find(row, row + width, 1) == row + width) row[0] = 1;
  }
  return mask;
}

}  // namespace

std::string TrafficEnvConfig::to_json() const {
  return nlohmann::json{{"observation", observation}, {"reward", reward}}.dump();
}

const std::vector<std::string>& traffic_metric_names() {
  static const std::vector<std::string> names = {
      "served_vehicles", "delay_index", "average_travel_time", "average_travel_time_finished",
      "throughput",      "vehicles_scheduled", "horizon_s", "time",
      "departed",        "running",     "waiting_to_enter", "queued",
      "mean_speed"};
  return names;
}

void write_traffic_metrics(const Metrics& m, std::span<double> out) {
  const double values[] = {static_cast<double>(m.served_vehicles),
                           m.delay_index,
                           m.average_travel_time,
                           m.average_travel_time_finished,
                           static_cast<double>(m.throughput),
                           static_cast<double>(m.vehicles_scheduled),
                           m.horizon,
                           m.time,
                           static_cast<double>(m.departed),
                           static_cast<double>(m.running),
                           static_cast<double>(m.waiting_to_enter),
                           static_cast<double>(m.queued),
                           m.mean_speed};
  static_assert(std::size(values) == 13);
  GW_CHECK(out.size() == std::size(values), "metric buffer size");
  std::copy(std::begin(values), std::end(values), out.begin());
}

TrafficEnv::TrafficEnv(TrafficBackend& backend, TrafficEnvConfig config)
    : TrafficEnv(std::unique_ptr<TrafficBackend>(), backend, std::move(config)) {}

TrafficEnv::TrafficEnv(std::unique_ptr<TrafficBackend> backend, TrafficEnvConfig config)
    : TrafficEnv(std::move(backend), non_null(backend), std::move(config)) {}

TrafficEnv::TrafficEnv(std::unique_ptr<TrafficBackend>&& owned, TrafficBackend& backend, TrafficEnvConfig config)
    : owned_(std::move(owned)),
      backend_(&backend),
      config_(std::move(config)),
      agents_(agent_topologies(backend.scenario().network)),
      observation_(backend.scenario().network, agents_, config_.observation, observation_limits(backend.scenario())),
      reward_(config_.reward),
      steps_per_action_(decision_steps(backend.scenario().settings)),
      trip_free_flow_time_(mean_trip_free_flow_time(backend.scenario().demand)) {
  const RoadNetwork& net = backend.scenario().network;
  if (agents_.empty())
    throw ConfigError("scenario", "'" + backend.scenario().name + "' has no signalized intersection to control");
  spec_.name = "traffic";
  spec_.observation = observation_.spec();
  spec_.reward_names = reward_.names();
  for (const AgentTopology& a : agents_) {
    spec_.agent_ids.push_back(net.intersection_ids[a.intersection]);
    spec_.action_counts.push_back(a.phase_count);
    spec_.max_actions = std::max(spec_.max_actions, a.phase_count);
  }
  allowed_ = phase_mask(net, agents_, spec_.max_actions);
  prev_waiting_.resize(static_cast<std::size_t>(net.num_lanes()));
  prev_departures_.resize(static_cast<std::size_t>(net.num_lanes()));
}

void TrafficEnv::check_buffers(std::span<float> obs, const char* what) const {
  const auto expected = static_cast<std::size_t>(spec_.num_agents() * spec_.observation.size());
  if (obs.size() != expected)
    throw ActionError(std::string(what) + ": observation buffer has " + std::to_string(obs.size()) +
                      " floats, expected agents x obs = " + std::to_string(expected));
}

void TrafficEnv::snapshot_previous() {
  const auto waiting = backend_->lane_waiting_times();
  const auto departures = backend_->lane_departures();
  std::copy(waiting.begin(), waiting.end(), prev_waiting_.begin());
  std::copy(departures.begin(), departures.end(), prev_departures_.begin());
  previous_time_ = backend_->time();
}

bool TrafficEnv::in_clearance(std::int32_t agent) const {
  return backend_->signal(agents_[static_cast<std::size_t>(agent)].intersection).in_clearance;
}

void TrafficEnv::fill_info(StepInfo& info) const {
  const auto n = static_cast<std::size_t>(spec_.num_agents());
  info.time = backend_->time();
  info.ignored.resize(n);
  info.metric_values.resize(traffic_metric_names().size());
  write_traffic_metrics(backend_->metrics(), info.metric_values);
}

void TrafficEnv::reset(std::uint64_t seed, std::span<float> obs, StepInfo& info) {
  check_buffers(obs, "reset");
  backend_->reset(seed);
  observation_.write(*backend_, obs);
  snapshot_previous();
  fill_info(info);
  std::fill(info.ignored.begin(), info.ignored.end(), 0);
  info.terminated = false;
  info.truncated = false;
  blocked_ = Blocked::No;
}

void TrafficEnv::step(std::span<const std::int32_t> actions, std::span<float> obs, std::span<float> rewards,
                      StepInfo& info) {
  switch (blocked_) {
    case Blocked::No: break;
    case Blocked::NotReset: throw ActionError("step: call reset() before the first step");
    case Blocked::Ended: throw ActionError("step: the episode has ended (terminated or truncated); call reset()");
    case Blocked::Failed: throw ActionError("step: the previous step failed; call reset()");
  }
  const auto n = static_cast<std::size_t>(spec_.num_agents());
  if (actions.size() != n)
    throw ActionError("step: got " + std::to_string(actions.size()) + " actions, expected one per agent (" +
                      std::to_string(n) + ")");
  if (rewards.size() != n)
    throw ActionError("step: reward buffer has " + std::to_string(rewards.size()) + " floats, expected " +
                      std::to_string(n));
  check_buffers(obs, "step");
  for (std::size_t a = 0; a < n; ++a) {
    const std::int32_t act = actions[a];
    const std::int32_t count = spec_.action_counts[a];
    if (act < 0 || act >= spec_.max_actions)
      throw ActionError("step: action " + std::to_string(act) + " of agent '" + spec_.agent_ids[a] +
                        "' is out of range [0, " + std::to_string(spec_.max_actions) + ")");
    if (act >= count)
      throw ActionError("step: action " + std::to_string(act) + " of agent '" + spec_.agent_ids[a] +
                        "' is masked (it has " + std::to_string(count) + " phases)");
  }

  info.ignored.resize(n);
  const auto width = static_cast<std::size_t>(spec_.max_actions);
  for (std::size_t a = 0; a < n; ++a) {
    if (allowed_[a * width + static_cast<std::size_t>(actions[a])] == 0) {
      info.ignored[a] = 1;  // a phase that serves nothing (CBEngine: a missing leg) is rejected
      continue;
    }
    const PhaseRequest r = backend_->request_phase(agents_[a].intersection, actions[a]);
    info.ignored[a] = r == PhaseRequest::TooEarly || r == PhaseRequest::InClearance;
  }
  const double horizon = backend_->scenario().settings.horizon;
  for (std::int32_t k = 0; k < steps_per_action_; ++k) {
    backend_->step();
    if (backend_->demand_done() || backend_->time() >= horizon - 1e-9) break;
  }
  info.terminated = backend_->demand_done();
  info.truncated = !info.terminated && backend_->time() >= horizon - 1e-9;

  observation_.write(*backend_, obs);
  const RoadNetwork& net = backend_->scenario().network;
  const double interval = backend_->time() - previous_time_;
  blocked_ = Blocked::Failed;  // until the rewards are known to be finite
  for (std::size_t a = 0; a < n; ++a) {
    const RewardView view{net,
                          agents_[a],
                          *backend_,
                          interval,
                          backend_->lane_vehicle_counts(),
                          backend_->lane_queue_counts(),
                          backend_->lane_speed_sums(),
                          backend_->lane_waiting_times(),
                          backend_->lane_departures(),
                          prev_waiting_,
                          prev_departures_,
                          trip_free_flow_time_};
    rewards[a] = static_cast<float>(reward_.evaluate(view));
  }
  blocked_ = info.terminated || info.truncated ? Blocked::Ended : Blocked::No;
  snapshot_previous();
  fill_info(info);
}

void TrafficEnv::action_mask(std::span<std::uint8_t> mask) const {
  const auto width = static_cast<std::size_t>(spec_.max_actions);
  if (mask.size() != width * spec_.action_counts.size())
    throw ActionError("action_mask: buffer has " + std::to_string(mask.size()) + " bytes, expected agents x max_actions = " +
                      std::to_string(width * spec_.action_counts.size()));
  std::copy(allowed_.begin(), allowed_.end(), mask.begin());
}

}  // namespace greenwave
