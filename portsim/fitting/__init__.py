"""Fitting a scenario from an event log (``portsim fit``): arrivals, services, paths, giving up
and servers on duty, each with its interval and the rule that chose it, written as a scenario
file with each figure's provenance as a comment. scipy does the statistics; it is imported
where a figure is fitted, not with the package, so that ``portsim --help`` stays light."""
