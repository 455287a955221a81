"""``zero_wait``: arriving ships declared before arrival are inspected on arrival.

Mechanism (see :mod:`portsim.policies.booking`): the boarding inspection is booked
``declared_ahead`` before the ship arrives, so a team is held for it and boards on arrival
instead of the ship waiting at anchorage for a free team within working hours; with
``around_the_clock`` off-duty teams are called in for them at any hour.
"""

from __future__ import annotations

from portsim.document.policy_blocks import ZeroWait
from portsim.policies.base import Policy, creates_nothing
from portsim.policies.booking import apply_booking, check_booking, serves_booking

POLICY: Policy[ZeroWait] = Policy(
    name="zero_wait", check=check_booking, creates=creates_nothing,
    apply=apply_booking, serves=serves_booking)
