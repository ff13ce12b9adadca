// libFuzzer: the CBEngine roadnet.txt parser must throw ScenarioError or succeed, never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "greenwave/core/error.hpp"
#include "greenwave/networks/importers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    greenwave::parse_cbengine_roadnet(std::string_view(reinterpret_cast<const char*>(data), size), "roadnet.txt");
  } catch (const greenwave::ScenarioError&) {
  }
  return 0;
}
