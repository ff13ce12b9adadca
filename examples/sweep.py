"""A sweep of baselines x seeds on a Dask LocalCluster (or a scheduler address), saved as CSV/JSON.

    /usr/bin/python3 examples/sweep.py [SCENARIO...] [--scheduler tcp://HOST:8786] [--out results.csv] [--tiny]
"""

import argparse
import os
import pathlib
import statistics
import tempfile

from greenwave import sweep

DEFAULT_SCENARIO = pathlib.Path(__file__).resolve().parents[1] / "scenarios" / "demo_grid_2x2.pbtxt"


def main() -> None:
    p = argparse.ArgumentParser(description="Evaluate controllers x seeds on a Dask cluster.")
    p.add_argument("scenarios", nargs="*", default=[str(DEFAULT_SCENARIO)])
    p.add_argument("--agents", default="fixed,maxpressure,sotl")
    p.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1")
    p.add_argument("--scheduler", help="Dask scheduler address (default: a LocalCluster)")
    p.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes")
    p.add_argument("--out", help="results table, .csv or .json (default: a temporary .csv)")
    p.add_argument("--tiny", action="store_true", default=bool(os.environ.get("GREENWAVE_EXAMPLES_TINY")),
                   help="2 agents x 2 seeds, 120 s horizon (for tests; also GREENWAVE_EXAMPLES_TINY=1)")
    a = p.parse_args()

    agents = a.agents.split(",")[:2] if a.tiny else a.agents.split(",")
    seeds = range(2 if a.tiny else a.seeds)
    config = {"horizon": 120} if a.tiny else None
    with tempfile.TemporaryDirectory() as scratch:
        out = a.out or os.path.join(scratch, "results.csv")
        rows = sweep.run(a.scenarios, agents=agents, seeds=seeds, client=a.scheduler, workers=a.workers,
                         out=out, config=config)
        print(f"{len(rows)} tasks -> {out}")
    print(f"{'scenario':<24} {'agent':<12} {'delay index (mean over seeds)':>30}")
    for scenario in a.scenarios:
        for agent in agents:
            values = [r["delay_index"] for r in rows if r["scenario"] == scenario and r["agent"] == agent]
            print(f"{pathlib.Path(scenario).name:<24} {agent:<12} {statistics.mean(values):>30.3f}")


if __name__ == "__main__":
    main()
