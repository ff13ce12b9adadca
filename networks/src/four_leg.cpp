#include "four_leg.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace greenwave::detail {
namespace {

constexpr const char* kDirections[4] = {"N", "E", "S", "W"};

/// The turns a lane may make, with the approach each one exits towards (clockwise legs:
/// a left turn from leg i leaves by leg i+1, straight by i+2, right by i+3).
struct TurnTarget {
  TurnBits bit;
  v1::Turn turn;
  int leg_offset;
};
constexpr TurnTarget kTargets[3] = {
    {kLeftBit, v1::TURN_LEFT, 1}, {kThroughBit, v1::TURN_STRAIGHT, 2}, {kRightBit, v1::TURN_RIGHT, 3}};

/// CBEngine's 8 phases as (approach, turn) pairs.
struct PhaseGroup {
  int leg;
  v1::Turn turn;
};
constexpr PhaseGroup kPhases[8][2] = {
    {{0, v1::TURN_LEFT}, {2, v1::TURN_LEFT}},          // 1: N+S left
    {{0, v1::TURN_STRAIGHT}, {2, v1::TURN_STRAIGHT}},  // 2: N+S through
    {{1, v1::TURN_LEFT}, {3, v1::TURN_LEFT}},          // 3: E+W left
    {{1, v1::TURN_STRAIGHT}, {3, v1::TURN_STRAIGHT}},  // 4: E+W through
    {{0, v1::TURN_LEFT}, {0, v1::TURN_STRAIGHT}},      // 5: N left+through
    {{1, v1::TURN_LEFT}, {1, v1::TURN_STRAIGHT}},      // 6: E left+through
    {{2, v1::TURN_LEFT}, {2, v1::TURN_STRAIGHT}},      // 7: S left+through
    {{3, v1::TURN_LEFT}, {3, v1::TURN_STRAIGHT}},      // 8: W left+through
};

/// Outward direction of each leg (N, E, S, W), x east and y north.
constexpr Heading kOutward[4] = {{0, 1}, {1, 0}, {0, -1}, {-1, 0}};

}  // namespace

double box_side(int max_lanes_per_direction) { return 2.0 * max_lanes_per_direction * kLaneWidth; }

void draw_path(Heading in, int from_lane, Heading out, int to_lane, double box, v1::Movement& m, const v1::Point& centre) {
  // A vehicle heading (x, y) has its right-hand side at (y, -x).
  const double x0 = -in.x * box / 2 + (from_lane + 0.5) * kLaneWidth * in.y;
  const double y0 = -in.y * box / 2 - (from_lane + 0.5) * kLaneWidth * in.x;
  const double x3 = out.x * box / 2 + (to_lane + 0.5) * kLaneWidth * out.y;
  const double y3 = out.y * box / 2 - (to_lane + 0.5) * kLaneWidth * out.x;
  auto add = [&](double x, double y) {
    v1::Point* p = m.add_path();
    p->set_x(centre.x() + x);
    p->set_y(centre.y() + y);
  };
  if (std::hypot(in.x - out.x, in.y - out.y) < 1e-9) {
    add(x0, y0);
    add(x3, y3);
    return;
  }
  // Control points 0.4 chords along each heading (close to a circular arc's 0.39); a U-turn's
  // short chord is taken as half the box.
  const double reach = 0.4 * std::max(std::hypot(x3 - x0, y3 - y0), box / 2);
  const double x1 = x0 + in.x * reach, y1 = y0 + in.y * reach, x2 = x3 - out.x * reach, y2 = y3 - out.y * reach;
  constexpr int kSegments = 8;
  for (int k = 0; k <= kSegments; ++k) {
    const double t = static_cast<double>(k) / kSegments, u = 1 - t;
    const double a = u * u * u, b = 3 * u * u * t, c = 3 * u * t * t, d = t * t * t;
    add(a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3);
  }
}

double movement_length(v1::Turn turn, double box) {
  constexpr double quarter = std::numbers::pi / 2;
  switch (turn) {
    case v1::TURN_RIGHT: return quarter * box / 4;
    case v1::TURN_LEFT: return quarter * 3 * box / 4;
    case v1::TURN_UTURN: return 2 * quarter * box / 4;
    default: return box;
  }
}

void build_four_leg(const std::array<Approach, 4>& approaches, bool signalized, v1::Intersection& out) {
  int widest = 1;
  for (const Approach& a : approaches) {
    if (a.incoming) widest = std::max(widest, a.incoming->lanes_size());
    if (a.outgoing) widest = std::max(widest, a.outgoing->lanes_size());
  }
  const double box = box_side(widest);
  out.set_width(box);
  out.set_signalized(signalized);

  // (approach, turn) of each movement, for the phases.
  std::vector<PhaseGroup> group;
  for (int leg = 0; leg < 4; ++leg) {
    const Approach& a = approaches[leg];
    v1::Leg* l = out.add_legs();
    l->set_direction(kDirections[leg]);
    if (a.incoming) l->set_incoming_road(a.incoming->id());
    if (a.outgoing) l->set_outgoing_road(a.outgoing->id());
    if (!a.incoming) continue;
    for (int lane = 0; lane < static_cast<int>(a.lane_turns.size()); ++lane) {
      for (const TurnTarget& t : kTargets) {
        const v1::Road* exit = approaches[(leg + t.leg_offset) % 4].outgoing;
        if ((a.lane_turns[lane] & t.bit) == 0 || exit == nullptr) continue;
        // A turning lane reaches every lane of the exit road, so a vehicle can enter the lane
        // that serves its next movement without changing lanes (CityFlow's datasets do the same).
        for (int to_lane = 0; to_lane < exit->lanes_size(); ++to_lane) {
          v1::Movement* m = out.add_movements();
          m->set_from_road(a.incoming->id());
          m->set_from_lane(lane);
          m->set_to_road(exit->id());
          m->set_to_lane(to_lane);
          m->set_turn(t.turn);
          m->set_length(movement_length(t.turn, box));
          const int exit_leg = (leg + t.leg_offset) % 4;
          draw_path({-kOutward[leg].x, -kOutward[leg].y}, lane, kOutward[exit_leg], to_lane, box, *m, out.position());
          m->set_always_green(!signalized || t.turn == v1::TURN_RIGHT);
          group.push_back({leg, t.turn});
        }
      }
    }
  }
  if (!signalized) return;
  for (int p = 0; p < 8; ++p) {
    v1::Phase* phase = out.add_phases();
    phase->set_name(std::to_string(p + 1));
    for (int m = 0; m < static_cast<int>(group.size()); ++m) {
      for (const PhaseGroup& g : kPhases[p]) {
        if (group[m].leg == g.leg && group[m].turn == g.turn) phase->add_movements(m);
      }
    }
  }
}

}  // namespace greenwave::detail
