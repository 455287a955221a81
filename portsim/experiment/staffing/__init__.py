"""Staffing solved backwards from a waiting-time target: the officers needed per interval, the
cheapest roster of allowed shifts that covers them, and a proof run with fresh seeds.

1. **Requirement curve** (:mod:`.requirement`). An interval *meets* the target when the 95 %
   interval (over replications) of its KPI — the waits of the customers who joined the station
   in that clock interval, every measured day pooled — lies within the target at its
   unfavourable end (the pledge verdict's "met", :func:`portsim.experiment.pledge.judge`). The
   search starts from the Erlang C staffing of each interval's own offered load (arrival rate
   and service time measured in a pilot run of the scenario as written, :mod:`.start`) and
   corrects it by simulation, in the spirit of the iterative staffing algorithm of Feldman,
   Mandelbaum, Massey and Whitt (2008): every round simulates the whole day with the current
   staffing (so that a deficit in one interval shows up as waits in the next), on common random
   numbers (the same seed every round); intervals that do not meet the target get one officer
   more; once all meet it, officers are taken away where an interval has room, and a removal
   that makes an interval fail is put back (in that interval, or the nearest interval before it
   that lost one) and not tried again.
2. **Roster** (:mod:`.roster`). Per station, the cheapest integer roster of allowed shifts whose
   coverage is at least the requirement in every interval (SciPy's ``milp``).
3. **Proof** (:mod:`.proof`). The rostered staffing simulated again with fresh seeds; an
   interval that does not meet the target there raises its requirement by one and the roster is
   solved and checked again (a repair round), up to a cap; the number of rounds is reported.

The modules, lowest first: :mod:`.target` (the target, its parsing, the solver's error),
:mod:`.roster` (shifts and the covering program), :mod:`.problem` (what to staff and how),
:mod:`.evaluation` (a staffing simulated and judged per interval), :mod:`.start`,
:mod:`.requirement`, :mod:`.proof`, :mod:`.solver` (``solve``: the three steps in order, and the
:class:`~.solver.Solution`) and :mod:`.summary` (the solution as rows and JSON-ready data).

The engine knows nothing of this: a staffing is a :class:`~portsim.engine.model.ShiftSchedule`
per station, swapped into the compiled model.
"""
