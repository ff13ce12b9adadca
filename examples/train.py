"""Train greenwave's C++ DQN (LibTorch) from Python, then compare its best checkpoint with MaxPressure.

    /usr/bin/python3 examples/train.py [SCENARIO] [--episodes N] [--out DIR] [--reward SPEC] [--tiny]

The run directory holds config.json, metrics.jsonl (one line per episode), last.pt and best.pt,
as with `greenwave train`.
"""

import argparse
import os
import pathlib
import tempfile

import greenwave

DEFAULT_SCENARIO = pathlib.Path(__file__).resolve().parents[1] / "scenarios" / "demo_grid_2x2.pbtxt"


def main() -> None:
    p = argparse.ArgumentParser(description="Train a parameter-shared DQN on every intersection.")
    p.add_argument("scenario", nargs="?", default=str(DEFAULT_SCENARIO))
    p.add_argument("--episodes", type=int, default=50)
    p.add_argument("--out", help="run directory (default: a temporary one)")
    p.add_argument("--reward", default="queue", help="reward spec, e.g. queue or pressure:1,queue:0.25")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tiny", action="store_true", default=bool(os.environ.get("GREENWAVE_EXAMPLES_TINY")),
                   help="2 episodes of 300 s (for tests; also GREENWAVE_EXAMPLES_TINY=1)")
    a = p.parse_args()

    scenario = greenwave.load_scenario(a.scenario, horizon=300 if a.tiny else None)
    episodes = 2 if a.tiny else a.episodes
    with tempfile.TemporaryDirectory(prefix="greenwave-train-") as scratch:
        out = a.out or scratch
        result = greenwave.train(scenario, out, episodes=episodes, reward=a.reward, seed=a.seed, device="cpu")
        print(f"trained {episodes} episodes into {out}")
        dqn = greenwave.evaluate(scenario, agent=result["best_checkpoint"], seed=a.seed)
        baseline = greenwave.evaluate(scenario, agent="maxpressure", seed=a.seed)
    print(f"{'agent':<12} {'served':>7} {'delay index':>12} {'avg travel time':>16}")
    for name, m in (("dqn (best)", dqn), ("maxpressure", baseline)):
        print(f"{name:<12} {m['served_vehicles']:>7} {m['delay_index']:>12.3f} {m['average_travel_time']:>16.1f}")


if __name__ == "__main__":
    main()
