"""Debian's Chromium for the browser tests (never a browser Playwright downloads; `make browser` installs it), with
the flags this machine's closed network needs. Tests that use it are skipped, with the reason, where it is missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("JIANFU_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"没有 Chromium（make browser 安装 Debian 的） / no Chromium at {CHROMIUM} (make browser installs Debian's)")


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
