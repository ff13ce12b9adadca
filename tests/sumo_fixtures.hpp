// The hand-written SUMO network that the importer (tests/networks) and the libsumo backend
// (tests/engine/sumo) tests share: small enough to check by hand, complete enough (junction
// shapes and right-of-way requests) for SUMO itself to load.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include "greenwave/v1/scenario.pb.h"

namespace greenwave::testing {

// Junction B (traffic light) joins edge AB (from the west; SUMO lane 0 buses only, lanes 1 and 2
// passenger) to BC (east, straight on, from AB_1) and BD (north, a left turn, from AB_2).
// Program: 30 s straight, 3 s yellow, 20 s left, 4 s yellow. Line numbers are those of the text.
inline constexpr const char* kSumoMiniNet = R"(<?xml version="1.0" encoding="UTF-8"?>
<net version="1.9">
  <edge id=":B_0" function="internal">
    <lane id=":B_0_0" index="0" speed="13.9" length="10.00" shape="95,1.6 105,1.6"/>
  </edge>
  <edge id=":B_1" function="internal">
    <lane id=":B_1_0" index="0" speed="8" length="12.50" shape="95,4.8 100,6 101.6,10"/>
  </edge>
  <edge id="AB" from="A" to="B" priority="1">
    <lane id="AB_0" index="0" allow="bus" speed="13.9" length="95" shape="0,-1.6 95,-1.6"/>
    <lane id="AB_1" index="1" speed="13.9" length="95" shape="0,1.6 95,1.6"/>
    <lane id="AB_2" index="2" speed="13.9" length="95" shape="0,4.8 95,4.8"/>
  </edge>
  <edge id="BC" from="B" to="C" priority="1">
    <lane id="BC_0" index="0" speed="16" length="95" shape="105,1.6 200,1.6"/>
  </edge>
  <edge id="BD" from="B" to="D" priority="1">
    <lane id="BD_0" index="0" speed="10" length="90" shape="101.6,10 101.6,100"/>
  </edge>
  <tlLogic id="B" type="static" programID="0" offset="0">
    <phase duration="30" state="Gr"/>
    <phase duration="3" state="yr"/>
    <phase duration="20" state="rG"/>
    <phase duration="4" state="ry"/>
  </tlLogic>
  <junction id="A" type="dead_end" x="0" y="0" incLanes="" intLanes="" shape="0,-3.2 0,6.4"/>
  <junction id="B" type="traffic_light" x="100" y="0" incLanes="AB_0 AB_1 AB_2" intLanes=":B_0_0 :B_1_0" shape="95,-3.2 105,-3.2 105,10 95,10">
    <request index="0" response="00" foes="00" cont="0"/>
    <request index="1" response="00" foes="00" cont="0"/>
  </junction>
  <junction id="C" type="dead_end" x="200" y="0" incLanes="BC_0" intLanes="" shape="200,0 200,3.2"/>
  <junction id="D" type="dead_end" x="100" y="100" incLanes="BD_0" intLanes="" shape="100,100 103.2,100"/>
  <connection from="AB" to="BC" fromLane="1" toLane="0" via=":B_0_0" tl="B" linkIndex="0" dir="s" state="O"/>
  <connection from="AB" to="BD" fromLane="2" toLane="0" via=":B_1_0" tl="B" linkIndex="1" dir="l" state="O"/>
  <connection from=":B_0" to="BC" fromLane="0" toLane="0" dir="s" state="M"/>
  <connection from=":B_1" to="BD" fromLane="0" toLane="0" dir="l" state="M"/>
</net>
)";

/// kSumoMiniNet with its four program phases replaced by `phases` (<phase .../> elements).
inline std::string sumo_mini_net_with_program(const std::string& phases) {
  std::string net = kSumoMiniNet;
  const auto begin = net.find("    <phase");
  const auto end = net.find("  </tlLogic>");
  return net.replace(begin, end - begin, phases);
}

/// Writes `net` as mini.net.xml, `routes` as mini.rou.xml and a mini.sumocfg naming both (0 to
/// 120 s) into a folder of this process under the temporary directory; returns the config's path.
inline std::string write_sumo_mini(const std::string& routes, const std::string& net = kSumoMiniNet) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("gw_sumo_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "mini.net.xml") << net;
  std::ofstream(dir / "mini.rou.xml") << routes;
  std::ofstream(dir / "mini.sumocfg") << "<configuration><input><net-file value=\"mini.net.xml\"/>"
                                         "<route-files value=\"mini.rou.xml\"/></input>"
                                         "<time><begin value=\"0\"/><end value=\"120\"/></time></configuration>";
  return (dir / "mini.sumocfg").string();
}

/// The road `id` of a native scenario; std::runtime_error when there is none.
inline const v1::Road& road_of(const v1::Scenario& s, const std::string& id) {
  for (const auto& r : s.roads())
    if (r.id() == id) return r;
  throw std::runtime_error("no road " + id);
}

/// The intersection `id` of a native scenario; std::runtime_error when there is none.
inline const v1::Intersection& intersection_of(const v1::Scenario& s, const std::string& id) {
  for (const auto& i : s.intersections())
    if (i.id() == id) return i;
  throw std::runtime_error("no intersection " + id);
}

}  // namespace greenwave::testing
