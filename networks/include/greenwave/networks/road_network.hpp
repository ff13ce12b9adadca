// The compiled, immutable road network and demand that every simulation reads.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace greenwave {

/// Dense integer ids used inside the engine (indices into RoadNetwork arrays).
using IntersectionId = std::int32_t;
using RoadId = std::int32_t;
using LaneId = std::int32_t;
using MovementId = std::int32_t;
using PhaseId = std::int32_t;
/// Marks a missing id (a missing leg, no phase).
inline constexpr std::int32_t kNone = -1;

/// How a movement turns; the numeric order is CityFlow's priority order at conflicts
/// (a lower value has priority over a higher one).
enum class Turn : std::uint8_t { Straight = 0, Left = 1, Right = 2, UTurn = 3 };

/// A point in the plane (metres).
struct Point {
  double x = 0;
  double y = 0;
};

/// A crossing point of two movements' internal paths inside an intersection.
struct Conflict {
  MovementId other;        ///< the movement this one crosses
  double distance;         ///< distance from the start of this movement's path to the crossing
  double other_distance;   ///< distance from the start of the other movement's path
  double leave_distance;   ///< how far past the crossing a vehicle still blocks it
};

/// One approach of an intersection (for observation layouts such as CBEngine's 24 lanes).
struct Leg {
  std::string direction;   ///< "N", "E", "S", "W" or free text
  RoadId incoming = kNone; ///< road entering the intersection, kNone when missing
  RoadId outgoing = kNone; ///< road leaving the intersection, kNone when missing
};

/// Consecutive ids [first, last) for range-for. (Not std::views::iota: clang 14, which builds the
/// fuzzers, cannot compile libstdc++ 12's <ranges>.)
struct IdRange {
  /// Counts through the range.
  struct Iterator {
    std::int32_t id;
    std::int32_t operator*() const { return id; }
    Iterator& operator++() { ++id; return *this; }
    bool operator!=(const Iterator& other) const { return id != other.id; }
  };
  std::int32_t first;
  std::int32_t last;
  /// First id.
  Iterator begin() const { return {first}; }
  /// One past the last id.
  Iterator end() const { return {last}; }
  /// Number of ids.
  std::int32_t size() const { return last - first; }
};

/// CSR helper: the items of group g are items[begin[g] .. begin[g+1]).
template <class T>
std::span<const T> csr_row(const std::vector<std::int32_t>& begin, const std::vector<T>& items, std::int32_t g) {
  return {items.data() + begin[g], static_cast<std::size_t>(begin[g + 1] - begin[g])};
}

/// The road network compiled into flat arrays: the step loop indexes these and never touches
/// strings, Protobuf or Boost.Graph. Built once by compile_scenario(); shared read-only by any
/// number of simulations.
struct RoadNetwork {
  // ---- intersections ----
  std::vector<std::string> intersection_ids;          ///< original ids, for I/O
  std::vector<Point> intersection_position;           ///< metres
  std::vector<double> intersection_width;             ///< metres (drawing only; 0 when not given)
  std::vector<std::uint8_t> intersection_boundary;    ///< 1 = boundary (CityFlow "virtual")
  std::vector<std::uint8_t> intersection_signalized;  ///< 1 = has a controllable signal
  std::vector<std::int32_t> intersection_movement_begin;  ///< CSR into movements (size n+1)
  std::vector<std::int32_t> intersection_phase_begin;     ///< CSR into phases (size n+1)
  std::vector<std::int32_t> intersection_leg_begin;       ///< CSR into legs (size n+1)
  std::vector<Leg> legs;                                  ///< all legs, grouped by intersection
  std::vector<IntersectionId> signalized;             ///< signalized intersections, in id order

  // ---- roads ----
  std::vector<std::string> road_ids;
  std::vector<IntersectionId> road_from;
  std::vector<IntersectionId> road_to;
  std::vector<double> road_length;                    ///< metres
  std::vector<double> road_free_flow_time;            ///< length / highest lane speed limit, s
  std::vector<std::int32_t> road_lane_begin;          ///< CSR into lanes (size n+1)
  std::vector<std::int32_t> road_shape_begin;         ///< CSR into road_shape (size n+1; drawing only)
  std::vector<Point> road_shape;                      ///< each road's polyline, empty when not given

  // ---- lanes ----
  std::vector<RoadId> lane_road;
  std::vector<std::int32_t> lane_index;               ///< index within its road (0 = innermost)
  std::vector<double> lane_length;                    ///< metres
  std::vector<double> lane_speed_limit;               ///< m/s
  std::vector<double> lane_width;                     ///< metres
  std::vector<std::int32_t> lane_out_begin;           ///< CSR into lane_out_movements (size n+1)
  std::vector<MovementId> lane_out_movements;         ///< movements leaving each lane
  std::vector<std::int32_t> lane_in_begin;            ///< CSR into lane_in_movements (size n+1)
  std::vector<MovementId> lane_in_movements;          ///< movements entering each lane

  // ---- movements (lane links), grouped by intersection ----
  std::vector<IntersectionId> movement_intersection;
  std::vector<LaneId> movement_from_lane;
  std::vector<LaneId> movement_to_lane;
  std::vector<Turn> movement_turn;
  std::vector<double> movement_length;                ///< internal path length, metres
  std::vector<double> movement_speed_limit;           ///< m/s (turning speed for turns)
  std::vector<std::uint8_t> movement_always_green;    ///< green in every phase and in clearance
  std::vector<std::int32_t> movement_path_begin;      ///< CSR into movement_path (size n+1)
  std::vector<Point> movement_path;                   ///< each movement's internal path, may be empty
  std::vector<std::int32_t> movement_conflict_begin;  ///< CSR into conflicts (size n+1)
  std::vector<Conflict> conflicts;                    ///< sorted by distance along each movement

  // ---- phases (green sets), grouped by intersection ----
  std::vector<std::string> phase_names;
  std::vector<std::int32_t> phase_movement_begin;     ///< CSR into phase_movements (size n+1)
  std::vector<MovementId> phase_movements;            ///< global movement ids green in the phase
  /// phase_green[phase_green_begin[p] + k] = 1 when local movement k of p's intersection is green.
  std::vector<std::int32_t> phase_green_begin;
  std::vector<std::uint8_t> phase_green;

  /// Number of intersections.
  std::int32_t num_intersections() const { return static_cast<std::int32_t>(intersection_ids.size()); }
  /// Number of roads.
  std::int32_t num_roads() const { return static_cast<std::int32_t>(road_ids.size()); }
  /// Number of lanes.
  std::int32_t num_lanes() const { return static_cast<std::int32_t>(lane_road.size()); }
  /// Number of movements.
  std::int32_t num_movements() const { return static_cast<std::int32_t>(movement_from_lane.size()); }
  /// Number of phases over all intersections.
  std::int32_t num_phases() const { return static_cast<std::int32_t>(phase_names.size()); }
  /// Number of phases of intersection i.
  std::int32_t phase_count(IntersectionId i) const { return intersection_phase_begin[i + 1] - intersection_phase_begin[i]; }
  /// The lanes of road r (lanes of a road are contiguous ids).
  IdRange lanes_of(RoadId r) const { return {road_lane_begin[r], road_lane_begin[r + 1]}; }
  /// The movements leaving lane l.
  std::span<const MovementId> movements_from(LaneId l) const { return csr_row(lane_out_begin, lane_out_movements, l); }
  /// The movements entering lane l.
  std::span<const MovementId> movements_into(LaneId l) const { return csr_row(lane_in_begin, lane_in_movements, l); }
  /// The global movement ids of phase p.
  std::span<const MovementId> movements_of_phase(PhaseId p) const { return csr_row(phase_movement_begin, phase_movements, p); }
  /// The conflicts of movement m, nearest first.
  std::span<const Conflict> conflicts_of(MovementId m) const { return csr_row(movement_conflict_begin, conflicts, m); }
  /// The legs of intersection i.
  std::span<const Leg> legs_of(IntersectionId i) const { return csr_row(intersection_leg_begin, legs, i); }
  /// True when movement m is green in phase p (p must belong to m's intersection).
  bool is_green(PhaseId p, MovementId m) const {
    return phase_green[phase_green_begin[p] + (m - intersection_movement_begin[movement_intersection[m]])] != 0;
  }
  /// Index of a road by its original id, or kNone.
  RoadId find_road(const std::string& id) const;
  /// Index of an intersection by its original id, or kNone.
  IntersectionId find_intersection(const std::string& id) const;
};

/// Car-following parameters of one vehicle type (CityFlow's flow.json fields).
struct VehicleType {
  std::string id;
  double length = 5.0;
  double width = 2.0;
  double max_pos_acc = 2.0;
  double max_neg_acc = 4.5;
  double usual_pos_acc = 2.0;
  double usual_neg_acc = 4.5;
  double min_gap = 2.5;
  double max_speed = 11.111;
  double headway_time = 2.0;
};

/// One scheduled vehicle departure, expanded from flows and trips.
struct Departure {
  double time;                 ///< scheduled departure, seconds
  std::int32_t route;          ///< index into Demand routes
  std::int32_t vehicle_type;   ///< index into Demand::vehicle_types
  std::int32_t source;         ///< flow index, or num_flows + trip index
};

/// All demand, compiled: routes as road-index lists and departures sorted by time.
struct Demand {
  std::vector<VehicleType> vehicle_types;
  std::vector<std::int32_t> route_begin;   ///< CSR into route_roads (size routes+1)
  std::vector<RoadId> route_roads;
  std::vector<double> route_free_flow_time;  ///< sum of road free-flow times, seconds
  std::vector<Departure> departures;       ///< sorted by (time, source)
  std::vector<std::string> source_ids;     ///< flow/trip ids, for I/O

  /// Number of routes.
  std::int32_t num_routes() const { return static_cast<std::int32_t>(route_begin.size()) - 1; }
  /// The roads of route r.
  std::span<const RoadId> route(std::int32_t r) const { return csr_row(route_begin, route_roads, r); }
};

/// The vehicle model of a run.
enum class VehicleModel : std::uint8_t { CityFlow, IDM };

/// Which movement pairs get conflict points: greenwave's rule skips pairs that share a start or
/// end lane (they follow or merge instead of crossing); CityFlow's gives them crossings too.
enum class ConflictRule : std::uint8_t { Greenwave, CityFlow };

/// Run settings with defaults applied (see scenario.proto RunSettings).
struct RunSettings {
  double dt = 1.0;
  double action_interval = 10.0;
  double yellow = 5.0;
  double min_green = 0.0;
  double horizon = 3600.0;
  std::uint64_t seed = 0;
  VehicleModel vehicle_model = VehicleModel::CityFlow;
  bool lane_change = false;
  double metric_period = 120.0;
  ConflictRule conflicts = ConflictRule::Greenwave;
  double demand_jitter = 0.0;  ///< seconds; > 0: each reset shifts departures (jitter_departures)
};

/// The departures of one episode with demand jitter: departure i (in `departures`' order) moves
/// by J (2u_i - 1), u_i the i-th uniform draw of Rng(mix_seed(seed, kDemandJitterStream)),
/// clamped into [0, horizon - dt]; the result is stably sorted by time. J = 0 returns a copy.
std::vector<Departure> jitter_departures(std::span<const Departure> departures, double jitter, double horizon,
                                         double dt, std::uint64_t seed);

/// The stream index mixed into the episode seed for the demand-jitter draws.
inline constexpr std::uint64_t kDemandJitterStream = 0x6a6974746572ULL;  // "jitter"

/// A fixed-time plan for one intersection, compiled.
struct SignalPlan {
  IntersectionId intersection = kNone;
  std::vector<PhaseId> phases;       ///< global phase ids, in stage order; kNone = a clearance stage
  std::vector<double> durations;     ///< seconds of green (or of clearance) per stage
  double offset = 0;
};

/// A loaded, validated, compiled scenario: what every simulation shares.
struct CompiledScenario {
  std::string name;
  std::string source;          ///< file it was loaded from
  std::string content_hash;    ///< hex hash of the native binary encoding
  RoadNetwork network;
  Demand demand;
  RunSettings settings;
  std::vector<SignalPlan> plans;  ///< at most one per intersection
};

}  // namespace greenwave
