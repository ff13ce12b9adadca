// Loading scenarios in any supported format, writing the native format, and compiling.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "greenwave/networks/road_network.hpp"
#include "greenwave/v1/scenario.pb.h"

namespace greenwave {

/// The scenario file formats greenwave reads.
enum class ScenarioFormat { NativeText, NativeBinary, CityFlow, CBEngine, Sumo };

/// Detects the format of `path` from its name and content (config.json, roadnet.json,
/// .cfg, roadnet.txt, .pbtxt, .pb, .sumocfg); throws ScenarioError when unknown or missing.
ScenarioFormat detect_format(const std::string& path);

/// Reads any supported scenario into the native schema. `flow_path` optionally names the
/// demand file when `path` is a bare road network (CityFlow roadnet.json, CBEngine roadnet.txt).
/// Throws ScenarioError naming the file, line or JSON path, and what was expected.
v1::Scenario read_scenario(const std::string& path, const std::string& flow_path = "");

/// Reads a native scenario (.pbtxt text format or .pb binary).
v1::Scenario read_native(const std::string& path);

/// Parses native text format held in memory; `file` names it in errors ("FILE:line L, column C").
v1::Scenario parse_native_text(std::string_view text, const std::string& file);

/// Writes a native scenario; the extension picks the encoding (.pbtxt text, .pb binary).
/// Writes to a temporary file and renames it, so a failure never leaves a half-written file;
/// throws ScenarioError for an unknown extension, IoError when the OS refuses the write.
void write_native(const v1::Scenario& scenario, const std::string& path);

/// Validates a native scenario and compiles it into flat arrays (routes completed by shortest
/// free-flow-time paths, departures expanded and sorted). `source` names the file for errors.
CompiledScenario compile_scenario(const v1::Scenario& scenario, const std::string& source = "");

/// read_scenario() then compile_scenario(), shared so many simulations can use one copy.
std::shared_ptr<const CompiledScenario> load_scenario(const std::string& path, const std::string& flow_path = "");

}  // namespace greenwave
