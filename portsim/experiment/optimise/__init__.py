"""Choosing the best design with a guarantee: ``portsim optimise``.

The design space is the product of ``--vary`` axes (the sweep's syntax), each design a full
scenario; the objective a KPI's mean or the cost ledger's ``cost``; the constraints the pledge
(every slot, every pledged class) or bounds on KPI means. The procedure is KN++ on common random
numbers with feasibility screening; it states the probability of correct selection it
guarantees within the indifference zone δ.

Modules, lowest first: :mod:`.procedure` (the procedure on arrays, no simulation),
:mod:`.problem` (objective and constraints parsed), :mod:`.space` (the designs and their
replications), :mod:`.search` (``optimise`` and the :class:`~.search.Optimisation`),
:mod:`.summary` (as rows and JSON), :mod:`.baseline` (the selected design against the
baseline: its cost ledger and who pays) and :mod:`.variant` (the selected design as a variant).
"""
