#include "greenwave/env/trajectory_summary.hpp"

#include <cstdio>
#include <numeric>
#include <stdexcept>

#include "greenwave/core/error.hpp"
#include "hdf5_util.hpp"

namespace greenwave {

std::int64_t TrajectorySummary::steps() const {
  return std::accumulate(episode_steps.begin(), episode_steps.end(), std::int64_t{0});
}

TrajectorySummary read_trajectory_summary(const std::string& path) {
  using hdf5::Handle;
  TrajectorySummary s;
  hdf5::init();
  try {
    const hdf5::QuietErrors quiet;
    const Handle fapl = hdf5::file_access_without_locking();
    const Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()), "open the file as HDF5");
    const hid_t f = file.get();
    hdf5::read_int_attribute(f, "schema_version", H5T_NATIVE_INT32, &s.schema_version);
    s.scenario_hash = hdf5::read_string_attribute(f, "scenario_hash");
    s.reward_spec = hdf5::read_string_attribute(f, "reward_spec");
    s.env_config = hdf5::read_string_attribute(f, "env_config");
    hdf5::read_int_attribute(f, "seed", H5T_NATIVE_UINT64, &s.seed);
    s.agents = static_cast<std::int64_t>(hdf5::read_strings_attribute(f, "agent_ids").size());
    s.metric_names = hdf5::read_strings_attribute(f, "metric_names");
    for (std::int64_t e = 0;; ++e) {
      char name[32];
      std::snprintf(name, sizeof name, "episode_%06lld", static_cast<long long>(e));
      if (H5Lexists(f, name, H5P_DEFAULT) <= 0) break;
      const Handle actions(H5Dopen2(f, (std::string(name) + "/actions").c_str(), H5P_DEFAULT),
                           std::string("open ") + name + "/actions");
      s.episode_steps.push_back(static_cast<std::int64_t>(hdf5::dataset_dims(actions.get()).at(0)));
      if (e == 0) {
        const Handle obs(H5Dopen2(f, (std::string(name) + "/observations").c_str(), H5P_DEFAULT),
                         std::string("open ") + name + "/observations");
        s.observation_size = static_cast<std::int64_t>(hdf5::dataset_dims(obs.get()).at(2));
      }
    }
  } catch (const std::exception& e) {
    throw ConfigError("trajectory", path + ": not a readable greenwave trajectory file (" + e.what() + ")");
  }
  return s;
}

}  // namespace greenwave
