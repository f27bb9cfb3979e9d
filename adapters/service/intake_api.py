"""`POST /api/v1/intake`: an uploaded paper (multipart `file`, one or several) read into SPEC's draft requests, one per
file in order; the same roles as screening (office, department, admin). A file that cannot be read is a 422 naming
it and what to do (save as .docx; no text layer), and no draft is returned for any file.

`draft_from_upload` is the one way the service reads an upload, for this route and the 上传公文 page alike.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from jianfu.adapters.intake import DEFAULT_THRESHOLD, Intake, RegisterData, intake_file
from jianfu.engine.errors import FieldError, InvalidInput

from .auth import User, forbidden, require

router = APIRouter()

SUFFIXES = (".docx", ".txt", ".md", ".html", ".htm", ".pdf", ".doc", ".wps")

def register_data(app_state: Any) -> RegisterData:
    """The register's units and records as intake reads them (names to match, valid documents for art. 4)."""
    data = app_state.store.register_file()
    return RegisterData.of(data)

def draft_from_upload(app_state: Any, filename: str, content: bytes, threshold: float = DEFAULT_THRESHOLD) -> Intake:
    """Write the upload to a private temporary file (its name's suffix kept, nothing else of the name) and read it."""
    name = Path(filename or "upload").name
    suffix = Path(name).suffix.lower()
    suffix = suffix if suffix in SUFFIXES else ".bin"
    with tempfile.TemporaryDirectory(prefix="jianfu-intake-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        try:
            return intake_file(path, register_data(app_state), threshold=threshold, name=name)
        except InvalidInput as exc:
            raise InvalidInput([e.at(file=name) for e in exc.errors]) from None

@router.post(
    "/intake", tags=["intake"],
    openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
        "type": "object", "properties": {"file": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}}},
)
async def intake(request: Request, user: User = Depends(require("office", "department"))) -> list[dict[str, Any]]:
    """读取上传的公文、会议通知或工作方案，返回申请草稿 / read uploaded paperwork into draft requests (SPEC's draft)."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise InvalidInput([FieldError(("file",), "请以 multipart/form-data 上传文件（字段 file）", "upload the file as multipart/form-data (field `file`)")])
    form = await request.form()
    uploads = [item for item in form.getlist("file") if hasattr(item, "read")]
    if not uploads:
        raise InvalidInput([FieldError(("file",), "没有上传文件（字段 file）", "no file uploaded (field `file`)")])
    threshold = DEFAULT_THRESHOLD
    if form.get("threshold"):
        text = str(form.get("threshold"))
        if not re.fullmatch(r"\d{1,3}(\.\d+)?", text) or float(text) > 100:
            raise InvalidInput([FieldError(("threshold",), f"应为 0-100 的数，收到 {text!r}", f"expected a number 0-100, got {text!r}")])
        threshold = float(text)
    drafts, errors = [], []
    for upload in uploads:
        content = await upload.read()
        try:
            drafts.append((await run_in_threadpool(draft_from_upload, request.app.state, upload.filename or "", content, threshold)).draft)
        except InvalidInput as exc:
            errors += exc.errors
    if errors:
        raise InvalidInput(errors)
    if user.role == "department":
        for draft in drafts:  # a department reads its own unit's papers: another unit's is not its to screen
            unit = draft["request"].get("unit")
            if unit is not None and not user.may_see_unit(unit):
                raise forbidden(f"无权限：部门用户只能处理本单位（{user.unit}）的事项，{draft['file']} 是 {unit} 的",
                                f"forbidden: a department handles only its own unit ({user.unit}); {draft['file']} is {unit}'s")
    return drafts
