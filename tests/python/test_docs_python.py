"""Every ```python block of docs/python.md runs as written, in order, in one namespace (as a reader
pasting them into one session would), from a folder laid out like the repository root."""

import re
import subprocess

import pytest

from conftest import BUILD, PEERS, ROOT

pytest.importorskip("gymnasium", reason=f"Gymnasium not installed and not found in {PEERS}")
pytest.importorskip("pettingzoo", reason=f"PettingZoo not installed and not found in {PEERS}")

DOC = ROOT / "docs" / "python.md"
CLI = BUILD / "tools" / "greenwave"


def python_blocks() -> list[str]:
    """The doc's Python code blocks, in order."""
    return re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)


def test_doc_has_the_blocks_this_test_expects():
    # Quick start, the ecosystem block, custom rewards, sweep, trajectories: a block removed or
    # added shows up here, so the checks below stay meaningful.
    assert len(python_blocks()) == 5


def test_every_python_block_runs(tmp_path, capsys, monkeypatch):
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    monkeypatch.chdir(tmp_path)
    # The trajectories block reads the run.h5 that the sentence before it says how to make.
    text = DOC.read_text()
    command = re.search(r"`(greenwave run [^`]*--trajectory run\.h5)`", text).group(1).split()
    subprocess.run([str(CLI), *command[1:]], check=True, capture_output=True)

    namespace = {"__name__": "__docs__"}
    for index, code in enumerate(python_blocks()):
        exec(compile(code, f"docs/python.md block {index + 1}", "exec"), namespace)

    out = capsys.readouterr().out
    assert "'served_vehicles':" in out                      # quick start: evaluate's metrics
    assert "Passed Parallel API test" in out and "Passed API test" in out and "returns [" in out
    assert "waiting_growth" in namespace["greenwave"].reward_names()
    assert "12 rows" in out and (tmp_path / "results.csv").read_text().count("\n") == 13
    assert namespace["log"].num_agents == 4                 # the demo's four signals
