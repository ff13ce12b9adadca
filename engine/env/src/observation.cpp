#include "greenwave/env/observation.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "greenwave/core/error.hpp"

namespace greenwave {
namespace {

constexpr std::array<std::string_view, 8> kComponents = {
    "lane_count", "lane_queue", "out_lane_count", "pressure",
    "phase",      "time_in_phase", "phase_pressure", "cbengine"};
constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr std::uint8_t kCounts = 0;
constexpr std::uint8_t kQueues = 1;
constexpr std::int32_t kCbengineLegs = 4;
constexpr std::int32_t kCbengineSlots = 3;  // left, through, right
constexpr float kMissingRoad = -1.0f;       // CBEngine's value for every slot of a missing road
constexpr float kNoVehicle = -2.0f;         // CBEngine's lane_speed on a lane without vehicles

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> parse_names(std::string_view list) {
  std::vector<std::string_view> names;
  const std::string full(list);
  while (true) {
    const auto comma = list.find(',');
    const std::string_view name = trim(list.substr(0, comma));
    if (name.empty()) throw ConfigError("observation", "empty component name in '" + full + "'");
    if (std::find(kComponents.begin(), kComponents.end(), name) == kComponents.end()) {
      std::string known;
      for (const auto k : kComponents) known += (known.empty() ? "" : ", ") + std::string(k);
      throw ConfigError("observation", "unknown component '" + std::string(name) + "' (known: " + known + ")");
    }
    if (std::find(names.begin(), names.end(), name) != names.end())
      throw ConfigError("observation", "component '" + std::string(name) + "' given twice");
    names.push_back(name);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return names;
}

// CBEngine slot (0 left, 1 through, 2 right) of an incoming lane: the sharpest turn it serves.
std::int32_t incoming_slot(const RoadNetwork& net, LaneId l) {
  bool straight = false;
  bool right = false;
  for (const MovementId m : net.movements_from(l)) {
    const Turn t = net.movement_turn[m];
    if (t == Turn::Left || t == Turn::UTurn) return 0;
    straight = straight || t == Turn::Straight;
    right = right || t == Turn::Right;
  }
  if (straight) return 1;
  if (right) return 2;
  return std::min(net.lane_index[l], kCbengineSlots - 1);
}

template <class F>
std::int64_t max_over(std::span<const AgentTopology> agents, F size_of) {
  std::int64_t n = 0;
  for (const AgentTopology& a : agents) n = std::max<std::int64_t>(n, static_cast<std::int64_t>(size_of(a)));
  return n;
}

}  // namespace

std::span<const std::string_view> observation_component_names() { return kComponents; }

ObservationLimits observation_limits(const CompiledScenario& scenario) {
  const RoadNetwork& net = scenario.network;
  const Demand& demand = scenario.demand;
  double shortest = std::numeric_limits<double>::infinity();
  double fastest = 0;
  for (const Departure& d : demand.departures) {
    const VehicleType& type = demand.vehicle_types[static_cast<std::size_t>(d.vehicle_type)];
    shortest = std::min(shortest, type.length);
    fastest = std::max(fastest, type.max_speed);
  }
  const auto vehicles = static_cast<double>(demand.departures.size());
  ObservationLimits limits;
  limits.lane_capacity.resize(static_cast<std::size_t>(net.num_lanes()));
  for (LaneId l = 0; l < net.num_lanes(); ++l) {
    // Fronts on the lane lie in [0, length], each at least one vehicle length behind the next.
    const double geometric = shortest > 0 ? std::floor(net.lane_length[l] / shortest) + 1 : vehicles;
    limits.lane_capacity[static_cast<std::size_t>(l)] = static_cast<std::int32_t>(std::min(geometric, vehicles));
  }
  limits.max_time_in_phase = static_cast<float>(scenario.settings.horizon + scenario.settings.dt);
  limits.max_speed = static_cast<float>(fastest);
  return limits;
}

void ObservationBuilder::add_element(float base, std::span<const Term> terms) {
  base_.push_back(base);
  terms_.insert(terms_.end(), terms.begin(), terms.end());
  term_begin_.push_back(static_cast<std::int32_t>(terms_.size()));
}

ObservationBuilder::ObservationBuilder(const RoadNetwork& net, std::span<const AgentTopology> agents,
                                       std::string_view components, const ObservationLimits& limits) {
  const std::vector<std::string_view> names = parse_names(components);
  const std::int64_t in_lanes = max_over(agents, [](const AgentTopology& a) { return a.incoming_lanes.size(); });
  const std::int64_t out_lanes = max_over(agents, [](const AgentTopology& a) { return a.outgoing_lanes.size(); });
  const std::int64_t movements = max_over(agents, [](const AgentTopology& a) { return a.movements.size(); });
  const std::int64_t phases = max_over(agents, [](const AgentTopology& a) { return a.phase_count; });

  std::int64_t offset = 0;
  for (const std::string_view name : names) {
    ObservationComponent c{std::string(name), offset, 0, 0.0f, kInf};
    if (name == "lane_count" || name == "lane_queue") c.size = in_lanes;
    if (name == "out_lane_count") c.size = out_lanes;
    if (name == "pressure") c.size = movements;
    if (name == "phase_pressure") c.size = phases;
    if (name == "pressure" || name == "phase_pressure") c.low = -kInf;
    if (name == "phase") {
      c.size = phases;
      c.high = 1.0f;
      phase_offset_ = offset;
    }
    if (name == "time_in_phase") {
      c.size = 1;
      time_offset_ = offset;
    }
    if (name == "cbengine") {
      c.size = 4 * kCbengineLegs * kCbengineSlots;  // (in, out) x (counts, mean speeds)
      c.low = kNoVehicle;
    }
    offset += c.size;
    spec_.components.push_back(std::move(c));
  }
  spec_.shape = {offset};

  term_begin_.push_back(0);
  std::vector<Term> scratch;
  for (const AgentTopology& a : agents) {
    intersections_.push_back(a.intersection);
    for (const ObservationComponent& c : spec_.components) {
      const std::int64_t before = static_cast<std::int64_t>(base_.size());
      const auto lanes = [&](const std::vector<LaneId>& ls, std::uint8_t source) {
        for (const LaneId l : ls) add_element(0.0f, std::array{Term{l, 1, source}});
      };
      const auto movement_terms = [&](MovementId m) {
        scratch.push_back({net.movement_from_lane[m], 1, kCounts});
        scratch.push_back({net.movement_to_lane[m], -1, kCounts});
      };
      if (c.name == "lane_count") lanes(a.incoming_lanes, kCounts);
      if (c.name == "lane_queue") lanes(a.incoming_lanes, kQueues);
      if (c.name == "out_lane_count") lanes(a.outgoing_lanes, kCounts);
      if (c.name == "pressure") {
        for (const MovementId m : a.movements) {
          scratch.clear();
          movement_terms(m);
          add_element(0.0f, scratch);
        }
      }
      if (c.name == "phase_pressure") {
        for (std::int32_t k = 0; k < a.phase_count; ++k) {
          scratch.clear();
          for (const MovementId m : net.movements_of_phase(a.first_phase + k)) movement_terms(m);
          add_element(0.0f, scratch);
        }
      }
      if (c.name == "cbengine") {
        const std::span<const Leg> legs = net.legs_of(a.intersection);
        if (legs.empty() || std::ssize(legs) > kCbengineLegs)
          throw ConfigError("observation", "cbengine needs 1 to 4 legs; intersection '" +
                                               net.intersection_ids[a.intersection] + "' has " +
                                               std::to_string(legs.size()));
        // Counts (elements 0-23) then mean speeds (24-47) over the same slots.
        for (const bool speed : {false, true}) {
          for (const bool incoming : {true, false}) {
            for (std::int32_t g = 0; g < kCbengineLegs; ++g) {
              const RoadId r = g < std::ssize(legs) ? (incoming ? legs[g].incoming : legs[g].outgoing) : kNone;
              for (std::int32_t slot = 0; slot < kCbengineSlots; ++slot) {
                scratch.clear();
                if (r != kNone) {
                  for (const LaneId l : net.lanes_of(r)) {
                    const std::int32_t s = incoming ? incoming_slot(net, l) : std::min(net.lane_index[l], kCbengineSlots - 1);
                    if (s == slot) scratch.push_back({l, 1, kCounts});
                  }
                }
                if (!speed) {
                  add_element(r == kNone ? kMissingRoad : 0.0f, scratch);
                  continue;
                }
                // The gather writes the base (kMissingRoad, or kNoVehicle until write() divides).
                if (r != kNone) {
                  const auto begin = static_cast<std::int32_t>(speed_lanes_.size());
                  for (const Term& t : scratch) speed_lanes_.push_back(t.lane);
                  speeds_.push_back({static_cast<std::int64_t>(base_.size()), begin,
                                     static_cast<std::int32_t>(speed_lanes_.size())});
                }
                add_element(r == kNone ? kMissingRoad : kNoVehicle, {});
              }
            }
          }
        }
      }
      // Padding (and the phase/time parts, written in write()) start at 0.
      while (static_cast<std::int64_t>(base_.size()) - before < c.size) add_element(0.0f, {});
    }
  }
  bound_components(limits);
}

void ObservationBuilder::bound_components(const ObservationLimits& limits) {
  const std::int64_t size = spec_.size();
  const auto agents = static_cast<std::int64_t>(intersections_.size());
  for (ObservationComponent& c : spec_.components) {
    if (c.name == "time_in_phase") c.high = limits.max_time_in_phase;
    if (c.name == "phase" || c.name == "time_in_phase" || limits.lane_capacity.empty() || agents == 0) continue;
    // cbengine's speeds (element terms empty) lie in [kNoVehicle, max_speed].
    const bool speeds = c.name == "cbengine" && !speeds_.empty();
    c.low = kInf;
    c.high = -kInf;
    for (std::int64_t a = 0; a < agents; ++a) {
      for (std::int64_t e = a * size + c.offset; e < a * size + c.offset + c.size; ++e) {
        double low = base_[static_cast<std::size_t>(e)];
        double high = low;
        for (std::int32_t t = term_begin_[static_cast<std::size_t>(e)]; t < term_begin_[static_cast<std::size_t>(e) + 1]; ++t) {
          const Term& term = terms_[static_cast<std::size_t>(t)];
          const double extreme = static_cast<double>(term.coef) * limits.lane_capacity[static_cast<std::size_t>(term.lane)];
          (extreme < 0 ? low : high) += extreme;
        }
        c.low = std::min(c.low, static_cast<float>(low));
        c.high = std::max(c.high, static_cast<float>(high));
      }
    }
    if (speeds) c.high = std::max(c.high, limits.max_speed);
  }
  spec_.low = kInf;
  spec_.high = -kInf;
  for (const ObservationComponent& c : spec_.components) {
    spec_.low = std::min(spec_.low, c.low);
    spec_.high = std::max(spec_.high, c.high);
  }
}

void ObservationBuilder::write(const TrafficBackend& backend, std::span<float> out) const {
  const std::span<const std::int32_t> sources[2] = {backend.lane_vehicle_counts(), backend.lane_queue_counts()};
  const std::size_t elements = base_.size();
  for (std::size_t e = 0; e < elements; ++e) {
    std::int64_t sum = 0;
    for (std::int32_t t = term_begin_[e]; t < term_begin_[e + 1]; ++t) {
      const Term& term = terms_[static_cast<std::size_t>(t)];
      sum += term.coef * sources[term.source][static_cast<std::size_t>(term.lane)];
    }
    out[e] = base_[e] + static_cast<float>(sum);
  }
  const std::span<const double> speed_sums = backend.lane_speed_sums();
  for (const SpeedElement& s : speeds_) {
    std::int64_t vehicles = 0;
    double speed = 0;
    for (std::int32_t k = s.begin; k < s.end; ++k) {
      const auto l = static_cast<std::size_t>(speed_lanes_[static_cast<std::size_t>(k)]);
      vehicles += sources[kCounts][l];
      speed += speed_sums[l];
    }
    if (vehicles > 0) out[static_cast<std::size_t>(s.element)] = static_cast<float>(speed / static_cast<double>(vehicles));
  }
  if (phase_offset_ < 0 && time_offset_ < 0) return;
  const std::int64_t size = spec_.size();
  for (std::size_t a = 0; a < intersections_.size(); ++a) {
    const SignalState s = backend.signal(intersections_[a]);
    float* row = out.data() + static_cast<std::int64_t>(a) * size;
    if (phase_offset_ >= 0) row[phase_offset_ + s.phase] = 1.0f;
    if (time_offset_ >= 0) row[time_offset_] = static_cast<float>(s.time_in_phase);
  }
}

}  // namespace greenwave
