// record_controller_episode: a baseline controller's episode written through the env layer.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "greenwave/core/error.hpp"
#include "greenwave/control/controller_rollout.hpp"
#include "greenwave/env/trajectory_summary.hpp"
#include "greenwave/networks/importers.hpp"
#include "greenwave/networks/scenario_io.hpp"
#include "greenwave/sim/simulator.hpp"

namespace greenwave {
namespace {

std::shared_ptr<const CompiledScenario> grid_2x2() {
  GridOptions o;
  o.rows = 2;
  o.cols = 2;
  o.demand.rate = 600;
  o.demand.horizon = 300;
  return std::make_shared<const CompiledScenario>(compile_scenario(generate_grid(o)));
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("greenwave_" + std::to_string(::getpid()) + "_" + name)).string();
}

// A whole dataset of episode 0 read with the HDF5 C API.
template <class T>
std::vector<T> read_episode0(const std::string& path, const std::string& dataset, hid_t type) {
  const hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_file_locking(fapl, false, true);
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl);
  const hid_t d = H5Dopen2(f, ("episode_000000/" + dataset).c_str(), H5P_DEFAULT);
  const hid_t space = H5Dget_space(d);
  std::vector<T> out(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  EXPECT_GE(H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), 0) << dataset;
  H5Sclose(space);
  H5Dclose(d);
  H5Fclose(f);
  H5Pclose(fapl);
  return out;
}

class ControllerRollout : public ::testing::TestWithParam<const char*> {};

TEST_P(ControllerRollout, SameMetricsAsRunEpisodeAndOneStepPerActionInterval) {
  const auto sc = grid_2x2();
  const std::string path = temp_path(std::string("rollout_") + GetParam() + ".h5");
  Simulator plain(sc), recorded(sc);
  auto c1 = make_controller(GetParam(), *sc);
  auto c2 = make_controller(GetParam(), *sc);
  const Metrics expected = run_episode(plain, *c1, 7);
  const Metrics got = record_controller_episode(recorded, *c2, {"lane_count,phase", "queue"}, 7, path);
  EXPECT_EQ(got.served_vehicles, expected.served_vehicles);
  EXPECT_EQ(got.throughput, expected.throughput);
  EXPECT_DOUBLE_EQ(got.average_travel_time, expected.average_travel_time);
  EXPECT_DOUBLE_EQ(got.delay_index, expected.delay_index);

  const TrajectorySummary s = read_trajectory_summary(path);
  ASSERT_EQ(s.episode_steps.size(), 1u);
  EXPECT_EQ(s.episode_steps[0], static_cast<std::int64_t>(sc->settings.horizon / sc->settings.action_interval));
  EXPECT_EQ(s.agents, 4);
  EXPECT_EQ(s.reward_spec, "queue:1");
  EXPECT_EQ(s.scenario_hash, sc->content_hash);
  EXPECT_EQ(s.seed, 7u);
  std::filesystem::remove(path);
}

INSTANTIATE_TEST_SUITE_P(Baselines, ControllerRollout, ::testing::Values("fixed", "maxpressure", "sotl", "sotl-libsignal"));

TEST(ControllerRollout, ReplayingTheRecordedActionsThroughTrafficEnvGivesTheSameTrajectory) {
  // MaxPressure decides every action_interval, so its recorded actions replayed through a plain
  // TrafficEnv must reproduce the recorded observations and rewards exactly.
  const auto sc = grid_2x2();
  const std::string path = temp_path("rollout_replay.h5");
  Simulator recorded(sc);
  auto controller = make_controller("maxpressure", *sc);
  const TrafficEnvConfig config{"lane_count,lane_queue,phase,time_in_phase", "pressure:1,queue:0.25"};
  record_controller_episode(recorded, *controller, config, 3, path);
  const auto actions = read_episode0<std::int32_t>(path, "actions", H5T_NATIVE_INT32);
  const auto rewards = read_episode0<float>(path, "rewards", H5T_NATIVE_FLOAT);
  const auto observations = read_episode0<float>(path, "observations", H5T_NATIVE_FLOAT);
  std::set<std::int32_t> distinct(actions.begin(), actions.end());
  EXPECT_GE(distinct.size(), 2u) << "MaxPressure switches phases";

  Simulator sim(sc);
  TrafficEnv env(sim, config);
  const auto n = static_cast<std::size_t>(env.spec().num_agents());
  const auto size = n * static_cast<std::size_t>(env.spec().observation.size());
  std::vector<float> obs(size), r(n), replay_obs, replay_rewards;
  StepInfo info;
  env.reset(3, obs, info);
  replay_obs = obs;
  for (std::size_t t = 0; t * n < actions.size(); ++t) {
    env.step(std::span(actions).subspan(t * n, n), obs, r, info);
    replay_obs.insert(replay_obs.end(), obs.begin(), obs.end());
    replay_rewards.insert(replay_rewards.end(), r.begin(), r.end());
  }
  EXPECT_TRUE(info.truncated);
  EXPECT_EQ(replay_rewards, rewards);
  EXPECT_EQ(replay_obs, observations);
  std::filesystem::remove(path);
}

TEST(ControllerRollout, BadRewardIsAConfigErrorAndBadPathAnIoError) {
  const auto sc = grid_2x2();
  Simulator sim(sc);
  auto controller = make_controller("fixed", *sc);
  EXPECT_THROW(record_controller_episode(sim, *controller, {"lane_count", "no_such_reward"}, 1, temp_path("bad.h5")),
               ConfigError);
  EXPECT_THROW(record_controller_episode(sim, *controller, {}, 1, "/nonexistent_dir/x.h5"), IoError);
}

}  // namespace
}  // namespace greenwave
