"""jianfu (减负): a rules engine that keeps government paperwork within Jiangxi's burden-reduction limits.

The distribution is one import package. Its parts live in the top-level folders the product was specified with and
are mapped in by `pyproject.toml` (setuptools `package-dir`): `engine/` is `jianfu.engine`, `adapters/` is
`jianfu.adapters`, `bench/` is `jianfu.bench`; the rule packs (`rules/`), the sample register (`examples/`) and the
feature scenarios (`features/`) travel as package data, found through `shipped()` wherever jianfu is installed.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

__all__ = ["shipped"]


def shipped(folder: str) -> Path:
    """The folder of data shipped with jianfu: `rules`, `examples` or `features`, in a checkout or an install."""
    spec = importlib.util.find_spec(f"jianfu.{folder}")
    if spec is not None and spec.submodule_search_locations:  # an installed wheel: the folder inside the package
        return Path(next(iter(spec.submodule_search_locations)))
    # An editable install maps the folders of code but finds no data-only folder below a regular package: in a
    # checkout the folder stands beside jianfu/.
    beside = Path(__file__).resolve().parents[1] / folder
    if beside.is_dir():
        return beside
    raise FileNotFoundError(f"jianfu ships no folder {folder!r}")
