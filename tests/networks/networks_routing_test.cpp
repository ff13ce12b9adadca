// RoadGraph: shortest free-flow-time routes, anchor completion and unreachable roads.
#include <gtest/gtest.h>

#include "greenwave/networks/importers.hpp"
#include "greenwave/networks/routing.hpp"

namespace greenwave {
namespace {

/// Roads a -> (b | c) -> d -> e, plus an island road z with no movements. Through b is longer
/// (400 m at 10 m/s = 40 s) than through c (300 m at 15 m/s = 20 s).
v1::Scenario diamond() {
  v1::Scenario s;
  auto road = [&](const char* id, double length, double speed) {
    v1::Road* r = s.add_roads();
    r->set_id(id);
    r->set_length(length);
    r->add_lanes()->set_speed_limit(speed);
    r->add_lanes()->set_speed_limit(speed / 2);  // the fastest lane sets the free-flow time
  };
  road("a", 100, 10);
  road("b", 400, 10);
  road("c", 300, 15);
  road("d", 200, 20);
  road("e", 50, 5);
  road("z", 10, 1);
  v1::Intersection* x = s.add_intersections();
  auto link = [&](const char* from, const char* to) {
    v1::Movement* m = x->add_movements();
    m->set_from_road(from);
    m->set_to_road(to);
  };
  link("a", "b");
  link("a", "c");
  link("b", "d");
  link("c", "d");
  link("d", "e");
  link("d", "e");  // duplicate lane links make one graph edge
  return s;
}

TEST(Routing, FreeFlowTimes) {
  const RoadGraph g(diamond());
  EXPECT_DOUBLE_EQ(*g.free_flow_time("b"), 40);
  EXPECT_DOUBLE_EQ(*g.free_flow_time("c"), 20);
  EXPECT_FALSE(g.free_flow_time("nope").has_value());
}

TEST(Routing, Connected) {
  const RoadGraph g(diamond());
  EXPECT_TRUE(g.connected("a", "b"));
  EXPECT_FALSE(g.connected("b", "a"));
  EXPECT_FALSE(g.connected("a", "d"));
  EXPECT_FALSE(g.connected("a", "nope"));
}

TEST(Routing, ShortestRoutePicksFasterBranch) {
  const RoadGraph g(diamond());
  EXPECT_EQ(*g.shortest_route("a", "e"), (std::vector<std::string>{"a", "c", "d", "e"}));
  EXPECT_EQ(*g.shortest_route("a", "b"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*g.shortest_route("d", "d"), (std::vector<std::string>{"d"}));
}

TEST(Routing, Unreachable) {
  const RoadGraph g(diamond());
  EXPECT_FALSE(g.shortest_route("e", "a").has_value());
  EXPECT_FALSE(g.shortest_route("a", "z").has_value());
  EXPECT_FALSE(g.shortest_route("a", "nope").has_value());
  EXPECT_FALSE(g.complete_route({"a", "z"}).has_value());
  EXPECT_FALSE(g.complete_route({}).has_value());
}

TEST(Routing, AnchorCompletion) {
  const RoadGraph g(diamond());
  // Gaps are bridged by shortest paths; a forced anchor (b) is kept even though c is faster.
  EXPECT_EQ(*g.complete_route({"a", "e"}), (std::vector<std::string>{"a", "c", "d", "e"}));
  EXPECT_EQ(*g.complete_route({"a", "b", "e"}), (std::vector<std::string>{"a", "b", "d", "e"}));
  EXPECT_EQ(*g.complete_route({"a", "b", "d"}), (std::vector<std::string>{"a", "b", "d"}));
}

TEST(Routing, GridOriginDestination) {
  GridOptions o;
  o.rows = 3;
  o.cols = 3;
  const v1::Scenario s = generate_grid(o);
  const RoadGraph g(s);
  // West entry of row 1 to the east exit of row 3: 4 eastward roads plus 2 northward ones, in
  // some order; every step must be a movement.
  const auto route = g.shortest_route("road_0_1_0", "road_3_3_0");
  ASSERT_TRUE(route.has_value());
  EXPECT_EQ(route->size(), 6u);
  for (std::size_t i = 1; i < route->size(); ++i) EXPECT_TRUE(g.connected((*route)[i - 1], (*route)[i]));
}

TEST(Routing, OneSearchToManyTargets) {
  GridOptions o;
  o.rows = 3;
  o.cols = 3;
  const RoadGraph g(generate_grid(o));
  const std::vector<std::string> to = {"road_3_3_0", "road_0_1_0", "no_such_road", "road_1_3_1", "road_0_1_0"};
  const auto routes = g.shortest_routes("road_0_1_0", to);
  ASSERT_EQ(routes.size(), 5u);
  ASSERT_TRUE(routes[0].has_value());
  EXPECT_EQ(routes[0]->size(), 6u);  // as GridOriginDestination
  EXPECT_EQ(*routes[0], *g.shortest_route("road_0_1_0", "road_3_3_0"));
  EXPECT_EQ(*routes[1], std::vector<std::string>{"road_0_1_0"});
  EXPECT_FALSE(routes[2].has_value());
  // Row 1 east to column 1, then north to the top boundary: road_0_1_0, road_1_1_1, road_1_2_1, road_1_3_1.
  ASSERT_TRUE(routes[3].has_value());
  EXPECT_EQ(routes[3]->size(), 4u);
  EXPECT_FALSE(g.shortest_routes("no_such_road", to)[0].has_value());
}

}  // namespace
}  // namespace greenwave
