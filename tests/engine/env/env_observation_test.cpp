#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "fake_backend.hpp"
#include "greenwave/core/error.hpp"
#include "greenwave/env/observation.hpp"

namespace greenwave {
namespace {

using testing::FakeBackend;
using testing::make_test_scenario;

// Lane state used by the hand-computed expectations below (docs in fake_backend.hpp).
void set_lanes(FakeBackend& b) {
  b.counts[0] = 3;   // C, N in, left
  b.counts[1] = 5;   // C, N in, through
  b.counts[2] = 1;   // C, N in, right
  b.counts[7] = 2;   // C, E in (from X), through; also X's W out lane 1
  b.counts[13] = 4;  // C, S in, through
  b.counts[16] = 2;  // C, S out, lane 1
  b.counts[9] = 1;   // C, E out lane 0 = X, W in, lane 0
  b.counts[4] = 6;   // C, N out, lane 1
  b.counts[28] = 7;  // X, E in, through
  b.queues[0] = 2;
  b.queues[1] = 4;
  b.queues[13] = 3;
  // Speed sums (m/s) over the vehicles counted above, for cbengine's lane mean speeds.
  b.speed_sums[0] = 12.0;   // 3 vehicles: mean 4
  b.speed_sums[1] = 35.0;   // 5: mean 7
  b.speed_sums[2] = 2.5;    // 1: mean 2.5
  b.speed_sums[7] = 9.0;    // 2: mean 4.5
  b.speed_sums[13] = 0.0;   // 4 standing: mean 0
  b.speed_sums[16] = 5.0;   // 2: mean 2.5
  b.speed_sums[9] = 8.0;    // 1: mean 8
  b.speed_sums[4] = 30.0;   // 6: mean 5
  b.speed_sums[28] = 49.0;  // 7: mean 7
}

struct Built {
  FakeBackend backend{make_test_scenario()};
  std::vector<AgentTopology> agents = agent_topologies(backend.scenario().network);
};

std::vector<float> observe(Built& b, const char* components) {
  const ObservationBuilder builder(b.backend.scenario().network, b.agents, components);
  std::vector<float> out(static_cast<std::size_t>(2 * builder.spec().size()), -99.0f);
  b.backend.reset(0);
  set_lanes(b.backend);
  builder.write(b.backend, out);
  return out;
}

std::vector<float> slice(const std::vector<float>& v, std::size_t from, std::size_t n) {
  return {v.begin() + static_cast<std::ptrdiff_t>(from), v.begin() + static_cast<std::ptrdiff_t>(from + n)};
}

TEST(AgentTopology, LanesMovementsAndPhasesPerSignalizedIntersection) {
  Built b;
  ASSERT_EQ(b.agents.size(), 2u);
  EXPECT_EQ(b.agents[0].incoming_lanes, (std::vector<LaneId>{0, 1, 2, 6, 7, 8, 12, 13, 14, 18, 19, 20}));
  EXPECT_EQ(b.agents[0].outgoing_lanes, (std::vector<LaneId>{3, 4, 5, 9, 10, 11, 15, 16, 17, 21, 22, 23}));
  EXPECT_EQ(b.agents[1].incoming_lanes, (std::vector<LaneId>{9, 10, 11, 24, 25, 28, 29}));
  EXPECT_EQ(b.agents[1].outgoing_lanes, (std::vector<LaneId>{6, 7, 8, 26, 27, 30, 31}));
  EXPECT_EQ(b.agents[1].movements, (std::vector<MovementId>{12, 13, 14, 15, 16, 17}));
  EXPECT_EQ(b.agents[1].first_phase, 4);
  EXPECT_EQ(b.agents[1].phase_count, 2);
}

TEST(Observation, LaneCountsQueuesAndOutgoingPadToTheLargestAgent) {
  Built b;
  const std::vector<float> o = observe(b, "lane_count,lane_queue,out_lane_count");
  ASSERT_EQ(o.size(), 2u * 36u);
  EXPECT_EQ(slice(o, 0, 12), (std::vector<float>{3, 5, 1, 0, 2, 0, 0, 4, 0, 0, 0, 0}));
  EXPECT_EQ(slice(o, 12, 12), (std::vector<float>{2, 4, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0}));
  EXPECT_EQ(slice(o, 24, 12), (std::vector<float>{0, 6, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0}));
  EXPECT_EQ(slice(o, 36, 12), (std::vector<float>{1, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(slice(o, 48, 12), (std::vector<float>(12, 0)));
  EXPECT_EQ(slice(o, 60, 12), (std::vector<float>{0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
}

TEST(Observation, MovementAndPhasePressure) {
  Built b;
  const std::vector<float> o = observe(b, "pressure,phase_pressure");
  ASSERT_EQ(o.size(), 2u * 16u);
  EXPECT_EQ(slice(o, 0, 12), (std::vector<float>{2, 3, 1, 0, 2, 0, 0, -2, 0, 0, 0, 0}));
  EXPECT_EQ(slice(o, 12, 4), (std::vector<float>{2, 3, 3, 1}));
  EXPECT_EQ(slice(o, 16, 12), (std::vector<float>{0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(slice(o, 28, 4), (std::vector<float>{5, 0, 0, 0}));
}

TEST(Observation, PhaseOneHotAndTimeInPhaseFollowTheSignal) {
  Built b;
  const ObservationBuilder builder(b.backend.scenario().network, b.agents, "phase,time_in_phase");
  std::vector<float> o(10);
  b.backend.reset(0);
  builder.write(b.backend, o);
  EXPECT_EQ(o, (std::vector<float>{1, 0, 0, 0, 0, 1, 0, 0, 0, 0}));
  for (int k = 0; k < 7; ++k) b.backend.step();
  ASSERT_EQ(b.backend.request_phase(0, 2), PhaseRequest::Switched);
  b.backend.step();
  b.backend.step();
  builder.write(b.backend, o);
  EXPECT_EQ(o, (std::vector<float>{0, 0, 1, 0, 2, 1, 0, 0, 0, 9}));
}

TEST(Observation, CbengineLayoutUsesLegOrderTurnSlotsAndMinusOneForMissingRoads) {
  Built b;
  const std::vector<float> o = observe(b, "cbengine");
  ASSERT_EQ(o.size(), 96u);
  EXPECT_EQ(slice(o, 0, 24), (std::vector<float>{3, 5, 1, 0, 2, 0, 0, 4, 0, 0, 0, 0,
                                                  0, 6, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0}));
  EXPECT_EQ(slice(o, 48, 24), (std::vector<float>{-1, -1, -1, 0, 7, 0, 0, 0, 0, 1, 0, 0,
                                                   -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 2, 0}));
}

// Elements 24-47: the mean speed of the vehicles in each slot (speed sum / count, set_lanes),
// -2 where the slot holds no vehicle, -1 for a missing road (CBEngine's lane_speed). C's
// incoming N lanes 0-2 hold means 4, 7, 2.5; E's through lane 7 4.5; S's through lane 13 four
// standing vehicles (0); outgoing N lane 4 5, E lane 9 8, S lane 16 2.5. X (N missing): E in is
// lanes 29 (left, empty) and 28 (through, 7); W in is lane 9 (no movement at X, index 0: left
// slot, 8); W out is lanes 6-8 (lane 7: 4.5); the 2-lane roads' right slots out have no lane.
TEST(Observation, CbengineLaneMeanSpeedsFollowCountsWithMinusTwoForEmptySlots) {
  Built b;
  const std::vector<float> o = observe(b, "cbengine");
  ASSERT_EQ(o.size(), 96u);
  EXPECT_EQ(slice(o, 24, 24), (std::vector<float>{4, 7, 2.5, -2, 4.5, -2, -2, 0, -2, -2, -2, -2,
                                                   -2, 5, -2, 8, -2, -2, -2, 2.5, -2, -2, -2, -2}));
  EXPECT_EQ(slice(o, 72, 24), (std::vector<float>{-1, -1, -1, -2, 7, -2, -2, -2, -2, 8, -2, -2,
                                                   -1, -1, -1, -2, -2, -2, -2, -2, -2, -2, 4.5, -2}));
}

// Fastest vehicle type 15 m/s bounds the speeds; the counts' bound (a lane of 10) stays below.
TEST(Observation, CbengineBoundsSpanMinusTwoToTheFastestVehicle) {
  Built b;
  const RoadNetwork& net = b.backend.scenario().network;
  ObservationLimits limits;
  limits.lane_capacity.assign(static_cast<std::size_t>(net.num_lanes()), 10);
  limits.max_speed = 15.0f;
  const ObservationSpec s = ObservationBuilder(net, b.agents, "cbengine", limits).spec();
  EXPECT_EQ(s.components[0].low, -2.0f);
  EXPECT_EQ(s.components[0].high, 15.0f);
}

TEST(Observation, SpecListsComponentsWithOffsetsAndBounds) {
  Built b;
  const ObservationBuilder builder(b.backend.scenario().network, b.agents, " lane_count , phase,pressure,cbengine");
  const ObservationSpec& s = builder.spec();
  ASSERT_EQ(s.components.size(), 4u);
  EXPECT_EQ(s.components[0].name, "lane_count");
  EXPECT_EQ(s.components[1].offset, 12);
  EXPECT_EQ(s.components[1].size, 4);
  EXPECT_EQ(s.components[1].high, 1.0f);
  EXPECT_EQ(s.components[2].offset, 16);
  EXPECT_TRUE(std::isinf(s.components[2].low));
  EXPECT_EQ(s.components[3].offset, 28);
  EXPECT_EQ(s.components[3].low, -2.0f);
  EXPECT_EQ(s.size(), 76);
  EXPECT_TRUE(std::isinf(s.low) && s.low < 0);
  EXPECT_TRUE(std::isinf(s.high));
}

// Lanes are 100 m long (fake_backend.hpp): fronts at least one shortest vehicle apart fit
// floor(100 / 5) + 1 = 21 cars of 5 m, unless the scenario has fewer departures.
TEST(Observation, LimitsCapLanesByLengthOverShortestVehicleAndByDepartures) {
  const auto scenario = make_test_scenario(RunSettings{.dt = 1.0, .horizon = 600.0});
  scenario->demand.vehicle_types = {VehicleType{.id = "car", .length = 5.0, .max_speed = 16.5},
                                    VehicleType{.id = "bus", .length = 12.0, .max_speed = 11.0},
                                    VehicleType{.id = "unused", .length = 1.0, .max_speed = 40.0}};
  for (int k = 0; k < 30; ++k) scenario->demand.departures.push_back({static_cast<double>(k), 0, k % 2, 0});
  const ObservationLimits limits = observation_limits(*scenario);
  ASSERT_EQ(limits.lane_capacity.size(), static_cast<std::size_t>(scenario->network.num_lanes()));
  EXPECT_EQ(limits.lane_capacity[0], 21);
  EXPECT_EQ(limits.lane_capacity[31], 21);
  EXPECT_EQ(limits.max_time_in_phase, 601.0f);
  EXPECT_EQ(limits.max_speed, 16.5f) << "the fastest type among the departures (not 'unused')";
  scenario->demand.departures.resize(4);
  EXPECT_EQ(observation_limits(*scenario).lane_capacity[5], 4);
}

// Lane l holding l + 1 vehicles: agent X's incoming lanes reach lane 29 and its outgoing lane 31
// (AgentTopology test above); a movement's pressure is its from-lane minus its to-lane, so with
// every lane holding 10 it lies in [-10, 10].
TEST(Observation, SpecBoundsFollowTheLimits) {
  Built b;
  const RoadNetwork& net = b.backend.scenario().network;
  ObservationLimits limits;
  for (LaneId l = 0; l < net.num_lanes(); ++l) limits.lane_capacity.push_back(l + 1);
  limits.max_time_in_phase = 90.0f;
  const ObservationSpec s =
      ObservationBuilder(net, b.agents, "lane_count,out_lane_count,phase,time_in_phase", limits).spec();
  EXPECT_EQ(s.components[0].low, 0.0f);
  EXPECT_EQ(s.components[0].high, 30.0f);
  EXPECT_EQ(s.components[1].high, 32.0f);
  EXPECT_EQ(s.components[2].high, 1.0f);
  EXPECT_EQ(s.components[3].high, 90.0f);
  EXPECT_EQ(s.low, 0.0f);
  EXPECT_EQ(s.high, 90.0f);
  limits.lane_capacity.assign(limits.lane_capacity.size(), 10);
  const ObservationSpec p = ObservationBuilder(net, b.agents, "pressure", limits).spec();
  EXPECT_EQ(p.components[0].low, -10.0f);
  EXPECT_EQ(p.components[0].high, 10.0f);
}

TEST(Observation, BadComponentListsAreConfigErrors) {
  Built b;
  const RoadNetwork& net = b.backend.scenario().network;
  EXPECT_THROW(ObservationBuilder(net, b.agents, ""), ConfigError);
  EXPECT_THROW(ObservationBuilder(net, b.agents, "lane_count,,phase"), ConfigError);
  EXPECT_THROW(ObservationBuilder(net, b.agents, "lane_count,phase,lane_count"), ConfigError);
  try {
    ObservationBuilder(net, b.agents, "lane_count,speed");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("unknown component 'speed'"), std::string::npos) << e.what();
  }
}

TEST(Observation, CbengineNeedsLegs) {
  auto scenario = make_test_scenario();
  scenario->network.intersection_leg_begin = {0, 4, 4, 4, 4, 4, 4, 4};
  scenario->network.legs.resize(4);
  const std::vector<AgentTopology> agents = agent_topologies(scenario->network);
  EXPECT_THROW(ObservationBuilder(scenario->network, agents, "cbengine"), ConfigError);
}

}  // namespace
}  // namespace greenwave
