// libFuzzer: the SUMO .net.xml and .rou.xml parsers, and compiling what they accept, must throw
// ScenarioError or succeed, never crash or hang. An input is the net text, then a NUL byte and
// the route text (no NUL byte: a network alone).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "greenwave/core/error.hpp"
#include "greenwave/networks/scenario_io.hpp"
#include "greenwave/networks/sumo.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t cut = input.find('\0');
  std::vector<std::pair<std::string, std::string>> routes;
  if (cut != std::string_view::npos) routes.emplace_back("f.rou.xml", std::string(input.substr(cut + 1)));
  greenwave::SumoConfig config;
  config.end = 3600;
  try {
    const greenwave::SumoImport s = greenwave::parse_sumo(input.substr(0, cut), "f.net.xml", routes, config);
    // Compile too, when the demand expands (within the 3600 s horizon) in a moment.
    double vehicles = s.scenario.demand().trips_size();
    for (const auto& f : s.scenario.demand().flows())
      vehicles += (std::min(f.end(), 3600.0) - f.start()) / f.interval() + 1;
    if (vehicles <= 1e5) (void)greenwave::compile_scenario(s.scenario, "f.net.xml");
  } catch (const greenwave::ScenarioError&) {
  }
  return 0;
}
