"""The Gymnasium/PettingZoo block of docs/python.md runs as written (from the repository root)."""

import re

import pytest

from conftest import PEERS, ROOT

pytest.importorskip("gymnasium", reason=f"Gymnasium not installed and not found in {PEERS}")
pytest.importorskip("pettingzoo", reason=f"PettingZoo not installed and not found in {PEERS}")


def test_ecosystem_block_runs(capsys, monkeypatch):
    text = (ROOT / "docs" / "python.md").read_text()
    section = text.split("## Gymnasium, PettingZoo and their wrappers", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    monkeypatch.chdir(ROOT)
    exec(compile(code, "docs/python.md", "exec"), {"__name__": "__docs__"})
    out = capsys.readouterr().out
    assert "Passed Parallel API test" in out and "Passed API test" in out and "returns [" in out
