// libFuzzer: the CBEngine flow.txt parser, against a fixed 1x1 network, must throw ScenarioError
// or succeed, never crash or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "greenwave/core/error.hpp"
#include "greenwave/networks/importers.hpp"

namespace {
constexpr const char* kRoadnet =
    "5\n30 120 0 1\n30.001 120 1 0\n30 120.001 2 0\n29.999 120 3 0\n30 119.999 4 0\n4\n"
    "0 1 300 20 3 3 1 2\n1 0 0 0 1 0 0 0 1\n1 0 0 0 1 0 0 0 1\n"
    "0 2 400 10 3 3 3 4\n1 0 0 0 1 0 0 0 1\n1 0 0 0 1 0 0 0 1\n"
    "0 3 300 20 3 3 5 6\n1 0 0 0 1 0 0 0 1\n1 0 0 0 1 0 0 0 1\n"
    "0 4 250 12.5 3 3 7 8\n1 0 0 0 1 0 0 0 1\n1 0 0 0 1 0 0 0 1\n1\n0 1 3 5 7\n";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const greenwave::v1::Scenario network = greenwave::parse_cbengine_roadnet(kRoadnet, "roadnet.txt");
  greenwave::v1::Scenario s = network;
  try {
    greenwave::parse_cbengine_flow(std::string_view(reinterpret_cast<const char*>(data), size), "flow.txt", s);
  } catch (const greenwave::ScenarioError&) {
  }
  return 0;
}
