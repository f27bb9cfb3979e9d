"""`python -m jianfu` runs the `jianfu` command."""

from jianfu.adapters.cli.main import app

app(prog_name="jianfu")
