"""A time limit for a case of the fuzzers and for tests of bounded work."""

from __future__ import annotations

import faulthandler
import signal
from collections.abc import Iterator
from contextlib import contextmanager


class Hang(BaseException):
    """A case ran past its time limit (a BaseException: no `except Exception` swallows it)."""


@contextmanager
def time_limit(seconds: float, *, hard_stop: bool = False) -> Iterator[None]:
    """Raise Hang in the main thread after `seconds` (where SIGALRM exists; else no limit).

    SIGALRM interrupts Python code only; with `hard_stop`, faulthandler also ends the process
    with every thread's stack after four times as long, should C code never return.
    """
    if not hasattr(signal, "setitimer"):
        yield
        return

    def expire(_signal: int, _frame: object) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    if hard_stop:
        faulthandler.dump_traceback_later(seconds * 4, exit=True)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if hard_stop:
            faulthandler.cancel_dump_traceback_later()
