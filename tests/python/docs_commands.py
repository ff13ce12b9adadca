"""The `greenwave` command lines the docs show, found in every docs/*.md page: in fenced code
blocks (shell or unmarked; not ```python or ```cpp), in indented code blocks and in inline code
spans. Used by test_docs_commands.py."""

import dataclasses
import re
import shlex

from conftest import ROOT

DOCS = ROOT / "docs"
# `greenwave` (or a path ending in it) followed by a subcommand or a top-level option.
PROGRAM = re.compile(r"(?:^|(?<=[\s(/]))greenwave\s+(--[a-z][a-z-]*|[a-z][a-z|-]*)(?=\s|$)")
# What may stand before `greenwave` in an inline span for it to be a command (not prose quoted
# in code, like an error message): nothing, a path, `... `, a shell separator, `time` or `nice`.
INLINE_PREFIX = re.compile(r"(?:^|/|\.\.\.\s|&&\s|;\s|\btime\s|\bnice\s)$")
# Words standing for something the reader supplies (SCENARIO, CKPT..., DIR_0/best.pt, F.h5, $m)
# or showing a form ([optional], a|b, (x | y)).
PLACEHOLDER = re.compile(r"(?:^|[/.=-])[A-Z][A-Z0-9_]*(?:$|[/.])|\$|\.\.\.|[][|()]")
# Fenced blocks whose lines are not shell.
NOT_SHELL = {"python", "cpp", "json", "text"}


@dataclasses.dataclass
class Shown:
    """One command a page shows: where, how (block or inline), its words from `greenwave` on, the
    file its output is redirected to (`> FILE`) and its comment in the block, if any."""
    page: str
    line: int
    block: bool
    words: list
    out_file: str = None
    comment: str = None

    @property
    def text(self):
        """The command as one line."""
        return " ".join(self.words)

    def subcommands(self):
        """The subcommand(s) it names (`run|eval` names two)."""
        return self.words[1].split("|")

    def synopsis(self):
        """True when it shows a form (placeholders, [optional], a|b) rather than a line to paste."""
        return any(PLACEHOLDER.search(w) for w in self.words[1:])

    def where(self):
        """docs/PAGE:LINE and the command, for messages."""
        return f"docs/{self.page}:{self.line}: {self.text}"


def code_lines(text):
    """(line number, text, in a block, comment) of every line of a page's shell code blocks (fenced
    or indented, backslash continuations joined, comments removed) and of every inline code span
    (its lines joined). A block line's comment is its trailing `# ...`, or a whole-line comment
    right below it (what the docs use to show a command's output)."""
    found, prose = [], []
    last = None
    fence = None
    indented = False
    previous_blank = True
    pending = None
    for number, line in enumerate(text.split("\n"), 1):
        if line.startswith("```"):
            fence = line[3:].strip() if fence is None else None
            prose.append("")
            continue
        in_block = fence is not None or (line.startswith("    ") and "`" not in line and (previous_blank or indented))
        indented = in_block and fence is None
        previous_blank = not line.strip()
        if not in_block:
            prose.append(line)
            continue
        prose.append("")
        if fence in NOT_SHELL:
            continue
        comment = re.search(r"(?:^|\s)#\s*(.*)$", line)
        line = re.sub(r"(^|\s)#.*$", "", line)
        if comment and not line.strip():
            if last == number - 1 and found[-1][3] is None:
                found[-1] = (*found[-1][:3], comment.group(1))
            continue
        if not pending and found and fence is not None and re.match(r"\s{2,}[\[(-]", line):
            # A synopsis wrapped without a backslash: `greenwave x [--a A]` / `      [--b B]`.
            found[-1] = (found[-1][0], found[-1][1] + " " + line.strip(), True, found[-1][3])
            last = number
            continue
        start = pending[0] if pending else number
        if pending:
            line = pending[1] + " " + line.strip()
        if line.rstrip().endswith("\\"):
            pending = (start, line.rstrip()[:-1])
            continue
        pending = None
        found.append((start, line, True, comment.group(1) if comment else None))
        last = number
    joined = "\n".join(prose)
    for match in re.finditer(r"`([^`]+)`", joined):
        span = " ".join(match.group(1).split())
        found.append((joined[:match.start()].count("\n") + 1, span, False, None))
    return found


def commands_in(line, block):
    """(words, output file) of each `greenwave ...` command of one shell line: its words up to a
    `>` (whose target is the output file), a pipe into another program, `;` or `&&`."""
    result = []
    for match in PROGRAM.finditer(line):
        if not block and not INLINE_PREFIX.search(line[:match.start()]):
            continue
        rest = re.split(r"\s(?:&&|;|\|\s+(?=[a-z]))|;", line[match.start():])[0]
        out_file = None
        if re.search(r"\s>\s*\S", rest):
            rest, out_file = re.split(r"\s>\s*", rest, maxsplit=1)
            out_file = out_file.split()[0]
        try:
            words = shlex.split(rest)
        except ValueError:
            words = rest.split()
        result.append((words, out_file))
    return result


def shown_commands(pages=None):
    """Every `greenwave` command shown in docs/*.md (or in `pages`), in page order: blocks first,
    then inline spans."""
    shown = []
    for path in sorted(DOCS.glob("*.md")):
        if pages is not None and path.name not in pages:
            continue
        for number, line, block, comment in code_lines(path.read_text()):
            for words, out_file in commands_in(line, block):
                shown.append(Shown(path.name, number, block, words, out_file, comment))
    return shown
