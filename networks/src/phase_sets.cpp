#include "greenwave/networks/phase_sets.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <unordered_map>
#include <vector>

#include "greenwave/core/error.hpp"

namespace greenwave {
namespace {

/// Unit direction of travel of a road at its end (last shape segment, else node to node).
struct Direction {
  double x = 0, y = 0;
};

Direction arrival_direction(const v1::Road& road, const std::unordered_map<std::string, v1::Point>& positions) {
  double dx = 0, dy = 0;
  if (road.shape_size() >= 2) {
    const auto& a = road.shape(road.shape_size() - 2);
    const auto& b = road.shape(road.shape_size() - 1);
    dx = b.x() - a.x();
    dy = b.y() - a.y();
  } else {
    const auto from = positions.find(road.from_intersection());
    const auto to = positions.find(road.to_intersection());
    if (from != positions.end() && to != positions.end()) {
      dx = to->second.x() - from->second.x();
      dy = to->second.y() - from->second.y();
    }
  }
  const double n = std::hypot(dx, dy);
  return n > 0 ? Direction{dx / n, dy / n} : Direction{};
}

/// True when phase `p` of `in` is one of the four paired phases.
bool is_paired(const v1::Intersection& in, const v1::Phase& p,
               const std::unordered_map<std::string, Direction>& direction) {
  std::set<int> turns;
  std::set<std::string> roads;
  for (const int k : p.movements()) {
    if (k < 0 || k >= in.movements_size()) return false;  // compile_scenario reports it
    const auto& mv = in.movements(k);
    if (mv.always_green() || mv.turn() == v1::TURN_RIGHT) continue;
    turns.insert(mv.turn());
    roads.insert(mv.from_road());
  }
  if (turns.size() != 1 || roads.size() != 2) return false;
  if (*turns.begin() != v1::TURN_STRAIGHT && *turns.begin() != v1::TURN_LEFT) return false;
  const auto a = direction.find(*roads.begin());
  const auto b = direction.find(*roads.rbegin());
  if (a == direction.end() || b == direction.end()) return false;
  return a->second.x * b->second.x + a->second.y * b->second.y < std::cos(135.0 * M_PI / 180.0);
}

}  // namespace

PhaseSet parse_phase_set(const std::string& name, const std::string& option) {
  if (name == "all") return PhaseSet::All;
  if (name == "four") return PhaseSet::Four;
  throw ConfigError(option, "expected all or four, got '" + name + "'");
}

void select_phases(v1::Scenario& scenario, PhaseSet set) {
  if (set == PhaseSet::All) return;
  std::unordered_map<std::string, v1::Point> positions;
  for (const auto& in : scenario.intersections()) positions[in.id()] = in.position();
  std::unordered_map<std::string, Direction> direction;
  for (const auto& road : scenario.roads()) direction[road.id()] = arrival_direction(road, positions);

  std::unordered_map<std::string, std::vector<int>> new_index;  // per intersection: old phase -> new, or -1
  for (auto& in : *scenario.mutable_intersections()) {
    std::vector<int> keep;
    for (int p = 0; p < in.phases_size(); ++p)
      if (is_paired(in, in.phases(p), direction)) keep.push_back(p);
    if (keep.empty()) continue;
    std::vector<int> index(static_cast<std::size_t>(in.phases_size()), -1);
    google::protobuf::RepeatedPtrField<v1::Phase> kept;
    for (const int p : keep) {
      index[static_cast<std::size_t>(p)] = kept.size();
      *kept.Add() = in.phases(p);
    }
    in.mutable_phases()->Swap(&kept);
    new_index.emplace(in.id(), std::move(index));
  }
  auto* plans = scenario.mutable_signal_plans();
  for (int k = plans->size() - 1; k >= 0; --k) {
    auto& plan = *plans->Mutable(k);
    const auto it = new_index.find(plan.intersection());
    if (it == new_index.end()) continue;
    google::protobuf::RepeatedPtrField<v1::PlanStage> stages;
    for (const auto& stage : plan.stages()) {
      const int old = stage.phase();
      auto* s = stages.Add();
      *s = stage;
      if (stage.clearance()) continue;
      // An out-of-range phase stays as it is, for compile_scenario to report.
      if (old < 0 || old >= static_cast<int>(it->second.size())) continue;
      if (it->second[static_cast<std::size_t>(old)] < 0) stages.RemoveLast();
      else s->set_phase(it->second[static_cast<std::size_t>(old)]);
    }
    // A removed green may leave clearance stages in a row (cyclically): they merge, the longest kept.
    for (int q = stages.size() - 1; q >= 0 && stages.size() > 1; --q) {
      const int next = (q + 1) % stages.size();
      if (!stages.Get(q).clearance() || !stages.Get(next).clearance()) continue;
      stages.Mutable(next)->set_duration(std::max(stages.Get(q).duration(), stages.Get(next).duration()));
      stages.DeleteSubrange(q, 1);
    }
    const bool has_green = std::any_of(stages.begin(), stages.end(), [](const v1::PlanStage& st) { return !st.clearance(); });
    if (!has_green) plans->DeleteSubrange(k, 1);
    else plan.mutable_stages()->Swap(&stages);
  }
}

}  // namespace greenwave
