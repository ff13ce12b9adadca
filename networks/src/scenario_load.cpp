// Format detection and the one entry point that reads any supported scenario. Kept apart from
// native_io.cpp so that code using only the native format does not link every importer.
#include <cctype>
#include <filesystem>
#include <fstream>

#include "greenwave/core/error.hpp"
#include "greenwave/networks/importers.hpp"
#include "greenwave/networks/scenario_io.hpp"
#include "greenwave/networks/sumo.hpp"

namespace greenwave {
namespace {

/// The first non-space byte of the file, or 0 for an empty/unreadable one.
char first_byte(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char c = 0;
  while (in.get(c)) {
    if (!std::isspace(static_cast<unsigned char>(c))) return c;
  }
  return 0;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

ScenarioFormat detect_format(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    // The examples' paths point into the shared data folder, which a fresh clone lacks.
    const bool shared = path.find("shared/data") != std::string::npos;
    throw ScenarioError(path, "", shared ? "no such file (shared/data is the data folder beside the checkout, not part of "
                                           "the repository: see the README's 'Shared data'; or run on your own files)"
                                         : "no such file");
  }
  if (fs::is_directory(path, ec)) throw ScenarioError(path, "", "is a directory, expected a scenario file");
  const std::string ext = fs::path(path).extension().string();
  if (ext == ".pbtxt" || ext == ".textproto") return ScenarioFormat::NativeText;
  if (ext == ".pb") return ScenarioFormat::NativeBinary;
  if (ext == ".cfg") return ScenarioFormat::CBEngine;
  if (ext == ".sumocfg" || ends_with(path, ".net.xml")) return ScenarioFormat::Sumo;
  // Otherwise by content: JSON is CityFlow, a leading count is CBEngine's roadnet.txt.
  const char c = first_byte(path);
  if (c == '{' || c == '[') return ScenarioFormat::CityFlow;
  if (std::isdigit(static_cast<unsigned char>(c))) return ScenarioFormat::CBEngine;
  if (c == 0) throw ScenarioError(path, "", "empty file, expected a scenario");
  throw ScenarioError(path, "", "unknown scenario format: expected .pbtxt, .pb, CityFlow JSON, a CBEngine .cfg or "
                                "roadnet.txt, or a SUMO .sumocfg");
}

v1::Scenario read_scenario(const std::string& path, const std::string& flow_path) {
  switch (detect_format(path)) {
    case ScenarioFormat::NativeText:
    case ScenarioFormat::NativeBinary:
      if (!flow_path.empty())
        throw ScenarioError(flow_path, "", "a separate flow file applies only to a CityFlow or CBEngine road network, "
                                           "not to the native scenario " + path);
      return read_native(path);
    case ScenarioFormat::CityFlow: return import_cityflow(path, flow_path);
    case ScenarioFormat::CBEngine: return import_cbengine(path, flow_path);
    case ScenarioFormat::Sumo: return import_sumo(path, flow_path);
  }
  throw ScenarioError(path, "", "unknown scenario format");
}

std::shared_ptr<const CompiledScenario> load_scenario(const std::string& path, const std::string& flow_path) {
  return std::make_shared<const CompiledScenario>(compile_scenario(read_scenario(path, flow_path), path));
}

}  // namespace greenwave
