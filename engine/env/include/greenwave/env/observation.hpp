// Observations by name: per-agent feature vectors composed from named components and gathered
// from the backend's lane arrays through index tables built once at construction.
#pragma once

#include <cstdint>
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

/// Writes every agent's observation from a backend. The component list (e.g.
/// "lane_count,phase") is parsed once; each element of the output is a precomputed sum of
/// signed lane counts or queues, so a write is a flat gather without allocation.
class ObservationBuilder {
 public:
  /// Parses `components` (comma-separated names) against `agents`; throws ConfigError on an
  /// empty list, an unknown or repeated name, or a `cbengine` agent with no or more than 4 legs.
  ObservationBuilder(const RoadNetwork& net, std::span<const AgentTopology> agents, std::string_view components);
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

  void add_element(float base, std::span<const Term> terms);

  ObservationSpec spec_;
  std::vector<IntersectionId> intersections_;  ///< per agent
  std::vector<float> base_;                    ///< per element (agents x size): constant part
  std::vector<std::int32_t> term_begin_;       ///< CSR into terms_ (elements + 1)
  std::vector<Term> terms_;
  std::int64_t phase_offset_ = -1;             ///< offset of the `phase` one-hot, or -1
  std::int64_t time_offset_ = -1;              ///< offset of `time_in_phase`, or -1
};

}  // namespace greenwave
