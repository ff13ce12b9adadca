"""The shell commands shown in docs/quickstart.md and docs/viewer.md run as written (in a scratch
folder, `greenwave` being the build's), so the pages cannot drift from the program. The only
lines not run here are `make demo` and `make test`: the demo and CI (`.ci/run`) run those.
`greenwave view` is started, its page and replay fetched, and stopped."""

import re
import shlex
import subprocess
import urllib.request

import pytest

from conftest import BUILD, ROOT

CLI = BUILD / "tools" / "greenwave"
RUN_ELSEWHERE = {"make demo", "make test"}


def commands(doc):
    """The command lines of the ```sh blocks of docs/DOC, comments removed, in order."""
    text = (ROOT / "docs" / doc).read_text()
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line and not line.startswith("#"):
                lines.append(line)
    return lines


def run_line(line, cwd):
    """Runs one documented command line with the build's greenwave; returns its stdout."""
    assert line.startswith("greenwave "), f"unexpected command in the docs: {line}"
    words = shlex.split(line)
    out_file = None
    if ">" in words:
        i = words.index(">")
        words, out_file = words[:i], words[i + 1]
    words = [str(CLI)] + [str(ROOT / w) if w.startswith("scenarios/") else w for w in words[1:]]
    r = subprocess.run(words, cwd=cwd, capture_output=True, text=True, timeout=1800)
    assert r.returncode == 0, f"{line}\n{r.stderr}"
    if out_file:
        (cwd / out_file).write_text(r.stdout)
    return r.stdout


def view(line, cwd):
    """Starts `greenwave view FILE --port 0`, fetches the page and the replay, stops it."""
    words = shlex.split(line)
    replay = cwd / words[2]
    server = subprocess.Popen([str(CLI), "view", str(replay), "--port", "0"], cwd=cwd, stdout=subprocess.PIPE,
                              text=True)
    try:
        first = server.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", first).group(0)
        assert f"serving {replay}" in first
        page = urllib.request.urlopen(url, timeout=30).read().decode()
        assert "<canvas id=\"map\">" in page
        served = urllib.request.urlopen(url + "replay.gwr", timeout=30).read()
        assert served == replay.read_bytes()
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.parametrize("doc", ["quickstart.md", "viewer.md"])
def test_documented_commands_run(doc, tmp_path):
    assert CLI.exists(), f"build the greenwave target first ({CLI} is missing)"
    lines = commands(doc)
    assert lines, f"docs/{doc} shows no commands"
    skipped = [line for line in lines if line in RUN_ELSEWHERE]
    for line in lines:
        if line in RUN_ELSEWHERE:
            continue
        if line.startswith("greenwave view "):
            view(line, tmp_path)
        else:
            run_line(line, tmp_path)
    if doc == "quickstart.md":
        assert skipped == ["make demo", "make test"]
        # What the page says the steps leave behind.
        for name in ("my_grid.pbtxt", "fixed.gwr", "dqn.gwr", "dqn.json", "compare.png", "series.svg", "curves.png",
                     "runs/my_grid/best.pt", "runs/my_grid/metrics.jsonl"):
            assert (tmp_path / name).exists(), name
