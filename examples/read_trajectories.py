"""Read a greenwave trajectory log (HDF5) into NumPy with greenwave.trajectories.

    /usr/bin/python3 examples/read_trajectories.py RUN.h5
    /usr/bin/python3 examples/read_trajectories.py --tiny   # records one with `greenwave run --trajectory` first

Trajectory files come from `greenwave run SCENARIO --controller C --trajectory RUN.h5` and the
C++ TrajectoryWriter; the schema is in docs/trajectories.md.
"""

import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

import numpy as np

from greenwave import trajectories

ROOT = pathlib.Path(__file__).resolve().parents[1]


def greenwave_cli() -> str:
    """The greenwave program: $GREENWAVE_CLI, then PATH, then $GREENWAVE_BUILD_DIR/tools or build/tools."""
    candidates = [os.environ.get("GREENWAVE_CLI"), shutil.which("greenwave"),
                  str(pathlib.Path(os.environ.get("GREENWAVE_BUILD_DIR", ROOT / "build")) / "tools" / "greenwave")]
    for c in candidates:
        if c and os.access(c, os.X_OK):
            return c
    sys.exit("read_trajectories.py: no greenwave program found (set GREENWAVE_CLI or build the greenwave target)")


def summarize(path: str) -> None:
    with trajectories.open(path) as log:
        print(log)
        print(f"  scenario hash {log.scenario_hash}, reward {log.reward_spec}, observation "
              f"{log.env_config.get('observation')}, seed {log.seed}")
        for ep in log:
            # (T+1, agents, obs) observations; (T, agents) actions and rewards; (T, metrics) metrics.
            switches = int((np.diff(ep.actions, axis=0) != 0).sum())
            final = ep.final_metrics()
            print(f"  {ep.name}: {ep.steps} steps, observations {ep.observations.shape}, "
                  f"return {ep.rewards.sum():.1f}, phase switches {switches}, "
                  f"served {final['served_vehicles']:.0f}, delay index {final['delay_index']:.3f}")
            queued = ep.metric("queued")
            print(f"    queued vehicles: mean {queued.mean():.1f}, max {queued.max():.0f}")


def main() -> None:
    p = argparse.ArgumentParser(description="Summarise a trajectory file.")
    p.add_argument("path", nargs="?", help="trajectory .h5 file")
    p.add_argument("--tiny", action="store_true", default=bool(os.environ.get("GREENWAVE_EXAMPLES_TINY")),
                   help="record a 300 s MaxPressure episode on the demo grid and read it")
    a = p.parse_args()
    if a.path:
        summarize(a.path)
        return
    if not a.tiny:
        p.error("give a trajectory file, or --tiny to record one")
    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, "maxpressure.h5")
        subprocess.run([greenwave_cli(), "run", str(ROOT / "scenarios" / "demo_grid_2x2.pbtxt"), "--controller",
                        "maxpressure", "--horizon", "300", "--trajectory", path], check=True, stdout=subprocess.DEVNULL)
        summarize(path)


if __name__ == "__main__":
    main()
