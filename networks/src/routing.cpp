// Shortest free-flow-time routes over the road-to-road graph with Boost.Graph's Dijkstra.
#include "greenwave/networks/routing.hpp"

// GCC 12 at -O3 reports a false maybe-uninitialized inside Boost.Graph's edge iterator (a
// boost::optional it reads only when engaged); it is Boost's code, not ours.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>

#include <algorithm>
#include <limits>
#include <unordered_map>
#include <unordered_set>

namespace greenwave {

struct RoadGraph::Impl {
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property,
                                      boost::property<boost::edge_weight_t, double>>;
  Graph graph;
  std::vector<std::string> ids;
  std::vector<double> free_flow;
  std::unordered_map<std::string, int> index;
  std::unordered_set<std::uint64_t> links;  // from * 2^32 + to

  static std::uint64_t key(int from, int to) {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(from)) << 32) | static_cast<std::uint32_t>(to);
  }
  int find(const std::string& id) const {
    const auto it = index.find(id);
    return it == index.end() ? -1 : it->second;
  }
};

RoadGraph::RoadGraph(const v1::Scenario& scenario) : impl_(std::make_unique<Impl>()) {
  Impl& g = *impl_;
  const int n = scenario.roads_size();
  g.graph = Impl::Graph(static_cast<std::size_t>(n));
  g.ids.reserve(static_cast<std::size_t>(n));
  g.free_flow.reserve(static_cast<std::size_t>(n));
  for (const v1::Road& road : scenario.roads()) {
    g.index.emplace(road.id(), static_cast<int>(g.ids.size()));
    g.ids.push_back(road.id());
    double top = 0;
    for (const v1::Lane& lane : road.lanes()) top = std::max(top, lane.speed_limit());
    g.free_flow.push_back(top > 0 ? road.length() / top : std::numeric_limits<double>::infinity());
  }
  for (const v1::Intersection& x : scenario.intersections()) {
    for (const v1::Movement& m : x.movements()) {
      const int a = g.find(m.from_road());
      const int b = g.find(m.to_road());
      if (a < 0 || b < 0 || !g.links.insert(Impl::key(a, b)).second) continue;
      boost::add_edge(static_cast<std::size_t>(a), static_cast<std::size_t>(b), g.free_flow[static_cast<std::size_t>(b)],
                      g.graph);
    }
  }
}

RoadGraph::~RoadGraph() = default;

std::optional<double> RoadGraph::free_flow_time(const std::string& road) const {
  const int r = impl_->find(road);
  if (r < 0) return std::nullopt;
  return impl_->free_flow[static_cast<std::size_t>(r)];
}

bool RoadGraph::connected(const std::string& from, const std::string& to) const {
  const int a = impl_->find(from);
  const int b = impl_->find(to);
  return a >= 0 && b >= 0 && impl_->links.count(Impl::key(a, b)) != 0;
}

std::optional<std::vector<std::string>> RoadGraph::shortest_route(const std::string& from, const std::string& to) const {
  const Impl& g = *impl_;
  const int a = g.find(from);
  const int b = g.find(to);
  if (a < 0 || b < 0) return std::nullopt;
  if (a == b) return std::vector<std::string>{from};
  const std::size_t n = boost::num_vertices(g.graph);
  std::vector<std::size_t> pred(n);
  std::vector<double> dist(n);
  // Stop once the target leaves the queue: its distance and predecessor chain are final then
  // (relaxation needs a strictly shorter path), so the route is the one a full search gives.
  struct Reached {};
  struct StopAtTarget : boost::default_dijkstra_visitor {
    std::size_t target;
    void examine_vertex(std::size_t v, const Impl::Graph&) const {
      if (v == target) throw Reached{};
    }
  };
  StopAtTarget visitor;
  visitor.target = static_cast<std::size_t>(b);
  try {
    boost::dijkstra_shortest_paths(g.graph, static_cast<std::size_t>(a),
                                   boost::predecessor_map(pred.data()).distance_map(dist.data()).visitor(visitor));
  } catch (const Reached&) {
  }
  if (pred[static_cast<std::size_t>(b)] == static_cast<std::size_t>(b)) return std::nullopt;  // unreached
  std::vector<std::string> route;
  for (std::size_t v = static_cast<std::size_t>(b); v != static_cast<std::size_t>(a); v = pred[v]) route.push_back(g.ids[v]);
  route.push_back(from);
  std::reverse(route.begin(), route.end());
  return route;
}

std::vector<std::optional<std::vector<std::string>>> RoadGraph::shortest_routes(const std::string& from,
                                                                                 const std::vector<std::string>& to) const {
  const Impl& g = *impl_;
  std::vector<std::optional<std::vector<std::string>>> out(to.size());
  const int a = g.find(from);
  if (a < 0) return out;
  const std::size_t n = boost::num_vertices(g.graph);
  std::vector<std::size_t> pred(n);
  std::vector<double> dist(n);
  boost::dijkstra_shortest_paths(g.graph, static_cast<std::size_t>(a),
                                 boost::predecessor_map(pred.data()).distance_map(dist.data()));
  for (std::size_t k = 0; k < to.size(); ++k) {
    const int b = g.find(to[k]);
    if (b < 0) continue;
    if (b == a) {
      out[k] = std::vector<std::string>{from};
      continue;
    }
    if (pred[static_cast<std::size_t>(b)] == static_cast<std::size_t>(b)) continue;  // unreached
    std::vector<std::string> route;
    for (std::size_t v = static_cast<std::size_t>(b); v != static_cast<std::size_t>(a); v = pred[v]) route.push_back(g.ids[v]);
    route.push_back(from);
    std::reverse(route.begin(), route.end());
    out[k] = std::move(route);
  }
  return out;
}

std::optional<std::vector<std::string>> RoadGraph::complete_route(const std::vector<std::string>& anchors) const {
  if (anchors.empty() || impl_->find(anchors.front()) < 0) return std::nullopt;
  std::vector<std::string> route{anchors.front()};
  for (std::size_t i = 1; i < anchors.size(); ++i) {
    if (connected(route.back(), anchors[i])) {
      route.push_back(anchors[i]);
      continue;
    }
    const auto gap = shortest_route(route.back(), anchors[i]);
    if (!gap) return std::nullopt;
    route.insert(route.end(), gap->begin() + 1, gap->end());
  }
  return route;
}

}  // namespace greenwave
