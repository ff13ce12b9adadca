// The step API every agent and every Python user touches: declarative specs, reset, step.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace greenwave {

/// Element type of an observation array.
enum class DType : std::uint8_t { Float32 };

/// One named part of a flat observation: elements [offset, offset + size) with their bounds.
struct ObservationComponent {
  std::string name;          ///< e.g. "lane_count" (docs/observations.md lists them)
  std::int64_t offset = 0;   ///< first element within the agent's observation
  std::int64_t size = 0;     ///< number of elements (padded to the max over agents)
  float low = 0.0f;          ///< lower bound of every element of this part (may be -inf)
  float high = 0.0f;         ///< upper bound of every element of this part (may be +inf)
};

/// Shape, type and bounds of one agent's observation. It is the same for every agent of an
/// env: each component is padded to the max over agents (padding values are documented per
/// component in docs/observations.md).
struct ObservationSpec {
  std::vector<std::int64_t> shape;  ///< per-agent shape, e.g. {obs_dim}
  DType dtype = DType::Float32;
  float low = 0.0f;                 ///< lower bound over all elements (min over components)
  float high = 0.0f;                ///< upper bound over all elements (max over components)
  std::vector<ObservationComponent> components;  ///< the observation parts, in order
  /// Number of elements of a flat observation.
  std::int64_t size() const;
};

/// Everything an agent needs to know about an environment before it runs.
struct EnvSpec {
  std::string name;                       ///< e.g. "traffic", "moe"
  std::vector<std::string> agent_ids;     ///< one per agent (intersection ids for traffic)
  ObservationSpec observation;            ///< per-agent observation
  std::vector<std::int32_t> action_counts;  ///< discrete actions per agent
  std::int32_t max_actions = 0;           ///< max over action_counts (width of action masks)
  std::vector<std::string> reward_names;  ///< the reward spec, for logs
  /// Number of agents.
  std::int32_t num_agents() const { return static_cast<std::int32_t>(agent_ids.size()); }
};

/// Per-step information beside observations and rewards; sized once, reused every step.
struct StepInfo {
  double time = 0;                        ///< simulated seconds
  bool terminated = false;                ///< the episode ended by itself (e.g. all demand left)
  bool truncated = false;                 ///< the episode was cut at a time or step limit
  std::vector<std::uint8_t> ignored;      ///< per agent: 1 when its action could not take effect
  std::vector<double> metric_values;      ///< values of metric_names(), in order
};

/// The environment interface. Buffers are caller-owned: obs is (agents x obs_size) floats,
/// actions and rewards are per agent. Nothing allocates after construction.
class Env {
 public:
  virtual ~Env() = default;
  /// The declarative spec (stable for the env's lifetime).
  virtual const EnvSpec& spec() const = 0;
  /// Starts a new episode with `seed`; writes the first observations. ActionError on a wrong
  /// buffer size.
  virtual void reset(std::uint64_t seed, std::span<float> obs, StepInfo& info) = 0;
  /// Applies one action per agent and advances one decision interval. Throws ActionError on a
  /// wrong shape, an out-of-range or masked action, or a step after the episode ended.
  virtual void step(std::span<const std::int32_t> actions, std::span<float> obs,
                    std::span<float> rewards, StepInfo& info) = 0;
  /// Writes the action mask (agents x max_actions; 1 = allowed); ActionError on a wrong size.
  virtual void action_mask(std::span<std::uint8_t> mask) const = 0;
  /// Names of StepInfo::metric_values.
  virtual const std::vector<std::string>& metric_names() const = 0;
};

}  // namespace greenwave
