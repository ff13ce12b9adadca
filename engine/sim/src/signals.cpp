// Signals (docs/simulator.md, "Signals"): the controllers' phase requests, the clearance timers
// (stage 7 advances them, leaders.cpp) and which movements are open. Reads the model's phases
// and settings; writes Signals.
#include "greenwave/core/error.hpp"
#include "sim_state.hpp"
#include "stages.hpp"

namespace greenwave::sim {
PhaseRequest request_phase(const SimModel& model, SimState& st, IntersectionId i, std::int32_t phase) {
  if (phase == st.signals.phase[i]) return PhaseRequest::Kept;
  return switch_phase(model, st, i, phase, model.settings->yellow);
}

PhaseRequest switch_phase(const SimModel& model, SimState& st, IntersectionId i, std::int32_t phase, double clearance) {
  GW_CHECK(phase >= 0 && phase < model.net->phase_count(i), "phase out of range (the env validates actions)");
  GW_CHECK(clearance >= 0, "negative clearance");
  Signals& sg = st.signals;
  if (phase == sg.phase[i] && clearance <= kEps) return PhaseRequest::Kept;
  if (sg.in_clearance[i]) return PhaseRequest::InClearance;
  if (sg.time_in_phase[i] + kEps < model.settings->min_green) return PhaseRequest::TooEarly;
  sg.phase[i] = phase;
  sg.time_in_phase[i] = 0;
  sg.clearance_left[i] = clearance;
  sg.in_clearance[i] = sg.clearance_left[i] > kEps;
  update_signals_at(model, st, i);
  return PhaseRequest::Switched;
}

void update_signals(const SimModel& model, SimState& st) {
  for (IntersectionId i = 0; i < model.net->num_intersections(); ++i) update_signals_at(model, st, i);
}

void update_signals_at(const SimModel& model, SimState& st, IntersectionId i) {
  const RoadNetwork& net = *model.net;
  Signals& sg = st.signals;
  const MovementId first = net.intersection_movement_begin[i], last = net.intersection_movement_begin[i + 1];
  // The phase's green flags for the intersection's movements, in order (none in clearance).
  const bool phase_rules = net.intersection_signalized[i] && !sg.in_clearance[i];
  const std::uint8_t* green =
      phase_rules ? net.phase_green.data() + net.phase_green_begin[net.intersection_phase_begin[i] + sg.phase[i]] : nullptr;
  for (MovementId mv = first; mv < last; ++mv) {
    const bool open = net.movement_always_green[mv] != 0 || (green != nullptr && green[mv - first] != 0);
    sg.movement_open[mv] = open ? 1 : 0;
  }
}

void advance_signal_timers(const SimModel& model, SimState& st, IntersectionId first, IntersectionId last) {
  Signals& sg = st.signals;
  const double dt = model.dt;
  for (IntersectionId i = first; i < last; ++i) {
    sg.time_in_phase[i] += dt;
    if (sg.in_clearance[i]) {
      sg.clearance_left[i] -= dt;
      if (sg.clearance_left[i] <= kEps) {
        sg.in_clearance[i] = 0;
        update_signals_at(model, st, i);
      }
    }
  }
}

}  // namespace greenwave::sim
