"""greenwave: train and evaluate traffic-signal control agents (Python front end).

The heavy lifting happens in the C++ engine (the ``_greenwave`` extension module); this
package adds the Gymnasium- and PettingZoo-style facades. See docs/python.md.
"""

from . import nas, spaces
from ._greenwave import ActionError, ConfigError, ScenarioError, __version__
from .catalog import CatalogEnv, env_names, env_options
from .envs import GYM_ID, GymEnv, TrafficEnv, VectorEnv, make
from .rewards import RewardError, RewardView, register_reward, reward_names
from .simulation import Scenario, Simulator, convert, generate_arterial, generate_grid, load_scenario
from .training import evaluate, train

__all__ = ["ActionError", "ConfigError", "ScenarioError", "RewardError", "__version__", "spaces", "nas",
           "Scenario", "Simulator", "load_scenario", "convert", "generate_grid", "generate_arterial",
           "TrafficEnv", "GymEnv", "VectorEnv", "make", "GYM_ID", "CatalogEnv", "env_names", "env_options", "RewardView", "register_reward", "reward_names",
           "train", "evaluate"]
