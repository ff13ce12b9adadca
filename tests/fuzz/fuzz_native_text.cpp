// libFuzzer: the native text-format parser, and compiling what it accepts, must throw
// ScenarioError or succeed, never crash.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "greenwave/core/error.hpp"
#include "greenwave/networks/scenario_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto s = greenwave::parse_native_text(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.pbtxt");
    // What parsed must encode again.
    (void)s.SerializeAsString();
    // And compile or be refused, when the demand expands (up to a 3600 s horizon) in a moment.
    const double horizon = s.settings().horizon() > 0 ? std::min(s.settings().horizon(), 3600.0) : 3600.0;
    double vehicles = s.demand().trips_size();
    for (const auto& f : s.demand().flows())
      if (f.interval() > 0) vehicles += std::max(0.0, (std::min(f.end(), horizon) - f.start()) / f.interval() + 1);
    if (vehicles <= 1e5 && s.settings().horizon() <= 3600) (void)greenwave::compile_scenario(s, "fuzz.pbtxt");
  } catch (const greenwave::ScenarioError&) {
  }
  return 0;
}
