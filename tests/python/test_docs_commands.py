"""Every `greenwave` command line the docs show is checked against the program, so the pages
cannot drift from it (docs_commands.py finds them: shell and unmarked code blocks, indented
blocks and inline code spans of every docs/*.md page).

Parsed, every one: its subcommand exists (and `moe`/`nas`'s own subcommand), and the command's
real argument parser accepts its options, each flag without a value and each option with one.
There is no parse-only mode, so `--help` goes right after the subcommand: each command builds its
`Args` (which rejects an unknown option or a missing value) before it looks at `--help`, and then
prints its usage and exits 0 without touching a file (test_help_comes_after_the_parse checks that
for every subcommand). A synopsis (SCENARIO, [--json], fixed|maxpressure) is parsed with its
brackets removed; an inline span ending in an option names that option (`run --trajectory`), so it
gets a value. The parser takes values as given, so two checks against the --help texts are added:
a value of an option whose help lists its values (`--controller fixed|maxpressure|...`) is one of
them, and `moe`'s and `nas`'s options (one parser for all their subcommands) are the named
subcommand's own. Repository paths (scenarios/..., tools/...) must exist; ../shared/data paths
too, when the data is there.

Run as written, in a scratch folder, in page order: the code-block commands of quickstart.md,
viewer.md, agents.md and moe.md (RUN_PAGES), except synopses and the lines PARSE_ONLY lists with
why (training runs longer than a few seconds, and what needs their checkpoints). Parsed only: the blocks of
nas.md and replay.md (synopses, DATA/MODEL.json/SCENARIO stand for the reader's files), of
sumo.md (SUMO training on ../shared/data), agents.md's synopsis block, and every inline command
(prose quoting a command, mostly with placeholders or an expensive measurement). `make demo` and
`make test` (quickstart.md) are run by the demo and by CI (`.ci/run`). `greenwave view` is
started, its page and replay fetched, and stopped. Where a run command's comment quotes its
output (moe.md), each decimal figure of the comment must be printed (at the comment's precision)."""

import concurrent.futures
import functools
import re
import subprocess
import urllib.request

import pytest

from conftest import BUILD, ROOT
from docs_commands import PLACEHOLDER, shown_commands

CLI = BUILD / "tools" / "greenwave"
SHARED = ROOT.parent / "shared"
REPO_DIRS = ("agents", "bench", "core", "docs", "engine", "examples", "networks", "python", "scenarios", "tests",
             "tools", "viewer")
# Code-block commands that are parsed but not run: (page, start of the command) -> why.
PARSE_ONLY = {
    ("agents.md", "greenwave train c150_s1/city.pb"): "36 training episodes of a 150-intersection city",
    ("agents.md", "greenwave eval c150_s101/city.pb"): "needs that training's checkpoint",
    ("agents.md", "greenwave train c2000_s1/city.pb"): "40 training episodes of a 2,000-intersection city",
    ("agents.md", "greenwave eval c2000_s101/city.pb"): "needs that training's checkpoint",
    ("moe.md", "greenwave train --env moe"): "300 training episodes (over 20 s of CPU)",
    ("moe.md", "greenwave eval --agent runs/moe/best.pt"): "needs that training's checkpoint",
    ("moe.md", "greenwave moe search --compute 1e22 --max-total-params 1e10 --method dqn --checkpoint"):
        "needs that training's checkpoint",
    ("sumo.md", "greenwave train ../shared/data/sumo/ingolstadt1"): "training through SUMO",
    ("sumo.md", "greenwave eval ../shared/data/sumo/ingolstadt1"): "needs that training's checkpoint",
}
RUN_PAGES = ["agents.md", "moe.md", "quickstart.md", "viewer.md"]
# A figure in a comment: a decimal or an exponent, with an optional B or M (1e9, 1e6) after it.
FIGURE = re.compile(r"(?<![\w.])(?:\d+\.\d+(?:e[+-]?\d+)?|\d+e[+-]?\d+)[BM]?(?![\w.])")
SHOWN = shown_commands()
OPTION = re.compile(r"--[a-z][a-z0-9-]*")


def greenwave(*args, cwd=None):
    """Runs the build's greenwave; returns the completed process."""
    assert CLI.exists(), f"build the greenwave target first ({CLI} is missing)"
    return subprocess.run([str(CLI), *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=1800)


def listing(help_text, heading):
    """The first words of the lines after HEADING in a usage text (the commands it lists)."""
    block = help_text.split(heading, 1)[1].split("\n\n", 1)[0]
    return [line.split()[0] for line in block.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def subcommands():
    """The subcommands `greenwave --help` lists."""
    return listing(greenwave("--help").stdout, "commands:\n")


def parse_argv(shown, subcommand):
    """The arguments that make greenwave parse the shown command and then print its usage."""
    words = [w.strip("[]()") for w in shown.words[2:]]
    words = [w for w in words if w and w != "|"]
    kept, skip = [], False
    for i, w in enumerate(words):
        # `--env NAME` and `--OPTION VALUE` stand for any env and its options.
        placeholder_env = w == "--env" and i + 1 < len(words) and PLACEHOLDER.search(words[i + 1])
        if not skip and not placeholder_env and not re.fullmatch(r"--[A-Z]+", w):
            kept.append(w)
        skip = not skip and (placeholder_env or bool(re.fullmatch(r"--[A-Z]+", w)))
    if not shown.block and kept and kept[-1].startswith("--"):
        kept.append("VALUE")
    lead = 1 if subcommand in ("moe", "nas") and kept and not kept[0].startswith("-") else 0
    return [subcommand, *kept[:lead], "--help", *kept[lead:]]


def parses(page, subcommands):
    """{argv: completed process} of the parse of every command the page shows, run four at a time
    (most of the time is train's and eval's start-up, which loads LibTorch)."""
    argvs = {tuple(parse_argv(s, sub)) for s in SHOWN if s.page == page and not s.words[1].startswith("--")
             for sub in s.subcommands() if sub in subcommands}
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        return dict(zip(argvs, pool.map(lambda argv: greenwave(*argv), argvs)))


@pytest.mark.parametrize("page", sorted({s.page for s in SHOWN}))
def test_shown_commands_parse(page, subcommands):
    top_help = greenwave("--help").stdout
    parsed = parses(page, subcommands)
    for s in [s for s in SHOWN if s.page == page]:
        if s.words[1].startswith("--"):
            assert s.words[1] in top_help, f"{s.where()}: `greenwave --help` has no {s.words[1]}"
            continue
        words = [w.strip("[]()") for w in s.words]
        for sub in s.subcommands():
            assert sub in subcommands, f"{s.where()}: no subcommand {sub!r} (greenwave --help: {subcommands})"
            r = parsed[tuple(parse_argv(s, sub))]
            assert r.returncode == 0, f"{s.where()}\n  greenwave {sub} rejects it: {r.stderr.strip()}"
            if sub in ("moe", "nas") and len(words) > 2 and re.fullmatch(r"[a-z]+", words[2]):
                # Their parser takes every subcommand's options; each must be its own subcommand's.
                usage = own_usage(sub).get(words[2])
                assert usage, f"{s.where()}: `greenwave {sub}` has no subcommand {words[2]!r}"
                for option in {w for w in words[3:] if OPTION.fullmatch(w)}:
                    assert re.search(re.escape(option) + r"(?![a-z-])", usage), \
                        f"{s.where()}: `greenwave {sub} {words[2]}` has no {option}"
            for option, value in zip(words[2:], words[3:]):
                given = value.split("|")
                if option in choices(sub) and not any(PLACEHOLDER.search(v) for v in given):
                    assert set(given) <= choices(sub)[option], \
                        f"{s.where()}: {option} {value}: `greenwave {sub} --help` offers {sorted(choices(sub)[option])}"
        for path in words[2:]:
            if path.split("/")[0] in REPO_DIRS and "/" in path and not PLACEHOLDER.search(path):
                assert (ROOT / path).exists(), f"{s.where()}: {path} is not in the repository"


@functools.cache
def help_text(subcommand):
    """`greenwave SUBCOMMAND --help`."""
    return greenwave(subcommand, "--help").stdout


@functools.cache
def choices(subcommand):
    """{option: its values} of the options whose --help lists them (`--controller fixed|...`)."""
    return {m.group(1): set(m.group(2).split("|"))
            for m in re.finditer(r"(--[a-z-]+)[ =]([a-z0-9-]+(?:\|[a-z0-9-]+)+)", help_text(subcommand))}


@functools.cache
def own_usage(subcommand):
    """{moe/nas subcommand: its usage lines} from `greenwave moe|nas --help`."""
    lines = []
    for line in help_text(subcommand).splitlines():
        if not (line.startswith("usage:") or line.startswith(" ")):
            break
        lines.append(line)
    parts = re.split(rf"greenwave {subcommand} ([a-z]+) ", "\n".join(lines))
    return dict(zip(parts[1::2], parts[2::2]))


def test_shown_shared_data_paths_exist():
    paths = sorted({w for s in SHOWN for w in s.words if w.startswith("../shared/") and not PLACEHOLDER.search(w)})
    assert paths, "the docs show no ../shared paths"
    if not (SHARED / "data").is_dir():
        pytest.skip(f"shared data not found at {SHARED / 'data'}; not checking {len(paths)} paths such as {paths[0]}")
    missing = [p for p in paths if not (ROOT / p).exists()]
    assert missing == [], f"the docs show ../shared paths that do not exist: {missing}"


@pytest.mark.parametrize("subcommand", ["run", "bench", "info", "convert", "generate", "inspect", "plot", "view", "nas",
                                        "moe", "train", "eval", "merge"])
def test_help_comes_after_the_parse(subcommand, subcommands):
    # What makes the parse check above a real one: an unknown option before --help is refused.
    if subcommand not in subcommands:
        pytest.skip(f"this build has no {subcommand} command")
    lead = ["el"] if subcommand == "moe" else []
    r = greenwave(subcommand, *lead, "--help", "--no-such-option")
    assert r.returncode != 0 and "--no-such-option: unknown option" in r.stderr, r.stderr


def test_parse_only_lines_are_still_shown():
    blocks = [(s.page, s.text) for s in SHOWN if s.block]
    for page, start in PARSE_ONLY:
        assert any(p == page and text.startswith(start) for p, text in blocks), f"docs/{page} no longer shows {start}"


def parse_only(shown):
    """True when a block command is not run here: a synopsis, or listed in PARSE_ONLY."""
    return shown.synopsis() or any(shown.page == page and shown.text.startswith(start) for page, start in PARSE_ONLY)


def test_run_pages_are_the_pages_with_runnable_commands():
    # Keeps the module docstring's list true.
    assert sorted({s.page for s in SHOWN if s.block and not parse_only(s)}) == RUN_PAGES


def run_shown(shown, cwd):
    """Runs one documented command with the build's greenwave, repository paths made absolute."""
    words = [str(ROOT / w) if w.split("/")[0] in REPO_DIRS and "/" in w else w for w in shown.words[1:]]
    r = greenwave(*words, cwd=cwd)
    assert r.returncode == 0, (f"{shown.where()}\n{r.stderr}(a code-block command too long or too dependent to run "
                               "here is listed in PARSE_ONLY with why)")
    if shown.out_file:
        (cwd / shown.out_file).write_text(r.stdout)
    return r.stdout


def figure_printed(figure, output):
    """True when a figure quoted as `1.23`, `4.5e-4` or `17.51B` (a suffix B or M: 1e9, 1e6) is one
    of the output's numbers at the figure's precision."""
    number, suffix = re.fullmatch(r"(.*?)([BM]?)", figure).groups()
    scale = {"B": 1e9, "M": 1e6, "": 1.0}[suffix]
    mantissa = number.split("e")[0]
    digits = len(mantissa.split(".")[1]) if "." in mantissa else 0
    for x in re.findall(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?", output):
        v = float(x) / scale
        shown = float(f"{v:.{digits}e}") if "e" in number else round(v, digits)
        if shown == float(number):
            return True
    return False


def view(shown, cwd):
    """Starts `greenwave view FILE --port 0`, fetches the page and the replay, stops it."""
    replay = cwd / shown.words[2]
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


@pytest.mark.parametrize("page", RUN_PAGES)
def test_documented_commands_run(page, tmp_path):
    shown = [s for s in SHOWN if s.page == page and s.block and not parse_only(s)]
    assert shown, f"docs/{page} shows no commands to run"
    for s in shown:
        if s.words[1] == "view":
            view(s, tmp_path)
        else:
            output = run_shown(s, tmp_path)
            # A comment that quotes the output (moe.md): each decimal figure in it is printed.
            for figure in FIGURE.findall(s.comment or ""):
                assert figure_printed(figure, output), f"{s.where()}: the comment's {figure} is not in the output\n{output}"
    if page == "quickstart.md":
        # What the page says the steps leave behind.
        for name in ("my_grid.pbtxt", "fixed.gwr", "dqn.gwr", "dqn.json", "compare.png", "series.svg", "curves.png",
                     "runs/my_grid/best.pt", "runs/my_grid/metrics.jsonl"):
            assert (tmp_path / name).exists(), name
