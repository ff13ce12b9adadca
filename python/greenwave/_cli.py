"""The ``greenwave`` console command of a pip-installed package: executes the ``greenwave``
program that setup.py installs in ``greenwave/bin/`` (with ``greenwave-agents`` beside it)."""

import os
import pathlib
import sys

BIN = pathlib.Path(__file__).resolve().parent / "bin"


def main():
    """Replaces this process with ``greenwave/bin/greenwave``, passing the arguments on."""
    program = BIN / "greenwave"
    if not os.access(program, os.X_OK):
        sys.exit(f"greenwave: no executable {program} (the package was not installed with pip, "
                 "which builds it; in a source tree run build/tools/greenwave)")
    os.execv(program, [str(program), *sys.argv[1:]])
