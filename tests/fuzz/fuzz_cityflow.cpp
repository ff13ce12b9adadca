// libFuzzer: the CityFlow roadnet.json and flow.json parsers, and compiling what they accept, must
// throw ScenarioError or succeed, never crash or hang. An input is the roadnet text, then a NUL
// byte and the flow text (no NUL byte: a roadnet alone).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "greenwave/core/error.hpp"
#include "greenwave/networks/cityflow.hpp"
#include "greenwave/networks/scenario_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t cut = input.find('\0');
  try {
    greenwave::v1::Scenario s = greenwave::parse_cityflow_roadnet(input.substr(0, cut), "roadnet.json");
    if (cut != std::string_view::npos) greenwave::parse_cityflow_flow(input.substr(cut + 1), "flow.json", s);
    // Compile too, when the demand expands (up to the default 3600 s horizon) in a moment.
    double vehicles = 0;
    for (const auto& f : s.demand().flows()) vehicles += std::max(0.0, (std::min(f.end(), 3600.0) - f.start()) / f.interval() + 1);
    if (vehicles <= 1e5) (void)greenwave::compile_scenario(s, "roadnet.json");
  } catch (const greenwave::ScenarioError&) {
  }
  return 0;
}
