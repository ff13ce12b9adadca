// Importer for CityFlow scenarios (config.json, roadnet.json, flow.json).
#pragma once

#include <string>

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
/// the lights and the times mean nothing).
/// Throws ScenarioError naming the file and JSON path.
v1::Scenario import_cityflow(const std::string& path, const std::string& flow_path = "");

}  // namespace greenwave
