"""The distribution is one import package, `jianfu`, mapped from the top-level folders by pyproject.toml: a folder of
code that the list misses would be absent from the wheel (and so from an intranet install) without any test run
from the checkout noticing."""

from __future__ import annotations

import tomllib
from pathlib import Path

import jianfu

ROOT = Path(__file__).resolve().parents[1]
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def _folder(package: str) -> Path:
    parts = package.split(".")
    for depth in range(len(parts), 0, -1):
        head = ".".join(parts[:depth])
        if head in SETUPTOOLS["package-dir"]:
            return ROOT / SETUPTOOLS["package-dir"][head] / Path(*parts[depth:])
    raise AssertionError(f"{package} is mapped to no folder")


def test_every_folder_of_code_or_data_is_a_package_of_the_wheel():
    listed = {_folder(p).resolve() for p in SETUPTOOLS["packages"]}
    top = {ROOT / SETUPTOOLS["package-dir"][name] for name in SETUPTOOLS["package-dir"]}
    wanted = set()
    for folder in top:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir() and path.name != "__pycache__" and any(f.suffix in {".py", ".yaml", ".txt", ".feature"} for f in path.iterdir()):
                wanted.add(path.resolve())
    assert sorted(map(str, wanted - listed)) == []


def test_only_jianfu_is_installed_top_level():
    assert {name.split(".")[0] for name in SETUPTOOLS["packages"]} == {"jianfu"}


def test_the_shipped_folders_hold_the_packs_the_sample_and_the_scenarios():
    assert (jianfu.shipped("rules") / "jingdezhen-2019.yaml").is_file()
    assert (jianfu.shipped("examples") / "register.yaml").is_file()
    assert any(jianfu.shipped("features").glob("*.feature"))
