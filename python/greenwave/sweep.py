"""Parameter sweeps on a Dask cluster: every (scenario x agent x seed x reward) is one task.

    rows = greenwave.sweep.run(["a.pbtxt", "b.json"], agents=["fixed", "maxpressure", "dqn"],
                               seeds=[0, 1, 2], out="results.csv")

Each task calls :func:`greenwave.evaluate` (a baseline or a checkpoint) or, for ``"dqn"``,
:func:`greenwave.train` with a small budget and reports its final evaluation. The rows (the
task's parameters followed by the metrics object) come back in grid order and are written
as JSON or CSV by ``out``'s suffix. A task whose worker dies is rerun elsewhere by the Dask
scheduler (up to ``distributed.scheduler.allowed-failures`` times, 3 by default).

``python3 -m greenwave.sweep SCENARIO... --agents fixed,maxpressure --seeds 0,1 --out r.csv``
runs the same from a shell.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import pathlib
import shutil
import sys
import tempfile
import time
from typing import Any, Callable, Iterable, Sequence

from ._greenwave import ConfigError

__all__ = ["BASELINES", "PARAM_KEYS", "run", "run_task", "tasks", "to_dataframe", "write_table"]

#: Baseline controllers evaluated without training.
BASELINES = ("fixed", "maxpressure", "sotl", "sotl-libsignal", "random")
#: The parameter columns every row starts with.
PARAM_KEYS = ("task", "scenario", "agent", "seed", "reward")


def tasks(scenarios: Iterable[str | os.PathLike], agents: Iterable[str], seeds: Iterable[int],
          rewards: Iterable[str | None] = (None,)) -> list[dict[str, Any]]:
    """The sweep's grid in row order: scenario-major, then agent, seed and reward."""
    grid = itertools.product([str(s) for s in scenarios], list(agents), [int(s) for s in seeds], list(rewards))
    return [{"task": i, "scenario": s, "agent": a, "seed": seed, "reward": r}
            for i, (s, a, seed, r) in enumerate(grid)]


def run_task(task: dict[str, Any], episodes: int = 1, train_episodes: int = 5,
             config: dict[str, Any] | None = None, checkpoint_dir: str | None = None,
             hook: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Runs one grid cell (on a worker) and returns its row: the task's parameters, the metrics
    object and ``wall_s``. ``hook(task)`` runs first (tests use it to kill a worker)."""
    import greenwave

    if hook is not None:
        hook(task)
    options = dict(config or {})
    if task["reward"] is not None:
        options["reward"] = task["reward"]
    start = time.perf_counter()
    scenario: Any = task["scenario"]
    if "flow" in options or "horizon" in options:
        scenario = greenwave.load_scenario(scenario, flow=options.pop("flow", None), horizon=options.pop("horizon", None))
    keep_checkpoints = checkpoint_dir is not None
    if task["agent"] == "dqn":
        work = (str(pathlib.Path(checkpoint_dir) / f"task_{task['task']:05d}") if keep_checkpoints
                else tempfile.mkdtemp(prefix="greenwave-sweep-"))
        try:
            result = greenwave.train(scenario, work, episodes=train_episodes, seed=task["seed"], **options)
        finally:
            if not keep_checkpoints:
                shutil.rmtree(work, ignore_errors=True)
    else:
        result = greenwave.evaluate(scenario, agent=task["agent"], episodes=episodes, seed=task["seed"], **options)
    row = {k: task[k] for k in PARAM_KEYS}
    row.update({k: v for k, v in result.items() if isinstance(v, (int, float, str, bool))
                and (keep_checkpoints or not k.endswith("_checkpoint"))})
    row["wall_s"] = time.perf_counter() - start
    return row


def _client(client: Any, workers: int | None):
    """(client, owned): the given Client, one connected to an address, or a new LocalCluster's."""
    from dask.distributed import Client, LocalCluster

    if isinstance(client, Client):
        return client, False
    if isinstance(client, str):
        return Client(client), True
    if client is not None:
        raise TypeError(f"client must be None, a scheduler address or a dask.distributed.Client, got {client!r}")
    n = workers or max(1, (os.cpu_count() or 1))
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0")
    return Client(cluster), True


def run(scenarios: Sequence[str | os.PathLike] | str | os.PathLike, agents: Iterable[str] = ("maxpressure",),
        seeds: Iterable[int] = (0,), rewards: Iterable[str | None] = (None,), *, client: Any = None,
        workers: int | None = None, out: str | os.PathLike | None = None, episodes: int = 1,
        train_episodes: int = 5, config: dict[str, Any] | None = None, checkpoint_dir: str | os.PathLike | None = None,
        hook: Callable[[dict[str, Any]], None] | None = None) -> list[dict[str, Any]]:
    """Runs the grid on Dask and returns one row per task, in grid order.

    client: None (a LocalCluster of ``workers`` processes, one thread each; default: one per
    CPU), a scheduler address such as ``"tcp://host:8786"``, or a ``dask.distributed.Client``.
    Workers must be able to ``import greenwave`` and read the scenario paths.
    episodes: evaluation episodes per task; train_episodes: the training budget of ``"dqn"``
    tasks; config: further keyword options for evaluate/train (``horizon``, ``flow``,
    ``observation``, ``threads``, DQN settings); checkpoint_dir: keep each dqn task's run in
    ``checkpoint_dir/task_NNNNN`` (default: a temporary directory, removed); out: write the
    table, ``.json`` or ``.csv``.
    """
    if isinstance(scenarios, (str, os.PathLike)):
        scenarios = [scenarios]
    grid = tasks(scenarios, agents, seeds, rewards)
    if not grid:
        raise ConfigError("sweep: the grid is empty (no scenarios, agents, seeds or rewards)")
    for t in grid:
        if t["agent"] not in BASELINES and t["agent"] != "dqn" and not pathlib.Path(t["agent"]).is_file():
            raise ConfigError(f"agents: '{t['agent']}' is neither dqn, one of {', '.join(BASELINES)} "
                              "nor an existing checkpoint file")
    if out is not None:
        _table_format(out)  # fail before the work, not after
    dask_client, owned = _client(client, workers)
    try:
        # Named keys (readable in the dashboard), unique per call so that a repeated sweep on the
        # same client runs again instead of returning the earlier results.
        ckpt = str(pathlib.Path(checkpoint_dir).resolve()) if checkpoint_dir else None
        stamp = f"{os.getpid()}-{time.time_ns()}"
        futures = [dask_client.submit(run_task, t, episodes, train_episodes, config, ckpt, hook,
                                      key=f"greenwave-sweep-{stamp}-task{t['task']}")
                   for t in grid]
        rows = dask_client.gather(futures)
    finally:
        if owned:
            cluster = getattr(dask_client, "cluster", None)
            dask_client.close()
            if cluster is not None:
                cluster.close()
    if out is not None:
        write_table(rows, out)
    return rows


def _table_format(path: str | os.PathLike) -> str:
    suffix = pathlib.Path(path).suffix.lower()
    if suffix not in (".json", ".csv"):
        raise ConfigError(f"out: {path}: expected a .json or .csv file name, got suffix '{suffix}'")
    return suffix


def write_table(rows: list[dict[str, Any]], path: str | os.PathLike) -> None:
    """Writes rows as a JSON list of objects (``.json``) or a CSV table with a header (``.csv``)."""
    suffix = _table_format(path)
    path = pathlib.Path(path)
    if suffix == ".json":
        path.write_text(json.dumps(rows, indent=1) + "\n")
        return
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def to_dataframe(rows: list[dict[str, Any]]):
    """The rows as a pandas DataFrame (needs pandas, which greenwave itself does not)."""
    try:
        import pandas
    except ImportError as e:
        raise ImportError("to_dataframe needs pandas; the rows are plain dicts without it") from e
    return pandas.DataFrame(rows)


def _split(text: str, kind: Callable[[str], Any] = str) -> list[Any]:
    return [kind(p) for p in text.split(",") if p]


def main(argv: list[str] | None = None) -> int:
    """``python3 -m greenwave.sweep``: the sweep from a shell; prints the rows as JSON lines."""
    p = argparse.ArgumentParser(prog="python3 -m greenwave.sweep", description=__doc__.split("\n\n")[0])
    p.add_argument("scenarios", nargs="+", help="scenario files")
    p.add_argument("--agents", default="maxpressure", help="comma-separated: fixed,maxpressure,sotl,sotl-libsignal,random,dqn,CKPT")
    p.add_argument("--seeds", default="0", help="comma-separated seeds")
    p.add_argument("--rewards", default="", help="comma-separated reward specs (default: the env's)")
    p.add_argument("--episodes", type=int, default=1, help="evaluation episodes per task")
    p.add_argument("--train-episodes", type=int, default=5, help="training episodes of dqn tasks")
    p.add_argument("--horizon", type=float, help="override the scenarios' horizon (seconds)")
    p.add_argument("--scheduler", help="a Dask scheduler address (default: a LocalCluster)")
    p.add_argument("--workers", type=int, help="LocalCluster worker processes (default: one per CPU)")
    p.add_argument("--out", help="write the table to this .json or .csv file")
    a = p.parse_args(argv)
    config = {"horizon": a.horizon} if a.horizon is not None else None
    rows = run(a.scenarios, _split(a.agents), _split(a.seeds, int), _split(a.rewards) or [None],
               client=a.scheduler, workers=a.workers, out=a.out, episodes=a.episodes,
               train_episodes=a.train_episodes, config=config)
    for row in rows:
        print(json.dumps(row))
    return 0


if __name__ == "__main__":
    sys.exit(main())
