"""Textbook answers for the queues the validation scenarios simulate.

Pure functions, no simulation. Times are in one consistent unit (portsim uses minutes); rates
are per that unit. One module per family of queues:

- :mod:`~portsim.theory.metrics`: the steady-state results of one queue (Little's-law relatives)
  and the stability check every formula shares;
- :mod:`~portsim.theory.erlang`: Erlang B and C, M/M/1 and M/M/c with the waiting-time tail and
  quantiles, M/M/c/K (a finite queue);
- :mod:`~portsim.theory.erlang_a`: Erlang A (M/M/c+M, exponential patience);
- :mod:`~portsim.theory.mg1`: M/G/1 (Pollaczek–Khinchine, M/D/1 as its zero-variance case) and
  non-preemptive priority M/G/1 (Cobham) with Kleinrock's conservation law;
- :mod:`~portsim.theory.jackson`: open Jackson networks;
- :mod:`~portsim.theory.breakdowns`: M/M/c with servers that break down (preemptive resume).
"""
