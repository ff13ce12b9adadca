// Native scenarios written inline as protobuf text, shared by the tests that derive their
// expected values by hand on a small network.
#pragma once

#include <google/protobuf/text_format.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "greenwave/networks/scenario_io.hpp"

namespace greenwave::testing {

/// Parses `text` (the native schema's text format) and compiles it; throws on a parse error.
inline std::shared_ptr<const CompiledScenario> compile_text(const std::string& text, const std::string& name = "inline") {
  v1::Scenario s;
  if (!google::protobuf::TextFormat::ParseFromString(text, &s)) throw std::runtime_error("bad test scenario: " + name);
  return std::make_shared<const CompiledScenario>(compile_scenario(s, name));
}

/// One signalized node M (intersection 5) between boundary nodes W, E, S, N and R, 100 m roads of
/// one lane at 10 m/s: movement 0 W->E (phase 0 "WE"), movement 1 S->N (phase 1 "SN") and
/// movement 2, an always-green right turn W->R. No settings and no demand: tests append theirs.
constexpr const char* kSignalizedCross = R"pb(
  intersections { id: "W" boundary: true position { x: -100 y: 0 } }
  intersections { id: "E" boundary: true position { x: 100 y: 0 } }
  intersections { id: "S" boundary: true position { x: 0 y: -100 } }
  intersections { id: "N" boundary: true position { x: 0 y: 100 } }
  intersections { id: "R" boundary: true position { x: 10 y: -100 } }
  intersections { id: "M" signalized: true position { x: 0 y: 0 }
    movements { from_road: "WM" from_lane: 0 to_road: "ME" to_lane: 0 turn: TURN_STRAIGHT length: 10 }
    movements { from_road: "SM" from_lane: 0 to_road: "MN" to_lane: 0 turn: TURN_STRAIGHT length: 10 }
    movements { from_road: "WM" from_lane: 0 to_road: "MR" to_lane: 0 turn: TURN_RIGHT length: 8 always_green: true }
    phases { name: "WE" movements: 0 }
    phases { name: "SN" movements: 1 }
  }
  roads { id: "WM" from_intersection: "W" to_intersection: "M" length: 100 lanes { speed_limit: 10 } }
  roads { id: "ME" from_intersection: "M" to_intersection: "E" length: 100 lanes { speed_limit: 10 } }
  roads { id: "SM" from_intersection: "S" to_intersection: "M" length: 100 lanes { speed_limit: 10 } }
  roads { id: "MN" from_intersection: "M" to_intersection: "N" length: 100 lanes { speed_limit: 10 } }
  roads { id: "MR" from_intersection: "M" to_intersection: "R" length: 100 lanes { speed_limit: 10 } }
)pb";

}  // namespace greenwave::testing
