"""The foresight scenarios (事前可知.feature) as pytest tests: quota, the quarterly review, a revision's impact.

The path is absolute: pytest-bdd reads relative ones from the project's features/ folder (bdd_features_base_dir)."""

from pathlib import Path

from pytest_bdd import scenarios

scenarios(str(Path(__file__).resolve().parent / "事前可知.feature"))
