"""`pip install .` works offline with Debian's tools: pyproject.toml + setup.py build the wheel
through CMake (reusing $GREENWAVE_BUILD_DIR, so nothing is rebuilt) into a throw-away venv."""

import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

from conftest import BUILD, ROOT

pytestmark = pytest.mark.install

SCENARIO = ROOT / "scenarios" / "demo_grid_2x2.pbtxt"


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    """A --system-site-packages venv (numpy, h5py, pip from Debian) with greenwave pip-installed."""
    assert (BUILD / "CMakeCache.txt").is_file(), f"{BUILD} is not a configured CMake build directory"
    root = tmp_path_factory.mktemp("venv")
    # --without-pip: ensurepip is slow and Debian's pip is visible through the system site-packages.
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(root)], check=True)
    python = root / "bin" / "python"
    # A private scratch directory: concurrent test runs must not share build-pip/.
    env = dict(os.environ, GREENWAVE_CMAKE_BUILD_DIR=str(BUILD), GREENWAVE_PIP_BUILD_BASE=str(root / "pip-build"),
               PIP_NO_INPUT="1")
    env.pop("PYTHONPATH", None)
    result = subprocess.run([str(python), "-m", "pip", "install", "--no-build-isolation", "--no-index",
                             "--disable-pip-version-check", str(ROOT)],
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"pip install failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return python


def run_in(python, code, tmp_path):
    """Runs code with the venv's interpreter outside the repository, without the build tree on sys.path."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GREENWAVE_BUILD_DIR")}
    return subprocess.run([str(python), "-c", textwrap.dedent(code)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def test_installed_package_imports_from_the_venv(venv, tmp_path):
    result = run_in(venv, """
        import greenwave, greenwave.sweep, greenwave.trajectories
        print(greenwave.__file__)
        print(greenwave.__version__)
    """, tmp_path)
    assert result.returncode == 0, result.stderr
    location, version = result.stdout.split()
    assert pathlib.Path(location).is_relative_to(venv.parent.parent), location  # not the source or build tree
    cmake = (ROOT / "CMakeLists.txt").read_text()
    assert f"project(greenwave VERSION {version}" in cmake


def test_installed_package_steps_an_env(venv, tmp_path):
    result = run_in(venv, f"""
        import numpy as np
        import greenwave
        env = greenwave.make({str(SCENARIO)!r})
        obs, infos = env.reset(seed=3)
        actions = {{a: 0 for a in env.agents}}
        obs, rewards, terminations, truncations, infos = env.step(actions)
        assert set(obs) == set(env.possible_agents) and len(env.possible_agents) == 4
        assert all(np.isfinite(r) for r in rewards.values())
        print("ok", len(obs))
    """, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ok", "4"]


def test_installed_greenwave_command_runs_the_programs(venv, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "GREENWAVE_BUILD_DIR")}
    command = venv.parent / "greenwave"  # the console script in the venv's bin/
    version = subprocess.run([str(command), "--version"], cwd=tmp_path, env=env, capture_output=True, text=True,
                             timeout=60)
    assert version.returncode == 0, version.stderr
    cmake = (ROOT / "CMakeLists.txt").read_text()
    assert version.stdout.split()[0] == "greenwave"
    assert f"project(greenwave VERSION {version.stdout.split()[1]}" in cmake
    if (BUILD / "tools" / "greenwave-agents").is_file():
        # eval runs in greenwave-agents, which the installed greenwave finds beside itself.
        evaluated = subprocess.run([str(command), "eval", "--help"], cwd=tmp_path, env=env, capture_output=True,
                                   text=True, timeout=60)
        assert evaluated.returncode == 0, evaluated.stderr
        assert evaluated.stdout.startswith("usage: greenwave eval")
