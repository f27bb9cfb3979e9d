"""The command line as a user runs it, for the tests: `python -m adapters.cli` in a process of its own, from the
repository's root (where examples/ and rules/ are)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JIANFU = [sys.executable, "-m", "jianfu"]


def jianfu(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([*JIANFU, *args], capture_output=True, text=True, cwd=cwd)
