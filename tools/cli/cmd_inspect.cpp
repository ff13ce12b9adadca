// `greenwave inspect`: summarises a trajectory file (schema in docs/trajectories.md).
#include <iostream>
#include <nlohmann/json.hpp>

#include "args.hpp"
#include "commands.hpp"
#include "greenwave/env/trajectory_summary.hpp"

namespace greenwave::cli {

int cmd_inspect(int argc, char** argv) {
  const Args args(argc, argv, 2, {"json", "help"}, {});
  if (args.flag("help") || args.positional().size() != 1) {
    std::cout << "usage: greenwave inspect FILE.h5 [--json]\n"
                 "Prints the episodes, steps and agents of a trajectory file written by greenwave, with its\n"
                 "schema version, scenario hash, reward spec, env config, seed and steps per episode.\n";
    return args.flag("help") ? 0 : 2;
  }
  const TrajectorySummary s = read_trajectory_summary(args.positional()[0]);
  const nlohmann::json out = {{"episodes", s.episode_steps.size()},
                              {"steps", s.steps()},
                              {"agents", s.agents},
                              {"observation_size", s.observation_size},
                              {"episode_steps", s.episode_steps},
                              {"schema_version", s.schema_version},
                              {"scenario_hash", s.scenario_hash},
                              {"reward_spec", s.reward_spec},
                              {"env_config", s.env_config},
                              {"seed", s.seed},
                              {"metric_names", s.metric_names}};
  if (args.flag("json")) {
    std::cout << out.dump() << "\n";
    return 0;
  }
  std::cout << "trajectory  " << args.positional()[0] << "\n";
  for (const char* key : {"episodes", "steps", "agents", "observation_size", "schema_version", "scenario_hash",
                          "reward_spec", "env_config", "seed"})
    std::cout << "  " << key << std::string(20 - std::string(key).size(), ' ')
              << (out[key].is_string() ? out[key].get<std::string>() : out[key].dump()) << "\n";
  return 0;
}

}  // namespace greenwave::cli
