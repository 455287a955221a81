"""The ``portsim`` command line: :mod:`portsim.cli.main` assembles the app from one module per
command; :mod:`portsim.cli.common` holds the consoles, the options and the exit codes, and
:mod:`portsim.cli.runs` what the commands that run replications share."""
