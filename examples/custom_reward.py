"""A reward written in Python: register it by name, use it in a PettingZoo-style env, roll out.

    /usr/bin/python3 examples/custom_reward.py [SCENARIO] [--tiny]

The callable receives a greenwave.RewardView: NumPy views of the network's lane state at the end
of the agent's decision interval, valid only during the call.
"""

import argparse
import os
import pathlib

import numpy as np

import greenwave

DEFAULT_SCENARIO = pathlib.Path(__file__).resolve().parents[1] / "scenarios" / "demo_grid_2x2.pbtxt"


def waiting_growth(view) -> float:
    """Minus the waiting seconds added on the agent's incoming lanes during the interval, per second."""
    lanes = view.incoming_lanes
    added = view.lane_waiting_times[lanes].sum() - view.prev_lane_waiting_times[lanes].sum()
    return -float(added) / max(view.interval, 1.0)


def main() -> None:
    p = argparse.ArgumentParser(description="Roll out a random policy under a Python reward.")
    p.add_argument("scenario", nargs="?", default=str(DEFAULT_SCENARIO))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tiny", action="store_true", default=bool(os.environ.get("GREENWAVE_EXAMPLES_TINY")),
                   help="a 300 s horizon (for tests; also GREENWAVE_EXAMPLES_TINY=1)")
    a = p.parse_args()

    greenwave.register_reward("waiting_growth", waiting_growth)
    # Python rewards combine with built-in ones in a reward spec, like any registered name.
    env = greenwave.make(greenwave.load_scenario(a.scenario, horizon=300 if a.tiny else None),
                         reward="waiting_growth:1,queue:0.1")
    rng = np.random.default_rng(a.seed)
    obs, infos = env.reset(seed=a.seed)
    returns = {agent: 0.0 for agent in env.possible_agents}
    steps = 0
    while env.agents:
        actions = {agent: int(rng.integers(env.action_space(agent).n)) for agent in env.agents}
        obs, rewards, terminations, truncations, infos = env.step(actions)
        for agent, r in rewards.items():
            returns[agent] += r
        steps += 1
    print(f"{steps} decisions; return per intersection under waiting_growth:1,queue:0.1")
    for agent, total in returns.items():
        print(f"  {agent:<20} {total:10.2f}")
    m = env.metrics()
    print(f"served {m['served_vehicles']}, delay index {m['delay_index']:.3f}, "
          f"average travel time {m['average_travel_time']:.1f} s")


if __name__ == "__main__":
    main()
