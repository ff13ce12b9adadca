// libFuzzer: the native text-format parser must throw ScenarioError or succeed, never crash.
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
  } catch (const greenwave::ScenarioError&) {
  }
  return 0;
}
