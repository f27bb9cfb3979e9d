"""Every feature file under features/ becomes pytest tests (pytest-bdd)."""

from pytest_bdd import scenarios

scenarios(".")
