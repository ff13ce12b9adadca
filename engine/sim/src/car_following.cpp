// Stage 4, actions (docs/simulator.md, "Vehicle model" and "Conflicts inside intersections"):
// each running vehicle's next speed (CityFlow's car-following, or IDM; the signal, the room
// behind the movement and the yield rule at claimed crossings), then its next distance and
// drivable along its path. Reads the model, Vehicles' committed columns, the lists, StepIndex,
// Signals and Claims; writes only each vehicle's own next-state columns (n_*), so it runs in
// parallel over the parts' slots.
#include <algorithm>
#include <cmath>
#include <utility>

#include "for_each_part.hpp"
#include "route.hpp"
#include "sim_state.hpp"
#include "stages.hpp"

namespace greenwave::sim {
namespace {
constexpr double kTurnSpeed = 8.3333;   // m/s on turning movements (CityFlow's default)
constexpr double kYieldDistance = 5.0;  // m: stop this far before a crossing when yielding

/// CityFlow's collision-free speed: the largest speed that still lets the follower, braking
/// as `brake` says, stop behind a leader braking at dL, keeping target_gap; `gap_term` is
/// 2 * (gap - target_gap) / interval.
double no_collision_speed(double vL, double dL, double vF, FollowerBrake brake, double gap, double interval, double target_gap,
                          double gap_term) {
  const double c = vF * interval / 2 + target_gap - 0.5 * vL * vL / dL - gap;
  const double a = brake.a;
  const double b = 0.5 * interval;
  if (b * b < 4 * a * c) return -100;
  const double v1 = brake.half_over_a * (std::sqrt(b * b - 4 * a * c) - b);
  const double v2 = 2 * vL - dL * interval + gap_term;
  return std::min(v1, v2);
}

double intersection_speed(const SimModel& model, SimState& st, std::int32_t v, double interval, Cursor next);

/// Vehicle v's speed for the next step: car-following, then the intersection's limits.
double next_speed(const SimModel& model, SimState& st, std::int32_t v) {
  const Vehicles& s = st.vehicles;
  const VehicleType& vt = model.demand->vehicle_types[s.type[v]];
  const RoadNetwork& net = *model.net;
  const std::int32_t d = s.drivable[v];
  const std::int32_t lanes = net.num_lanes();
  const double speed = s.speed[v];
  const double drivable_max = model.drivable_speed_limit[d];
  double out = std::min({vt.max_speed, speed + vt.max_pos_acc * model.dt, drivable_max});

  const std::int32_t leader = s.leader[v];
  if (model.settings->vehicle_model == VehicleModel::IDM) {
    // IDM (Treiber, Hennecke and Helbing 2000): dv/dt = a (1 - (v/v0)^4 - (s*/s)^2), the
    // interaction term only with a leader; v0 is the vehicle's own desired speed (its type's
    // maxSpeed) capped by the drivable's speed limit.
    const double a = vt.usual_pos_acc;
    const double v0 = std::max(std::min(vt.max_speed, drivable_max), 0.1);
    const double ratio = speed / v0;
    double acc = a * (1 - ratio * ratio * ratio * ratio);
    if (leader != kNone) {
      const VehicleType& lt = model.demand->vehicle_types[s.type[leader]];
      const double gap = std::max(s.gap[v], 0.01);
      const double vl = s.speed[leader];
      const double s_star = idm_desired_gap(vt, speed, speed - vl) / gap;
      acc -= a * s_star * s_star;
      out = std::min(out, no_collision_speed(vl, lt.max_neg_acc, speed, model.type_max_brake[s.type[v]], s.gap[v], model.dt, 0,
                                             model.over_dt(2 * s.gap[v])));
    }
    out = std::min(out, speed + acc * model.dt);
  } else if (leader != kNone) {
    const VehicleType& lt = model.demand->vehicle_types[s.type[leader]];
    const double gap = s.gap[v];
    const double vl = s.speed[leader];
    const std::int32_t type = s.type[v];
    double u = no_collision_speed(vl, lt.max_neg_acc, speed, model.type_max_brake[type], gap, model.dt, 0, model.over_dt(2 * gap));
    const double assume_decel = speed > vl ? speed - vl : 0;
    u = std::min(u, no_collision_speed(vl, lt.usual_neg_acc, speed, model.type_usual_brake[type], gap, model.dt, vt.min_gap,
                                       model.over_dt(2 * (gap - vt.min_gap))));
    u = std::min(u, (gap + (vl + assume_decel / 2) * model.dt - speed * model.dt / 2) / (vt.headway_time + model.dt / 2));
    out = std::min(out, u);
  }

  // Intersection-related limits: within braking reach of the lane end, or on a movement.
  bool related = d >= lanes;
  Cursor next{kNone, 0};
  if (!related) {
    if (net.lane_length[d] - s.dis[v] <= model.type_reach[s.type[v]]) {
      next = next_of(model, st, v);
      related = next.drivable >= lanes;
    }
  }
  if (related) out = std::min(out, intersection_speed(model, st, v, model.dt, next));
  return std::max(out, speed - vt.max_neg_acc * model.dt);
}

/// One vehicle's kinematics for the yield rule (CityFlow's).
struct Kinematics {
  double speed, len, usual_pos_acc, usual_neg_acc, max_neg_acc, max_speed;
  double min_brake() const { return 0.5 * speed * speed / max_neg_acc; }
  bool can_yield(double dist) const {
    return (dist > 0 && min_brake() < dist - kYieldDistance) || (dist < 0 && dist + len < 0);
  }
  double stop_before_speed(double distance, double interval) const {
    distance = std::max(distance, 0.0);
    const double next = speed + usual_pos_acc * interval;
    const double brake_after_accel = (speed + next) * interval / 2 + next * next / usual_neg_acc / 2;
    if (brake_after_accel < distance) return next;
    const double take = 2 * distance / (speed + kEps) / interval;
    if (take >= 1) return speed - speed / static_cast<int>(take);
    return speed - speed / take;
  }
  double distance_until_speed(double target, double acc, double interval) const {
    if (target <= speed) return 0;
    const int steps1 = static_cast<int>(std::floor((target - speed) / acc / interval));
    const double speed1 = speed + steps1 * acc / interval;
    const double dis1 = (speed + speed1) * (steps1 * interval) / 2;
    return dis1 + (speed1 < target ? (speed1 + target) * interval / 2 : 0);
  }
  int reach_steps(double distance, double target, double acc, double interval) const {
    if (distance <= 0) return 0;
    if (speed > target) return static_cast<int>(std::ceil(distance / speed));
    const double until = distance_until_speed(target, acc, interval);
    if (until > distance)
      return static_cast<int>(std::ceil((std::sqrt(speed * speed + 2 * acc * distance) - speed) / acc / interval));
    return static_cast<int>(std::ceil((target - speed) / acc / interval) + std::ceil((distance - until) / target / interval));
  }
};

/// CityFlow's yield rule: true when vehicle v may pass crossing c of its movement before the
/// vehicle that claims the mirror entry.
bool can_pass(const SimModel& model, const SimState& st, std::int32_t v, std::int32_t c, double distance_to_link_start) {
  const Vehicles& s = st.vehicles;
  const RoadNetwork& net = *model.net;
  const std::int32_t mirror = model.conflict_mirror[c];
  const std::int32_t foe = st.claims.vehicle[mirror];
  if (foe == kNone || foe == v) return true;
  auto kin = [&](std::int32_t x) {
    const VehicleType& t = model.demand->vehicle_types[s.type[x]];
    return Kinematics{s.speed[x], t.length, t.usual_pos_acc, t.usual_neg_acc, t.max_neg_acc, t.max_speed};
  };
  const Kinematics me = kin(v), them = kin(foe);
  const Conflict& cf = net.conflicts[c];
  const MovementId my_link = net.conflicts[mirror].other;
  const MovementId foe_link = cf.other;
  const double d1 = cf.distance - distance_to_link_start, d2 = st.claims.distance[mirror];
  if (!me.can_yield(d1)) return true;
  int yield = 0;
  if (!them.can_yield(d2)) yield = 1;
  // CityFlow's priority: straight over left over right (lower Turn value wins).
  const int t1 = 3 - static_cast<int>(net.movement_turn[my_link]);
  const int t2 = 3 - static_cast<int>(net.movement_turn[foe_link]);
  auto reach = [&](const Kinematics& k, double dist, MovementId link) {
    const double target = net.movement_turn[link] == Turn::Straight ? k.max_speed : kTurnSpeed;
    return k.reach_steps(dist, target, k.usual_pos_acc, model.dt);
  };
  if (yield == 0) {
    if (t1 > t2) {
      yield = -1;
    } else if (t1 < t2) {
      if (d2 > 0) {
        if (reach(them, d2, foe_link) > reach(me, d1, my_link)) yield = -1;
      } else if (d2 + them.len < 0) {
        yield = -1;
      }
      if (yield == 0) yield = 1;
    } else {
      if (d2 > 0) {
        const int foe_steps = reach(them, d2, foe_link), my_steps = reach(me, d1, my_link);
        if (foe_steps > my_steps) yield = -1;
        else if (foe_steps < my_steps) yield = 1;
        else if (s.enter_link_step[v] == s.enter_link_step[foe]) {
          if (d1 == d2) yield = std::pair(s.priority[v], s.id[v]) > std::pair(s.priority[foe], s.id[foe]) ? -1 : 1;
          else yield = d1 < d2 ? -1 : 1;
        } else {
          yield = s.enter_link_step[v] < s.enter_link_step[foe] ? -1 : 1;
        }
      } else {
        yield = d2 + them.len < 0 ? -1 : 1;
      }
    }
  }
  if (yield == 1) {
    // Break yield cycles (A waits for B waits for ... A): follow the blockers, Floyd-style.
    std::int32_t fast = foe, slow = foe;
    int guard = 0;
    while (fast != kNone && s.blocker[fast] != kNone && ++guard < 1'000'000) {
      slow = s.blocker[slow];
      fast = s.blocker[s.blocker[fast]];
      if (slow == fast) {
        yield = -1;
        break;
      }
    }
  }
  return yield == -1;
}

/// The speed limit from the movement ahead: its signal, room on its end lane, and its claimed crossings.
double intersection_speed(const SimModel& model, SimState& st, std::int32_t v, double interval, Cursor next) {
  Vehicles& s = st.vehicles;
  const RoadNetwork& net = *model.net;
  const std::int32_t lanes = net.num_lanes();
  const VehicleType& vt = model.demand->vehicle_types[s.type[v]];
  const Kinematics me{s.speed[v], vt.length, vt.usual_pos_acc, vt.usual_neg_acc, vt.max_neg_acc, vt.max_speed};
  const std::int32_t d = s.drivable[v];
  double out = vt.max_speed;
  MovementId link = kNone;
  if (d < lanes) {
    if (next.drivable >= lanes) {
      link = next.drivable - lanes;
      const bool can_enter = lane_has_room(model, st, net.movement_to_lane[link], vt.length);
      const double remaining = net.lane_length[d] - s.dis[v];
      if ((!st.signals.movement_open[link] || !can_enter) && !(me.min_brake() > remaining))
        return std::min(out, me.stop_before_speed(remaining, interval));
      if (net.movement_turn[link] != Turn::Straight) out = std::min(out, kTurnSpeed);
    }
  } else {
    link = d - lanes;
  }
  if (link == kNone || st.claims.movement_claimed[link] == Claimed::kNo) return out;  // no crossing of it is claimed
  const double to_start = d < lanes ? -(net.lane_length[d] - s.dis[v]) : s.dis[v];
  for (std::int32_t c = net.movement_conflict_begin[link]; c < net.movement_conflict_begin[link + 1]; ++c) {
    const double on_link = net.conflicts[c].distance;
    if (on_link < to_start) continue;
    if (!can_pass(model, st, v, c, to_start)) {
      out = std::min(out, me.stop_before_speed(on_link - to_start - kYieldDistance, interval));
      s.n_blocker[v] = st.claims.vehicle[model.conflict_mirror[c]];
      break;
    }
  }
  return out;
}

/// Vehicle v's next speed, distance and drivable into the next-state buffer.
void compute_action(const SimModel& model, SimState& st, std::int32_t v) {
  Vehicles& s = st.vehicles;
  const std::int32_t d = s.drivable[v];
  if (d < 0) return;
  s.n_blocker[v] = kNone;
  double speed = next_speed(model, st, v);
  const double cur = s.speed[v];
  double delta;
  if (speed < 0) {
    delta = 0.5 * cur * cur / model.demand->vehicle_types[s.type[v]].max_neg_acc;
    speed = 0;
  } else {
    delta = (cur + speed) * model.dt / 2;
  }
  s.n_speed[v] = speed;
  // Advance along the planned path, crossing into following drivables.
  Cursor at{d, s.route_pos[v]};
  double dis = s.dis[v] + delta;
  s.n_finished[v] = 0;
  for (int hop = 0;; ++hop) {
    const double len = model.drivable_length[at.drivable];
    if (dis <= len) break;
    const Cursor next = hop == 0 ? next_of(model, st, v) : next_drivable(model, st, v, at);
    if (next.drivable == kNone) {
      s.n_finished[v] = 1;
      break;
    }
    dis -= len;
    at = next;
  }
  s.n_dis[v] = dis;
  s.n_drivable[v] = at.drivable;
  s.n_route_pos[v] = at.route_pos;
}

}  // namespace

// Flattened: the speed functions it calls are inlined into its loop.
[[gnu::flatten]] void compute_actions(const SimModel& model, SimState& st) {
  // Per running vehicle (its slot still holds a drivable); each writes only its own next state, so
  // slots in contiguous blocks give each thread its own cache lines.
  for_each_part(st.parts, st.parts.split, [&](std::int32_t p) {
    const auto [first, last] = part_slots(st, p);
    work_shared(st.parts, p, first, last, kSlotChunk, [&](std::int32_t begin, std::int32_t end) {
      for (std::int32_t v = begin; v < end; ++v) compute_action(model, st, v);
    });
  });
}

}  // namespace greenwave::sim
