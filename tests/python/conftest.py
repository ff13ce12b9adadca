"""pytest set-up: import greenwave from the build tree and locate shared data."""

import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("GREENWAVE_BUILD_DIR", ROOT / "build"))
sys.path.insert(0, str(BUILD / "python"))

# The ecosystem's real conformance suites (Gymnasium, PettingZoo): installed, or the source
# copies in ../shared/peers (GREENWAVE_PEERS_DIR overrides), put on sys.path before greenwave is
# imported so its envs are Gymnasium's classes. Tests needing them skip when neither exists.
PEERS = pathlib.Path(os.environ.get("GREENWAVE_PEERS_DIR", ROOT.parent / "shared" / "peers"))
for _package in ("gymnasium", "pettingzoo"):
    try:
        __import__(_package)
    except ImportError:
        if (PEERS / _package / _package).is_dir():
            sys.path.insert(1, str(PEERS / _package))
