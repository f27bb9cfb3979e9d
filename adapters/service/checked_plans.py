"""The checked plan workbooks waiting to be downloaded from the plans page."""

from __future__ import annotations

import json
import re
import secrets
import tempfile
import time
from pathlib import Path


class CheckedPlans:
    """Checked workbooks waiting to be downloaded, by a random token, for the user who uploaded the plan only.

    They are files in one folder of the machine, not memory, because `jianfu serve --workers N` answers the upload
    and the download from different processes. A download page, not an archive (the decision log is the record):
    files older than `keep` seconds are removed whenever another is added.
    """

    def __init__(self, folder: Path | None = None, keep: int = 3600):
        self.folder = folder or Path(tempfile.gettempdir()) / "jianfu-checked-plans"
        self.keep = keep

    def put(self, owner: str, filename: str, content: bytes) -> str:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._sweep()
        token = secrets.token_urlsafe(18)
        (self.folder / f"{token}.xlsx").write_bytes(content)
        (self.folder / f"{token}.json").write_text(json.dumps({"owner": owner, "filename": filename}, ensure_ascii=False), encoding="utf-8")
        return token

    def get(self, token: str, owner: str) -> tuple[str, bytes] | None:
        if not re.fullmatch(r"[A-Za-z0-9_-]{24}", token):
            return None
        try:
            about = json.loads((self.folder / f"{token}.json").read_text(encoding="utf-8"))
            content = (self.folder / f"{token}.xlsx").read_bytes()
        except (OSError, ValueError):
            return None
        if about.get("owner") != owner:
            return None
        return about.get("filename") or "checked.xlsx", content

    def _sweep(self) -> None:
        cutoff = time.time() - self.keep
        for path in self.folder.glob("*.*"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                pass  # another worker swept it first


CHECKED = CheckedPlans()
