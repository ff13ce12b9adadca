// Phase sets: the literature's 4-phase subset of a roadnet's greens (REFERENCE.md §3).
#pragma once

#include <string>

#include "greenwave/v1/scenario.pb.h"

namespace greenwave {

/// Which of an intersection's green phases a run may select.
enum class PhaseSet {
  All,   ///< every green phase of the scenario
  Four,  ///< the paired phases: through or left turns from two opposing approaches
};

/// Parses "all" or "four"; throws ConfigError naming `option` otherwise.
PhaseSet parse_phase_set(const std::string& name, const std::string& option);

/// Restricts every signalized intersection of `scenario` to `set`, in place. Under Four an
/// intersection keeps, in order, the phases whose green movements (right turns and always-green
/// movements aside) are all through movements or all left turns, from exactly two incoming roads
/// that point in opposite directions (more than 135 degrees apart); an intersection with no such
/// phase keeps all of its phases. Signal-plan stages are renumbered to the kept phases, stages of
/// dropped phases are removed, and a plan left with no stage is removed.
void select_phases(v1::Scenario& scenario, PhaseSet set);

}  // namespace greenwave
