"""``python -m portsim``."""

from portsim.cli import app

app(prog_name="portsim")
