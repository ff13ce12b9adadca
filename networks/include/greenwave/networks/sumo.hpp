// Importer for SUMO scenarios (.sumocfg, .net.xml, .rou.xml) and the writer of native scenarios
// as SUMO files. The mapping is documented in docs/sumo.md.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "greenwave/networks/road_network.hpp"
#include "greenwave/v1/scenario.pb.h"

namespace greenwave {

/// How the native scenario's ids map back onto SUMO's (for the libsumo backend).
struct SumoLinks {
  /// Per native road id: the SUMO lane ids of its native lanes, by native lane index (native index
  /// 0 is SUMO's highest passenger lane index, the innermost).
  std::map<std::string, std::vector<std::string>> road_lanes;
  /// Per signalized native intersection id: the SUMO traffic light that controls it.
  std::map<std::string, std::string> intersection_tls;
  /// Per signalized native intersection id: the SUMO linkIndex of each of its native movements
  /// (-1 for a movement the light does not control).
  std::map<std::string, std::vector<std::int32_t>> movement_link;
  /// Per signalized native intersection id: the length of its light's state string.
  std::map<std::string, std::int32_t> state_length;
  /// Per signalized native intersection id: the state strings of its light's program, in order
  /// (the backend gives a link SUMO's permissive 'g' where the program ever does).
  std::map<std::string, std::vector<std::string>> program_states;
};

/// What the importer skipped or approximated: one counted line per kind, e.g.
/// "18 vehicles of non-passenger types skipped (bus)". Empty when everything mapped.
using SumoWarnings = std::vector<std::string>;

/// The files and time window a .sumocfg names.
struct SumoConfig {
  std::string net_file;                  ///< absolute or config-relative path, resolved
  std::vector<std::string> route_files;  ///< resolved paths, in order
  double begin = 0;                      ///< seconds; SUMO times are shifted by -begin
  double end = -1;                       ///< seconds, -1 when absent (horizon 3600 then)
  double step_length = 1;                ///< seconds
  std::uint64_t seed = 0;                ///< random_number/seed
};

/// One imported SUMO scenario with its id links and warnings.
struct SumoImport {
  v1::Scenario scenario;   ///< the native scenario
  SumoConfig config;       ///< the files read and their time window
  SumoLinks links;         ///< native ids to SUMO ids
  SumoWarnings warnings;   ///< what was skipped or approximated, counted
};

/// Reads a .sumocfg (net, route files, begin/end, step-length, seed) or a bare .net.xml (with
/// `route_path` naming a .rou.xml, "" = no demand) onto the native schema. Throws ScenarioError
/// naming the file, line and element.
SumoImport import_sumo_full(const std::string& path, const std::string& route_path = "");

/// import_sumo_full(path, route_path).scenario, reporting each warning line through warn().
v1::Scenario import_sumo(const std::string& path, const std::string& route_path = "");

/// Parses a .sumocfg's text; `file` names it in errors and anchors relative paths.
SumoConfig parse_sumo_config(std::string_view text, const std::string& file);

/// Parses a .net.xml text and the texts of its route files (file name, text) with a config's
/// time window; the in-memory entry point behind import_sumo_full (and the fuzzer's).
SumoImport parse_sumo(std::string_view net_text, const std::string& net_file,
                      const std::vector<std::pair<std::string, std::string>>& route_texts, const SumoConfig& config);

/// The three files of a scenario written as SUMO files: OUT.sumocfg, OUT.net.xml, OUT.rou.xml.
struct SumoFiles {
  std::string config;  ///< the .sumocfg, naming the other two by file name
  std::string net;     ///< the .net.xml
  std::string routes;  ///< the .rou.xml
};

/// The files written for `config_path` (which must end in .sumocfg; ConfigError naming OUT otherwise).
SumoFiles sumo_files_for(const std::string& config_path);

/// How write_sumo_routes names vehicle types and which departures it writes.
struct SumoRouteOptions {
  std::string type_prefix;      ///< prepended to every vType id (e.g. to keep clear of SUMO's own)
  bool until_horizon = false;   ///< only the departures before the horizon
  double min_tau = 0;           ///< a floor on tau (SUMO's headway), seconds
};

/// Writes the compiled demand as a SUMO route file: the vehicle types, then one vehicle per
/// departure (id = its index) with its route. Written to a temporary and renamed; IoError
/// carries the OS reason.
void write_sumo_routes(const CompiledScenario& compiled, const std::string& path, const SumoRouteOptions& options = {});

/// A number as text that reads back to the same double (%.17g).
std::string exact_number(double v);

/// `s` escaped for an XML attribute value.
std::string xml_escape(const std::string& s);

/// Writes `scenario` (and `compiled`, the same scenario compiled: its demand and settings with
/// defaults) as SUMO files beside `config_path` (docs/sumo.md, "Writing SUMO files"): the network
/// through SUMO's netconvert (ConfigError when it cannot be run, ScenarioError with its first
/// error when it fails), one vehicle per departure, and the config (0 to the horizon at dt, the
/// seed). Each file is written to a temporary and renamed; IoError carries the OS reason.
void write_sumo(const v1::Scenario& scenario, const CompiledScenario& compiled, const std::string& config_path);

}  // namespace greenwave
