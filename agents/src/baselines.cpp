#include "greenwave/agents/baselines.hpp"

#include <algorithm>

#include "greenwave/core/error.hpp"
#include "greenwave/env/traffic_env.hpp"

namespace greenwave {

namespace {

std::size_t idx(std::int64_t i) { return static_cast<std::size_t>(i); }

// Offset of component `name` in the spec's observation; ConfigError naming the controller if absent.
std::int64_t component_offset(const EnvSpec& spec, const std::string& name, const char* controller,
                              std::int64_t* size = nullptr) {
  for (const ObservationComponent& c : spec.observation.components) {
    if (c.name != name) continue;
    if (size) *size = c.size;
    return c.offset;
  }
  throw ConfigError("observation", std::string(controller) + " needs the '" + name +
                                       "' observation component (use observation \"" +
                                       baseline_observation(controller) + "\")");
}

// The current phase of a row: the hot entry of its `phase` one-hot.
std::int32_t current_phase(const float* row, std::int64_t phase_offset, std::int64_t width) {
  return static_cast<std::int32_t>(std::max_element(row + phase_offset, row + phase_offset + width) - (row + phase_offset));
}

// The first allowed action after `phase`, cyclically (phase itself when it is the only one).
std::int32_t next_allowed(std::span<const std::uint8_t> row_mask, std::int32_t phase) {
  const auto width = static_cast<std::int32_t>(row_mask.size());
  for (std::int32_t k = 1; k <= width; ++k) {
    const std::int32_t a = (phase + k) % width;
    if (row_mask[idx(a)]) return a;
  }
  GW_CHECK(false, "a row has no allowed action");
  return 0;
}

// Shared validation of act()'s buffers; returns the row count.
std::int64_t rows_of(std::span<const float> obs, std::span<const std::uint8_t> mask, std::span<std::int32_t> actions,
                     std::int64_t obs_size, std::int64_t width) {
  const auto rows = static_cast<std::int64_t>(actions.size());
  GW_CHECK(static_cast<std::int64_t>(obs.size()) == rows * obs_size, "act: obs is not rows x obs_size");
  GW_CHECK(static_cast<std::int64_t>(mask.size()) == rows * width, "act: mask is not rows x max_actions");
  return rows;
}

}  // namespace

void RandomAgent::act(std::span<const float> /*obs*/, std::span<const std::uint8_t> mask,
                      std::span<std::int32_t> actions, bool /*explore*/) {
  const std::size_t width = actions.empty() ? 0 : mask.size() / actions.size();
  for (std::size_t r = 0; r < actions.size(); ++r) {
    const auto row = mask.subspan(r * width, width);
    const auto allowed = static_cast<std::uint64_t>(std::count_if(row.begin(), row.end(), [](std::uint8_t v) { return v != 0; }));
    GW_CHECK(allowed > 0, "a row has no allowed action");
    auto pick = rng_.below(allowed);
    for (std::size_t a = 0; a < width; ++a) {
      if (row[a] && pick-- == 0) {
        actions[r] = static_cast<std::int32_t>(a);
        break;
      }
    }
  }
}

FixedTimeAgent::FixedTimeAgent(const EnvSpec& spec, double phase_time)
    : obs_size_(spec.observation.size()),
      width_(spec.max_actions),
      phase_(component_offset(spec, "phase", "fixed")),
      timer_(component_offset(spec, "time_in_phase", "fixed")),
      phase_time_(phase_time) {
  if (!(phase_time > 0)) throw ConfigError("phase_time", "must be > 0 seconds");
}

void FixedTimeAgent::act(std::span<const float> obs, std::span<const std::uint8_t> mask, std::span<std::int32_t> actions,
                         bool /*explore*/) {
  const std::int64_t rows = rows_of(obs, mask, actions, obs_size_, width_);
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* row = obs.data() + r * obs_size_;
    const auto row_mask = mask.subspan(idx(r * width_), idx(width_));
    const std::int32_t phase = current_phase(row, phase_, width_);
    const bool keep = row[timer_] < phase_time_ && row_mask[idx(phase)];
    actions[idx(r)] = keep ? phase : next_allowed(row_mask, phase);
  }
}

MaxPressureAgent::MaxPressureAgent(const EnvSpec& spec, double min_phase_time)
    : obs_size_(spec.observation.size()),
      width_(spec.max_actions),
      pressure_(component_offset(spec, "phase_pressure", "maxpressure")),
      phase_(component_offset(spec, "phase", "maxpressure")),
      timer_(component_offset(spec, "time_in_phase", "maxpressure")),
      min_phase_time_(min_phase_time) {
  if (!(min_phase_time >= 0)) throw ConfigError("min_phase_time", "must be >= 0 seconds");
}

void MaxPressureAgent::act(std::span<const float> obs, std::span<const std::uint8_t> mask,
                           std::span<std::int32_t> actions, bool /*explore*/) {
  const std::int64_t rows = rows_of(obs, mask, actions, obs_size_, width_);
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* row = obs.data() + r * obs_size_;
    const auto row_mask = mask.subspan(idx(r * width_), idx(width_));
    const std::int32_t phase = current_phase(row, phase_, width_);
    if (row[timer_] < min_phase_time_ && row_mask[idx(phase)]) {
      actions[idx(r)] = phase;
      continue;
    }
    std::int32_t best = -1;
    for (std::int32_t a = 0; a < width_; ++a) {
      if (row_mask[idx(a)] && (best < 0 || row[pressure_ + a] > row[pressure_ + best])) best = a;
    }
    GW_CHECK(best >= 0, "a row has no allowed action");
    actions[idx(r)] = best;
  }
}

SotlAgent::SotlAgent(const EnvSpec& spec, PhaseLanes phase_lanes, SotlConfig config)
    : obs_size_(spec.observation.size()),
      width_(spec.max_actions),
      queue_(component_offset(spec, "lane_queue", "sotl", &queue_size_)),
      phase_(component_offset(spec, "phase", "sotl")),
      timer_(component_offset(spec, "time_in_phase", "sotl")),
      agents_(spec.num_agents()),
      phase_lanes_(std::move(phase_lanes)),
      config_(config) {
  if (std::ssize(phase_lanes_) != agents_)
    throw ConfigError("phase_lanes", "one entry per agent expected, got " + std::to_string(phase_lanes_.size()));
  for (const auto& phases : phase_lanes_) {
    if (std::ssize(phases) > width_) throw ConfigError("phase_lanes", "more phases than actions");
    for (const auto& lanes : phases)
      for (const std::int32_t l : lanes)
        if (l < 0 || l >= queue_size_) throw ConfigError("phase_lanes", "lane index outside lane_queue");
  }
}

void SotlAgent::act(std::span<const float> obs, std::span<const std::uint8_t> mask, std::span<std::int32_t> actions,
                    bool /*explore*/) {
  const std::int64_t rows = rows_of(obs, mask, actions, obs_size_, width_);
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* row = obs.data() + r * obs_size_;
    const auto row_mask = mask.subspan(idx(r * width_), idx(width_));
    const std::int32_t phase = current_phase(row, phase_, width_);
    actions[idx(r)] = row_mask[idx(phase)] ? phase : next_allowed(row_mask, phase);
    if (row[timer_] < config_.min_phase_time) continue;
    const auto& phases = phase_lanes_[idx(r % agents_)];
    double total = 0;
    for (std::int64_t l = 0; l < queue_size_; ++l) total += row[queue_ + l];
    double green = 0;
    if (phase < std::ssize(phases))
      for (const std::int32_t l : phases[idx(phase)]) green += row[queue_ + l];
    if (green <= config_.max_green_queue && total - green > config_.min_red_queue)
      actions[idx(r)] = next_allowed(row_mask, phase);
  }
}

PhaseLanes sotl_phase_lanes(const TrafficEnv& env) {
  const RoadNetwork& net = env.backend().scenario().network;
  PhaseLanes table;
  for (const AgentTopology& a : env.agents()) {
    auto& phases = table.emplace_back();
    for (std::int32_t k = 0; k < a.phase_count; ++k) {
      auto& lanes = phases.emplace_back();
      for (const MovementId m : net.movements_of_phase(a.first_phase + k)) {
        const LaneId from = net.movement_from_lane[m];
        const auto it = std::lower_bound(a.incoming_lanes.begin(), a.incoming_lanes.end(), from);
        if (it == a.incoming_lanes.end() || *it != from) continue;
        const auto i = static_cast<std::int32_t>(it - a.incoming_lanes.begin());
        if (std::find(lanes.begin(), lanes.end(), i) == lanes.end()) lanes.push_back(i);
      }
    }
  }
  return table;
}

std::string baseline_observation(const std::string& name) {
  if (name == "random") return "phase";
  if (name == "fixed") return "phase,time_in_phase";
  if (name == "maxpressure") return "phase_pressure,phase,time_in_phase";
  if (name == "sotl") return "lane_queue,phase,time_in_phase";
  throw ConfigError("agent", "unknown controller '" + name + "' (expected random, fixed, maxpressure or sotl)");
}

std::unique_ptr<Agent> make_baseline(const std::string& name, const TrafficEnv& env, std::uint64_t seed) {
  if (name == "random") return std::make_unique<RandomAgent>(seed);
  if (name == "fixed") return std::make_unique<FixedTimeAgent>(env.spec());
  if (name == "maxpressure") return std::make_unique<MaxPressureAgent>(env.spec());
  if (name == "sotl") return std::make_unique<SotlAgent>(env.spec(), sotl_phase_lanes(env));
  throw ConfigError("agent", "unknown controller '" + name + "' (expected random, fixed, maxpressure or sotl)");
}

}  // namespace greenwave
