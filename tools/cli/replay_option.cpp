#include "replay_option.hpp"

#include <iostream>

namespace greenwave::cli {

void report_replay(ReplayRecorder& replay, bool json) {
  const ReplayStats s = replay.finish();
  (json ? std::cerr : std::cout) << "replay " << replay.path() << ": " << s.frames << " frames, " << s.vehicle_poses
                                 << " vehicle poses, " << s.bytes << " bytes\n";
}

}  // namespace greenwave::cli
