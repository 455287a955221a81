"""``python -m portsim``."""

from portsim.cli.main import app

app(prog_name="portsim")
