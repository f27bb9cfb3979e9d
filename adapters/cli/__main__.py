"""`python -m adapters.cli` runs the `jianfu` command."""

from .main import app

app(prog_name="jianfu")
