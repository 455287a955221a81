"""Keep freed memory in the process rather than handing it back to the system at every free.

A replication builds and drops many arrays of a few megabytes each (one float per customer).
glibc's malloc returns the freed top of its heap to the system as soon as more than a few
megabytes lie free there, so the next array of that size is mapped afresh and the kernel
zeroes it page by page: measured on the fast path's M/M/10 (200,000 customers), 13,100 page
faults per replication, 45 % of its time. Asking malloc to keep a pad of freed memory
(``M_TOP_PAD``) removes them: 0 faults, the same results.

The pad is :data:`DEFAULT_PAD_MB` megabytes (``PORTSIM_MALLOC_PAD_MB`` sets another; ``0``
leaves malloc as it is). It is set once per process, only where the C library is glibc; the
process may then hold up to the pad in freed memory.
"""

from __future__ import annotations

import functools
import os

__all__ = ["DEFAULT_PAD_MB", "retain_freed_memory"]

DEFAULT_PAD_MB = 64
_M_TOP_PAD = -2  # glibc's malloc.h


@functools.cache
def retain_freed_memory() -> bool:
    """Set malloc's top pad, once in this process (glibc only); whether it is set."""
    try:
        megabytes = int(os.environ.get("PORTSIM_MALLOC_PAD_MB", DEFAULT_PAD_MB))
    except ValueError:  # not a number: the default, as when unset
        megabytes = DEFAULT_PAD_MB
    if megabytes <= 0:
        return False
    try:
        os.confstr("CS_GNU_LIBC_VERSION")  # raises where the C library is not glibc
    except (ValueError, OSError, AttributeError):
        return False
    import ctypes

    try:
        return bool(ctypes.CDLL(None).mallopt(_M_TOP_PAD, megabytes << 20))
    except (OSError, AttributeError):
        return False
