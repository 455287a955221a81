"""Streaming accumulators for one replication and summaries over replications."""

from portsim.stats.accumulators import Level, Tally
from portsim.stats.summary import Interval, t_interval

__all__ = ["Interval", "Level", "Tally", "t_interval"]
