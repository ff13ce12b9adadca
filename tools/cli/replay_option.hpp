// The --replay option of run and eval: finishing the replay file and saying what it holds.
#pragma once

#include "greenwave/env/replay.hpp"

namespace greenwave::cli {

/// Finishes `replay` and prints "replay PATH: F frames, V vehicle poses, B bytes" (to stderr
/// under --json, so that stdout stays one JSON object).
void report_replay(ReplayRecorder& replay, bool json);

}  // namespace greenwave::cli
