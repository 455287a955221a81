"""The catalogue's KPIs of a vehicle's delay: lateness against its due time (``due_after``),
and the delay a comparison attributes to border inspection (``compare --attribute-delay``,
:mod:`portsim.experiment.attribution`)."""

from __future__ import annotations

from portsim.stats.kpi_types import MEAN_OF_MAXIMA, MINUTES, SHARE, Kpi

#: The KPIs of a class with a due time (``due_after``).
DUE_KPIS: tuple[Kpi, ...] = (
    Kpi("late_share", "share late", SHARE,
        "members who left after the warm-up: share whose time in system exceeded the due time",
        only_for="classes with a due time"),
    Kpi("lateness_mean", "mean lateness", MINUTES,
        "the same members: time in system beyond the due time (0 if on time)",
        only_for="classes with a due time"),
    Kpi("lateness_max", "longest lateness", MINUTES,
        "the same members: the replication's largest lateness", MEAN_OF_MAXIMA,
        only_for="classes with a due time"),
)

_INSPECTED = "classes named in inspection.classes, with compare --attribute-delay"
_MEASURED = ("members who left the port (or passed the milestone of inspection.until) after "
             "the warm-up, in the run and in its counterfactual (the same run, on the same "
             "random numbers, with the inspection stations taking no time and having no "
             "queue)")

#: The delay attributed to border inspection: differences to a counterfactual run, so a
#: replication's value may be below zero.
INSPECTION_KPIS: tuple[Kpi, ...] = (
    Kpi("inspection_delay_mean", "delay due to inspection", MINUTES,
        f"{_MEASURED}: mean time from arrival until they left (or passed the milestone) less "
        "the same in the counterfactual, replication by replication", only_for=_INSPECTED,
        signed=True),
    Kpi("inspection_delay_share", "share of the time due to inspection", SHARE,
        "the same members: the delay due to inspection over the run's own mean time from "
        "arrival until they left (or passed the milestone)", only_for=_INSPECTED, signed=True),
    Kpi("inspection_lateness_mean", "lateness due to inspection", MINUTES,
        "the same members: mean lateness less the counterfactual's",
        only_for=_INSPECTED + ", with a due time", signed=True),
)
