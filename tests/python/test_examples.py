"""Every script in examples/ runs with its --tiny budget, as a user would start it."""

import os
import subprocess
import sys

import pytest

from conftest import BUILD, PEERS, ROOT

pytestmark = pytest.mark.examples

EXAMPLES = ROOT / "examples"


def run_example(name, *args, path=()):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(BUILD / "python"), *path]), GREENWAVE_BUILD_DIR=str(BUILD))
    env.pop("GREENWAVE_EXAMPLES_TINY", None)
    result = subprocess.run([sys.executable, str(EXAMPLES / name), "--tiny", *args], env=env, cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{name} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def test_every_example_is_covered():
    scripts = sorted(p.name for p in EXAMPLES.glob("*.py"))
    tested = sorted(name for name in globals() if name.startswith("test_example_"))
    assert [f"test_example_{s[:-3]}" for s in scripts] == tested


def test_example_evaluate():
    out = run_example("evaluate.py")
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["agent", "served"]
    assert [line.split()[0] for line in lines[1:]] == ["fixed", "maxpressure", "sotl", "random"]


def test_example_train(tmp_path):
    out = run_example("train.py", "--out", str(tmp_path / "run"))
    assert "trained 2 episodes" in out and "dqn (best)" in out
    assert (tmp_path / "run" / "best.pt").is_file() and (tmp_path / "run" / "metrics.jsonl").is_file()
    assert len((tmp_path / "run" / "metrics.jsonl").read_text().splitlines()) == 2


def test_example_custom_reward():
    out = run_example("custom_reward.py")
    assert "return per intersection under waiting_growth:1,queue:0.1" in out
    assert len([line for line in out.splitlines() if line.startswith("  ")]) == 4  # one per intersection


def test_example_sweep(tmp_path):
    out = run_example("sweep.py", "--out", str(tmp_path / "r.json"))
    assert "4 tasks" in out and (tmp_path / "r.json").is_file()


def test_example_read_trajectories():
    out = run_example("read_trajectories.py")
    assert "episodes=1, agents=4" in out and "episode_000000: 30 steps" in out


def test_example_torch_dqn():
    out = run_example("torch_dqn.py")
    assert "greedy evaluation" in out


def test_example_gymnasium_vector():
    """The shared policy starts uniform (w = 0); the gradient on each agent's queue reward
    moves it towards MaxPressure (w > 0), whose queues are shorter than random phases', so the
    second batch of episodes returns more (less negative) than the first."""
    gymnasium = pytest.importorskip("gymnasium", reason=f"Gymnasium not installed and not found in {PEERS}")
    out = run_example("gymnasium_vector.py", path=[os.path.dirname(os.path.dirname(gymnasium.__file__))])
    w = float(out.split("w = ")[1].split()[0])
    returns = [float(r) for r in out.split("per batch: ")[1].split(", ")]
    assert w > 0 and len(returns) == 2 and returns[1] > returns[0]
