// Observations by name: per-agent feature vectors composed from named components and gathered
// from the backend's lane arrays through index tables built once at construction.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "greenwave/env/agent_topology.hpp"
#include "greenwave/env/env.hpp"
#include "greenwave/sim/backend.hpp"

namespace greenwave {

/// The known observation component names, in documentation order (docs/observations.md).
std::span<const std::string_view> observation_component_names();

/// What bounds the observation values of a scenario: how many vehicles a lane can hold and how
/// long a phase can last. Empty capacities mean unknown (the count components stay unbounded).
struct ObservationLimits {
  std::vector<std::int32_t> lane_capacity;  ///< per lane: most vehicles it can hold at once
  float max_time_in_phase = std::numeric_limits<float>::infinity();  ///< seconds
  float max_speed = std::numeric_limits<float>::infinity();  ///< fastest vehicle type of the demand, m/s
};

/// The limits of `scenario`: lane l holds at most floor(length / shortest vehicle) + 1 vehicles
/// (the simulator never lets vehicles overlap) and never more than the scenario's departures; a
/// phase lasts at most the horizon plus one step (an episode ends at the horizon); no vehicle
/// drives faster than its type's max_speed.
ObservationLimits observation_limits(const CompiledScenario& scenario);

/// Writes every agent's observation from a backend. The component list (e.g.
/// "lane_count,phase") is parsed once; each element of the output is a precomputed sum of
/// signed lane counts or queues (or, for cbengine's speeds, a ratio of two sums over a lane
/// list), so a write is a flat gather without allocation.
class ObservationBuilder {
 public:
  /// Parses `components` (comma-separated names) against `agents`; throws ConfigError on an
  /// empty list, an unknown or repeated name, or a `cbengine` agent with no or more than 4 legs.
  /// Each component's bounds are the extremes its elements reach under `limits` (a count element
  /// sums signed lane counts, so its bounds sum the lanes' capacities by sign).
  ObservationBuilder(const RoadNetwork& net, std::span<const AgentTopology> agents, std::string_view components,
                     const ObservationLimits& limits = {});
  /// The per-agent layout: padded size, components with offsets and bounds.
  const ObservationSpec& spec() const { return spec_; }
  /// Writes (agents x spec().size()) floats from the backend's current state; `out` must have
  /// exactly that size (checked by the caller).
  void write(const TrafficBackend& backend, std::span<float> out) const;

 private:
  /// One signed lane read: coefficient * source[lane].
  struct Term {
    LaneId lane;
    std::int32_t coef;
    std::uint8_t source;  ///< 0 = lane_vehicle_counts, 1 = lane_queue_counts
  };

  /// One cbengine mean-speed element: lanes speed_lanes_[begin, end) of an existing road.
  struct SpeedElement {
    std::int64_t element;  ///< index into the output (agent row * size + offset)
    std::int32_t begin, end;
  };

  void add_element(float base, std::span<const Term> terms);
  void bound_components(const ObservationLimits& limits);

  ObservationSpec spec_;
  std::vector<IntersectionId> intersections_;  ///< per agent
  std::vector<float> base_;                    ///< per element (agents x size): constant part
  std::vector<std::int32_t> term_begin_;       ///< CSR into terms_ (elements + 1)
  std::vector<Term> terms_;
  std::vector<SpeedElement> speeds_;           ///< cbengine speed elements of existing roads
  std::vector<LaneId> speed_lanes_;            ///< lanes of each SpeedElement, concatenated
  std::int64_t phase_offset_ = -1;             ///< offset of the `phase` one-hot, or -1
  std::int64_t time_offset_ = -1;              ///< offset of `time_in_phase`, or -1
};

}  // namespace greenwave
