// Importer for CityFlow scenarios (config.json, roadnet.json, flow.json) and the writer of
// native scenarios as CityFlow files.
#pragma once

#include <string>
#include <string_view>

#include "greenwave/networks/road_network.hpp"
#include "greenwave/v1/scenario.pb.h"

namespace greenwave {

/// Reads a CityFlow scenario onto the native schema. `path` is a config.json (naming the
/// roadnet and flow files relative to its "dir", itself relative to the config's folder) or a
/// roadnet.json, in which case `flow_path` names the flow file ("" = no demand).
/// Virtual intersections become boundaries; laneLinks become movements; the lightphase that
/// is contained in every other one (CityFlow's right-turn-only phase 0) becomes the clearance
/// interval (its time sets settings.yellow) and its road links are always green; the other
/// lightphases are the green phases, and their times form the fixed-time plan (only when the
/// config's rlTrafficLight is false or no config is given: with rlTrafficLight an agent controls
/// the lights and the times mean nothing). See docs/scenario-format.md, "CityFlow".
/// Throws ScenarioError naming the file and JSON path (or line, for invalid JSON).
v1::Scenario import_cityflow(const std::string& path, const std::string& flow_path = "");

/// Parses the text of a CityFlow roadnet.json into a scenario without demand; `file` names it in
/// errors. `fixed_time_plans` keeps the lightphase times as signal plans. Every id is checked
/// (unique, resolving, roads touching the intersection that links them), so the result compiles.
v1::Scenario parse_cityflow_roadnet(std::string_view text, const std::string& file, bool fixed_time_plans = true);

/// Parses the text of a CityFlow flow.json and appends its flows ("flow_<k>", k from 0 in file
/// order) and their vehicle types ("type_<k>", one per distinct parameter set) to `scenario`,
/// whose roads the routes must name and connect (gaps are bridged by shortest paths).
void parse_cityflow_flow(std::string_view text, const std::string& file, v1::Scenario& scenario);

/// The three files of a scenario written as CityFlow files: OUT.json, OUT.roadnet.json, OUT.flow.json.
struct CityFlowFiles {
  std::string config;   ///< the config.json, naming the other two by file name
  std::string roadnet;  ///< the roadnet JSON
  std::string flow;     ///< the flow JSON
};

/// The files written for `config_path` (which must end in .json; ConfigError naming OUT otherwise).
CityFlowFiles cityflow_files_for(const std::string& config_path);

/// Writes `scenario` (and `compiled`, the same scenario compiled: its demand and settings with
/// defaults) as CityFlow files beside `config_path` (docs/scenario-format.md, "Writing CityFlow
/// files"): roads, lanes, lane links and lightphases that import_cityflow reads back to the same
/// network, one flow entry per departure, and the config (interval, seed, laneChange,
/// rlTrafficLight false when a signal plan exists). ScenarioError for what CityFlow cannot hold
/// (a U-turn, a plan that does not show each phase once); each file is written to a temporary
/// and renamed, IoError carrying the OS reason.
void write_cityflow(const v1::Scenario& scenario, const CompiledScenario& compiled, const std::string& config_path);

}  // namespace greenwave
