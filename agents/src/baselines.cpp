#include "greenwave/agents/baselines.hpp"

#include <algorithm>

#include "greenwave/control/controller_rollout.hpp"
#include "greenwave/control/controllers.hpp"
#include "greenwave/core/error.hpp"

namespace greenwave {

namespace {

std::size_t idx(std::int64_t i) { return static_cast<std::size_t>(i); }

std::string unknown(const std::string& name) {
  std::string names;
  for (const std::string& n : baseline_names()) names += (names.empty() ? "" : ", ") + n;
  return "unknown baseline '" + name + "' (expected " + names + ")";
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

ControllerAgent::ControllerAgent(const EnvSpec& spec, std::string name)
    : name_(std::move(name)), obs_size_(spec.observation.size()), width_(spec.max_actions), phase_(-1) {
  for (const ObservationComponent& c : spec.observation.components)
    if (c.name == "phase") phase_ = c.offset;
  if (phase_ < 0) throw ConfigError("observation", name_ + " needs the 'phase' observation component");
}

void ControllerAgent::act(std::span<const float> obs, std::span<const std::uint8_t> mask, std::span<std::int32_t> actions,
                          bool /*explore*/) {
  const auto rows = static_cast<std::int64_t>(actions.size());
  GW_CHECK(static_cast<std::int64_t>(obs.size()) == rows * obs_size_, "act: obs is not rows x obs_size");
  GW_CHECK(static_cast<std::int64_t>(mask.size()) == rows * width_, "act: mask is not rows x max_actions");
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* hot = obs.data() + r * obs_size_ + phase_;
    actions[idx(r)] = static_cast<std::int32_t>(std::max_element(hot, hot + width_) - hot);
  }
}

std::vector<std::string> baseline_names() {
  std::vector<std::string> names = {"random"};
  names.insert(names.end(), controller_names().begin(), controller_names().end());
  return names;
}

bool is_baseline(const std::string& name) {
  const auto names = baseline_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string baseline_observation(const std::string& name) {
  if (!is_baseline(name)) throw ConfigError("agent", unknown(name));
  return "phase";
}

std::unique_ptr<TrafficEnv> make_baseline_env(const std::string& name, std::unique_ptr<TrafficBackend> backend,
                                              TrafficEnvConfig config) {
  if (!is_baseline(name)) throw ConfigError("agent", unknown(name));
  if (name == "random") return std::make_unique<TrafficEnv>(std::move(backend), std::move(config));
  auto controller = make_controller(name, backend->scenario());
  return std::make_unique<TrafficEnv>(std::make_unique<ControlledBackend>(std::move(backend), std::move(controller)),
                                      std::move(config));
}

std::unique_ptr<Agent> make_baseline(const std::string& name, const TrafficEnv& env, std::uint64_t seed) {
  if (!is_baseline(name)) throw ConfigError("agent", unknown(name));
  if (name == "random") return std::make_unique<RandomAgent>(seed);
  if (dynamic_cast<const ControlledBackend*>(&env.backend()) == nullptr)
    throw ConfigError("agent", "controller '" + name + "' drives the signals itself: build its env with make_baseline_env");
  return std::make_unique<ControllerAgent>(env.spec(), name);
}

}  // namespace greenwave
