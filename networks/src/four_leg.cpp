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

/// A point or direction in the intersection's own frame (centre at the origin, y north).
struct Vec {
  double x, y;
};
/// Outward direction of each leg (N, E, S, W).
constexpr Vec kOutward[4] = {{0, 1}, {1, 0}, {0, -1}, {-1, 0}};
/// v turned a quarter clockwise: the right-hand side of a vehicle heading v.
Vec clockwise(Vec v) { return {v.y, -v.x}; }
/// Where lane `lane` of the road arriving from `leg` meets the box (right-hand traffic, lane 0
/// next to the centre line), and the same for the road leaving towards `leg`.
Vec arrival(int leg, int lane, double box) {
  const Vec u = kOutward[leg];
  const Vec right = clockwise({-u.x, -u.y});
  return {box / 2 * u.x + (lane + 0.5) * kLaneWidth * right.x, box / 2 * u.y + (lane + 0.5) * kLaneWidth * right.y};
}
Vec departure(int leg, int lane, double box) {
  const Vec u = kOutward[leg];
  const Vec right = clockwise(u);
  return {box / 2 * u.x + (lane + 0.5) * kLaneWidth * right.x, box / 2 * u.y + (lane + 0.5) * kLaneWidth * right.y};
}

/// Writes the internal path (its shape: `length` stays the estimate above) from lane
/// `from_lane` of leg `from_leg` to lane `to_lane` of leg `to_leg` into `m`: a straight line
/// when the two headings are the same, else a cubic Bezier curve leaving and arriving along the
/// lanes (8 segments).
void lay_path(int from_leg, int from_lane, int to_leg, int to_lane, double box, v1::Movement& m) {
  const Vec p0 = arrival(from_leg, from_lane, box), p3 = departure(to_leg, to_lane, box);
  const Vec h0 = {-kOutward[from_leg].x, -kOutward[from_leg].y}, h3 = kOutward[to_leg];
  std::vector<Vec> pts;
  if (h0.x == h3.x && h0.y == h3.y) {
    pts = {p0, p3};
  } else {
    // Control points 0.4 chords along each heading (close to a circular arc's 0.39); a U-turn's
    // short chord is taken as half the box.
    const double reach = 0.4 * std::max(std::hypot(p3.x - p0.x, p3.y - p0.y), box / 2);
    const Vec p1 = {p0.x + h0.x * reach, p0.y + h0.y * reach}, p2 = {p3.x - h3.x * reach, p3.y - h3.y * reach};
    constexpr int kSegments = 8;
    for (int k = 0; k <= kSegments; ++k) {
      const double t = static_cast<double>(k) / kSegments, s = 1 - t;
      const double a = s * s * s, b = 3 * s * s * t, c = 3 * s * t * t, d = t * t * t;
      pts.push_back({a * p0.x + b * p1.x + c * p2.x + d * p3.x, a * p0.y + b * p1.y + c * p2.y + d * p3.y});
    }
  }
  for (const Vec& v : pts) {
    v1::Point* p = m.add_path();
    p->set_x(v.x);
    p->set_y(v.y);
  }
}

}  // namespace

double box_side(int max_lanes_per_direction) { return 2.0 * max_lanes_per_direction * kLaneWidth; }

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
          lay_path(leg, lane, (leg + t.leg_offset) % 4, to_lane, box, *m);
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
