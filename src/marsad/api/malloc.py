"""Fewer malloc arenas for the server processes.

glibc gives each thread that allocates its own arena (up to 8 per core). Under load the API's
threads render and drop answers of tens of kilobytes, and memory freed in one arena is not
reused by another: a server's private memory grew ~1 MB a second under 50 clients and never came
back. Two arenas keep it flat (measured by `bench/bench_load.py`), at no cost in speed we could
measure: the routes hold Python's lock most of the time anyway.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)
ARENAS = 2


def limit_arenas(n: int = ARENAS) -> bool:
    """Cap malloc arenas at `n` in this process and its children, unless MALLOC_ARENA_MAX is set.

    Returns True when the cap was set here (False on a C library other than glibc, or when the
    user chose a value).
    """
    if "MALLOC_ARENA_MAX" in os.environ:
        return False  # the user's choice, read by glibc at this process's start
    os.environ["MALLOC_ARENA_MAX"] = str(n)  # worker processes read it when they start
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_ARENA_MAX, n))  # this process: glibc read the environment already
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to tune
        return False
