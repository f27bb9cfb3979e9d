"""Intake (read the real paperwork): a 公文 draft or issued document, a meeting notice or an inspection work plan, as
DOCX, TXT, MD, saved HTML or a PDF with a text layer, into a draft request for screening (SPEC, `jianfu intake`).

One job per module: `readers` (files into text, bounded), `normalise` (damaged text repaired where one reading is
possible), `elements` (the 公文's elements, GB/T 9704-2012), `meetings` and `inspections` (their own fields),
`units` (names matched to the register; document-number prefixes as data in prefixes.yaml), `similar` (art. 4),
`draft` (the draft put together).
"""

from .draft import Intake, RegisterData, intake_file, intake_raw
from .similar import DEFAULT_THRESHOLD

__all__ = ["DEFAULT_THRESHOLD", "Intake", "RegisterData", "intake_file", "intake_raw"]
