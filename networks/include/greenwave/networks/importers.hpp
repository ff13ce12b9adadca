// Importers of foreign scenario formats and generators of synthetic scenarios; all of them
// produce the native schema (greenwave.v1.Scenario). See docs/scenario-format.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "greenwave/networks/cityflow.hpp"  // import_cityflow
#include "greenwave/v1/scenario.pb.h"

namespace greenwave {

// ---- CBEngine / City Brain Challenge (networks/src/cbengine_import.cpp) ----

/// Imports CBEngine: a simulator .cfg (road_file_addr, vehicle_file_addr, start/max_time_epoch),
/// or a roadnet.txt with `flow_path` naming flow.txt ("" = no demand; a non-empty `flow_path`
/// also overrides the .cfg's). Throws ScenarioError naming file, line, token and expectation.
v1::Scenario import_cbengine(const std::string& cfg_or_roadnet, const std::string& flow_path);

/// Parses the text of a CBEngine roadnet.txt into a scenario without demand; `file` names it
/// in errors. Settings follow CBEngine's rules (dt 1, action interval 10, yellow 5).
v1::Scenario parse_cbengine_roadnet(std::string_view text, const std::string& file);

/// Parses the text of a CBEngine flow.txt and appends its flows ("flow_<k>", k from 0 in file
/// order) to `scenario`, whose roads the routes must name and follow movement by movement.
void parse_cbengine_flow(std::string_view text, const std::string& file, v1::Scenario& scenario);

// ---- Synthetic scenarios (networks/src/generators.cpp, city_generator.cpp) ----

/// How generated demand is laid out over the boundary entries.
enum class DemandPattern {
  Uniform,  ///< every entry sends `rate` veh/h straight through to the opposite boundary
  Random,   ///< every entry sends `rate` veh/h to 4 seeded random exits (origin/destination flows)
  Peak,     ///< as Uniform, with the rate rising to 1.6x at mid-horizon and falling (mean = rate)
};

/// Demand options shared by the generators.
struct DemandOptions {
  DemandPattern pattern = DemandPattern::Uniform;  ///< layout of the flows
  double rate = 300.0;                             ///< vehicles per hour per boundary entry
  double horizon = 3600.0;                         ///< seconds; also RunSettings.horizon
  std::uint64_t seed = 0;                          ///< Random pattern's draws; also RunSettings.seed
};

/// A rows x cols grid of signalized 4-leg intersections with a boundary node at each open end.
struct GridOptions {
  int rows = 4;             ///< signalized rows, 1..200
  int cols = 4;             ///< signalized columns, 1..200
  double spacing = 300.0;   ///< metres between neighbouring intersection centres
  double speed = 13.89;     ///< m/s, every lane (50 km/h)
  DemandOptions demand;     ///< traffic
  std::string name;         ///< scenario name ("" = "grid_<rows>x<cols>")
};

/// A straight east-west arterial of signalized intersections with north/south side streets.
struct ArterialOptions {
  int intersections = 5;         ///< signalized intersections along the arterial, 1..2000
  double spacing = 300.0;        ///< metres between neighbouring intersection centres
  double arterial_speed = 16.67; ///< m/s on the arterial (60 km/h)
  double side_speed = 11.11;     ///< m/s on the side streets (40 km/h)
  double side_rate_ratio = 0.5;  ///< side-street entry rate = demand.rate * this, in [0, 10]
  DemandOptions demand;          ///< traffic; demand.rate applies to the two arterial entries
  std::string name;              ///< scenario name ("" = "arterial_<n>")
};

/// An irregular city (see docs/scenario-format.md, "Generated cities").
struct CityOptions {
  int intersections = 2000;        ///< all nodes of roadnet.txt, dead ends included, 10..100000
  double signalized_share = 0.49;  ///< signalized intersections / intersections (rounded)
  long long vehicles = 74000;      ///< departures in all, 0..1e7
  double horizon = 1200;           ///< seconds (whole seconds; departures before it)
  std::uint64_t seed = 0;          ///< layout and demand draws; also RunSettings.seed
  std::string name;                ///< scenario name ("" = "city_<N>_s<seed>")
};

/// A generated city in CBEngine's files and in the native schema (the same city: `scenario`
/// is roadnet + flow parsed by the CBEngine importer, with the horizon, seed and name set).
struct GeneratedCity {
  std::string roadnet;    ///< roadnet.txt
  std::string flow;       ///< flow.txt
  std::string cfg;        ///< simulator .cfg naming roadnet.txt and flow.txt beside it
  v1::Scenario scenario;  ///< native scenario
};

/// Generates a city (see CityOptions); throws ConfigError on out-of-range options.
GeneratedCity generate_city(const CityOptions& options);

/// Generates a grid scenario (see GridOptions); throws ConfigError on out-of-range options.
v1::Scenario generate_grid(const GridOptions& options);

/// Generates an arterial scenario (see ArterialOptions); throws ConfigError on bad options.
v1::Scenario generate_arterial(const ArterialOptions& options);

}  // namespace greenwave
