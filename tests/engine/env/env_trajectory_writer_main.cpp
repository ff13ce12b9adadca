// env_trajectory_writer PATH [EPISODES]: writes EPISODES (default 2) fake-backend episodes of
// 10 steps to PATH, for tests that read trajectories without greenwave (h5py).
#include <cstdlib>
#include <exception>
#include <iostream>

#include "trajectory_rollout.hpp"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: env_trajectory_writer PATH [EPISODES]\n";
    return 2;
  }
  try {
    const int episodes = argc == 3 ? std::atoi(argv[2]) : 2;
    greenwave::testing::TrajectoryRollout r(argv[1], 100);
    for (int e = 0; e < episodes; ++e) {
      r.begin(static_cast<std::uint64_t>(e));
      r.run(1000);
      r.writer.end_episode();
    }
  } catch (const std::exception& e) {
    std::cerr << "env_trajectory_writer: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
