"""Evaluate greenwave's baseline controllers on a scenario with greenwave.evaluate.

    /usr/bin/python3 examples/evaluate.py [SCENARIO] [--agents fixed,maxpressure] [--episodes N] [--tiny]
"""

import argparse
import os
import pathlib

import greenwave

DEFAULT_SCENARIO = pathlib.Path(__file__).resolve().parents[1] / "scenarios" / "demo_grid_2x2.pbtxt"


def main() -> None:
    p = argparse.ArgumentParser(description="Evaluate baseline controllers (or a DQN checkpoint).")
    p.add_argument("scenario", nargs="?", default=str(DEFAULT_SCENARIO))
    p.add_argument("--agents", default="fixed,maxpressure,sotl,random",
                   help="comma-separated: fixed, maxpressure, sotl, random or a checkpoint path")
    p.add_argument("--episodes", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tiny", action="store_true", default=bool(os.environ.get("GREENWAVE_EXAMPLES_TINY")),
                   help="a 300 s horizon (for tests; also GREENWAVE_EXAMPLES_TINY=1)")
    a = p.parse_args()

    scenario = greenwave.load_scenario(a.scenario, horizon=300 if a.tiny else None)
    print(f"{'agent':<12} {'served':>7} {'delay index':>12} {'avg travel time':>16} {'throughput':>11}")
    for agent in a.agents.split(","):
        m = greenwave.evaluate(scenario, agent=agent, episodes=a.episodes, seed=a.seed)
        print(f"{agent:<12} {m['served_vehicles']:>7} {m['delay_index']:>12.3f} {m['average_travel_time']:>16.1f} "
              f"{m['throughput']:>11}")


if __name__ == "__main__":
    main()
