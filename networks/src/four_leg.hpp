// Lays out a 4-leg intersection (legs N, E, S, W; movements from per-lane turn permissions;
// CBEngine's 8 standard phases). Shared by the CBEngine importer and the generators so that
// both produce identical intersections. See docs/scenario-format.md, "Four-leg intersections".
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "greenwave/v1/scenario.pb.h"

namespace greenwave::detail {

/// Lane width in metres used by the importers and generators (CBEngine has none).
inline constexpr double kLaneWidth = 3.5;

/// Permission bits of one lane (CBEngine's three digits: left, through, right).
enum TurnBits : std::uint8_t { kLeftBit = 1, kThroughBit = 2, kRightBit = 4 };

/// One approach of a 4-leg intersection.
struct Approach {
  const v1::Road* incoming = nullptr;    ///< road entering from this side; nullptr when missing
  const v1::Road* outgoing = nullptr;    ///< road leaving towards this side; nullptr when missing
  std::vector<std::uint8_t> lane_turns;  ///< TurnBits per lane of `incoming`
};

/// Side of the square intersection box: both directions of the widest approach, in metres.
double box_side(int max_lanes_per_direction);

/// Estimated internal path length through a box of side `box`: straight = box, right turn =
/// quarter circle of radius box/4, left turn = quarter circle of radius 3*box/4, U-turn = half
/// circle of radius box/4.
double movement_length(v1::Turn turn, double box);

/// A unit direction of travel, x east and y north.
struct Heading {
  double x, y;
};

/// Appends to `m` the internal path (its shape; `length` stays as set) from lane `from_lane` of
/// a road arriving with heading `in` to lane `to_lane` of a road leaving with heading `out`,
/// through a square box of side `box` centred on `centre`: each lane meets the box edge
/// (k + 0.5) lane widths right of the centre line (right-hand traffic, lane 0 innermost); a
/// straight line when the headings are the same, else a cubic Bezier curve (8 segments) that
/// leaves and arrives along them.
void draw_path(Heading in, int from_lane, Heading out, int to_lane, double box, v1::Movement& m, const v1::Point& centre);

/// Fills `out`'s width, legs (N, E, S, W in that order), movements and, when `signalized`, the
/// 8 phases "1".."8" (right turns are always green and in no phase; when not signalized every
/// movement is always green). Approaches are indexed N=0, E=1, S=2, W=3 (clockwise).
void build_four_leg(const std::array<Approach, 4>& approaches, bool signalized, v1::Intersection& out);

}  // namespace greenwave::detail
